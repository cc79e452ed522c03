//! [`Ack`]: socketioxide's ack callback of one message, whatever the adapter.

use serde::Serialize;
use socketioxide::SendError;
use socketioxide::adapter::{Adapter, LocalAdapter};

use crate::socket::{DynData, EmitError, downcast};

/// socketioxide's ack callback, whatever the adapter: held as it is for the in-memory adapter
/// (no allocation, no erased serialization; see [`SocketRef`](crate::SocketRef)), erased for
/// the others.
pub(crate) enum Ack {
    Local(socketioxide::extract::AckSender<LocalAdapter>),
    Erased(Box<dyn ErasedAck>),
}

impl Ack {
    pub(crate) fn new<A: Adapter>(ack: socketioxide::extract::AckSender<A>) -> Self {
        match downcast(ack) {
            Ok(local) => Ack::Local(local),
            Err(other) => Ack::Erased(Box::new(other)),
        }
    }

    pub(crate) fn send<T: Serialize + ?Sized>(self, data: &T) -> Result<(), EmitError> {
        let sent = match self {
            Ack::Local(ack) => ack.send(data),
            Ack::Erased(ack) => ack.send(&data),
        };
        sent.map_err(EmitError::from)
    }
}

pub(crate) trait ErasedAck: Send + 'static {
    fn send(self: Box<Self>, data: DynData<'_>) -> Result<(), SendError>;
}

impl<A: Adapter> ErasedAck for socketioxide::extract::AckSender<A> {
    fn send(self: Box<Self>, data: DynData<'_>) -> Result<(), SendError> {
        socketioxide::extract::AckSender::send(*self, data)
    }
}

//! [`MessageContext`]: the message being handled, as extractors and the reply see it.

use std::sync::Arc;

use serde::Serialize;

use super::HandlerMeta;
use crate::error::HandlerError;
use crate::message::{Incoming, Outbox};
use crate::socket::SocketRef;

/// Everything about the message being handled: the socket, the pattern (event name), the raw
/// payload, the ack. What extractors ([`FromMessageContext`](super::FromMessageContext)) read.
pub struct MessageContext {
    pub(crate) socket: SocketRef,
    pub(crate) incoming: Incoming,
    pub(crate) outbox: Option<Arc<Outbox>>,
    pub(crate) meta: &'static HandlerMeta,
}

impl MessageContext {
    /// The client socket.
    pub fn socket(&self) -> &SocketRef {
        &self.socket
    }

    /// The event name, NestJS's `getPattern()`.
    pub fn pattern(&self) -> &'static str {
        self.meta.event
    }

    /// The gateway's name (NestJS's `getClass().name`).
    pub fn gateway(&self) -> &'static str {
        self.meta.gateway
    }

    /// The handler method's name (NestJS's `getHandler().name`).
    pub fn method(&self) -> &'static str {
        self.meta.method
    }

    /// The payload as JSON, NestJS's `getData()` (decoded again: meant for the error path).
    pub fn data(&self) -> serde_json::Value {
        self.incoming.data()
    }

    /// Whether the client asked for an ack that has not been answered or taken.
    pub fn ack_pending(&self) -> bool {
        self.outbox.as_ref().is_some_and(|o| o.ack_pending())
    }

    /// Hands the ack to the handler (an `AckSender` parameter): the return value will not
    /// answer it.
    pub(crate) fn manual_ack(&mut self) -> Option<Arc<Outbox>> {
        let outbox = self.outbox.clone()?;
        outbox.set_manual();
        Some(outbox)
    }

    /// Answers the ack with `data`, if the client asked and nobody took the ack (with
    /// interceptors, the value is handed to them first).
    pub fn ack<T: Serialize + ?Sized>(&mut self, data: &T) -> Result<(), HandlerError> {
        match &self.outbox {
            Some(outbox) => outbox.ack(data),
            None => Ok(()),
        }
    }

    /// Emits `event` to this client (with interceptors, handed to them first).
    pub fn emit<T: Serialize + ?Sized>(&self, event: &str, data: &T) -> Result<(), HandlerError> {
        Outbox::emit(self.outbox.as_deref(), &self.socket, event, data)
    }
}

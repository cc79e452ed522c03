//! Handler parameters besides the body: the [`FromMessageContext`] extractor trait and the
//! extractors that ship with the framework.

use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use socketioxide::SendError;
use socketioxide::adapter::{Adapter, LocalAdapter};

use super::dispatch::{MessageContext, Outbox};
use crate::error::{BoxError, HandlerError};
use crate::socket::{DynData, SocketRef};

/// A value a handler can take as a parameter, built from the message being handled.
///
/// Implement it for your own types to take them as handler parameters, as axum's
/// `FromRequestParts`. An `Err` is answered like a handler error.
///
/// ```
/// use gateway_core::prelude::*;
/// use gateway_core::handler::{FromMessageContext, MessageContext};
///
/// struct Pattern(String);
/// impl FromMessageContext for Pattern {
///     fn from_context(ctx: &mut MessageContext) -> Result<Self, HandlerError> {
///         Ok(Pattern(ctx.pattern().to_owned()))
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a handler parameter",
    label = "not a handler parameter",
    note = "a handler takes `#[message_body] T` (any `Deserialize` type), `#[connected_socket] SocketRef`, `AckSender`, `NsParams<T>`, `Extension<T>`, or a type that implements `FromMessageContext`"
)]
pub trait FromMessageContext: Sized {
    /// Builds the parameter.
    fn from_context(ctx: &mut MessageContext) -> Result<Self, HandlerError>;
}

impl FromMessageContext for SocketRef {
    fn from_context(ctx: &mut MessageContext) -> Result<Self, HandlerError> {
        Ok(ctx.socket().clone())
    }
}

/// The ack callback of the message, for handlers that answer it themselves (NestJS's `@Ack()`).
///
/// A handler that takes it no longer has its return value sent as the ack. Sending on a
/// message whose client did not ask for an ack does nothing. If the handler fails without
/// sending, the ack is still there for `ack_errors(true)`.
pub struct AckSender(Option<Arc<Outbox>>);

/// socketioxide's ack callback, whatever the adapter: held as it is for the in-memory adapter
/// (no allocation, no erased serialization; see [`SocketRef`]), erased for the others.
pub(crate) enum Ack {
    Local(socketioxide::extract::AckSender<LocalAdapter>),
    Erased(Box<dyn ErasedAck>),
}

impl Ack {
    pub(crate) fn new<A: Adapter>(ack: socketioxide::extract::AckSender<A>) -> Self {
        match crate::socket::downcast(ack) {
            Ok(local) => Ack::Local(local),
            Err(other) => Ack::Erased(Box::new(other)),
        }
    }

    pub(crate) fn send<T: Serialize + ?Sized>(self, data: &T) -> Result<(), SendError> {
        match self {
            Ack::Local(ack) => ack.send(data),
            Ack::Erased(ack) => ack.send(&data),
        }
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

impl AckSender {
    /// Whether the client asked for an ack that has not been answered yet.
    pub fn requested(&self) -> bool {
        self.0.as_ref().is_some_and(|o| o.ack_pending())
    }

    /// Answers the ack with `data` (once: later calls do nothing).
    pub fn send<T: Serialize + ?Sized>(self, data: &T) -> Result<(), SendError> {
        match self.0.as_ref().and_then(|o| o.take_ack()) {
            Some(ack) => ack.send(&data),
            None => Ok(()),
        }
    }
}

impl std::fmt::Debug for AckSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AckSender")
            .field("requested", &self.requested())
            .finish()
    }
}

impl FromMessageContext for AckSender {
    fn from_context(ctx: &mut MessageContext) -> Result<Self, HandlerError> {
        Ok(AckSender(ctx.manual_ack()))
    }
}

/// The parameters of a pattern namespace (`"/teams/{team}"`), decoded into `T`.
///
/// ```
/// # use gateway_core::prelude::*;
/// #[derive(Deserialize)]
/// struct Team { team: String }
/// // in a handler: `NsParams(Team { team }): NsParams<Team>`
/// ```
#[derive(Debug, Clone)]
pub struct NsParams<T>(pub T);

/// The raw namespace parameters stored on the socket when it connects.
#[derive(Debug, Clone, Default)]
pub struct NamespaceParams(pub Arc<Vec<(String, String)>>);

impl NamespaceParams {
    /// The parameter called `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Decodes the parameters into `T` (a struct whose fields are the parameter names).
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, HandlerError> {
        let pairs = self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        let de = serde::de::value::MapDeserializer::<_, serde::de::value::Error>::new(pairs);
        T::deserialize(de).map_err(|e| HandlerError::Internal(Box::new(e)))
    }
}

impl<T: DeserializeOwned> FromMessageContext for NsParams<T> {
    fn from_context(ctx: &mut MessageContext) -> Result<Self, HandlerError> {
        let params = ctx
            .socket()
            .extensions()
            .get::<NamespaceParams>()
            .unwrap_or_default();
        params.decode().map(NsParams)
    }
}

/// A value stored on the socket (by a connection hook or guard) with
/// `socket.extensions().insert(value)`, taken back by type.
#[derive(Debug, Clone)]
pub struct Extension<T>(pub T);

impl<T: Clone + Send + Sync + 'static> FromMessageContext for Extension<T> {
    fn from_context(ctx: &mut MessageContext) -> Result<Self, HandlerError> {
        ctx.socket()
            .extensions()
            .get::<T>()
            .map(Extension)
            .ok_or_else(|| {
                let e: BoxError = format!(
                    "no {} stored on this socket: insert it in handle_connection or a guard",
                    std::any::type_name::<T>()
                )
                .into();
                HandlerError::Internal(e)
            })
    }
}

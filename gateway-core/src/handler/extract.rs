//! Handler parameters besides the body: the [`FromMessageContext`] extractor trait and the
//! extractors that ship with the framework.

use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::MessageContext;
use crate::di::Injectable;
use crate::error::{BoxError, HandlerError};
use crate::message::Outbox;
use crate::socket::{EmitError, NamespaceParams, SocketRef};

/// A value a handler can take as a parameter, built from the message being handled.
///
/// Implement it for your own types to take them as handler parameters, as axum's
/// `FromRequestParts`. An `Err` is answered like a handler error.
///
/// ```
/// use gateway_core::prelude::*;
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
    /// Builds the parameter from the message; an `Err` is answered like a handler error.
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

impl AckSender {
    /// Whether the client asked for an ack that has not been answered yet.
    pub fn requested(&self) -> bool {
        self.0.as_ref().is_some_and(|o| o.ack_pending())
    }

    /// Answers the ack with `data` (once: later calls do nothing).
    pub fn send<T: Serialize + ?Sized>(self, data: &T) -> Result<(), EmitError> {
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

/// What a socket carries when the application has socket-scoped providers: the providers to
/// build its own instances from, and the instances built so far (under one lock, so that two
/// messages of the socket handled at once still get the same one).
pub(crate) struct SocketScope {
    registry: Arc<crate::di::Registry>,
    built: std::sync::Mutex<Vec<(std::any::TypeId, Arc<dyn std::any::Any + Send + Sync>)>>,
}

impl SocketScope {
    pub(crate) fn new(registry: Arc<crate::di::Registry>) -> Self {
        SocketScope {
            registry,
            built: std::sync::Mutex::default(),
        }
    }
}

/// This socket's instance of a socket-scoped provider (`#[injectable(scope = "socket")]`):
/// built the first time a handler of the socket takes it, then the same one for every message
/// of that socket, and dropped when the socket disconnects.
///
/// ```
/// use gateway_core::prelude::*;
/// use std::sync::Mutex;
///
/// #[injectable(scope = "socket")]
/// struct Draft {
///     text: Mutex<String>,
/// }
///
/// #[injectable]
/// struct EditorGateway;
///
/// #[web_socket_gateway(namespace = "/editor")]
/// impl EditorGateway {
///     #[subscribe_message("type")]
///     fn type_text(&self, Scoped(draft): Scoped<Draft>, #[message_body] text: String) -> String {
///         let mut draft = draft.text.lock().unwrap_or_else(|e| e.into_inner());
///         draft.push_str(&text);
///         draft.clone()
///     }
/// }
/// ```
#[derive(Debug)]
pub struct Scoped<T>(pub Arc<T>);

impl<T: Injectable> FromMessageContext for Scoped<T> {
    fn from_context(ctx: &mut MessageContext) -> Result<Self, HandlerError> {
        let name = crate::di::TypeKey::of::<T>().name;
        let not_scoped = || {
            let e: BoxError = format!(
                "Scoped<{name}>: {name} is not a socket-scoped provider of this application (#[injectable(scope = \"socket\")], listed in a module)"
            )
            .into();
            HandlerError::Internal(e)
        };
        let scope = ctx
            .socket()
            .extensions()
            .get::<Arc<SocketScope>>()
            .ok_or_else(not_scoped)?;
        let id = std::any::TypeId::of::<T>();
        let mut built = scope.built.lock().unwrap_or_else(|e| e.into_inner());
        let mine = built
            .iter()
            .find(|(t, _)| *t == id)
            .and_then(|(_, i)| i.clone().downcast::<T>().ok());
        if let Some(mine) = mine {
            return Ok(Scoped(mine));
        }
        let made = scope
            .registry
            .build_scoped::<T>()
            .ok_or_else(not_scoped)?
            .map_err(|e| HandlerError::Internal(Box::new(e)))?;
        built.push((id, made.clone()));
        Ok(Scoped(made))
    }
}

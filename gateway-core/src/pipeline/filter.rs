//! Exception filters: catch errors by type, at the handler, gateway or global level (global
//! filters apply to gateways, where NestJS ignores them: #15285).

use std::any::Any;
use std::future::Future;

use futures_util::future::BoxFuture;
use serde::Serialize;

use crate::error::HandlerError;
use crate::message::Outbox;
use crate::socket::SocketRef;

/// What a filter sees besides the error: the socket, the pattern, the payload, the ack.
pub struct ArgumentsHost<'a> {
    pub(crate) socket: &'a SocketRef,
    pub(crate) pattern: &'static str,
    pub(crate) data: &'a (dyn Fn() -> serde_json::Value + Sync),
    pub(crate) outbox: Option<&'a Outbox>,
}

impl ArgumentsHost<'_> {
    /// The client socket.
    pub fn socket(&self) -> &SocketRef {
        self.socket
    }
    /// The event name.
    pub fn pattern(&self) -> &'static str {
        self.pattern
    }
    /// The payload as JSON.
    pub fn data(&self) -> serde_json::Value {
        (self.data)()
    }
    /// Answers the client's ack with `value`, if it asked for one and it is still pending.
    pub fn ack<T: Serialize + ?Sized>(&self, value: &T) {
        if let Some(ack) = self.outbox.and_then(Outbox::take_ack) {
            ack.send(&value).ok();
        }
    }
}

/// What a filter did with an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caught {
    /// Handled: nothing else runs.
    Handled,
    /// Not for this filter: the next one (then the default) handles it.
    Pass,
}

/// A filter for errors of type `Self::Error`: [`WsException`](crate::WsException), your own
/// error type returned by handlers (through `BoxError`), or [`HandlerError`] for all.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an exception filter",
    label = "not an exception filter",
    note = "implement `ExceptionFilter` for `{Self}`"
)]
pub trait ExceptionFilter: Send + Sync + 'static {
    /// The type it catches.
    type Error: std::error::Error + Send + Sync + 'static;
    /// Handles the error, typically by emitting something.
    fn catch(
        &self,
        error: &Self::Error,
        host: &ArgumentsHost<'_>,
    ) -> impl Future<Output = Caught> + Send;
}

/// The object-safe face of [`ExceptionFilter`].
pub(crate) trait DynFilter: Send + Sync + 'static {
    fn catch<'a>(
        &'a self,
        error: &'a HandlerError,
        host: &'a ArgumentsHost<'a>,
    ) -> BoxFuture<'a, Caught>;
}

impl<F: ExceptionFilter> DynFilter for F {
    fn catch<'a>(
        &'a self,
        error: &'a HandlerError,
        host: &'a ArgumentsHost<'a>,
    ) -> BoxFuture<'a, Caught> {
        match downcast::<F::Error>(error) {
            Some(e) => Box::pin(ExceptionFilter::catch(self, e, host)),
            None => Box::pin(async { Caught::Pass }),
        }
    }
}

/// `error` as a `T`: the whole error, the `WsException`, or the user's own error inside.
fn downcast<T: std::error::Error + 'static>(error: &HandlerError) -> Option<&T> {
    if let Some(e) = (error as &dyn Any).downcast_ref::<T>() {
        return Some(e);
    }
    match error {
        HandlerError::Exception(e) => (e as &dyn Any).downcast_ref::<T>(),
        HandlerError::Internal(e) => e.downcast_ref::<T>(),
        HandlerError::Validation(_) | HandlerError::Panic(_) => None,
    }
}

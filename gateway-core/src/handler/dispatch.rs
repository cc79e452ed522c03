//! The per-message path: socketioxide calls the closure registered by [`on_message`], which
//! waits for the connection hook, decodes the body, runs the handler (panics caught), sends its
//! result, and turns any failure into an `exception` event. The socket always stays connected.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::FutureExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use socketioxide::adapter::Adapter;
use socketioxide::extract::TryData;
use socketioxide::{SendError, SocketError};

use super::extract::ErasedAck;
use super::payload::Incoming;
use crate::error::HandlerError;
use crate::gateway::{Binding, Gateway, HandlerMeta};
use crate::pipeline::pipe::Validator;
use crate::pipeline::{ArgumentMetadata, ExecutionContext, guard};
use crate::socket::SocketRef;

/// Everything about the message being handled: the socket, the pattern (event name), the raw
/// payload, the ack. What extractors ([`FromMessageContext`](super::FromMessageContext)) read.
pub struct MessageContext {
    socket: SocketRef,
    incoming: Incoming,
    ack: Option<Box<dyn ErasedAck>>,
    handler: &'static HandlerMeta,
}

impl MessageContext {
    /// The client socket.
    pub fn socket(&self) -> &SocketRef {
        &self.socket
    }

    /// The event name, NestJS's `getPattern()`.
    pub fn pattern(&self) -> &'static str {
        self.handler.event
    }

    /// The handler's static description (gateway, method, source location).
    pub fn handler(&self) -> &'static HandlerMeta {
        self.handler
    }

    /// The payload as JSON, NestJS's `getData()` (decoded again: meant for the error path).
    pub fn data(&self) -> serde_json::Value {
        self.incoming.data()
    }

    /// Whether the client asked for an ack that has not been answered or taken.
    pub fn ack_pending(&self) -> bool {
        self.ack.is_some()
    }

    pub(crate) fn take_ack(&mut self) -> Option<Box<dyn ErasedAck>> {
        self.ack.take()
    }

    /// Answers the ack with `data`, if the client asked and nobody took the ack.
    pub fn ack<T: Serialize + ?Sized>(&mut self, data: &T) -> Result<(), HandlerError> {
        match self.ack.take() {
            Some(ack) => delivered(ack.send(&data)),
            None => Ok(()),
        }
    }

    /// Emits `event` to this client.
    pub fn emit<T: Serialize + ?Sized>(&self, event: &str, data: &T) -> Result<(), HandlerError> {
        delivered(self.socket.emit(event, data))
    }
}

/// A closed socket is not the handler's fault: the client left. Anything else is a bug.
fn delivered(r: Result<(), SendError>) -> Result<(), HandlerError> {
    match r {
        Ok(()) => Ok(()),
        Err(SendError::Socket(SocketError::Closed)) => Ok(()),
        Err(e) => Err(HandlerError::Internal(Box::new(e))),
    }
}

/// Per-socket state shared by a gateway's handlers: the gate that holds messages until the
/// gateway's `handle_connection` hook has run.
#[derive(Debug, Default)]
pub struct Connection {
    ready: AtomicBool,
    notify: tokio::sync::Notify,
}

impl Connection {
    /// Opens the gate.
    pub fn set_ready(&self) {
        self.ready.store(true, Ordering::Release);
        self.notify.notify_waiters();
    }

    /// Waits until the gate is open (one atomic load once it is).
    pub async fn ready(&self) {
        if self.ready.load(Ordering::Acquire) {
            return;
        }
        let notified = self.notify.notified();
        let mut notified = std::pin::pin!(notified);
        notified.as_mut().enable();
        if self.ready.load(Ordering::Acquire) {
            return;
        }
        notified.await;
    }
}

/// Registers handler `index` of gateway `G` on a freshly connected socket.
///
/// `call` is the generated trampoline: it builds the other parameters from the context, calls
/// the user's method and sends its result.
pub fn on_message<A, G, B, F, Fut>(
    socket: &socketioxide::extract::SocketRef<A>,
    gateway: &Arc<G>,
    binding: &Binding<'_>,
    index: usize,
    validate: Validator,
    call: F,
) where
    A: Adapter,
    G: Gateway,
    B: DeserializeOwned + Send + Sync + 'static,
    F: Fn(Arc<G>, MessageContext, B) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
{
    let handler = &G::meta().handlers[index];
    let gateway = gateway.clone();
    let conn = binding.conn.clone();
    let pipeline = binding.pipelines[index].clone();
    // socketioxide clones this closure for every message: the captures are three `Arc`s.
    socket.on(
        handler.event,
        move |s: socketioxide::extract::SocketRef<A>,
              incoming: Incoming,
              TryData(body): TryData<B>,
              ack: socketioxide::extract::AckSender<A>| async move {
            conn.ready().await;
            let socket = SocketRef::new(s);
            let run = async {
                if !pipeline.is_empty() {
                    let ctx = ExecutionContext {
                        socket: &socket,
                        incoming: &incoming,
                        handler,
                        gateway: G::meta(),
                    };
                    guard::check(&pipeline.guards, &ctx).await?;
                }
                let mut body = match body {
                    Ok(body) => body,
                    Err(_) => incoming.recover::<B>()?,
                };
                if !pipeline.pipes.is_empty() {
                    let meta = ArgumentMetadata {
                        type_name: std::any::type_name::<B>(),
                        validate,
                    };
                    for pipe in &pipeline.pipes {
                        pipe.transform(&mut body, &meta)?;
                    }
                }
                let ack = incoming
                    .wants_ack
                    .then(|| Box::new(ack) as Box<dyn ErasedAck>);
                let ctx = MessageContext {
                    socket: socket.clone(),
                    incoming: incoming.clone(),
                    ack,
                    handler,
                };
                call(gateway, ctx, body).await
            };
            let result = match AssertUnwindSafe(run).catch_unwind().await {
                Ok(result) => result,
                Err(panic) => Err(HandlerError::Panic(panic_message(panic))),
            };
            if let Err(error) = result {
                report(&socket, handler, &incoming, error);
            }
        },
    );
}

/// Logs the error and sends the `exception` event.
fn report(
    socket: &SocketRef,
    handler: &'static HandlerMeta,
    incoming: &Incoming,
    error: HandlerError,
) {
    let (gateway, event, sid) = (handler.gateway, handler.event, socket.id());
    match &error {
        HandlerError::Internal(_) | HandlerError::Panic(_) => {
            tracing::error!(gateway, event, %sid, "{error}")
        }
        HandlerError::Validation(_) => tracing::warn!(gateway, event, %sid, "{error}"),
        HandlerError::Exception(_) => tracing::debug!(gateway, event, %sid, "{error}"),
    }
    let payload = error.to_payload(event, incoming.data());
    if let Err(e) = socket.emit("exception", &payload) {
        tracing::debug!(gateway, event, %sid, "could not send the exception: {e}");
    }
}

fn panic_message(panic: Box<dyn std::any::Any + Send>) -> String {
    match panic.downcast::<String>() {
        Ok(s) => *s,
        Err(panic) => match panic.downcast::<&'static str>() {
            Ok(s) => (*s).to_owned(),
            Err(_) => "a panic with a non-string payload".to_owned(),
        },
    }
}

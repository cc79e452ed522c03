//! The per-message path: socketioxide calls the closure registered by [`on_message`], which
//! waits for the connection hook, decodes the body, runs the handler (panics caught), sends its
//! result, and turns any failure into an `exception` event. The socket always stays connected.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use futures_util::FutureExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use socketioxide::adapter::Adapter;
use socketioxide::extract::TryData;
use socketioxide::{SendError, SocketError};

use super::extract::Ack;
use super::payload::Incoming;
use crate::error::HandlerError;
use crate::gateway::{Binding, Gateway, GatewayMeta, HandlerMeta};
use crate::pipeline::filter::{ArgumentsHost, Caught};
use crate::pipeline::pipe::{Validator, wire_names};
use crate::pipeline::{ArgumentMetadata, ExecutionContext, Pipeline, Reply, guard, interceptor};
use crate::socket::SocketRef;

/// Everything about the message being handled: the socket, the pattern (event name), the raw
/// payload, the ack. What extractors ([`FromMessageContext`](super::FromMessageContext)) read.
pub struct MessageContext {
    socket: SocketRef,
    incoming: Incoming,
    outbox: Option<Arc<Outbox>>,
    handler: &'static HandlerMeta,
}

/// Where a handler's answers go: the client's ack (when it asked for one), and, when
/// interceptors run around the handler, the captured reply they will see. Shared between the
/// handler's context and the dispatcher, which answers errors and interceptor replies.
pub(crate) struct Outbox {
    ack: Mutex<Option<Ack>>,
    capture: Option<Mutex<Reply>>,
    /// The handler took an `AckSender`: its return value does not answer the ack (errors
    /// still may, with `ack_errors`).
    manual: AtomicBool,
}

impl Outbox {
    pub(crate) fn take_ack(&self) -> Option<Ack> {
        self.ack.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    pub(crate) fn ack_pending(&self) -> bool {
        self.ack.lock().is_ok_and(|a| a.is_some())
    }

    /// The ack for the return value: none when the handler answers it itself.
    fn take_reply_ack(&self) -> Option<Ack> {
        if self.manual.load(Ordering::Acquire) {
            None
        } else {
            self.take_ack()
        }
    }

    fn take_capture(&self) -> Reply {
        match &self.capture {
            Some(c) => std::mem::take(&mut *c.lock().unwrap_or_else(|e| e.into_inner())),
            None => Reply::Nothing,
        }
    }
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
        self.outbox
            .as_ref()
            .is_some_and(|o| o.ack.lock().is_ok_and(|a| a.is_some()))
    }

    /// Hands the ack to the handler (an `AckSender` parameter): the return value will not
    /// answer it.
    pub(crate) fn manual_ack(&mut self) -> Option<Arc<Outbox>> {
        let outbox = self.outbox.clone()?;
        outbox.manual.store(true, Ordering::Release);
        Some(outbox)
    }

    /// Answers the ack with `data`, if the client asked and nobody took the ack (with
    /// interceptors, the value is handed to them first).
    pub fn ack<T: Serialize + ?Sized>(&mut self, data: &T) -> Result<(), HandlerError> {
        let Some(outbox) = &self.outbox else {
            return Ok(());
        };
        if let Some(capture) = &outbox.capture {
            let value =
                serde_json::to_value(data).map_err(|e| HandlerError::Internal(Box::new(e)))?;
            *capture.lock().unwrap_or_else(|e| e.into_inner()) = Reply::Ack(value);
            return Ok(());
        }
        match outbox.take_reply_ack() {
            Some(ack) => delivered(ack.send(&data)),
            None => Ok(()),
        }
    }

    /// Emits `event` to this client (with interceptors, handed to them first).
    pub fn emit<T: Serialize + ?Sized>(&self, event: &str, data: &T) -> Result<(), HandlerError> {
        if let Some(capture) = self.outbox.as_ref().and_then(|o| o.capture.as_ref()) {
            let value =
                serde_json::to_value(data).map_err(|e| HandlerError::Internal(Box::new(e)))?;
            let mut reply = capture.lock().unwrap_or_else(|e| e.into_inner());
            match &mut *reply {
                Reply::Emit(list) => list.push((event.to_owned(), value)),
                other => *other = Reply::Emit(vec![(event.to_owned(), value)]),
            }
            return Ok(());
        }
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
    // The hook failed: the socket is being disconnected, and the held messages are dropped.
    refused: AtomicBool,
    notify: tokio::sync::Notify,
    // In-order handling: tickets taken in arrival order, served one at a time.
    next_ticket: AtomicU64,
    turn: AtomicU64,
    turn_changed: tokio::sync::Notify,
}

impl Connection {
    /// Opens the gate.
    pub fn set_ready(&self) {
        self.ready.store(true, Ordering::Release);
        self.notify.notify_waiters();
    }

    /// Opens the gate for good, but only to let the held messages go: they are not handled.
    pub fn refuse(&self) {
        self.refused.store(true, Ordering::Release);
        self.set_ready();
    }

    /// Waits until the gate is open (one atomic load once it is); whether the messages are
    /// to be handled (not after [`refuse`](Self::refuse)).
    pub async fn ready(&self) -> bool {
        if !self.ready.load(Ordering::Acquire) {
            let notified = self.notify.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            if !self.ready.load(Ordering::Acquire) {
                notified.await;
            }
        }
        !self.refused.load(Ordering::Acquire)
    }

    /// Takes the next place in line (called in arrival order, before the task is spawned).
    fn ticket(&self) -> u64 {
        self.next_ticket.fetch_add(1, Ordering::Relaxed)
    }

    /// Waits for `ticket`'s turn; the turn passes on when the guard drops.
    async fn wait_turn(&self, ticket: u64) -> Turn<'_> {
        loop {
            let changed = self.turn_changed.notified();
            let mut changed = std::pin::pin!(changed);
            changed.as_mut().enable();
            if self.turn.load(Ordering::Acquire) == ticket {
                return Turn(self);
            }
            changed.await;
        }
    }
}

/// The current message's turn; dropping it (even on panic) lets the next one in.
struct Turn<'a>(&'a Connection);

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.0.turn.fetch_add(1, Ordering::AcqRel);
        self.0.turn_changed.notify_waiters();
    }
}

/// What the generated code tells the dispatcher about a handler's body type.
pub struct BodyMeta<B> {
    /// Validates what pipes see (when its type implements `Validate`).
    pub validate: Validator,
    /// What pipes see: the body, or the property of `#[message_body("prop")]`.
    pub target: fn(&mut B) -> &mut dyn Any,
    /// serde's names of the fields of what pipes see, when it is a struct.
    pub fields: fn() -> Option<&'static [&'static str]>,
    /// `#[message_body("prop")]`.
    pub property: Option<&'static str>,
}

impl<B> Clone for BodyMeta<B> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<B> Copy for BodyMeta<B> {}

/// Registers handler `index` of gateway `G` on a freshly connected socket.
///
/// `call` is the generated trampoline: it builds the other parameters from the context, calls
/// the user's method and sends its result.
pub fn on_message<A, G, B, F, Fut>(
    socket: &socketioxide::extract::SocketRef<A>,
    gateway: &Arc<G>,
    binding: &Binding<'_>,
    index: usize,
    body_meta: BodyMeta<B>,
    call: F,
) where
    A: Adapter,
    G: Gateway,
    B: DeserializeOwned + Send + Sync + 'static,
    F: Fn(Arc<G>, MessageContext, B) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
{
    let handler = &G::meta().handlers[index];
    let ordered = G::meta().ordered;
    let gateway = gateway.clone();
    let conn = binding.conn.clone();
    let pipeline = binding.pipelines[index].clone();
    // socketioxide clones this closure for every message (the captures are three `Arc`s) and
    // calls it in arrival order; the returned future is spawned. It is boxed: tokio moves a
    // task's future several times while spawning and finishing it, and a box is cheaper to
    // move than the whole state machine (hundreds of bytes) is.
    socket.on(
        handler.event,
        move |s: socketioxide::extract::SocketRef<A>,
              incoming: Incoming,
              TryData(body): TryData<B>,
              ack: socketioxide::extract::AckSender<A>| {
            let ticket = ordered.then(|| conn.ticket());
            let message = async move {
                if !conn.ready().await {
                    return;
                }
                let _turn = match ticket {
                    Some(t) => Some(conn.wait_turn(t).await),
                    None => None,
                };
                let socket = SocketRef::new(s);
                let capture = !pipeline.interceptors.is_empty();
                let outbox = (incoming.wants_ack || capture).then(|| {
                    Arc::new(Outbox {
                        ack: Mutex::new(incoming.wants_ack.then(|| Ack::new(ack))),
                        capture: capture.then(Mutex::default),
                        manual: AtomicBool::new(false),
                    })
                });
                let run = AssertUnwindSafe(handle(
                    &socket,
                    &incoming,
                    body,
                    handler,
                    G::meta(),
                    &pipeline,
                    outbox.clone(),
                    body_meta,
                    |ctx, body| call(gateway, ctx, body),
                ));
                let result = match run.catch_unwind().await {
                    Ok(result) => result,
                    Err(panic) => Err(HandlerError::Panic(panic_message(panic))),
                };
                if let Err(error) = result {
                    // Boxed: the error path stays out of every message's future.
                    Box::pin(fail(
                        &socket,
                        handler,
                        &incoming,
                        outbox.as_deref(),
                        &pipeline,
                        error,
                    ))
                    .await;
                }
            };
            Box::pin(message) as std::pin::Pin<Box<dyn Future<Output = ()> + Send>>
        },
    );
}

/// One message, after the gates: guards, interceptors around (pipes, handler), delivery.
///
/// The future of this function is part of every message's task, which tokio moves several
/// times, so it is kept small: guards and interceptors (asynchronous, with futures of their
/// own) run in a boxed future of their own, [`guarded`]; pipes are synchronous and run inline.
#[allow(clippy::too_many_arguments)]
async fn handle<B, Fut>(
    socket: &SocketRef,
    incoming: &Incoming,
    body: Result<B, socketioxide::ParserError>,
    handler: &'static HandlerMeta,
    gateway: &'static GatewayMeta,
    pipeline: &Pipeline,
    outbox: Option<Arc<Outbox>>,
    body_meta: BodyMeta<B>,
    call: impl FnOnce(MessageContext, B) -> Fut + Send,
) -> Result<(), HandlerError>
where
    B: DeserializeOwned + Send + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send,
{
    if !pipeline.guards.is_empty() || !pipeline.interceptors.is_empty() {
        let run = guarded(
            socket, incoming, body, handler, gateway, pipeline, outbox, body_meta, call,
        );
        return Box::pin(run).await;
    }
    let body = piped(incoming, body, pipeline, body_meta)?;
    call(context(socket, incoming, outbox, handler), body).await
}

/// [`handle`] with guards or interceptors: guards, then interceptors around (pipes, handler).
#[allow(clippy::too_many_arguments)]
async fn guarded<B, Fut>(
    socket: &SocketRef,
    incoming: &Incoming,
    body: Result<B, socketioxide::ParserError>,
    handler: &'static HandlerMeta,
    gateway: &'static GatewayMeta,
    pipeline: &Pipeline,
    outbox: Option<Arc<Outbox>>,
    body_meta: BodyMeta<B>,
    call: impl FnOnce(MessageContext, B) -> Fut + Send,
) -> Result<(), HandlerError>
where
    B: DeserializeOwned + Send + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send,
{
    let ctx = ExecutionContext {
        socket,
        incoming,
        handler,
        gateway,
    };
    guard::check(&pipeline.guards, &ctx).await?;
    let core = async {
        let body = piped(incoming, body, pipeline, body_meta)?;
        call(context(socket, incoming, outbox.clone(), handler), body).await?;
        Ok(outbox
            .as_deref()
            .map(Outbox::take_capture)
            .unwrap_or_default())
    };
    if pipeline.interceptors.is_empty() {
        return core.await.map(|_| ());
    }
    match interceptor::chain(&pipeline.interceptors, &ctx, Box::pin(core)).await? {
        Reply::Nothing => Ok(()),
        Reply::Ack(value) => match outbox.as_deref().and_then(Outbox::take_reply_ack) {
            Some(ack) => delivered(ack.send(&value)),
            None => Ok(()),
        },
        Reply::Emit(events) => {
            for (event, data) in events {
                delivered(socket.emit(&event, &data))?;
            }
            Ok(())
        }
    }
}

/// The handler's context.
fn context(
    socket: &SocketRef,
    incoming: &Incoming,
    outbox: Option<Arc<Outbox>>,
    handler: &'static HandlerMeta,
) -> MessageContext {
    MessageContext {
        socket: socket.clone(),
        incoming: incoming.clone(),
        outbox,
        handler,
    }
}

/// The body, decoded (again, field by field, if socketioxide could not) and through the pipes.
/// A validation error names the fields as the client spelled them.
fn piped<B: DeserializeOwned + 'static>(
    incoming: &Incoming,
    body: Result<B, socketioxide::ParserError>,
    pipeline: &Pipeline,
    body_meta: BodyMeta<B>,
) -> Result<B, HandlerError> {
    let mut body = match body {
        Ok(body) => body,
        Err(_) => incoming.recover::<B>()?,
    };
    if pipeline.pipes.is_empty() {
        return Ok(body);
    }
    let meta = ArgumentMetadata {
        type_name: std::any::type_name::<B>(),
        validate: body_meta.validate,
    };
    for pipe in &pipeline.pipes {
        pipe.transform((body_meta.target)(&mut body), &meta)
            .map_err(|e| match e {
                HandlerError::Validation(mut errors) => {
                    let data = incoming.data();
                    let payload = match body_meta.property {
                        Some(p) => data.get(p).cloned().unwrap_or_default(),
                        None => data,
                    };
                    wire_names(&mut errors, &payload, (body_meta.fields)());
                    HandlerError::Validation(errors)
                }
                other => other,
            })?;
    }
    Ok(body)
}

/// An error: the filters (handler, gateway, global), else the default `exception`.
async fn fail(
    socket: &SocketRef,
    handler: &'static HandlerMeta,
    incoming: &Incoming,
    outbox: Option<&Outbox>,
    pipeline: &Pipeline,
    error: HandlerError,
) {
    if !pipeline.filters.is_empty() {
        let data = || incoming.data();
        let host = ArgumentsHost {
            socket,
            pattern: handler.event,
            data: &data,
            outbox,
        };
        for filter in &pipeline.filters {
            // A filter that panics is logged and passed over: the next one, or the default,
            // still answers the client.
            match AssertUnwindSafe(filter.catch(&error, &host))
                .catch_unwind()
                .await
            {
                Ok(Caught::Handled) => return,
                Ok(Caught::Pass) => {}
                Err(panic) => tracing::error!(
                    gateway = handler.gateway,
                    event = handler.event,
                    "an exception filter panicked: {}",
                    panic_message(panic)
                ),
            }
        }
    }
    let payload = report(socket, handler, incoming, error);
    if pipeline.ack_errors
        && let Some(ack) = outbox.and_then(Outbox::take_ack)
    {
        ack.send(&payload).ok();
    }
}

/// Logs the error and sends the `exception` event.
fn report(
    socket: &SocketRef,
    handler: &'static HandlerMeta,
    incoming: &Incoming,
    error: HandlerError,
) -> serde_json::Value {
    let (gateway, event, sid) = (handler.gateway, handler.event, socket.id());
    match &error {
        HandlerError::Internal(_) | HandlerError::Panic(_) => {
            tracing::error!(gateway, event, %sid, "{error}")
        }
        HandlerError::Validation(_) => tracing::warn!(gateway, event, %sid, "{error}"),
        HandlerError::Exception(_) => tracing::debug!(gateway, event, %sid, "{error}"),
    }
    let payload = error.to_payload(event, incoming.payload());
    if let Err(e) = socket.emit("exception", &payload) {
        tracing::debug!(gateway, event, %sid, "could not send the exception: {e}");
    }
    payload
}

pub(crate) fn panic_message(panic: Box<dyn std::any::Any + Send>) -> String {
    match panic.downcast::<String>() {
        Ok(s) => *s,
        Err(panic) => match panic.downcast::<&'static str>() {
            Ok(s) => (*s).to_owned(),
            Err(_) => "a panic with a non-string payload".to_owned(),
        },
    }
}

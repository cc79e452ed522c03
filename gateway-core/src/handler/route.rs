//! A [`Route`]: one handler of a mounted gateway, resolved once (its enhancers, its metadata,
//! its body's validator) and shared by every socket; and what it does with one message, in
//! small named steps: gate, guard, pipe, call, deliver, and `fail` for every error.

use std::collections::HashMap;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use socketioxide::adapter::Adapter;
use socketioxide::extract::TryData;
use socketioxide::handler::FromMessageParts;
use socketioxide::socket::Socket;
use socketioxide_core::Value;
use tracing::Instrument;

use super::body::{Body, struct_fields};
use super::dispatch::Connection;
use super::{HandlerMeta, MessageContext};
use crate::di::Registry;
use crate::error::{HandlerError, LogEvery, StartupError, panic_message};
use crate::message::{Ack, Incoming, Outbox, Reply, delivered};
use crate::metrics::{Metrics, Outcome, RouteMetrics};
use crate::pipeline::filter::ArgumentsHost;
use crate::pipeline::pipe::wire_names;
use crate::pipeline::{
    ArgumentMetadata, Bindings, Caught, ExecutionContext, Metadata, Pipeline, Site, Validator,
    guard, interceptor,
};
use crate::socket::SocketRef;

/// What a route needs from its gateway to resolve its enhancers: the providers, the global
/// enhancers, and the gateway's own bindings and metadata.
pub(crate) struct RouteScope<'a> {
    pub(crate) registry: &'a Registry,
    pub(crate) global: &'a Pipeline,
    pub(crate) bindings: &'a Bindings,
    pub(crate) metadata: Metadata,
    /// The application's metrics and the gateway's namespace, when it counts.
    pub(crate) metrics: Option<(&'a Metrics, &'a str)>,
}

/// The routes of one gateway, as its generated `Gateway::routes` adds them, by event.
pub struct Routes<'a, A: Adapter, G> {
    scope: &'a RouteScope<'a>,
    gateway: &'a Arc<G>,
    table: HashMap<&'static str, Arc<dyn Endpoint<A>>>,
    error: Option<StartupError>,
}

impl<'a, A: Adapter, G: Send + Sync + 'static> Routes<'a, A, G> {
    pub(crate) fn new(scope: &'a RouteScope<'a>, gateway: &'a Arc<G>) -> Self {
        Routes {
            scope,
            gateway,
            table: HashMap::new(),
            error: None,
        }
    }

    /// Adds the handler `meta` describes. `call` is the generated trampoline: it builds the
    /// other parameters from the context, calls the user's method and sends its result.
    pub fn add<B, F, Fut>(&mut self, meta: &'static HandlerMeta, validate: Validator, call: F)
    where
        B: Body,
        F: Fn(Arc<G>, MessageContext, B) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
    {
        // Global, then gateway, then handler enhancers (NestJS's order), resolved once.
        let mut pipeline = self.scope.global.clone();
        let resolved = pipeline
            .extend(self.scope.bindings, self.scope.registry)
            .and_then(|()| pipeline.extend(&meta.bindings, self.scope.registry));
        if let Err(e) = resolved {
            self.error.get_or_insert(e);
            return;
        }
        let site = Site::new(
            (meta.gateway, meta.event, meta.method),
            meta.metadata,
            self.scope.metadata,
        );
        let route = Route {
            meta,
            metrics: self
                .scope
                .metrics
                .map(|(m, namespace)| m.route(namespace, meta.event)),
            site,
            pipeline,
            validate,
            gateway: self.gateway.clone(),
            call,
            body: PhantomData,
        };
        self.table.insert(meta.event, Arc::new(route));
    }

    /// The routes by event, or the first enhancer that could not be resolved.
    pub(crate) fn finish(
        self,
    ) -> Result<HashMap<&'static str, Arc<dyn Endpoint<A>>>, StartupError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.table),
        }
    }
}

/// A route whatever its gateway and body types: takes a message off socketioxide.
pub(crate) trait Endpoint<A: Adapter>: Send + Sync + 'static {
    /// Decodes the message (at once, in arrival order) and returns what handles it once the
    /// connection's gate is open.
    fn accept(
        self: Arc<Self>,
        gate: Arc<Connection>,
        socket: Arc<Socket<A>>,
        data: Value,
        ack_id: Option<i64>,
    ) -> BoxFuture<'static, ()>;
}

/// One handler, resolved.
struct Route<G, B, F> {
    meta: &'static HandlerMeta,
    metrics: Option<RouteMetrics>,
    site: Site,
    pipeline: Pipeline,
    validate: Validator,
    gateway: Arc<G>,
    call: F,
    body: PhantomData<fn() -> B>,
}

/// One message, as far as it is not its body: the socket, the raw payload, the answers.
struct Message {
    socket: SocketRef,
    incoming: Incoming,
    outbox: Option<Arc<Outbox>>,
}

impl<A, G, B, F, Fut> Endpoint<A> for Route<G, B, F>
where
    A: Adapter,
    G: Send + Sync + 'static,
    B: Body,
    F: Fn(Arc<G>, MessageContext, B) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
{
    fn accept(
        self: Arc<Self>,
        gate: Arc<Connection>,
        socket: Arc<Socket<A>>,
        mut data: Value,
        ack_id: Option<i64>,
    ) -> BoxFuture<'static, ()> {
        let incoming = Incoming::new(data.clone());
        let Ok(TryData(body)) = TryData::<B>::from_message_parts(&socket, &mut data, &ack_id);
        let ack = ack_id.map(|id| {
            let Ok(ack) =
                socketioxide::extract::AckSender::from_message_parts(&socket, &mut data, &Some(id));
            Ack::new(ack)
        });
        let Ok(socket) =
            socketioxide::extract::SocketRef::from_message_parts(&socket, &mut data, &ack_id);
        let capture = !self.pipeline.interceptors.is_empty();
        let outbox = (ack.is_some() || capture).then(|| Arc::new(Outbox::new(ack, capture)));
        let message = Message {
            socket: SocketRef::new(socket),
            incoming,
            outbox,
        };
        // A span per message, at DEBUG so that it costs a level check unless asked for
        // (`RUST_LOG=gateway_core::message=debug`, or an OpenTelemetry layer).
        let span = tracing::debug_span!(
            target: "gateway_core::message",
            "message",
            ns = message.socket.ns(),
            event = self.meta.event,
            sid = %message.socket.id(),
        );
        // Boxed: tokio moves a task's future several times while spawning and finishing it,
        // and a box is cheaper to move than the whole state machine (hundreds of bytes) is.
        Box::pin(
            async move {
                if gate.ready().await {
                    self.handle(message, body).await;
                }
            }
            .instrument(span),
        )
    }
}

impl<G, B, F, Fut> Route<G, B, F>
where
    G: Send + Sync + 'static,
    B: Body,
    F: Fn(Arc<G>, MessageContext, B) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
{
    /// The whole path of one message; every failure, panics included, ends in [`fail`](Self::fail).
    async fn handle(self: Arc<Self>, message: Message, body: Result<B, socketioxide::ParserError>) {
        let since = self.metrics.as_ref().map(|_| Instant::now());
        let run = AssertUnwindSafe(self.run(&message, body));
        let result = match run.catch_unwind().await {
            Ok(result) => result,
            Err(panic) => Err(HandlerError::Panic(panic_message(panic))),
        };
        if let (Some(metrics), Some(since)) = (&self.metrics, since) {
            metrics.record(since, outcome(&result));
        }
        if let Err(error) = result {
            // Boxed: the error path stays out of every message's future.
            Box::pin(self.fail(&message, error)).await;
        }
    }

    /// Guards and interceptors (asynchronous, with futures of their own) run in a boxed future
    /// of their own, so that the common message's future stays small; pipes run inline.
    async fn run(
        &self,
        message: &Message,
        body: Result<B, socketioxide::ParserError>,
    ) -> Result<(), HandlerError> {
        if self.pipeline.guards.is_empty() && self.pipeline.interceptors.is_empty() {
            let body = self.pipe(&message.incoming, body)?;
            return (self.call)(self.gateway.clone(), self.context(message), body).await;
        }
        Box::pin(self.guarded(message, body)).await
    }

    /// Guards, then interceptors around (pipes, handler), then what they replied.
    async fn guarded(
        &self,
        message: &Message,
        body: Result<B, socketioxide::ParserError>,
    ) -> Result<(), HandlerError> {
        let ctx = ExecutionContext {
            socket: &message.socket,
            incoming: &message.incoming,
            site: &self.site,
        };
        guard::check(&self.pipeline.guards, &ctx).await?;
        let core = async {
            let body = self.pipe(&message.incoming, body)?;
            (self.call)(self.gateway.clone(), self.context(message), body).await?;
            Ok(message
                .outbox
                .as_deref()
                .map(Outbox::take_capture)
                .unwrap_or_default())
        };
        if self.pipeline.interceptors.is_empty() {
            return core.await.map(|_| ());
        }
        let reply = interceptor::chain(&self.pipeline.interceptors, &ctx, Box::pin(core)).await?;
        deliver(message, reply)
    }

    /// The handler's context.
    fn context(&self, message: &Message) -> MessageContext {
        MessageContext {
            socket: message.socket.clone(),
            incoming: message.incoming.clone(),
            outbox: message.outbox.clone(),
            meta: self.meta,
        }
    }

    /// The body, decoded (again, field by field, if socketioxide could not) and through the
    /// pipes. A validation error names the fields as the client spelled them.
    fn pipe(
        &self,
        incoming: &Incoming,
        body: Result<B, socketioxide::ParserError>,
    ) -> Result<B, HandlerError> {
        let mut body = match body {
            Ok(body) => body,
            Err(_) => incoming.recover::<B>()?,
        };
        if self.pipeline.pipes.is_empty() {
            return Ok(body);
        }
        let meta = ArgumentMetadata {
            type_name: std::any::type_name::<B::Piped>(),
            validate: self.validate,
        };
        for pipe in &self.pipeline.pipes {
            pipe.transform(body.piped(), &meta).map_err(|e| match e {
                HandlerError::Validation(mut errors) => {
                    let data = incoming.data();
                    let payload = match B::PROPERTY {
                        Some(p) => data.get(p).cloned().unwrap_or_default(),
                        None => data,
                    };
                    wire_names(&mut errors, &payload, struct_fields::<B::Piped>());
                    HandlerError::Validation(errors)
                }
                other => other,
            })?;
        }
        Ok(body)
    }

    /// An error: the filters (handler, gateway, global), else the default `exception`.
    async fn fail(&self, message: &Message, error: HandlerError) {
        let outbox = message.outbox.as_deref();
        if !self.pipeline.filters.is_empty() {
            let data = || message.incoming.data();
            let host = ArgumentsHost {
                socket: &message.socket,
                pattern: self.meta.event,
                data: &data,
                outbox,
            };
            for filter in &self.pipeline.filters {
                // A filter that panics is logged and passed over: the next one, or the
                // default, still answers the client.
                match AssertUnwindSafe(filter.catch(&error, &host))
                    .catch_unwind()
                    .await
                {
                    Ok(Caught::Handled) => return,
                    Ok(Caught::Pass) => {}
                    Err(panic) => tracing::error!(
                        gateway = self.meta.gateway,
                        event = self.meta.event,
                        "an exception filter panicked: {}",
                        panic_message(panic)
                    ),
                }
            }
        }
        let payload = self.report(message, error);
        if self.pipeline.ack_errors
            && let Some(ack) = outbox.and_then(Outbox::take_ack)
        {
            ack.send(&payload).ok();
        }
    }

    /// Logs the error and sends the `exception` event.
    fn report(&self, message: &Message, error: HandlerError) -> serde_json::Value {
        let (gateway, event, sid) = (self.meta.gateway, self.meta.event, message.socket.id());
        // Each one at DEBUG; a summary with the latest at WARN (bad input) or ERROR (a bug),
        // rate-limited: a client sending bad messages in a loop cannot fill the logs.
        tracing::debug!(gateway, event, %sid, "{error}");
        let line = format_args!("{gateway} `{event}` (socket {sid}): {error}");
        match &error {
            HandlerError::Internal(_) | HandlerError::Panic(_) => FAILED.note(&line),
            HandlerError::Validation(_) => REFUSED.note(&line),
            HandlerError::Exception(_) => {}
        }
        let payload = error.to_payload(event, message.incoming.payload());
        if let Err(e) = message.socket.emit("exception", &payload) {
            tracing::debug!(gateway, event, %sid, "could not send the exception: {e}");
        }
        payload
    }
}

/// Messages whose handler failed (an internal error or a panic), logged with a count.
static FAILED: LogEvery = LogEvery::error("messages failed in their handler");

/// Messages refused by validation, logged with a count.
static REFUSED: LogEvery = LogEvery::new("messages refused by validation");

/// What became of a message, for `/metrics`.
fn outcome(result: &Result<(), HandlerError>) -> Outcome {
    match result {
        Ok(()) => Outcome::Ok,
        Err(HandlerError::Validation(_)) => Outcome::Validation,
        Err(HandlerError::Internal(_) | HandlerError::Panic(_)) => Outcome::Error,
        Err(HandlerError::Exception(e)) => match e.message() {
            Some(crate::pipeline::guard::FORBIDDEN) => Outcome::Forbidden,
            Some(crate::pipeline::TOO_MANY_REQUESTS) => Outcome::Throttled,
            _ => Outcome::Exception,
        },
    }
}

/// Sends what the interceptors replied.
fn deliver(message: &Message, reply: Reply) -> Result<(), HandlerError> {
    match reply {
        Reply::Nothing => Ok(()),
        Reply::Ack(data) => match message.outbox.as_deref().and_then(Outbox::take_reply_ack) {
            Some(ack) => delivered(ack.send(&data)),
            None => Ok(()),
        },
        Reply::Emit(events) => events
            .iter()
            .try_for_each(|(event, data)| delivered(message.socket.emit(event, data))),
    }
}

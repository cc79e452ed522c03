//! Interceptors: around the handler (after the guards, before the pipes). They can act before
//! and after, time it, map or replace the result, or answer without calling the handler.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use futures_util::future::BoxFuture;

use super::ExecutionContext;
use crate::error::HandlerError;
use crate::message::Reply;

/// The rest of the chain: the next interceptors, the pipes and the handler.
pub struct Next<'a> {
    pub(crate) inner: BoxFuture<'a, Result<Reply, HandlerError>>,
}

impl Next<'_> {
    /// Runs the rest of the chain (NestJS's `next.handle()`).
    pub async fn handle(self) -> Result<Reply, HandlerError> {
        self.inner.await
    }
}

/// An interceptor, NestJS's `NestInterceptor`.
///
/// ```
/// use gateway_core::prelude::*;
///
/// #[injectable]
/// struct Wrap;
///
/// impl Interceptor for Wrap {
///     async fn intercept(&self, _ctx: &ExecutionContext<'_>, next: Next<'_>) -> Result<Reply, HandlerError> {
///         Ok(match next.handle().await? {
///             Reply::Ack(data) => Reply::ack(&serde_json::json!({ "data": data }))?,
///             other => other,
///         })
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an interceptor",
    label = "not an interceptor",
    note = "implement `Interceptor` for `{Self}`"
)]
pub trait Interceptor: Send + Sync + 'static {
    /// Runs around `next`.
    fn intercept(
        &self,
        ctx: &ExecutionContext<'_>,
        next: Next<'_>,
    ) -> impl Future<Output = Result<Reply, HandlerError>> + Send;
}

/// The object-safe face of [`Interceptor`].
pub(crate) trait DynInterceptor: Send + Sync + 'static {
    fn intercept<'a>(
        &'a self,
        ctx: &'a ExecutionContext<'a>,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<Reply, HandlerError>>;
}

impl<I: Interceptor> DynInterceptor for I {
    fn intercept<'a>(
        &'a self,
        ctx: &'a ExecutionContext<'a>,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<Reply, HandlerError>> {
        Box::pin(Interceptor::intercept(self, ctx, next))
    }
}

/// Nests the interceptors around `core`, the first outermost.
pub(crate) fn chain<'a>(
    interceptors: &'a [Arc<dyn DynInterceptor>],
    ctx: &'a ExecutionContext<'a>,
    core: BoxFuture<'a, Result<Reply, HandlerError>>,
) -> BoxFuture<'a, Result<Reply, HandlerError>> {
    match interceptors.split_first() {
        None => core,
        Some((first, rest)) => first.intercept(
            ctx,
            Next {
                inner: chain(rest, ctx, core),
            },
        ),
    }
}

/// Logs each message through `tracing`: event, gateway, handler, duration and outcome.
/// Bind it globally with `GatewayApplication::use_global_interceptor::<LoggingInterceptor>()`.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoggingInterceptor;

impl crate::di::Injectable for LoggingInterceptor {
    fn dependencies() -> Vec<crate::di::Dependency> {
        Vec::new()
    }
    fn construct(_: &crate::di::Resolver<'_>) -> Result<Self, crate::StartupError> {
        Ok(LoggingInterceptor)
    }
}

impl Interceptor for LoggingInterceptor {
    async fn intercept(
        &self,
        ctx: &ExecutionContext<'_>,
        next: Next<'_>,
    ) -> Result<Reply, HandlerError> {
        let start = Instant::now();
        let result = next.handle().await;
        let micros = start.elapsed().as_micros() as u64;
        let (event, gateway, handler, sid) = (
            ctx.pattern(),
            ctx.gateway(),
            ctx.handler(),
            ctx.socket().id(),
        );
        match &result {
            Ok(_) => {
                tracing::info!(target: "LoggingInterceptor", event, gateway, handler, %sid, micros, "ok")
            }
            Err(e) => {
                tracing::warn!(target: "LoggingInterceptor", event, gateway, handler, %sid, micros, "failed: {e}")
            }
        }
        result
    }
}

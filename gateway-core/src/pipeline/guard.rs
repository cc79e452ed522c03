//! Guards: allow, deny ("Forbidden resource"), or fail with an exception of their own.

use std::future::Future;

use futures_util::future::BoxFuture;

use super::ExecutionContext;
use crate::error::{HandlerError, WsException};

/// The `exception` message of a guard's refusal, as NestJS words it.
pub(crate) const FORBIDDEN: &str = "Forbidden resource";

/// A guard, NestJS's `CanActivate`: `Ok(true)` lets the message through, `Ok(false)` answers
/// the `exception` "Forbidden resource", `Err(e)` answers `e`.
///
/// Guards are providers: put `#[injectable]` on them and their `Arc<T>` fields are injected.
///
/// ```
/// use gateway_core::prelude::*;
///
/// #[injectable]
/// struct RolesGuard;
///
/// impl CanActivate for RolesGuard {
///     async fn can_activate(&self, ctx: &ExecutionContext<'_>) -> Result<bool, HandlerError> {
///         let Some(roles) = ctx.metadata::<Vec<String>>("roles") else { return Ok(true) };
///         let role = ctx.socket().extensions().get::<String>().unwrap_or_default();
///         Ok(roles.contains(&role))
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a guard",
    label = "not a guard",
    note = "implement `CanActivate` for `{Self}`"
)]
pub trait CanActivate: Send + Sync + 'static {
    /// `Ok(true)` lets the message through; `Ok(false)` refuses it with "Forbidden resource".
    fn can_activate(
        &self,
        ctx: &ExecutionContext<'_>,
    ) -> impl Future<Output = Result<bool, HandlerError>> + Send;
}

/// The object-safe face of [`CanActivate`].
pub(crate) trait DynGuard: Send + Sync + 'static {
    fn can_activate<'a>(
        &'a self,
        ctx: &'a ExecutionContext<'a>,
    ) -> BoxFuture<'a, Result<bool, HandlerError>>;
}

impl<G: CanActivate> DynGuard for G {
    fn can_activate<'a>(
        &'a self,
        ctx: &'a ExecutionContext<'a>,
    ) -> BoxFuture<'a, Result<bool, HandlerError>> {
        Box::pin(CanActivate::can_activate(self, ctx))
    }
}

/// Runs the guards in order; the first that does not allow stops the message.
pub(crate) async fn check(
    guards: &[std::sync::Arc<dyn DynGuard>],
    ctx: &ExecutionContext<'_>,
) -> Result<(), HandlerError> {
    for guard in guards {
        if !guard.can_activate(ctx).await? {
            return Err(WsException::new(FORBIDDEN).into());
        }
    }
    Ok(())
}

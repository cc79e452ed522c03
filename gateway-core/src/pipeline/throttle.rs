//! Rate limiting, NestJS's throttler: `#[throttle(limit = N, ttl_ms = M)]` on a handler or a
//! gateway binds [`ThrottlerGuard`], which gives each socket a budget per handler (governor's
//! GCRA: up to `limit` messages at once, then one more every `ttl_ms / limit`), and refuses
//! what goes past it with the `exception` "ThrottlerException: Too Many Requests".

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde::Deserialize;

use super::{CanActivate, ExecutionContext};
use crate::error::{HandlerError, WsException};

/// The message of a throttled message's `exception`, as NestJS's throttler says it.
pub const TOO_MANY_REQUESTS: &str = "ThrottlerException: Too Many Requests";

/// What `#[throttle]` writes in the handler's metadata (key `throttle`).
#[derive(Debug, Clone, Copy, Deserialize)]
struct Limit {
    limit: u32,
    ttl_ms: u64,
}

impl Limit {
    fn quota(self) -> Option<Quota> {
        let burst = NonZeroU32::new(self.limit)?;
        let period = Duration::from_millis(self.ttl_ms) / self.limit;
        Some(Quota::with_period(period)?.allow_burst(burst))
    }
}

/// One socket's budgets, one per throttled handler; dropped with the socket.
#[derive(Default)]
struct Budgets(Mutex<HashMap<&'static str, DefaultDirectRateLimiter>>);

/// The guard `#[throttle]` binds: reads the handler's (or its gateway's) `throttle` metadata and
/// spends one unit of this socket's budget for the handler.
///
/// ```
/// use gateway_core::prelude::*;
///
/// #[injectable]
/// struct ChatGateway;
///
/// #[web_socket_gateway(namespace = "/chat")]
/// impl ChatGateway {
///     #[subscribe_message("chat/send")]
///     #[throttle(limit = 120, ttl_ms = 10_000)] // per socket: 120 at once, then 12 a second
///     fn send(&self, #[message_body] text: String) -> bool {
///         !text.is_empty()
///     }
/// }
/// ```
#[crate::injectable]
pub struct ThrottlerGuard;

// Not offered as "the trait is implemented for ThrottlerGuard" when a user's type is not a
// guard: it is bound by `#[throttle]`, not named.
#[diagnostic::do_not_recommend]
impl CanActivate for ThrottlerGuard {
    async fn can_activate(&self, ctx: &ExecutionContext<'_>) -> Result<bool, HandlerError> {
        let Some(quota) = ctx.metadata::<Limit>("throttle").and_then(Limit::quota) else {
            return Ok(true);
        };
        let extensions = ctx.socket().extensions();
        let budgets = match extensions.get::<Arc<Budgets>>() {
            Some(b) => b,
            None => {
                let b = Arc::new(Budgets::default());
                extensions.insert(b.clone());
                b
            }
        };
        let allowed = {
            let mut budgets = budgets.0.lock().unwrap_or_else(|e| e.into_inner());
            budgets
                .entry(ctx.pattern())
                .or_insert_with(|| RateLimiter::direct(quota))
                .check()
                .is_ok()
        };
        if allowed {
            Ok(true)
        } else {
            Err(HandlerError::Exception(WsException::new(TOO_MANY_REQUESTS)))
        }
    }
}

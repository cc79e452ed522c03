//! Rate limiting, NestJS's throttler: `#[throttle(limit = N, ttl_ms = M)]` on a handler or a
//! gateway binds a [`ThrottlerGuard`], which gives each client a budget per handler (governor's
//! GCRA: up to `limit` messages at once, then one more every `ttl_ms / limit`), and refuses
//! what goes past it with the `exception` "ThrottlerException: Too Many Requests".
//!
//! Who "each client" is, is the [`ThrottlerTracker`]'s answer (NestJS's `getTracker`): the
//! socket by default ([`BySocket`]), the client's IP address with `by = ip` ([`ByIp`]), or what
//! a type of yours says with `by = MyTracker` (a user id, an API key...).

use std::collections::HashMap;
use std::convert::Infallible;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde::Deserialize;

use super::{CanActivate, ExecutionContext};
use crate::di::{Dependency, Injectable, Resolver};
use crate::error::{HandlerError, StartupError, WsException};
use crate::rate::{self, KeyedBudgets};

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
        rate::quota(self.limit, Duration::from_millis(self.ttl_ms))
    }
}

/// Says whose budget a message spends: `#[throttle(..., by = MyTracker)]`, NestJS's
/// `getTracker`. The type is built like a guard: put `#[injectable]` on it, and its `Arc<T>`
/// fields are injected.
///
/// Budgets with the same key are shared by every socket that gives it, on this node, per
/// handler. `None` spends the socket's own budget instead (as [`BySocket`]): a message is never
/// let through unthrottled because it has no key, and an anonymous client cannot spend a
/// signed-in user's budget.
///
/// ```
/// use gateway_core::prelude::*;
///
/// /// What the connection guard stored on the socket.
/// #[derive(Clone)]
/// struct UserId(u64);
///
/// /// One budget per user, however many tabs they have open.
/// #[injectable]
/// struct ByUser;
///
/// impl ThrottlerTracker for ByUser {
///     type Key = u64;
///     fn tracker(&self, ctx: &ExecutionContext<'_>) -> Option<u64> {
///         ctx.socket().extensions().get::<UserId>().map(|u| u.0)
///     }
/// }
///
/// #[injectable]
/// struct ChatGateway;
///
/// #[web_socket_gateway(namespace = "/chat")]
/// impl ChatGateway {
///     #[subscribe_message("chat/send")]
///     #[throttle(limit = 20, ttl_ms = 60_000, by = ByUser)]
///     fn send(&self, #[message_body] text: String) -> bool {
///         !text.is_empty()
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a throttler tracker",
    label = "not a throttler tracker",
    note = "`by = ...` in #[throttle] is `socket`, `ip`, or a type implementing `ThrottlerTracker`"
)]
pub trait ThrottlerTracker: Send + Sync + 'static {
    /// What identifies a client: a user id, an address...
    type Key: Hash + Eq + Clone + Send + Sync + 'static;

    /// The key of the budget this message spends; `None` spends the socket's own.
    fn tracker(&self, ctx: &ExecutionContext<'_>) -> Option<Self::Key>;
}

/// A budget per socket (`#[throttle]`'s default, `by = socket`): kept on the socket, freed
/// with it.
#[crate::injectable]
pub struct BySocket;

impl ThrottlerTracker for BySocket {
    type Key = Infallible;

    fn tracker(&self, _: &ExecutionContext<'_>) -> Option<Infallible> {
        None
    }
}

/// A budget per client IP address (`by = ip`), shared by the sockets that come from it: the
/// TCP peer's address ([`SocketRef::remote_addr`](crate::SocketRef::remote_addr)), an
/// IPv4-mapped IPv6 address counted as the IPv4 one. Behind a reverse proxy every client has
/// the proxy's address: write a [`ThrottlerTracker`] that reads the header your proxy sets.
/// A socket whose address is unknown (an in-process test client) has a budget of its own.
#[crate::injectable]
pub struct ByIp;

impl ThrottlerTracker for ByIp {
    type Key = IpAddr;

    fn tracker(&self, ctx: &ExecutionContext<'_>) -> Option<IpAddr> {
        ctx.socket().remote_addr().map(|a| a.ip().to_canonical())
    }
}

/// One socket's budgets, one per throttled handler; dropped with the socket.
#[derive(Default)]
struct SocketBudgets(Mutex<HashMap<&'static str, DefaultDirectRateLimiter>>);

/// The guard `#[throttle]` binds: reads the handler's (or its gateway's) `throttle` metadata,
/// asks `T` whose budget the message spends, and spends one unit of it.
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
///
///     #[subscribe_message("chat/typing")]
///     #[throttle(limit = 10, ttl_ms = 1_000, by = ip)] // shared by the sockets of one IP
///     fn typing(&self) {}
/// }
/// ```
///
/// In tests, `disable::<ThrottlerGuard>()` turns off the per-socket throttles, and
/// `disable::<ThrottlerGuard<ByIp>>()` the per-IP ones.
pub struct ThrottlerGuard<T: ThrottlerTracker = BySocket> {
    tracker: T,
    /// By gateway and event.
    shared: Mutex<HashMap<Handler, Arc<KeyedBudgets<T::Key>>>>,
}

/// A handler: its gateway's name and its event.
type Handler = (&'static str, &'static str);

impl<T: ThrottlerTracker> ThrottlerGuard<T> {
    /// Spends one unit of this socket's own budget for the handler.
    fn spend_socket(ctx: &ExecutionContext<'_>, quota: Quota) -> bool {
        let extensions = ctx.socket().extensions();
        let budgets = match extensions.get::<Arc<SocketBudgets>>() {
            Some(b) => b,
            None => {
                let b = Arc::new(SocketBudgets::default());
                extensions.insert(b.clone());
                b
            }
        };
        let mut budgets = budgets.0.lock().unwrap_or_else(|e| e.into_inner());
        budgets
            .entry(ctx.pattern())
            .or_insert_with(|| RateLimiter::direct(quota))
            .check()
            .is_ok()
    }

    /// Spends one unit of `key`'s budget for the handler.
    fn spend_shared(&self, ctx: &ExecutionContext<'_>, quota: Quota, key: &T::Key) -> bool {
        let budgets = {
            let mut shared = self.shared.lock().unwrap_or_else(|e| e.into_inner());
            shared
                .entry((ctx.gateway(), ctx.pattern()))
                .or_insert_with(|| Arc::new(KeyedBudgets::new(quota)))
                .clone()
        };
        budgets.allows(key)
    }
}

// Built as its tracker is: `#[injectable]` cannot see through the type parameter.
impl<T: ThrottlerTracker + Injectable> Injectable for ThrottlerGuard<T> {
    fn dependencies() -> Vec<Dependency> {
        T::dependencies()
    }

    fn construct(resolver: &Resolver<'_>) -> Result<Self, StartupError> {
        Ok(ThrottlerGuard {
            tracker: T::construct(resolver)?,
            shared: Mutex::default(),
        })
    }
}

// Not offered as "the trait is implemented for ThrottlerGuard" when a user's type is not a
// guard: it is bound by `#[throttle]`, not named.
#[diagnostic::do_not_recommend]
impl<T: ThrottlerTracker> CanActivate for ThrottlerGuard<T> {
    async fn can_activate(&self, ctx: &ExecutionContext<'_>) -> Result<bool, HandlerError> {
        let Some(quota) = ctx.metadata::<Limit>("throttle").and_then(Limit::quota) else {
            return Ok(true);
        };
        let allowed = match self.tracker.tracker(ctx) {
            Some(key) => self.spend_shared(ctx, quota, &key),
            None => Self::spend_socket(ctx, quota),
        };
        if allowed {
            Ok(true)
        } else {
            Err(HandlerError::Exception(WsException::new(TOO_MANY_REQUESTS)))
        }
    }
}

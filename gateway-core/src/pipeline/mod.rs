//! The request pipeline, as NestJS's: guards, then pipes, then the handler, with enhancers
//! bound globally (on the application), per gateway and per handler, applied in that order.
//!
//! The macros describe bindings as statics ([`EnhancerRef`]); the application resolves them
//! into a pipeline per handler when it mounts the gateway. A handler with an empty pipeline
//! takes the same path as before the pipeline existed: no allocation, no extra await.

pub(crate) mod connection;
mod context;
pub(crate) mod filter;
pub(crate) mod guard;
pub(crate) mod interceptor;
pub(crate) mod pipe;
mod throttle;

use std::sync::Arc;

pub use connection::{ConnectionContext, ConnectionGuard, ConnectionRefused};
pub use context::ExecutionContext;
#[doc(hidden)]
pub use context::Metadata;
pub(crate) use context::Site;
pub use filter::{ArgumentsHost, Caught, ExceptionFilter};
pub use guard::CanActivate;
pub use interceptor::{Interceptor, LoggingInterceptor, Next};
pub use pipe::{ArgumentMetadata, PipeTransform, ValidationPipe, Validator};
pub use throttle::{ByIp, BySocket, TOO_MANY_REQUESTS, ThrottlerGuard, ThrottlerTracker};

use crate::di::Registry;
use crate::error::StartupError;
use connection::DynConnectionGuard;
use filter::DynFilter;
use guard::DynGuard;
use interceptor::DynInterceptor;

/// One resolved enhancer.
#[derive(Clone)]
pub(crate) enum Enhancer {
    /// A guard.
    Guard(Arc<dyn DynGuard>),
    /// A pipe.
    Pipe(Arc<dyn PipeTransform>),
    /// An interceptor.
    Interceptor(Arc<dyn DynInterceptor>),
    /// An exception filter.
    Filter(Arc<dyn DynFilter>),
    /// A connection guard.
    ConnectionGuard(Arc<dyn DynConnectionGuard>),
}

/// An enhancer named in an attribute (`#[use_guards(AuthGuard)]`), resolved at start-up from
/// the providers (or built on the spot when it is `#[injectable]` but listed nowhere).
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct EnhancerRef {
    /// Builds it; `None` when a test disabled it.
    pub(crate) resolve: fn(&Registry) -> Result<Option<Enhancer>, StartupError>,
    /// A connection guard's [`ConnectionGuard::auth_schema`]; nothing for the other kinds.
    pub(crate) auth_schema: fn(&mut schemars::SchemaGenerator) -> Option<schemars::Schema>,
}

/// What an enhancer that is not a connection guard says of the handshake's `auth`: nothing.
fn no_auth(_: &mut schemars::SchemaGenerator) -> Option<schemars::Schema> {
    None
}

/// Resolves enhancer `E`: what a test put in its place if anything, else `E` from the
/// providers, wrapped by `wrap`.
fn resolve<E: crate::Injectable>(
    r: &Registry,
    wrap: fn(Arc<E>) -> Enhancer,
) -> Result<Option<Enhancer>, StartupError> {
    match r.replacement(std::any::TypeId::of::<E>()) {
        None => Ok(Some(wrap(r.instance::<E>()?))),
        Some(None) => Ok(None),
        Some(Some(with)) => Ok(with.downcast_ref::<Enhancer>().cloned()),
    }
}

impl EnhancerRef {
    /// The `auth` payload this enhancer expects at the handshake, when it is a connection
    /// guard that describes it.
    pub(crate) fn auth_schema(
        &self,
        generator: &mut schemars::SchemaGenerator,
    ) -> Option<schemars::Schema> {
        (self.auth_schema)(generator)
    }

    /// A guard of type `G`.
    pub const fn guard<G: CanActivate + crate::Injectable>() -> Self {
        EnhancerRef {
            resolve: |r| resolve::<G>(r, |g| Enhancer::Guard(g)),
            auth_schema: no_auth,
        }
    }

    /// The throttler guard of `#[throttle(..., by = T)]`: the macro names the tracker, so that
    /// a type that is not one is reported at the user's `by`.
    pub const fn throttler<T: ThrottlerTracker + crate::Injectable>() -> Self {
        Self::guard::<ThrottlerGuard<T>>()
    }

    /// An interceptor of type `I`.
    pub const fn interceptor<I: Interceptor + crate::Injectable>() -> Self {
        EnhancerRef {
            resolve: |r| resolve::<I>(r, |i| Enhancer::Interceptor(i)),
            auth_schema: no_auth,
        }
    }

    /// An exception filter of type `F`.
    pub const fn filter<F: ExceptionFilter + crate::Injectable>() -> Self {
        EnhancerRef {
            resolve: |r| resolve::<F>(r, |f| Enhancer::Filter(f)),
            auth_schema: no_auth,
        }
    }

    /// A connection guard of type `G`.
    pub const fn connection_guard<G: ConnectionGuard + crate::Injectable>() -> Self {
        EnhancerRef {
            resolve: |r| resolve::<G>(r, |g| Enhancer::ConnectionGuard(g)),
            auth_schema: G::auth_schema,
        }
    }

    /// A pipe of type `P`.
    pub const fn pipe<P: PipeTransform + crate::Injectable>() -> Self {
        EnhancerRef {
            resolve: |r| resolve::<P>(r, |p| Enhancer::Pipe(p)),
            auth_schema: no_auth,
        }
    }
}

/// The enhancers bound at one level (global, gateway, handler), as written.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default)]
pub struct Bindings {
    /// `#[use_guards(...)]`
    pub guards: &'static [EnhancerRef],
    /// `#[use_pipes(...)]`
    pub pipes: &'static [EnhancerRef],
    /// `#[use_interceptors(...)]`
    pub interceptors: &'static [EnhancerRef],
    /// `#[use_filters(...)]`
    pub filters: &'static [EnhancerRef],
    /// `#[use_connection_guards(...)]` (gateway level only)
    pub connection_guards: &'static [EnhancerRef],
}

impl Bindings {
    /// Nothing bound.
    pub const NONE: Bindings = Bindings {
        guards: &[],
        pipes: &[],
        interceptors: &[],
        filters: &[],
        connection_guards: &[],
    };

    fn all(&self) -> impl Iterator<Item = &EnhancerRef> {
        self.guards
            .iter()
            .chain(self.interceptors)
            .chain(self.pipes)
            .chain(self.filters)
            .chain(self.connection_guards)
    }
}

/// Everything that runs around one handler, resolved, in order.
#[derive(Clone, Default)]
pub(crate) struct Pipeline {
    pub(crate) guards: Vec<Arc<dyn DynGuard>>,
    pub(crate) interceptors: Vec<Arc<dyn DynInterceptor>>,
    pub(crate) pipes: Vec<Arc<dyn PipeTransform>>,
    /// Innermost level first: handler, gateway, global (NestJS checks method filters first).
    pub(crate) filters: Vec<Arc<dyn DynFilter>>,
    pub(crate) connection_guards: Vec<Arc<dyn DynConnectionGuard>>,
    /// Errors also answer the client's pending ack (an application option).
    pub(crate) ack_errors: bool,
}

impl Pipeline {
    /// Appends one level's bindings (call global, then gateway, then handler, then parameter).
    pub(crate) fn extend(
        &mut self,
        bindings: &Bindings,
        registry: &Registry,
    ) -> Result<(), StartupError> {
        let mut filters = Vec::new();
        for r in bindings.all() {
            match (r.resolve)(registry)? {
                Some(Enhancer::Filter(f)) => filters.push(f),
                Some(other) => self.push(other),
                None => {}
            }
        }
        // A deeper level's filters go before the outer levels' ones.
        filters.append(&mut self.filters);
        self.filters = filters;
        Ok(())
    }

    /// Appends one resolved enhancer (filters: as the outermost).
    pub(crate) fn push(&mut self, e: Enhancer) {
        match e {
            Enhancer::Guard(g) => self.guards.push(g),
            Enhancer::Pipe(p) => self.pipes.push(p),
            Enhancer::Interceptor(i) => self.interceptors.push(i),
            Enhancer::Filter(f) => self.filters.push(f),
            Enhancer::ConnectionGuard(g) => self.connection_guards.push(g),
        }
    }
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("guards", &self.guards.len())
            .field("pipes", &self.pipes.len())
            .finish()
    }
}

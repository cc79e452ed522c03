//! The request pipeline, as NestJS's: guards, then pipes, then the handler, with enhancers
//! bound globally (on the application), per gateway and per handler, applied in that order.
//!
//! The macros describe bindings as statics ([`EnhancerRef`]); the application resolves them
//! into a [`Pipeline`] per handler when it mounts the gateway. A handler with an empty pipeline
//! takes the same path as before the pipeline existed: no allocation, no extra await.

pub mod context;
pub mod guard;
pub mod pipe;

use std::sync::Arc;

pub use context::{ExecutionContext, Metadata};
pub use guard::CanActivate;
pub use pipe::{ArgumentMetadata, PipeTransform, ValidationPipe};

use crate::di::Registry;
use crate::error::StartupError;
use guard::DynGuard;
use pipe::DynPipe;

/// One resolved enhancer.
#[derive(Clone)]
pub enum Enhancer {
    /// A guard.
    Guard(Arc<dyn DynGuard>),
    /// A pipe.
    Pipe(Arc<dyn DynPipe>),
}

/// An enhancer named in an attribute (`#[use_guards(AuthGuard)]`), resolved at start-up from
/// the providers (or built on the spot when it is `#[injectable]` but listed nowhere).
#[derive(Debug, Clone, Copy)]
pub struct EnhancerRef {
    /// The type's name, for messages.
    pub name: &'static str,
    /// Builds it.
    pub resolve: fn(&Registry) -> Result<Enhancer, StartupError>,
}

impl EnhancerRef {
    /// A guard of type `G`, called `name`.
    pub const fn guard<G: CanActivate + crate::Injectable>(name: &'static str) -> Self {
        EnhancerRef {
            name,
            resolve: |r| Ok(Enhancer::Guard(r.instance::<G>()?)),
        }
    }

    /// A pipe of type `P`, called `name`.
    pub const fn pipe<P: PipeTransform + crate::Injectable>(name: &'static str) -> Self {
        EnhancerRef {
            name,
            resolve: |r| Ok(Enhancer::Pipe(r.instance::<P>()?)),
        }
    }
}

/// The enhancers bound at one level (global, gateway, handler), as written.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bindings {
    /// `#[use_guards(...)]`
    pub guards: &'static [EnhancerRef],
    /// `#[use_pipes(...)]`
    pub pipes: &'static [EnhancerRef],
}

impl Bindings {
    /// Nothing bound.
    pub const NONE: Bindings = Bindings {
        guards: &[],
        pipes: &[],
    };
}

/// Everything that runs around one handler, resolved, in order.
#[derive(Clone, Default)]
pub struct Pipeline {
    pub(crate) guards: Vec<Arc<dyn DynGuard>>,
    pub(crate) pipes: Vec<Arc<dyn DynPipe>>,
}

impl Pipeline {
    /// Whether nothing runs around the handler (the fast path).
    pub fn is_empty(&self) -> bool {
        self.guards.is_empty() && self.pipes.is_empty()
    }

    /// Appends one level's bindings (call global, then gateway, then handler, then parameter).
    pub(crate) fn extend(
        &mut self,
        bindings: &Bindings,
        registry: &Registry,
    ) -> Result<(), StartupError> {
        for r in bindings.guards.iter().chain(bindings.pipes) {
            match (r.resolve)(registry)? {
                Enhancer::Guard(g) => self.guards.push(g),
                Enhancer::Pipe(p) => self.pipes.push(p),
            }
        }
        Ok(())
    }

    /// Appends already-built enhancers (global ones given to the application as values).
    pub(crate) fn extend_values(&mut self, enhancers: &[Enhancer]) {
        for e in enhancers {
            match e {
                Enhancer::Guard(g) => self.guards.push(g.clone()),
                Enhancer::Pipe(p) => self.pipes.push(p.clone()),
            }
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

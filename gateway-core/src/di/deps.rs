//! The dependencies of a factory provider, as the arguments of its closure: a tuple of
//! `Arc<T>` (required) and `Option<Arc<T>>` (optional) read from the providers built before it.

use std::sync::Arc;

use super::container::Resolver;
use super::module::{Dependency, TypeKey};
use crate::error::StartupError;

/// One dependency of a factory: `Arc<T>`, or `Option<Arc<T>>` when it may be missing.
pub trait Dep: Sized + Send + 'static {
    /// What it needs, as argument `index`.
    fn dependency(index: &'static str) -> Dependency;
    /// Takes it from the providers built before the factory runs.
    fn resolve(resolver: &Resolver<'_>) -> Result<Self, StartupError>;
}

impl<T: Send + Sync + 'static> Dep for Arc<T> {
    fn dependency(index: &'static str) -> Dependency {
        Dependency {
            key: TypeKey::of::<T>(),
            field: index,
            optional: false,
        }
    }
    fn resolve(resolver: &Resolver<'_>) -> Result<Self, StartupError> {
        resolver.any::<T>()
    }
}

impl<T: Send + Sync + 'static> Dep for Option<Arc<T>> {
    fn dependency(index: &'static str) -> Dependency {
        Dependency {
            optional: true,
            ..<Arc<T> as Dep>::dependency(index)
        }
    }
    fn resolve(resolver: &Resolver<'_>) -> Result<Self, StartupError> {
        Ok(resolver.any_optional::<T>())
    }
}

/// The arguments of a factory provider: `()`, or a tuple of [`Dep`]s.
pub trait Deps: Sized + Send + 'static {
    /// What the factory needs, in order.
    fn dependencies() -> Vec<Dependency>;
    /// Takes them from the providers built before the factory runs.
    fn resolve(resolver: &Resolver<'_>) -> Result<Self, StartupError>;
}

macro_rules! deps {
    ($(($($name:ident $index:literal),*)),*) => {$(
        impl<$($name: Dep),*> Deps for ($($name,)*) {
            fn dependencies() -> Vec<Dependency> {
                vec![$($name::dependency($index)),*]
            }
            #[allow(unused_variables)]
            fn resolve(resolver: &Resolver<'_>) -> Result<Self, StartupError> {
                Ok(($($name::resolve(resolver)?,)*))
            }
        }
    )*};
}

deps!(
    (),
    (A "argument 0"),
    (A "argument 0", B "argument 1"),
    (A "argument 0", B "argument 1", C "argument 2"),
    (A "argument 0", B "argument 1", C "argument 2", D "argument 3"),
    (A "argument 0", B "argument 1", C "argument 2", D "argument 3", E "argument 4")
);

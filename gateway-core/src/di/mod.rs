//! Dependency injection, as NestJS's: `#[injectable]` singletons injected by type, checked for
//! visibility (own providers, and what imported modules export) and cycles, built once at
//! start-up by the [`Container`].
//!
//! The macros emit static descriptions ([`ModuleDef`], [`ProviderDef`]); this layer knows
//! nothing of gateways: the application attaches them to the providers it mounts.

pub(crate) mod container;
mod deps;
mod hooks;
pub(crate) mod module;

#[cfg(feature = "testing")]
pub(crate) use container::Factory;
pub(crate) use container::{Container, Overrides};
pub use container::{Registry, Resolver};
pub use deps::{Dep, Deps};
pub use hooks::{OnApplicationShutdown, OnModuleInit};
pub use module::{Dependency, Injectable, ModuleDef, ProviderDef, Scope, TypeKey};
pub(crate) use module::{Instance, Provided};

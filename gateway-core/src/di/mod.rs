//! Modules and dependency injection, as NestJS: `#[module(imports, providers, exports)]`,
//! `#[injectable]` singletons injected by type, gateways as providers.
//!
//! The macros emit static descriptions ([`ModuleDef`], [`ProviderDef`]); the [`container`]
//! checks visibility and cycles and builds every provider once, at start-up.

pub mod container;
mod hooks;
pub(crate) mod module;

pub use container::{Container, Registry, Resolver};
pub use hooks::{OnApplicationShutdown, OnModuleInit};
pub use module::{Dependency, Injectable, Module, ModuleDef, ProviderDef, TypeKey};

#[doc(hidden)]
pub use hooks::probe as hooks_probe;

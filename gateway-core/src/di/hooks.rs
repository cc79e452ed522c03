//! Lifecycle hooks of providers.

use std::future::Future;

use crate::error::BoxError;

/// NestJS's `onModuleInit`: runs once every provider is built and every gateway's `after_init`
/// has run, before the application listens. An error stops start-up.
pub trait OnModuleInit: Send + Sync + 'static {
    /// Runs once the providers are built; an `Err` stops start-up with its message.
    fn on_module_init(&self) -> impl Future<Output = Result<(), BoxError>> + Send;
}

/// NestJS's `onApplicationShutdown`: runs on SIGINT/SIGTERM (or a programmatic shutdown), after
/// every client has been disconnected.
pub trait OnApplicationShutdown: Send + Sync + 'static {
    /// Runs at shutdown, after every client has been disconnected.
    fn on_application_shutdown(&self) -> impl Future<Output = ()> + Send;
}

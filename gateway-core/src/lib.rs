//! NestJS-style WebSocket gateways for Rust, on [socketioxide].
//!
//! Annotate a struct's `impl` with [`web_socket_gateway`] and its methods with
//! [`subscribe_message`], list it in a [`module`], and run a [`GatewayApplication`]: unchanged
//! socket.io clients talk to it as they would to a NestJS gateway.
//!
//! ```no_run
//! use gateway_core::prelude::*;
//!
//! #[injectable]
//! struct EchoGateway;
//!
//! #[web_socket_gateway(namespace = "/echo")]
//! impl EchoGateway {
//!     #[subscribe_message("echo")]
//!     async fn echo(&self, #[message_body] text: String) -> String {
//!         text
//!     }
//! }
//!
//! #[module(providers = [EchoGateway])]
//! struct AppModule;
//!
//! #[tokio::main]
//! async fn main() -> Result<(), BoxError> {
//!     GatewayApplication::create::<AppModule>().await?.listen("127.0.0.1:3000").await
//! }
//! ```
//!
//! What you meet, by layer (each only uses those below it): [`SocketRef`], [`Broadcast`] and
//! [`WsServer`] to talk to clients; [`Injectable`] providers; [`pipeline`] for guards, pipes,
//! interceptors and filters; [`handler`] for what a handler takes and returns; [`Gateway`];
//! [`GatewayApplication`] to run it all.

// The macros name `::gateway_core`, also in this crate's own tests.
extern crate self as gateway_core;

pub mod adapter;
mod app;
pub mod config;
pub mod describe;
mod di;
mod error;
mod gateway;
pub mod handler;
mod message;
mod metrics;
#[cfg(feature = "otel")]
pub mod otel;
pub mod pipeline;
mod rate;
pub mod socket;
#[cfg(feature = "testing")]
pub mod testing;

pub use app::{
    ApplicationBuilder, GatewayApplication, Inject, Limits, Module, NotAProvider, RunningApp,
};
pub use di::{Dep, Deps, Injectable, OnApplicationShutdown, OnModuleInit, Scope};
pub use error::{BoxError, FieldError, HandlerError, StartupError, WsException, WsResult};
pub use gateway::Gateway;
pub use gateway::Parser;
pub use gateway_macros::{
    Event, injectable, module, roles, set_metadata, subscribe_message, throttle,
    use_connection_guards, use_filters, use_guards, use_interceptors, use_pipes,
    web_socket_gateway,
};
pub use handler::{
    AckSender, Extension, FromMessageContext, MessageContext, NsParams, Scoped, WsResponse,
};
pub use message::{Data, Reply};
pub use socket::{AckResponse, SocketEmit};
pub use socket::{
    Broadcast, DisconnectReason, EmitError, Event, RemoteSocket, SocketRef, WsServer,
};

/// An adapter an application can run on: socketioxide's in-memory one (the default), Redis
/// (feature `redis`) or PostgreSQL (feature `postgres`). Every gateway works on any of them.
///
/// It says how to wait until a namespace's adapter is ready, so that
/// [`GatewayApplication::start`] returns only once every gateway can be reached.
pub trait AppAdapter:
    socketioxide::adapter::Adapter + socketioxide_core::adapter::DefinedAdapter
{
    /// Waits for the initialisation socketioxide started for a namespace.
    fn ready(
        init: <Self as socketioxide_core::adapter::CoreAdapter<socketioxide::adapter::Emitter>>::InitRes,
    ) -> futures_util::future::BoxFuture<'static, Result<(), String>>;
}

impl AppAdapter for socketioxide::adapter::LocalAdapter {
    fn ready(_: ()) -> futures_util::future::BoxFuture<'static, Result<(), String>> {
        Box::pin(async { Ok(()) })
    }
}

/// What a gateway file needs: `use gateway_core::prelude::*;`.
pub mod prelude {
    pub use crate::AckResponse;
    pub use crate::pipeline::{
        ArgumentMetadata, ArgumentsHost, CanActivate, Caught, ConnectionContext, ConnectionGuard,
        ConnectionRefused, ExceptionFilter, ExecutionContext, Interceptor, LoggingInterceptor,
        Next, PipeTransform, ThrottlerTracker, ValidationPipe,
    };
    pub use crate::{
        AckSender, BoxError, Broadcast, Data, DisconnectReason, EmitError, Event, Extension,
        FromMessageContext, GatewayApplication, HandlerError, MessageContext, NsParams,
        OnApplicationShutdown, OnModuleInit, Reply, Scoped, SocketRef, WsException, WsResponse,
        WsResult, WsServer, injectable, module, roles, set_metadata, subscribe_message, throttle,
        use_connection_guards, use_filters, use_guards, use_interceptors, use_pipes,
        web_socket_gateway,
    };
    pub use schemars::JsonSchema;
    pub use serde::{Deserialize, Serialize};
    pub use std::sync::Arc;
}

/// What a handler needs to return a `Stream` of [`WsResponse`]: `stream::iter(...)` and the
/// `Stream` trait.
pub mod stream {
    pub use futures_util::stream::{Stream, StreamExt, empty, iter, once, unfold};
}

/// What the generated code names. Not public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::__handler_meta as handler_meta;
    pub use crate::__property_name as property_name;
    pub use crate::__provider as provider;
    pub use crate::__reply as reply_value;
    pub use crate::__same_validator as same_validator;
    pub use crate::__schema as schema;
    pub use crate::__schema_fn as schema_fn;
    pub use crate::__validator as validator;
    pub use crate::AppAdapter;
    pub use crate::app::probe;
    pub use crate::describe::schema::probe as schema_probe;
    pub use crate::describe::schema::{any_schema, property_schema};
    pub use crate::di::{Dependency, ModuleDef, ProviderDef, Resolver, TypeKey};
    pub use crate::gateway::Parser;
    pub use crate::gateway::{
        CorsOptions, EmitMeta, GatewayDef, GatewayMeta, GatewayRegistration, Origins,
        ServerOptions, Transport, hook_result,
    };
    pub use crate::handler::HandlerMeta;
    pub use crate::handler::body::{NoBody, Property, PropertyName, Whole};
    pub use crate::handler::reply;
    pub use crate::handler::route::Routes;
    pub use crate::pipeline::pipe::probe as validate_probe;
    pub use crate::pipeline::{Bindings, EnhancerRef};
    pub use crate::socket::namespace::NamespaceSpec;
    pub use inventory;
    pub use serde;
    pub use socketioxide::adapter::Adapter;
}

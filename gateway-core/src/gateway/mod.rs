//! Gateways: the static description the macros emit ([`GatewayMeta`]), the [`Gateway`] trait
//! they implement, the server options, and mounting a gateway on a socket.io server.

mod mount;
pub(crate) mod options;

use std::future::Future;
use std::sync::Arc;

use socketioxide::adapter::Adapter;

pub use mount::GatewayDef;
pub(crate) use mount::{MountContext, fire_disconnect_hooks};
pub use options::{CorsOptions, Origins, Parser, ServerOptions, Transport};

use crate::error::HandlerError;
use crate::handler::route::Routes;
use crate::handler::{HandlerMeta, SchemaFn};
use crate::pipeline::{Bindings, Metadata};
use crate::socket::{NamespaceSpec, SocketRef, WsServer};

/// What `#[web_socket_gateway(...)]` says about a gateway, as a static.
#[derive(Debug)]
pub struct GatewayMeta {
    /// The gateway type's name.
    pub name: &'static str,
    /// Its own port, or `None` for the application's listener.
    pub port: Option<u16>,
    /// The namespace it serves.
    pub namespace: NamespaceSpec,
    /// socket.io server options (CORS included); gateways sharing a port must agree on them.
    pub options: ServerOptions,
    /// Its handlers, in source order.
    pub handlers: &'static [HandlerMeta],
    /// The events it declares it sends (`emits = [...]`), for the API description.
    pub emits: &'static [EmitMeta],
    /// Enhancers bound to the whole gateway.
    pub bindings: Bindings,
    /// Messages from one socket are handled one at a time, in arrival order.
    pub ordered: bool,
    /// `#[set_metadata]` on the gateway.
    pub metadata: Metadata,
    /// The file it is declared in.
    pub file: &'static str,
    /// The line it is declared on.
    pub line: u32,
}

impl GatewayMeta {
    /// A gateway on the application's port, on namespace `/`, with no option, binding or
    /// metadata: what `..GatewayMeta::DEFAULT` fills in for what the attribute leaves out.
    pub const DEFAULT: GatewayMeta = GatewayMeta {
        name: "",
        port: None,
        namespace: NamespaceSpec::Static("/"),
        options: ServerOptions::DEFAULT,
        handlers: &[],
        emits: &[],
        bindings: Bindings::NONE,
        ordered: false,
        metadata: &[],
        file: "",
        line: 0,
    };
}

/// An event a gateway declares it sends: `emits = [ChatReceive]` on `#[web_socket_gateway]`.
#[derive(Debug)]
pub struct EmitMeta {
    /// The event name, the type's [`Event::NAME`](crate::Event::NAME).
    pub event: &'static str,
    /// The payload's schema.
    pub schema: SchemaFn,
}

/// A gateway known to the binary, submitted by `#[web_socket_gateway]` through `inventory`,
/// whether or not a module lists it. Used by the start-up log, and by tooling.
#[derive(Debug)]
pub struct GatewayRegistration {
    /// Its description.
    pub meta: &'static GatewayMeta,
}

inventory::collect!(GatewayRegistration);

/// Every gateway compiled into this binary, sorted by name (inventory's order is not stable).
pub(crate) fn registered_gateways() -> Vec<&'static GatewayMeta> {
    let mut all: Vec<_> = inventory::iter::<GatewayRegistration>
        .into_iter()
        .map(|r| r.meta)
        .collect();
    all.sort_by_key(|m| (m.name, m.file, m.line));
    all
}

/// A gateway: implemented by `#[web_socket_gateway]` on the gateway's `impl` block.
///
/// The hooks default to doing nothing; the macro forwards to the methods of the same name
/// (`after_init`, `handle_connection`, `handle_disconnect`) when the impl block defines them.
pub trait Gateway: Send + Sync + Sized + 'static {
    /// The static description: name, namespace, options, handlers, bindings.
    fn meta() -> &'static GatewayMeta;

    /// Adds a route per handler (once per gateway and server, not per socket).
    #[doc(hidden)]
    fn routes<A: Adapter>(routes: &mut Routes<'_, A, Self>);

    /// NestJS's `afterInit(server)`: once, before the application listens.
    fn after_init(self: &Arc<Self>, server: WsServer) -> impl Future<Output = ()> + Send {
        let _ = server;
        async {}
    }

    /// NestJS's `handleConnection(client)`: on each connection, before any handler runs for it.
    fn handle_connection(
        self: &Arc<Self>,
        socket: SocketRef,
    ) -> impl Future<Output = Result<(), HandlerError>> + Send {
        let _ = socket;
        async { Ok(()) }
    }

    /// NestJS's `handleDisconnect(client, reason)`.
    fn handle_disconnect(
        self: &Arc<Self>,
        socket: SocketRef,
        reason: crate::socket::DisconnectReason,
    ) -> impl Future<Output = ()> + Send {
        let _ = (socket, reason);
        async {}
    }
}

/// What a `handle_connection` hook may return: `()` or `Result<(), E>`.
#[diagnostic::on_unimplemented(
    message = "handle_connection must return `()` or `Result<(), E>`, not `{Self}`",
    label = "returned by handle_connection"
)]
pub trait IntoHookResult {
    /// `()` is `Ok`; an error becomes a [`HandlerError`] (a `WsException` stays one).
    fn into_hook_result(self) -> Result<(), HandlerError>;
}

impl IntoHookResult for () {
    fn into_hook_result(self) -> Result<(), HandlerError> {
        Ok(())
    }
}

impl<E: Into<crate::error::BoxError>> IntoHookResult for Result<(), E> {
    fn into_hook_result(self) -> Result<(), HandlerError> {
        self.map_err(|e| HandlerError::from(e.into()))
    }
}

/// Normalizes a hook's result (called by the generated code).
pub fn hook_result<R: IntoHookResult>(r: R) -> Result<(), HandlerError> {
    r.into_hook_result()
}

//! Gateways: the static description the macros emit ([`GatewayMeta`], [`HandlerMeta`]), the
//! [`Gateway`] trait they implement, the namespace kinds, the server options and the
//! [`WsServer`] handle.

mod mount;
pub mod namespace;
pub mod options;
mod server;

use std::future::Future;
use std::sync::Arc;

use socketioxide::adapter::Adapter;

pub(crate) use mount::fire_disconnect_hooks;
pub use mount::{MountContext, MountFn, mount_gateway};
pub use namespace::NamespaceSpec;
pub use options::{CorsOptions, Origins, ServerOptions};
pub use server::WsServer;

use crate::error::HandlerError;
use crate::handler::dispatch::Connection;
use crate::pipeline::{Bindings, Metadata, Pipeline};
use crate::socket::SocketRef;

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
    /// Enhancers bound to the whole gateway.
    pub bindings: Bindings,
    /// Messages from one socket are handled one at a time, in arrival order.
    pub ordered: bool,
    /// `#[set_metadata]` on the gateway.
    pub metadata: Metadata,
    /// Where it is declared.
    pub file: &'static str,
    /// Where it is declared.
    pub line: u32,
}

/// One `#[subscribe_message]` handler.
#[derive(Debug)]
pub struct HandlerMeta {
    /// The gateway's name.
    pub gateway: &'static str,
    /// The event it handles, NestJS's pattern.
    pub event: &'static str,
    /// The method's name.
    pub method: &'static str,
    /// Guards and pipes bound to this handler (its body's pipes last).
    pub bindings: Bindings,
    /// `#[set_metadata]` on the handler.
    pub metadata: Metadata,
    /// Where it is declared.
    pub file: &'static str,
    /// Where it is declared.
    pub line: u32,
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
pub fn registered_gateways() -> Vec<&'static GatewayMeta> {
    let mut all: Vec<_> = inventory::iter::<GatewayRegistration>
        .into_iter()
        .map(|r| r.meta)
        .collect();
    all.sort_by_key(|m| (m.name, m.file, m.line));
    all
}

/// What `bind_handlers` needs besides the socket: the connection's state and the resolved
/// pipeline of each handler (in the order of [`GatewayMeta::handlers`]).
pub struct Binding<'a> {
    /// The connection's gate.
    pub conn: &'a Arc<Connection>,
    /// One pipeline per handler.
    pub pipelines: &'a [Arc<Pipeline>],
}

/// A gateway: implemented by `#[web_socket_gateway]` on the gateway's `impl` block.
///
/// The hooks default to doing nothing; the macro forwards to the methods of the same name
/// (`after_init`, `handle_connection`, `handle_disconnect`) when the impl block defines them.
pub trait Gateway: Send + Sync + Sized + 'static {
    /// The static description.
    fn meta() -> &'static GatewayMeta;

    /// Registers the handlers on a socket that is connecting (before the client may send).
    fn bind_handlers<A: Adapter>(
        self: &Arc<Self>,
        socket: &socketioxide::extract::SocketRef<A>,
        binding: &Binding<'_>,
    );

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
        reason: crate::DisconnectReason,
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
    /// Normalizes the result.
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

//! Mounting a gateway on a socket.io server: the connect middleware binds the handlers before
//! the client can send anything, then the connect handler runs `handle_connection` and opens
//! the gate that holds the first messages until it is done.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::future::BoxFuture;
use socketioxide::SocketIo;
use socketioxide::adapter::Adapter;
use socketioxide::handler::ConnectHandler;
use std::panic::AssertUnwindSafe;
use std::sync::Mutex;

use futures_util::FutureExt;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

use super::{Gateway, GatewayMeta};
use crate::AppAdapter;
use crate::di::{Instance, Registry};
use crate::error::{HandlerError, StartupError, panic_message};
use crate::handler::SocketScope;
use crate::handler::dispatch::{Connection, Table};
use crate::handler::route::{RouteScope, Routes};
use crate::metrics::Metrics;
use crate::pipeline::connection::{self, ConnectionContext, ConnectionRefused, DynConnectionGuard};
use crate::pipeline::{Bindings, Pipeline};
use crate::socket::{DisconnectReason, Matcher, NamespaceParams, SocketRef, WsServer};
use serde_json::Value;
use socketioxide::extract::TryData;

/// A namespace whose adapter is initialising, and the wait for it.
pub(crate) type PendingNamespace = (String, BoxFuture<'static, Result<(), String>>);

/// What mounting needs from the application.
pub(crate) struct MountContext<'a> {
    /// Providers, to resolve the gateway's and handlers' enhancers.
    pub registry: &'a Registry,
    /// The global enhancers, resolved.
    pub global: &'a Pipeline,
    /// Counts connected sockets until their disconnect hook has run.
    pub sockets: &'a TaskTracker,
    /// Namespaces whose adapter is still initialising; `start` waits for them.
    pub pending: &'a Mutex<Vec<PendingNamespace>>,
    /// Whether namespace `/` of this server has its gateway: a static `/` gateway has it from
    /// the start, else the first dynamic gateway that accepts `/` claims it (socketioxide
    /// routes `/` to its own namespace only, never to a dynamic one).
    pub root_claimed: &'a AtomicBool,
    /// The providers, for sockets to build their socket-scoped ones; `None` when there is
    /// none (sockets then carry nothing more).
    pub scoped: Option<Arc<Registry>>,
    /// The application's metrics, when it serves them.
    pub metrics: Option<&'a Arc<Metrics>>,
}

/// Mounts a type-erased gateway instance (what the container holds) on a server.
type MountFn<A> =
    fn(Instance, &SocketIo<A>, &Matcher, &MountContext<'_>) -> Result<(), StartupError>;

/// Runs a gateway's `after_init` on its instance.
type AfterInit = fn(Instance, WsServer) -> BoxFuture<'static, ()>;

/// What makes a provider a gateway, for an application on adapter `A`: its description, and
/// how to mount it and run its `after_init`.
pub struct GatewayDef<A: Adapter> {
    pub(crate) meta: &'static GatewayMeta,
    pub(crate) mount: MountFn<A>,
    pub(crate) after_init: AfterInit,
}

impl<A: AppAdapter> GatewayDef<A> {
    /// The definition of gateway `G`.
    pub(crate) fn of<G: Gateway>(after_init: AfterInit) -> Self {
        GatewayDef {
            meta: G::meta(),
            mount: mount_gateway::<A, G>,
            after_init,
        }
    }
}

type HookFn = Box<dyn FnOnce(SocketRef, DisconnectReason) -> BoxFuture<'static, ()> + Send>;

/// A socket's disconnect hook, stored on the socket; it runs at most once.
pub(crate) struct DisconnectHook(Mutex<Option<HookFn>>);

impl DisconnectHook {
    fn new(
        f: impl FnOnce(SocketRef, DisconnectReason) -> BoxFuture<'static, ()> + Send + 'static,
    ) -> Self {
        DisconnectHook(Mutex::new(Some(Box::new(f))))
    }

    /// Runs the hook, unless it already ran. A panic in it is logged, never passed on (at
    /// shutdown, it would stop the other hooks and the shutdown hooks).
    pub(crate) async fn fire(&self, socket: SocketRef, reason: DisconnectReason) {
        let hook = self.0.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(hook) = hook {
            let sid = socket.id();
            if let Err(panic) = AssertUnwindSafe(hook(socket, reason)).catch_unwind().await {
                tracing::error!(%sid, "handle_disconnect panicked: {}", panic_message(panic));
            }
        }
    }
}

/// Deletes a namespace of a dynamic gateway (`/teams/red` of `/teams/{team}`) whose last socket
/// is leaving, so that a client cannot make the server keep one namespace per path it ever
/// tried. Called from that last socket's disconnect handler, while it is still counted (and
/// only it). `/` is never deleted: socket.io always has it.
fn free_if_empty<A: socketioxide::adapter::Adapter>(io: &SocketIo<A>, path: &str) {
    if path == "/" {
        return;
    }
    if io.of(path).is_some_and(|ns| ns.sockets().len() <= 1) {
        io.delete_ns(path);
    }
}

/// Runs the disconnect hook of every socket of `io` on this node, with socket.io's
/// "server shutting down" reason.
pub(crate) async fn fire_disconnect_hooks<A: socketioxide::adapter::Adapter>(io: &SocketIo<A>) {
    let reason = DisconnectReason(socketioxide::socket::DisconnectReason::ClosingServer);
    let mut hooks = Vec::new();
    for ns in io.nsps() {
        for s in ns.sockets() {
            if let Some(hook) = s.extensions.get::<Arc<DisconnectHook>>() {
                hooks.push(async move { hook.fire(SocketRef::new(s), reason).await });
            }
        }
    }
    futures_util::future::join_all(hooks).await;
}

/// Why a connection is refused: the `message` of the client's `connect_error`.
#[derive(Debug, thiserror::Error)]
enum Refusal {
    /// socket.io's own refusal of an unknown namespace (a path a regex gateway does not match).
    #[error("Invalid namespace")]
    InvalidNamespace,
    /// A connection guard said no.
    #[error("{0}")]
    Guard(#[from] ConnectionRefused),
}

/// Mounts gateway `G` on `io`: its routes, resolved once, and a connect handler that puts a
/// dispatcher on each socket.
fn mount_gateway<A: AppAdapter, G: Gateway>(
    instance: Instance,
    io: &SocketIo<A>,
    matcher: &Matcher,
    mount: &MountContext<'_>,
) -> Result<(), StartupError> {
    let meta = G::meta();
    let gateway: Arc<G> = instance
        .downcast()
        .map_err(|_| StartupError::ProviderInit {
            provider: meta.name,
            source: "the container holds another type under this gateway's id".into(),
        })?;

    let namespace = meta.namespace.display();
    let scope = RouteScope {
        registry: mount.registry,
        global: mount.global,
        bindings: &meta.bindings,
        metadata: meta.metadata,
        metrics: mount.metrics.map(|m| (&**m, namespace.as_str())),
    };
    let counted = mount.metrics.map(|m| m.namespace(&namespace));
    let refusals = mount.metrics.cloned();
    let mut routes = Routes::new(&scope, &gateway);
    G::routes(&mut routes);
    let table = Arc::new(Table::new(routes.finish()?, meta.ordered));
    let mut connection = Pipeline {
        connection_guards: mount.global.connection_guards.clone(),
        ..Pipeline::default()
    };
    connection.extend(
        &Bindings {
            connection_guards: meta.bindings.connection_guards,
            ..Bindings::NONE
        },
        mount.registry,
    )?;
    let connection_guards: Arc<[Arc<dyn DynConnectionGuard>]> = connection.connection_guards.into();

    let middleware = {
        let gateway = gateway.clone();
        let matcher = matcher.clone();
        let sockets = mount.sockets.clone();
        let connection_guards = connection_guards.clone();
        let scoped = mount.scoped.clone();
        let counted = counted.clone();
        move |s: socketioxide::extract::SocketRef<A>,
              io: SocketIo<A>,
              TryData(auth): TryData<Value>| async move {
            let Some(params) = matcher.matches(s.ns()) else {
                // socketioxide created a child namespace for this path before asking us; drop
                // it, or every refused path would stay in memory for good.
                let path = s.ns().to_owned();
                tokio::spawn(async move { io.delete_ns(path) });
                if let Some(m) = &refusals {
                    m.refused("namespace");
                }
                return Err(Refusal::InvalidNamespace);
            };
            if !params.is_empty() {
                s.extensions.insert(NamespaceParams(Arc::new(params)));
            }
            if !connection_guards.is_empty() {
                let socket = SocketRef::new(s.clone());
                let auth = auth.unwrap_or_else(|_| Value::Object(Default::default()));
                let ctx = ConnectionContext {
                    socket: &socket,
                    auth: &auth,
                };
                let checked = AssertUnwindSafe(connection::check(&connection_guards, &ctx))
                    .catch_unwind()
                    .await
                    .unwrap_or_else(|_| {
                        tracing::error!(
                            gateway = meta.name,
                            ns = s.ns(),
                            "a connection guard panicked"
                        );
                        Err(ConnectionRefused::new("Internal server error"))
                    });
                if let Err(refused) = checked {
                    tracing::debug!(
                        gateway = meta.name,
                        ns = s.ns(),
                        "connection refused: {refused}"
                    );
                    if let Some(m) = &refusals {
                        m.refused("guard");
                    }
                    return Err(refused.into());
                }
            }
            if let Some(counted) = &counted {
                counted.connected();
            }
            let gate = table.attach(&s);
            s.extensions.insert(gate);
            if let Some(registry) = &scoped {
                s.extensions
                    .insert(Arc::new(SocketScope::new(registry.clone())));
            }
            // The disconnect hook runs once: when the client leaves, or at shutdown (socketioxide
            // forgets its sockets before closing them, so it would not call it then). The socket
            // is counted until it has run, so that shutdown can wait for it.
            let token = sockets.token();
            let hook_gateway = gateway.clone();
            s.extensions
                .insert(Arc::new(DisconnectHook::new(move |socket, reason| {
                    Box::pin(async move {
                        hook_gateway.handle_disconnect(socket, reason).await;
                        drop(token);
                    })
                })));
            let dynamic = !matches!(matcher, Matcher::Static(_));
            let counted = counted.clone();
            s.on_disconnect(
                move |s: socketioxide::extract::SocketRef<A>,
                      io: SocketIo<A>,
                      reason: socketioxide::socket::DisconnectReason| async move {
                    let path = s.ns().to_owned();
                    if let Some(counted) = &counted {
                        counted.disconnected();
                    }
                    if let Some(hook) = s.extensions.get::<Arc<DisconnectHook>>() {
                        hook.fire(SocketRef::new(s), DisconnectReason(reason)).await;
                    }
                    if dynamic {
                        free_if_empty(&io, &path);
                    }
                },
            );
            Ok::<(), Refusal>(())
        }
    };
    // NestJS's handleConnection runs once the client is connected (what it emits reaches the
    // client). When it fails or panics, the client gets the `exception` and is disconnected,
    // and the messages it sent meanwhile are dropped; refusing the handshake itself is what
    // connection guards are for.
    let on_connect = move |s: socketioxide::extract::SocketRef<A>| async move {
        let conn = s.extensions.get::<Arc<Connection>>();
        let socket = SocketRef::new(s);
        let hook = AssertUnwindSafe(gateway.handle_connection(socket.clone()))
            .catch_unwind()
            .await
            .unwrap_or_else(|panic| Err(HandlerError::Panic(panic_message(panic))));
        if let Err(error) = &hook {
            tracing::error!(gateway = meta.name, sid = %socket.id(), "handle_connection failed: {error}; disconnecting");
            let payload = error.to_payload("connection", None);
            socket.emit("exception", &payload).ok();
            socket.disconnect().ok();
        }
        if let Some(conn) = conn {
            match hook {
                Ok(()) => conn.set_ready(),
                Err(_) => conn.refuse(),
            }
        }
    };
    // A span per connection (at DEBUG, as the messages' spans): the handshake, its guards and
    // `handle_connection`.
    let on_connect = move |s: socketioxide::extract::SocketRef<A>| {
        let span = tracing::debug_span!(target: "gateway_core::connection", "connection", ns = s.ns(), sid = %s.id);
        on_connect(s).instrument(span)
    };
    let handler = || on_connect.clone().with(middleware.clone());
    let static_ns = |path: &str| {
        let ready = A::ready(io.ns(path.to_owned(), handler()));
        mount
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((path.to_owned(), ready));
    };

    match matcher {
        Matcher::Static(path) => {
            static_ns(path);
            Ok(())
        }
        dynamic => {
            // NestJS's seed regex `/\/*.+/` accepts `/` too.
            if dynamic.matches("/").is_some() && !mount.root_claimed.swap(true, Ordering::AcqRel) {
                static_ns("/");
            }
            let pattern = dynamic.router_pattern().unwrap_or_default();
            io.dyn_ns(pattern.clone(), handler())
                .map_err(|e| StartupError::InvalidNamespace {
                    gateway: meta.name,
                    namespace: pattern,
                    reason: e.to_string(),
                })
        }
    }
}

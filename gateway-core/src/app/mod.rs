//! [`GatewayApplication`]: builds the container, groups gateways into socket.io servers (one per
//! port), runs the lifecycle hooks, listens, and shuts down gracefully.

mod conn;
mod http;
mod limits;
mod listener;
mod module;
mod servers;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use socketioxide::SocketIo;
use socketioxide::adapter::{Adapter, Emitter, LocalAdapter};
use socketioxide_core::adapter::CoreAdapter;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use http::{Inject, NotAProvider};
pub use limits::Limits;
pub use module::Module;
#[doc(hidden)]
pub use module::probe;

use crate::AppAdapter;
use crate::di::{Container, Deps, Injectable, Overrides, Provided, Registry};
use crate::error::{BoxError, StartupError};
use crate::gateway::{GatewayDef, MountContext};
use crate::metrics::{AdapterProbe, Metrics};
use crate::pipeline::{
    CanActivate, ConnectionGuard, EnhancerRef, ExceptionFilter, Interceptor, PipeTransform,
    Pipeline,
};
use crate::socket::Matcher;
use servers::{PortKey, plan_servers};

/// How long start-up waits for an adapter to be ready for a namespace.
const ADAPTER_INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long shutdown waits for disconnect hooks before going on.
const DISCONNECT_GRACE: Duration = Duration::from_secs(5);

/// An application: its module tree, built, ready to listen. NestJS's `NestFactory.create`.
///
/// ```no_run
/// # use gateway_core::prelude::*;
/// # #[module(providers = [])] struct AppModule;
/// #[tokio::main]
/// async fn main() -> Result<(), BoxError> {
///     GatewayApplication::create::<AppModule>().await?.listen("127.0.0.1:3000").await
/// }
/// ```
pub struct GatewayApplication<A: Adapter = LocalAdapter> {
    /// The root module's name, for messages.
    module: &'static str,
    container: Container<GatewayDef<A>>,
    /// Makes the adapter's state, once per socket.io server (one per port).
    adapter_state: AdapterState<A>,
    ports: HashMap<u16, u16>,
    global: GlobalBindings,
    /// The application's own HTTP routes, on the main listener.
    routes: axum::Router,
    limits: Limits,
    /// Where `/metrics` is served, when it is.
    metrics_path: Option<String>,
    /// The adapter's name and whether it reaches its peers, for `/metrics`.
    pub(crate) adapter_probe: Option<(&'static str, AdapterProbe)>,
}

/// Enhancers bound to every gateway of the application, in the order they were given.
#[derive(Default)]
struct GlobalBindings {
    enhancers: Vec<EnhancerRef>,
    ack_errors: bool,
    /// Overrides every port's parser (`SOCKETIO_PARSER` in the demo).
    parser: Option<crate::gateway::Parser>,
}

impl GatewayApplication<LocalAdapter> {
    /// Builds every provider of module `M` and its imports, on the in-memory adapter.
    /// Fails with a message naming the problem for a missing provider or a cycle.
    pub async fn create<M: Module>() -> Result<Self, StartupError> {
        Self::create_with_adapter::<M>(()).await
    }

    /// An application of module `M` with providers of its own beside the modules' (values made
    /// in `main`, asynchronous factories), then [`create`](ApplicationBuilder::create).
    ///
    /// ```no_run
    /// # use gateway_core::prelude::*;
    /// # use std::sync::Arc;
    /// # #[module(providers = [])] struct AppModule;
    /// struct Pool;
    /// struct Settings { url: String }
    /// # async fn run() -> Result<(), BoxError> {
    /// let app = GatewayApplication::builder::<AppModule>()
    ///     .provide(Settings { url: "postgres://db".to_owned() })
    ///     .provide_with(|(settings,): (Arc<Settings>,)| async move {
    ///         let _ = &settings.url; // connect...
    ///         Ok(Pool)
    ///     })
    ///     .create()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn builder<M: Module>() -> ApplicationBuilder<M> {
        ApplicationBuilder {
            provided: Vec::new(),
            module: std::marker::PhantomData,
        }
    }

    /// The API of the gateways of module `M` and its imports, without building anything: an
    /// AsyncAPI 3.0 document, TypeScript event maps, or a route serving the document (see
    /// [`describe`](crate::describe)).
    ///
    /// ```no_run
    /// # use gateway_core::prelude::*;
    /// # #[module(providers = [])] struct AppModule;
    /// let api = GatewayApplication::describe::<AppModule>().title("Chat").server("127.0.0.1", 3000);
    /// println!("{}", api.asyncapi_json());
    /// api.write_typescript("client/src/api").expect("written");
    /// ```
    pub fn describe<M: Module>() -> crate::describe::ApiDescription {
        crate::describe::ApiDescription::new(module_gateways(M::definition::<LocalAdapter>))
    }
}

/// The gateways listed by a module and the modules it imports, each once.
fn module_gateways(
    root: fn() -> crate::di::ModuleDef<GatewayDef<LocalAdapter>>,
) -> Vec<&'static crate::gateway::GatewayMeta> {
    let mut seen = std::collections::HashSet::new();
    let mut pending = vec![root];
    let mut found: Vec<&'static crate::gateway::GatewayMeta> = Vec::new();
    while let Some(module) = pending.pop() {
        let def = module();
        if !seen.insert(def.key) {
            continue;
        }
        for provider in def.providers {
            if let Some(g) = provider.gateway
                && !found.iter().any(|m| std::ptr::eq(*m, g.meta))
            {
                found.push(g.meta);
            }
        }
        pending.extend(def.imports);
    }
    found
}

/// An application being given providers of its own before its modules are built: see
/// [`GatewayApplication::builder`].
#[must_use = "a builder does nothing until `create`"]
pub struct ApplicationBuilder<M> {
    provided: Vec<Provided>,
    module: std::marker::PhantomData<fn() -> M>,
}

impl<M: Module> ApplicationBuilder<M> {
    /// Provides `value` as the singleton of its type, injectable as `Arc<T>` in every module
    /// (NestJS's `useValue`). `T` need not be `#[injectable]`: a client of another crate works.
    pub fn provide<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.provided.push(Provided::value(value));
        self
    }

    /// Provides the `T` that `factory` makes, awaited at start-up once its dependencies are
    /// built (NestJS's `useFactory` with `inject`): the factory takes a tuple of `Arc<D>`
    /// (and `Option<Arc<D>>` for optional ones) of providers of any module. Its error stops
    /// start-up, naming `T`.
    pub fn provide_with<T, D, F, Fut>(mut self, factory: F) -> Self
    where
        T: Send + Sync + 'static,
        D: Deps,
        F: FnOnce(D) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<T, BoxError>> + Send + 'static,
    {
        self.provided.push(Provided::factory(factory));
        self
    }

    /// Builds the providers, on the in-memory adapter.
    pub async fn create(self) -> Result<GatewayApplication, StartupError> {
        GatewayApplication::build::<M>(Arc::new(|_| ()), self.provided, Overrides::default()).await
    }

    /// Builds the providers, on adapter `A` whose state `make` creates for each socket.io
    /// server (see [`GatewayApplication::create_with_adapter_factory`]).
    pub async fn create_with_adapter_factory<A: AppAdapter>(
        self,
        make: impl Fn(&str) -> A::State + Send + Sync + 'static,
    ) -> Result<GatewayApplication<A>, StartupError> {
        GatewayApplication::build::<M>(Arc::new(make), self.provided, Overrides::default()).await
    }
}

pub(crate) type AdapterState<A> =
    Arc<dyn Fn(&str) -> <A as CoreAdapter<Emitter>>::State + Send + Sync>;

impl<A: AppAdapter> GatewayApplication<A> {
    /// Builds the application on another adapter, given the adapter's state.
    pub async fn create_with_adapter<M: Module>(
        adapter_state: A::State,
    ) -> Result<Self, StartupError>
    where
        A::State: Clone + Send + Sync,
    {
        Self::create_with_adapter_factory::<M>(move |_| adapter_state.clone()).await
    }

    /// Builds the application on another adapter, whose state `make` creates for each
    /// socket.io server: one per port, named `"main"` or by the port the gateways declare (the
    /// same on every node, so a remote adapter can keep the servers of different ports apart).
    pub async fn create_with_adapter_factory<M: Module>(
        make: impl Fn(&str) -> A::State + Send + Sync + 'static,
    ) -> Result<Self, StartupError> {
        Self::build::<M>(Arc::new(make), Vec::new(), Overrides::default()).await
    }

    /// Builds the providers of `M` and the `provided` ones, some of them replaced (by tests).
    pub(crate) async fn build<M: Module>(
        adapter_state: AdapterState<A>,
        provided: Vec<Provided>,
        overrides: Overrides,
    ) -> Result<Self, StartupError> {
        let provided = provided.into_iter().map(Into::into).collect();
        let container = Container::build_with(M::definition::<A>(), provided, overrides).await?;
        let module = crate::di::TypeKey::of::<M>().name;
        tracing::info!(target: "InstanceLoader", "{module} dependencies initialized");
        Ok(GatewayApplication {
            module,
            container,
            adapter_state,
            ports: HashMap::new(),
            global: GlobalBindings::default(),
            routes: axum::Router::new(),
            limits: Limits::default(),
            metrics_path: None,
            adapter_probe: None,
        })
    }

    /// Serves the gateways declared with `port = declared` on `actual` instead (`0`: any free
    /// port; read it back with [`RunningApp::port_addr`]).
    pub fn map_port(mut self, declared: u16, actual: u16) -> Self {
        self.ports.insert(declared, actual);
        self
    }

    /// Serves `routes` on the main listener, beside socket.io (which keeps `/socket.io/`).
    /// Their handlers take providers with [`Inject`]; the CORS of the gateways on the main
    /// listener applies to them too. May be called several times: the routers are merged.
    ///
    /// ```no_run
    /// # use gateway_core::prelude::*;
    /// # #[module(providers = [])] struct AppModule;
    /// # async fn run() -> Result<(), BoxError> {
    /// use axum::routing::get;
    /// let app = GatewayApplication::create::<AppModule>()
    ///     .await?
    ///     .with_routes(axum::Router::new().route("/health", get(|| async { "ok" })));
    /// # Ok(()) }
    /// ```
    pub fn with_routes(mut self, routes: axum::Router) -> Self {
        self.routes = self.routes.merge(routes);
        self
    }

    /// Bounds what clients may take: connections in total and per IP, the time to send a
    /// request head, the time shutdown waits. See [`Limits`] for the defaults.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Serves Prometheus metrics at `path` (usually `"/metrics"`) on the main listener:
    ///
    /// | metric | labels |
    /// |---|---|
    /// | `gateway_connections` (gauge) | `namespace` |
    /// | `gateway_connections_opened_total` | `namespace` |
    /// | `gateway_connections_refused_total` | `reason`: `max_connections`, `max_connections_per_ip`, `connection_rate_per_ip`, `origin`, `guard`, `namespace` |
    /// | `gateway_messages_total` | `namespace`, `event`, `outcome`: `ok`, `exception`, `validation`, `forbidden`, `throttled`, `error` |
    /// | `gateway_handler_duration_seconds` (histogram) | `namespace`, `event` |
    /// | `gateway_packets_dropped_total` | |
    /// | `gateway_adapter_up` (gauge) | `adapter`: `memory`, `redis`, `postgres` |
    ///
    /// A dynamic namespace is counted under its pattern (`/teams/{team}`). Without this call
    /// nothing is counted, and a message costs nothing more.
    pub fn with_metrics(mut self, path: impl Into<String>) -> Self {
        self.metrics_path = Some(path.into());
        self
    }

    /// Binds guard `G` to every handler of every gateway, before gateway and handler guards
    /// (NestJS's `app.useGlobalGuards`). Like every enhancer, `G` is resolved from the
    /// providers, or built when it is an `#[injectable]` that no module lists.
    pub fn use_global_guard<G: CanActivate + Injectable>(mut self) -> Self {
        self.global.enhancers.push(EnhancerRef::guard::<G>());
        self
    }

    /// Binds pipe `P` to the body of every handler, before gateway, handler and parameter pipes
    /// (NestJS's `app.useGlobalPipes`), e.g. [`ValidationPipe`](crate::pipeline::ValidationPipe).
    pub fn use_global_pipe<P: PipeTransform + Injectable>(mut self) -> Self {
        self.global.enhancers.push(EnhancerRef::pipe::<P>());
        self
    }

    /// Wraps every handler in interceptor `I`, outside gateway and handler interceptors
    /// (NestJS's `app.useGlobalInterceptors`), e.g.
    /// [`LoggingInterceptor`](crate::pipeline::LoggingInterceptor).
    pub fn use_global_interceptor<I: Interceptor + Injectable>(mut self) -> Self {
        self.global.enhancers.push(EnhancerRef::interceptor::<I>());
        self
    }

    /// Adds exception filter `F` for every handler, tried after handler and gateway filters.
    /// Unlike NestJS (#15285), global filters do apply to gateways.
    pub fn use_global_filter<F: ExceptionFilter + Injectable>(mut self) -> Self {
        self.global.enhancers.push(EnhancerRef::filter::<F>());
        self
    }

    /// Guards every connection to every gateway with `G`, before the gateways' own.
    pub fn use_global_connection_guard<G: ConnectionGuard + Injectable>(mut self) -> Self {
        self.global
            .enhancers
            .push(EnhancerRef::connection_guard::<G>());
        self
    }

    /// Makes errors also answer the client's ack, with the `exception` payload, when it asked
    /// for one: clients that wait on an ack then do not hang until their timeout. Off by
    /// default, as in NestJS, where the ack is never called on error.
    pub fn ack_errors(mut self, on: bool) -> Self {
        self.global.ack_errors = on;
        self
    }

    /// Serves every port with this parser, whatever its gateways ask (`parser = ...`): an
    /// override for the whole application, such as an environment variable that switches a
    /// deployment to msgpack (`SOCKETIO_PARSER=msgpack` in the demo). Every client must then
    /// use the same parser.
    pub fn parser(mut self, parser: crate::gateway::Parser) -> Self {
        self.global.parser = Some(parser);
        self
    }

    /// The ports the application's gateways declare (`port = ...`).
    #[cfg(feature = "testing")]
    pub(crate) fn declared_ports(&self) -> Vec<u16> {
        let mut ports: Vec<u16> = self
            .container
            .providers()
            .filter_map(|(def, _, _)| def.gateway.as_ref()?.meta.port)
            .collect();
        ports.sort_unstable();
        ports.dedup();
        ports
    }

    /// The singleton of provider `T`, if some module of the application provides it (NestJS's
    /// `app.get()`): to reach providers from outside, in tests or tooling.
    pub fn get<T: Injectable>(&self) -> Option<Arc<T>> {
        self.container.get::<T>()
    }

    /// Starts listening on `addr` (the main listener) and on every gateway port, then returns.
    /// Gateway ports bind on `addr`'s IP.
    pub async fn start(self, addr: impl AsRef<str>) -> Result<RunningApp, StartupError> {
        let addr_str = addr.as_ref();
        let main: SocketAddr = tokio::net::lookup_host(addr_str)
            .await
            .ok()
            .and_then(|mut a| a.next())
            .ok_or_else(|| StartupError::Bind {
                addr: addr_str.to_owned(),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "not a host:port address",
                ),
            })?;
        let (running, _) = self.launch(Some(main), main.ip()).await?;
        Ok(running)
    }

    /// Starts everything but the main listener, and returns what it would serve (socket.io,
    /// then the routes of [`with_routes`](Self::with_routes)) as an axum `Router` to mount
    /// in an application of your own, with the running application for
    /// [`shutdown`](RunningApp::shutdown). Gateways that declare a port of their own still get
    /// a listener, on all interfaces (as NestJS's do). [`RunningApp::addr`] is then
    /// `0.0.0.0:0`: your server knows its address.
    ///
    /// ```no_run
    /// # use gateway_core::prelude::*;
    /// # #[module(providers = [])] struct AppModule;
    /// # async fn run() -> Result<(), BoxError> {
    /// use axum::routing::get;
    /// let (gateways, app) = GatewayApplication::create::<AppModule>().await?.into_router().await?;
    /// let router = axum::Router::new().route("/version", get(|| async { "1.0" })).merge(gateways);
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    /// axum::serve(listener, router).await?;
    /// app.shutdown().await;
    /// # Ok(()) }
    /// ```
    pub async fn into_router(self) -> Result<(axum::Router, RunningApp), StartupError> {
        let (running, router) = self
            .launch(None, std::net::IpAddr::from([0, 0, 0, 0]))
            .await?;
        Ok((router.unwrap_or_default(), running))
    }

    /// Mounts the gateways, runs the start-up hooks and binds the listeners: the main one on
    /// `main` (else its router is returned), the gateways' own ports on `ports_ip`.
    async fn launch(
        self,
        main: Option<SocketAddr>,
        ports_ip: std::net::IpAddr,
    ) -> Result<(RunningApp, Option<axum::Router>), StartupError> {
        let plans = plan_servers(self.container.providers().map(|(def, i, _)| (def, i)))?;
        warn_unlisted(&plans);
        limits::raise_fd_limit();
        let metrics = self
            .metrics_path
            .as_ref()
            .map(|_| Metrics::new(self.adapter_probe.clone()));

        let sockets = TaskTracker::new();
        let mut global = Pipeline::default();
        global.ack_errors = self.global.ack_errors;
        for r in &self.global.enhancers {
            if let Some(e) = (r.resolve)(self.container.registry())? {
                global.push(e);
            }
        }
        let pending = std::sync::Mutex::new(Vec::new());
        let mut routes = self.routes;
        if let (Some(path), Some(metrics)) = (&self.metrics_path, &metrics) {
            routes = routes.route(path, http::metrics_route(metrics.clone()));
        }
        let mut routes = routes.layer(axum::Extension(self.container.shared_registry()));
        let mut servers: Vec<(PortKey, SocketIo<A>, axum::Router)> = Vec::new();
        for plan in &plans {
            let root_claimed = AtomicBool::new(
                plan.gateways
                    .iter()
                    .any(|g| matches!(&g.matcher, Matcher::Static(p) if p == "/")),
            );
            let mount = MountContext {
                registry: self.container.registry(),
                global: &global,
                sockets: &sockets,
                pending: &pending,
                root_claimed: &root_claimed,
                scoped: self
                    .container
                    .registry()
                    .has_scoped()
                    .then(|| self.container.shared_registry()),
                metrics: metrics.as_ref(),
            };
            let mut options = plan.options;
            if let Some(parser) = self.global.parser {
                options.parser = Some(parser);
            }
            let builder = options
                .apply(SocketIo::builder())
                .with_adapter::<A>((self.adapter_state)(&plan.port.key()));
            let (layer, io) = builder.build_layer();
            for g in &plan.gateways {
                (g.def.mount)(g.instance.clone(), &io, &g.matcher, &mount)?;
                g.server.set(io.clone(), Some(g.matcher.clone()));
                log_gateway(plan.port, g.meta);
            }
            // socket.io always has its main namespace: a client may connect to `/` even when
            // no gateway serves it (NestJS accepts it too).
            if !root_claimed.load(Ordering::Acquire) {
                let ready = A::ready(io.ns("/", async || {}));
                pending
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(("/".to_owned(), ready));
            }
            let routes = match plan.port {
                PortKey::Main => std::mem::take(&mut routes),
                PortKey::Port(_) => axum::Router::new(),
            };
            servers.push((
                plan.port,
                io,
                listener::router(routes, layer, plan.options.cors, metrics.clone()),
            ));
        }
        // `#[web_socket_server]` in a provider that is not a gateway: the main listener's
        // server (or the first one), every namespace, to emit from services and HTTP routes.
        if let Some((_, io, _)) = servers
            .iter()
            .find(|(p, _, _)| *p == PortKey::Main)
            .or(servers.first())
        {
            for (def, instance, _) in self.container.providers() {
                if def.gateway.is_none()
                    && let Some(server) = (def.ws_server)(instance)
                {
                    server.set(io.clone(), None);
                }
            }
        }
        // A remote adapter subscribes to its channels in the background: wait, so that every
        // namespace exists (and a failure is a start-up error) when `start` returns.
        let pending = std::mem::take(&mut *pending.lock().unwrap_or_else(|e| e.into_inner()));
        for (namespace, ready) in pending {
            match tokio::time::timeout(ADAPTER_INIT_TIMEOUT, ready).await {
                Ok(Ok(())) => {}
                Ok(Err(reason)) => return Err(StartupError::AdapterInit { namespace, reason }),
                Err(_) => {
                    let reason = format!("not ready after {ADAPTER_INIT_TIMEOUT:?}");
                    return Err(StartupError::AdapterInit { namespace, reason });
                }
            }
        }

        // Every binding is resolved now: a replaced enhancer that none of them named is a
        // mistake in the test that replaced it.
        if let Some(what) = self.container.registry().unused_replacements().first() {
            return Err(StartupError::UnknownOverride {
                what,
                module: self.module,
            });
        }

        // NestJS order: afterInit (each gateway), then onModuleInit (each provider).
        for plan in &plans {
            for g in &plan.gateways {
                (g.def.after_init)(g.instance.clone(), g.server.clone()).await;
            }
        }
        for (def, instance, _) in self.container.providers() {
            if let Some(hook) = def.on_module_init {
                hook(instance.clone())
                    .await
                    .map_err(|source| StartupError::ProviderInit {
                        provider: def.key.name,
                        source,
                    })?;
            }
        }

        // Bind everything before serving anything, so that a busy port fails start-up cleanly.
        let mut bound = Vec::new();
        let mut main_router = None;
        let mut ios = Vec::new();
        for (port, io, router) in servers {
            ios.push((port, io));
            match port {
                PortKey::Main => main_router = Some(router),
                PortKey::Port(declared) => {
                    let actual = self.ports.get(&declared).copied().unwrap_or(declared);
                    let l = listener::bind(SocketAddr::new(ports_ip, actual)).await?;
                    bound.push((Some(declared), l, router));
                }
            }
        }
        // Without a gateway on the main listener, it serves the routes alone.
        let main_router = main_router.unwrap_or(routes);
        let (main_addr, unserved) = match main {
            Some(main) => {
                let l = listener::bind(main).await?;
                bound.insert(0, (None, l, main_router));
                (main, None)
            }
            None => (SocketAddr::from(([0, 0, 0, 0], 0)), Some(main_router)),
        };

        let stop = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let mut addrs = HashMap::new();
        let mut main_addr = main_addr;
        for (declared, l, router) in bound {
            let local = l.local_addr().map_err(|source| StartupError::Bind {
                addr: main_addr.to_string(),
                source,
            })?;
            match declared {
                None => main_addr = local,
                Some(d) => {
                    addrs.insert(d, local);
                }
            }
            tracing::info!(target: "GatewayApplication", "listening on {local}{}", declared.map(|d| format!(" (gateway port {d})")).unwrap_or_default());
            let stop = stop.clone();
            let serving = listener::Serving {
                admission: limits::Admission::new(self.limits),
                head_timeout: self.limits.head_timeout,
                max_buffered_bytes: self.limits.max_buffered_bytes,
                metrics: metrics.clone(),
            };
            tasks.spawn(listener::serve(l, router, serving, async move {
                stop.cancelled().await
            }));
        }

        let shutdown_hooks = self
            .container
            .providers()
            .filter_map(|(def, instance, _)| {
                def.on_application_shutdown
                    .map(|h| (def.key.name, h, instance.clone()))
            })
            .collect();
        let servers = ios
            .into_iter()
            .map(|(port, io)| (port, Arc::new(io) as Arc<dyn Server>))
            .collect();
        let running = RunningApp {
            registry: self.container.shared_registry(),
            main_addr,
            addrs,
            stop,
            tasks,
            sockets,
            servers,
            shutdown_hooks,
            shutdown_timeout: self.limits.shutdown_timeout,
        };
        Ok((running, unserved))
    }

    /// Starts, then serves until SIGINT or SIGTERM, then shuts down gracefully: clients are
    /// disconnected (their disconnect hooks run), then the shutdown hooks run.
    pub async fn listen(self, addr: impl AsRef<str>) -> Result<(), BoxError> {
        let app = self.start(addr).await?;
        shutdown_signal().await;
        tracing::info!(target: "GatewayApplication", "shutting down");
        app.shutdown().await;
        Ok(())
    }
}

/// The channels of socketioxide's test harness: engine.io packets to and from the server.
#[cfg(feature = "testing")]
pub(crate) type InProcessPipe = (
    tokio::sync::mpsc::Sender<engineioxide::Packet>,
    tokio::sync::mpsc::Receiver<engineioxide::Packet>,
);

/// Marks a socket connected in process, which shutdown disconnects before closing the server.
#[cfg(feature = "testing")]
#[derive(Clone, Copy)]
pub(crate) struct InProcessSocket;

/// One socket.io server of a running application, whatever its adapter.
pub(crate) trait Server: Send + Sync + 'static {
    /// Runs the disconnect hooks of this node's sockets, then closes every connection.
    fn close(&self) -> futures_util::future::BoxFuture<'_, ()>;

    /// A client connected to `namespace` without a network: engine.io packets in and out of
    /// channels (socketioxide's test harness).
    #[cfg(feature = "testing")]
    fn connect_in_process(
        &self,
        namespace: &'static str,
        auth: Option<serde_json::Value>,
    ) -> futures_util::future::BoxFuture<'_, InProcessPipe>;

    /// The socket `id` of `namespace`, if it is connected to this node.
    #[cfg(feature = "testing")]
    fn socket(&self, namespace: &str, id: &str) -> Option<crate::SocketRef>;

    /// Marks the socket `id` of `namespace` as connected in process.
    #[cfg(feature = "testing")]
    fn mark_in_process(&self, namespace: &str, id: &str);
}

impl<A: Adapter> Server for SocketIo<A> {
    fn close(&self) -> futures_util::future::BoxFuture<'_, ()> {
        Box::pin(async move {
            crate::gateway::fire_disconnect_hooks(self).await;
            // An in-process socket's transport never reports itself closed (the harness
            // holds it), and `close` would wait for it forever: disconnect those first.
            #[cfg(feature = "testing")]
            for ns in self.nsps() {
                for s in ns.sockets() {
                    if s.extensions.get::<InProcessSocket>().is_some() {
                        let _ = s.disconnect();
                    }
                }
            }
            // socketioxide removes a socket once its disconnect handler has run.
            #[cfg(feature = "testing")]
            {
                let in_process = || {
                    self.nsps().into_iter().any(|ns| {
                        ns.sockets()
                            .iter()
                            .any(|s| s.extensions.get::<InProcessSocket>().is_some())
                    })
                };
                let gone = async {
                    while in_process() {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                };
                let _ = tokio::time::timeout(DISCONNECT_GRACE, gone).await;
            }
            SocketIo::close(self).await;
        })
    }

    #[cfg(feature = "testing")]
    fn connect_in_process(
        &self,
        namespace: &'static str,
        auth: Option<serde_json::Value>,
    ) -> futures_util::future::BoxFuture<'_, InProcessPipe> {
        // socket.io-client sends no auth as `{}` (the handshake's `auth` is never absent).
        let auth = auth.unwrap_or_else(|| serde_json::json!({}));
        Box::pin(self.new_dummy_sock(namespace, auth))
    }

    #[cfg(feature = "testing")]
    fn socket(&self, namespace: &str, id: &str) -> Option<crate::SocketRef> {
        let id = id.parse().ok()?;
        let socket = self.of(namespace)?.get_socket(id)?;
        Some(crate::SocketRef::new(socket))
    }

    #[cfg(feature = "testing")]
    fn mark_in_process(&self, namespace: &str, id: &str) {
        let socket = id
            .parse()
            .ok()
            .and_then(|id| self.of(namespace)?.get_socket(id));
        if let Some(socket) = socket {
            socket.extensions.insert(InProcessSocket);
        }
    }
}

type ShutdownHook = (
    &'static str,
    crate::di::module::Hook,
    crate::di::module::Instance,
);

/// A started application: its addresses, its providers, and [`shutdown`](Self::shutdown).
pub struct RunningApp {
    registry: Arc<Registry>,
    main_addr: SocketAddr,
    addrs: HashMap<u16, SocketAddr>,
    stop: CancellationToken,
    tasks: JoinSet<()>,
    sockets: TaskTracker,
    servers: Vec<(PortKey, Arc<dyn Server>)>,
    shutdown_hooks: Vec<ShutdownHook>,
    shutdown_timeout: Duration,
}

impl RunningApp {
    /// The main listener's address (with the real port when `0` was asked).
    pub fn addr(&self) -> SocketAddr {
        self.main_addr
    }

    /// The address serving the gateways declared with `port = declared`.
    pub fn port_addr(&self, declared: u16) -> Option<SocketAddr> {
        self.addrs.get(&declared).copied()
    }

    /// The singleton of provider `T`, if some module of the application provides it.
    pub fn get<T: Injectable>(&self) -> Option<Arc<T>> {
        self.registry.provider::<T>()
    }

    /// The socket.io server of the gateways declared with `port` (`None`: the main listener).
    #[cfg(feature = "testing")]
    pub(crate) fn server(&self, port: Option<u16>) -> Option<Arc<dyn Server>> {
        let key = port.map_or(PortKey::Main, PortKey::Port);
        self.servers
            .iter()
            .find(|(p, _)| *p == key)
            .map(|(_, s)| s.clone())
    }

    /// Every socket.io server of the application.
    #[cfg(feature = "testing")]
    pub(crate) fn servers(&self) -> impl Iterator<Item = &dyn Server> {
        self.servers.iter().map(|(_, s)| &**s)
    }

    /// Stops accepting connections, runs every client's disconnect hook (reason "server
    /// shutting down") and disconnects it, runs the shutdown hooks, and waits for the listeners
    /// to end; all within the deadline of [`Limits::shutdown_timeout`] (10 s by default), past
    /// which the remaining connections are dropped where they stand.
    pub async fn shutdown(mut self) {
        let deadline = tokio::time::Instant::now() + self.shutdown_timeout;
        // No new connection from here on; the listeners end once the open ones are closed.
        self.stop.cancel();
        let close = async {
            for (_, io) in &self.servers {
                io.close().await;
            }
        };
        if tokio::time::timeout_at(deadline, close).await.is_err() {
            tracing::warn!(target: "GatewayApplication", "clients were still being disconnected after {:?}: closing what remains", self.shutdown_timeout);
        }
        self.sockets.close();
        let hooks_deadline = deadline.min(tokio::time::Instant::now() + DISCONNECT_GRACE);
        if tokio::time::timeout_at(hooks_deadline, self.sockets.wait())
            .await
            .is_err()
        {
            tracing::warn!(target: "GatewayApplication", "some disconnect hooks were still running at the deadline");
        }
        for (name, hook, instance) in self.shutdown_hooks.drain(..) {
            if let Err(e) = hook(instance).await {
                tracing::error!(target: "GatewayApplication", "{name}: on_application_shutdown failed: {e}");
            }
        }
        let listeners = async { while self.tasks.join_next().await.is_some() {} };
        if tokio::time::timeout_at(deadline, listeners).await.is_err() {
            // Dropping the listeners' tasks drops their connections: the rest is closed.
            self.tasks.abort_all();
            while self.tasks.join_next().await.is_some() {}
        }
    }
}

fn log_gateway(port: PortKey, meta: &'static crate::gateway::GatewayMeta) {
    let port = match port {
        PortKey::Main => "main listener".to_owned(),
        PortKey::Port(p) => format!("port {p}"),
    };
    tracing::info!(target: "WebSocketsController", "{} on {port}, namespace {}", meta.name, meta.namespace.display());
    for h in meta.handlers {
        tracing::info!(target: "WebSocketsController", "{} subscribed to the \"{}\" message", meta.name, h.event);
    }
}

fn warn_unlisted(plans: &[servers::ServerPlan<'_, impl Adapter>]) {
    let listed: Vec<&str> = plans
        .iter()
        .flat_map(|p| p.gateways.iter().map(|g| g.meta.name))
        .collect();
    for meta in crate::gateway::registered_gateways() {
        if !listed.contains(&meta.name) {
            tracing::warn!(target: "WebSocketsController", "{} ({}:{}) is a #[web_socket_gateway] listed in no module of this application: it is not served (add it to a module's providers)", meta.name, meta.file, meta.line);
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for SIGINT: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

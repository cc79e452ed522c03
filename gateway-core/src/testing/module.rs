//! The testing module: an application built from a [`Module`] with some providers and
//! enhancers replaced, started on free ports of `127.0.0.1` (NestJS's
//! `Test.createTestingModule(...).overrideProvider(...).compile()`).

use std::any::TypeId;
use std::marker::PhantomData;
use std::net::SocketAddr;
use std::sync::Arc;

use crate::di::{Factory, Injectable, Instance, Overrides, TypeKey};
use crate::error::{BoxError, StartupError};
use crate::pipeline::{
    CanActivate, ConnectionGuard, Enhancer, ExceptionFilter, Interceptor, PipeTransform,
};
use crate::{GatewayApplication, Module, RunningApp, SocketRef};

use super::{TestClient, TestClientBuilder};

/// The application's configuration that a test repeats (global enhancers, `ack_errors`).
type Configure = Box<dyn FnOnce(GatewayApplication) -> GatewayApplication + Send>;

/// Builds an application from module `M` for a test: replace providers and enhancers, add
/// what `main` configures, then [`compile`](Self::compile) or [`start`](Self::start).
///
/// Nothing in the application's code changes for a test. Overrides replace by type: a
/// provider by another value of its type, an enhancer (guard, pipe, interceptor, filter,
/// connection guard; global or bound with `#[use_*]`) by any value of its kind, or by nothing
/// with [`disable`](Self::disable). An override of a type that the module neither provides
/// nor binds fails start-up with [`StartupError::UnknownOverride`] naming it.
///
/// ```no_run
/// # use gateway_core::prelude::*;
/// # #[injectable] #[derive(Default)] struct Clock { fixed: Option<u64> }
/// # #[injectable] struct AuthGuard;
/// # impl CanActivate for AuthGuard { async fn can_activate(&self, _: &ExecutionContext<'_>) -> Result<bool, HandlerError> { Ok(false) } }
/// # #[module(providers = [Clock])] struct AppModule;
/// use gateway_core::testing::TestingModule;
///
/// struct AllowAll;
/// impl CanActivate for AllowAll {
///     async fn can_activate(&self, _: &ExecutionContext<'_>) -> Result<bool, HandlerError> {
///         Ok(true)
///     }
/// }
///
/// # async fn run() -> Result<(), BoxError> {
/// let app = TestingModule::builder::<AppModule>()
///     .override_provider(Clock { fixed: Some(1_700_000_000_000) })
///     .override_guard::<AuthGuard>(AllowAll)
///     .configure(|app| app.use_global_pipe::<ValidationPipe>())
///     .start()
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a builder does nothing until `compile` or `start`"]
pub struct TestingModuleBuilder<M> {
    overrides: Overrides,
    configure: Vec<Configure>,
    module: PhantomData<fn() -> M>,
}

/// An application built for a test, not listening yet: reach its providers with
/// [`get`](Self::get), then [`start`](Self::start) it.
///
/// ```no_run
/// # use gateway_core::prelude::*;
/// # #[injectable] struct ChatService;
/// # #[module(providers = [ChatService])] struct AppModule;
/// use gateway_core::testing::TestingModule;
///
/// # async fn run() -> Result<(), BoxError> {
/// let module = TestingModule::builder::<AppModule>().compile().await?;
/// let service = module.get::<ChatService>().expect("a provider of AppModule");
/// let app = module.start().await?;
/// # Ok(()) }
/// ```
pub struct TestingModule {
    app: GatewayApplication,
    configure: Vec<Configure>,
}

impl TestingModule {
    /// Starts building a testing module from `M`.
    ///
    /// ```no_run
    /// # use gateway_core::prelude::*;
    /// # #[module(providers = [])] struct AppModule;
    /// # async fn run() -> Result<(), BoxError> {
    /// let app = gateway_core::testing::TestingModule::builder::<AppModule>().start().await?;
    /// # Ok(()) }
    /// ```
    pub fn builder<M: Module>() -> TestingModuleBuilder<M> {
        TestingModuleBuilder {
            overrides: Overrides::default(),
            configure: Vec::new(),
            module: PhantomData,
        }
    }

    /// The singleton of provider `T` (overridden or not), if the module provides it.
    ///
    /// ```no_run
    /// # use gateway_core::prelude::*;
    /// # #[injectable] struct ChatService;
    /// # #[module(providers = [ChatService])] struct AppModule;
    /// # async fn run() -> Result<(), BoxError> {
    /// let module = gateway_core::testing::TestingModule::builder::<AppModule>().compile().await?;
    /// assert!(module.get::<ChatService>().is_some());
    /// # Ok(()) }
    /// ```
    pub fn get<T: Injectable>(&self) -> Option<Arc<T>> {
        self.app.get::<T>()
    }

    /// Starts the application on `127.0.0.1`, the main listener and every port a gateway
    /// declares on free ports (read them back with [`TestApp::addr`] and
    /// [`TestApp::port_addr`]). Runs `after_init` and `on_module_init` as `start` does.
    ///
    /// ```no_run
    /// # use gateway_core::prelude::*;
    /// # #[module(providers = [])] struct AppModule;
    /// # async fn run() -> Result<(), BoxError> {
    /// let module = gateway_core::testing::TestingModule::builder::<AppModule>().compile().await?;
    /// let app = module.start().await?;
    /// println!("serving on {}", app.addr());
    /// # Ok(()) }
    /// ```
    pub async fn start(self) -> Result<TestApp, StartupError> {
        let mut app = self.app;
        for configure in self.configure {
            app = configure(app);
        }
        for port in app.declared_ports() {
            app = app.map_port(port, 0);
        }
        let running = app.start("127.0.0.1:0").await?;
        Ok(TestApp { running })
    }
}

impl<M: Module> TestingModuleBuilder<M> {
    /// Replaces provider `T` with `value`, built by the test instead of by the container
    /// (its own dependencies are not built for it). Every provider that injects `T` gets
    /// `value`, and so does [`TestApp::get`].
    ///
    /// ```no_run
    /// # use gateway_core::prelude::*;
    /// # #[injectable] #[derive(Default)] struct Clock { fixed: Option<u64> }
    /// # #[module(providers = [Clock])] struct AppModule;
    /// # fn run() {
    /// let builder = gateway_core::testing::TestingModule::builder::<AppModule>()
    ///     .override_provider(Clock { fixed: Some(0) });
    /// # }
    /// ```
    pub fn override_provider<T: Injectable>(self, value: T) -> Self {
        self.override_provider_with(move || Ok(value))
    }

    /// Replaces provider `T` with what `factory` returns, called once when the module is
    /// compiled, in `T`'s place among the providers; its error fails start-up as a
    /// provider's constructor would.
    ///
    /// ```no_run
    /// # use gateway_core::prelude::*;
    /// # #[injectable] #[derive(Default)] struct Store { rooms: usize }
    /// # #[module(providers = [Store])] struct AppModule;
    /// # fn run() {
    /// let builder = gateway_core::testing::TestingModule::builder::<AppModule>()
    ///     .override_provider_with(|| Ok(Store { rooms: 2 }));
    /// # }
    /// ```
    pub fn override_provider_with<T: Injectable>(
        mut self,
        factory: impl FnOnce() -> Result<T, BoxError> + Send + 'static,
    ) -> Self {
        let factory: Factory = Box::new(move || factory().map(|t| Arc::new(t) as Instance));
        self.overrides
            .providers
            .insert(TypeId::of::<T>(), (TypeKey::of::<T>(), factory));
        self
    }

    /// Sets the configuration `T` to `value` instead of loading it from `T::sources()`: the
    /// provider [`Config<T>`](crate::config::Config) is `value` for this test.
    ///
    /// ```no_run
    /// # use gateway_core::prelude::*;
    /// # use gateway_core::config::{Config, Configuration, Sources};
    /// # #[derive(Deserialize, validator::Validate)] struct AppConfig { greeting: String }
    /// # impl Configuration for AppConfig { fn sources() -> Sources { Sources::new() } }
    /// # #[module(providers = [Config<AppConfig>])] struct AppModule;
    /// # fn run() {
    /// let builder = gateway_core::testing::TestingModule::builder::<AppModule>()
    ///     .config(AppConfig { greeting: "hello".to_owned() });
    /// # }
    /// ```
    pub fn config<T: crate::config::Configuration>(self, value: T) -> Self {
        self.override_provider(crate::config::Config::new(value))
    }

    /// Replaces guard `G` wherever it is bound (globally, on a gateway or a handler) with
    /// `with`.
    ///
    /// ```no_run
    /// # use gateway_core::prelude::*;
    /// # #[injectable] struct AuthGuard;
    /// # impl CanActivate for AuthGuard { async fn can_activate(&self, _: &ExecutionContext<'_>) -> Result<bool, HandlerError> { Ok(false) } }
    /// # #[module(providers = [])] struct AppModule;
    /// struct AllowAll;
    /// impl CanActivate for AllowAll {
    ///     async fn can_activate(&self, _: &ExecutionContext<'_>) -> Result<bool, HandlerError> {
    ///         Ok(true)
    ///     }
    /// }
    /// # fn run() {
    /// let builder = gateway_core::testing::TestingModule::builder::<AppModule>()
    ///     .override_guard::<AuthGuard>(AllowAll);
    /// # }
    /// ```
    pub fn override_guard<G: CanActivate + Injectable>(self, with: impl CanActivate) -> Self {
        self.replace::<G>(Some(Enhancer::Guard(Arc::new(with))))
    }

    /// Replaces connection guard `G` wherever it is bound (globally or on a gateway) with
    /// `with`.
    ///
    /// ```no_run
    /// # use gateway_core::prelude::*;
    /// # use gateway_core::pipeline::{ConnectionContext, ConnectionGuard, ConnectionRefused};
    /// # #[injectable] struct JwtGuard;
    /// # impl ConnectionGuard for JwtGuard { async fn can_connect(&self, _: &ConnectionContext<'_>) -> Result<bool, ConnectionRefused> { Ok(true) } }
    /// # #[module(providers = [])] struct AppModule;
    /// struct Refuse;
    /// impl ConnectionGuard for Refuse {
    ///     async fn can_connect(&self, _: &ConnectionContext<'_>) -> Result<bool, ConnectionRefused> {
    ///         Err(ConnectionRefused::new("token expired"))
    ///     }
    /// }
    /// # fn run() {
    /// let builder = gateway_core::testing::TestingModule::builder::<AppModule>()
    ///     .override_connection_guard::<JwtGuard>(Refuse);
    /// # }
    /// ```
    pub fn override_connection_guard<G: ConnectionGuard + Injectable>(
        self,
        with: impl ConnectionGuard,
    ) -> Self {
        self.replace::<G>(Some(Enhancer::ConnectionGuard(Arc::new(with))))
    }

    /// Replaces pipe `P` wherever it is bound with `with`.
    ///
    /// ```no_run
    /// # use gateway_core::prelude::*;
    /// # #[module(providers = [])] struct AppModule;
    /// # fn run(lenient: impl PipeTransform) {
    /// let builder = gateway_core::testing::TestingModule::builder::<AppModule>()
    ///     .override_pipe::<ValidationPipe>(lenient);
    /// # }
    /// ```
    pub fn override_pipe<P: PipeTransform + Injectable>(self, with: impl PipeTransform) -> Self {
        self.replace::<P>(Some(Enhancer::Pipe(Arc::new(with))))
    }

    /// Replaces interceptor `I` wherever it is bound with `with`.
    ///
    /// ```no_run
    /// # use gateway_core::prelude::*;
    /// # #[module(providers = [])] struct AppModule;
    /// # fn run(quiet: impl Interceptor) {
    /// let builder = gateway_core::testing::TestingModule::builder::<AppModule>()
    ///     .override_interceptor::<LoggingInterceptor>(quiet);
    /// # }
    /// ```
    pub fn override_interceptor<I: Interceptor + Injectable>(self, with: impl Interceptor) -> Self {
        self.replace::<I>(Some(Enhancer::Interceptor(Arc::new(with))))
    }

    /// Replaces exception filter `F` wherever it is bound with `with`.
    ///
    /// ```no_run
    /// # use gateway_core::prelude::*;
    /// # #[injectable] struct AuditFilter;
    /// # impl ExceptionFilter for AuditFilter { type Error = HandlerError; async fn catch(&self, _: &HandlerError, _: &ArgumentsHost<'_>) -> Caught { Caught::Pass } }
    /// # #[module(providers = [])] struct AppModule;
    /// # fn run(other: impl ExceptionFilter) {
    /// let builder = gateway_core::testing::TestingModule::builder::<AppModule>()
    ///     .override_filter::<AuditFilter>(other);
    /// # }
    /// ```
    pub fn override_filter<F: ExceptionFilter + Injectable>(
        self,
        with: impl ExceptionFilter,
    ) -> Self {
        self.replace::<F>(Some(Enhancer::Filter(Arc::new(with))))
    }

    /// Removes enhancer `E` (guard, pipe, interceptor, filter or connection guard) wherever it
    /// is bound, as if it were not written: a disabled guard lets everything through.
    ///
    /// ```no_run
    /// # use gateway_core::prelude::*;
    /// # #[module(providers = [])] struct AppModule;
    /// # fn run() {
    /// let builder = gateway_core::testing::TestingModule::builder::<AppModule>()
    ///     .disable::<ValidationPipe>();
    /// # }
    /// ```
    pub fn disable<E: Injectable>(self) -> Self {
        self.replace::<E>(None)
    }

    fn replace<E: 'static>(mut self, with: Option<Enhancer>) -> Self {
        let with = with.map(|e| Arc::new(e) as Instance);
        self.overrides
            .enhancers
            .insert(TypeId::of::<E>(), (TypeKey::of::<E>(), with));
        self
    }

    /// Applies what the application's `main` sets on the [`GatewayApplication`] (global
    /// enhancers, [`ack_errors`](GatewayApplication::ack_errors)) when the module starts.
    /// Global enhancers can be overridden like bound ones.
    ///
    /// ```no_run
    /// # use gateway_core::prelude::*;
    /// # #[module(providers = [])] struct AppModule;
    /// # fn run() {
    /// let builder = gateway_core::testing::TestingModule::builder::<AppModule>()
    ///     .configure(|app| app.use_global_pipe::<ValidationPipe>().ack_errors(true));
    /// # }
    /// ```
    pub fn configure(
        mut self,
        configure: impl FnOnce(GatewayApplication) -> GatewayApplication + Send + 'static,
    ) -> Self {
        self.configure.push(Box::new(configure));
        self
    }

    /// Builds every provider, with the overrides, without listening.
    ///
    /// ```no_run
    /// # use gateway_core::prelude::*;
    /// # #[module(providers = [])] struct AppModule;
    /// # async fn run() -> Result<(), BoxError> {
    /// let module = gateway_core::testing::TestingModule::builder::<AppModule>().compile().await?;
    /// # Ok(()) }
    /// ```
    pub async fn compile(self) -> Result<TestingModule, StartupError> {
        let app =
            GatewayApplication::build::<M>(Arc::new(|_| ()), Vec::new(), self.overrides).await?;
        Ok(TestingModule {
            app,
            configure: self.configure,
        })
    }

    /// [`compile`](Self::compile), then [`TestingModule::start`].
    ///
    /// ```no_run
    /// # use gateway_core::prelude::*;
    /// # #[module(providers = [])] struct AppModule;
    /// # async fn run() -> Result<(), BoxError> {
    /// let app = gateway_core::testing::TestingModule::builder::<AppModule>().start().await?;
    /// app.shutdown().await;
    /// # Ok(()) }
    /// ```
    pub async fn start(self) -> Result<TestApp, StartupError> {
        self.compile().await?.start().await
    }
}

/// A testing module, started: its addresses, its providers, clients for it, and the server
/// side of a client's socket for calling a gateway's methods directly.
///
/// ```no_run
/// # use gateway_core::prelude::*;
/// # #[module(providers = [])] struct AppModule;
/// # async fn run() -> Result<(), BoxError> {
/// use gateway_core::testing::{TestingModule, Transport};
///
/// let app = TestingModule::builder::<AppModule>().start().await?;
/// let client = app.client("/chat").transport(Transport::InProcess).connect().await?;
/// app.shutdown().await;
/// # Ok(()) }
/// ```
pub struct TestApp {
    running: RunningApp,
}

impl TestApp {
    /// The main listener's address.
    ///
    /// ```no_run
    /// # async fn run(app: gateway_core::testing::TestApp) {
    /// assert!(app.addr().ip().is_loopback());
    /// # }
    /// ```
    pub fn addr(&self) -> SocketAddr {
        self.running.addr()
    }

    /// The address serving the gateways declared with `port = declared`.
    ///
    /// ```no_run
    /// # async fn run(app: gateway_core::testing::TestApp) {
    /// let notifications = app.port_addr(3001).expect("a gateway declares port 3001");
    /// # }
    /// ```
    pub fn port_addr(&self, declared: u16) -> Option<SocketAddr> {
        self.running.port_addr(declared)
    }

    /// The singleton of provider `T`, overridden or not (NestJS's `moduleRef.get()`): a
    /// gateway too, to call its methods directly.
    ///
    /// ```no_run
    /// # use gateway_core::prelude::*;
    /// # #[injectable] struct ChatService;
    /// # async fn run(app: gateway_core::testing::TestApp) {
    /// let service = app.get::<ChatService>().expect("a provider");
    /// # }
    /// ```
    pub fn get<T: Injectable>(&self) -> Option<Arc<T>> {
        self.running.get::<T>()
    }

    /// A client of `namespace` on the main listener, to configure and connect.
    ///
    /// ```no_run
    /// # async fn run(app: gateway_core::testing::TestApp) -> Result<(), gateway_core::testing::TestClientError> {
    /// let client = app.client("/chat").auth(serde_json::json!({ "token": "t" })).connect().await?;
    /// # Ok(()) }
    /// ```
    pub fn client(&self, namespace: &str) -> TestClientBuilder {
        self.builder(None, self.addr(), namespace)
    }

    /// A client of `namespace` on the port of the gateways declared with `port = declared`.
    /// Panics when no gateway declares that port: the test is wrong.
    ///
    /// ```no_run
    /// # async fn run(app: gateway_core::testing::TestApp) -> Result<(), gateway_core::testing::TestClientError> {
    /// let client = app.client_on(3001, "/notifications").connect().await?;
    /// # Ok(()) }
    /// ```
    pub fn client_on(&self, declared: u16, namespace: &str) -> TestClientBuilder {
        let Some(addr) = self.port_addr(declared) else {
            panic!("no gateway of this application declares port {declared}");
        };
        self.builder(Some(declared), addr, namespace)
    }

    fn builder(&self, port: Option<u16>, addr: SocketAddr, namespace: &str) -> TestClientBuilder {
        let builder = TestClient::builder(addr).namespace(namespace);
        match self.running.server(port) {
            Some(server) => builder.with_server(server),
            None => builder,
        }
    }

    /// The server's side of `client`'s connection: the [`SocketRef`] its handlers get. With
    /// it, a test calls a gateway's method directly, as NestJS tests call
    /// `gateway.handleMessage(client, data)`; what the method emits to the socket arrives at
    /// `client`. `None` once the client is disconnected.
    ///
    /// ```no_run
    /// # use gateway_core::prelude::*;
    /// # #[injectable] struct ChatGateway;
    /// # impl ChatGateway { fn join(&self, socket: SocketRef, room: String) -> bool { socket.join(room); true } }
    /// # async fn run(app: gateway_core::testing::TestApp) -> Result<(), BoxError> {
    /// use gateway_core::testing::Transport;
    ///
    /// let client = app.client("/chat").transport(Transport::InProcess).connect().await?;
    /// let socket = app.socket(&client).expect("connected");
    /// let gateway = app.get::<ChatGateway>().expect("a provider");
    /// assert!(gateway.join(socket.clone(), "lobby".to_owned()));
    /// assert!(socket.rooms().contains(&"lobby".into()));
    /// # Ok(()) }
    /// ```
    pub fn socket(&self, client: &TestClient) -> Option<SocketRef> {
        self.running
            .servers()
            .find_map(|server| server.socket(client.namespace(), client.id()))
    }

    /// The running application, for what a test needs beyond this handle.
    ///
    /// ```no_run
    /// # async fn run(app: gateway_core::testing::TestApp) {
    /// let main = app.running().addr();
    /// # }
    /// ```
    pub fn running(&self) -> &RunningApp {
        &self.running
    }

    /// Shuts the application down as [`RunningApp::shutdown`] does: disconnect hooks, then
    /// shutdown hooks.
    ///
    /// ```no_run
    /// # async fn run(app: gateway_core::testing::TestApp) {
    /// app.shutdown().await;
    /// # }
    /// ```
    pub async fn shutdown(self) {
        self.running.shutdown().await;
    }
}

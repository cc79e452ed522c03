//! The demo application: four gateways that show the framework end to end. Its wire contract is
//! in the README; `cargo run -p demo-app` serves it.

pub mod auth;
pub mod chat;
pub mod config;
pub mod events;
pub mod http;
pub mod notifications;
pub mod page;
pub mod teams;

use gateway_core::config::Config;
use gateway_core::describe::ApiDescription;
use gateway_core::prelude::*;
use gateway_core::{RunningApp, StartupError};

pub use auth::{AuthService, JwtGuard, RolesGuard, User};
pub use chat::{ChatGateway, ChatService};
pub use config::DemoConfig;
pub use events::EventsGateway;
pub use http::Announcer;
pub use notifications::NotificationsGateway;
pub use teams::TeamGateway;

/// The port the notifications gateway declares (`NOTIFY_PORT` overrides it).
pub const NOTIFY_PORT: u16 = 3001;

/// What the demo reads the time from: the system clock, or a fixed instant (tests override
/// the provider with [`Clock::fixed`]). Tokens are the exception: their expiry is checked
/// against the system clock, as `jsonwebtoken` does.
#[injectable]
#[derive(Debug, Default)]
pub struct Clock {
    fixed: Option<u64>,
}

impl Clock {
    /// A clock that always says `ms` (Unix milliseconds).
    pub fn fixed(ms: u64) -> Self {
        Clock { fixed: Some(ms) }
    }

    /// Unix milliseconds: the `at` of chat messages and notification ticks.
    pub fn now_ms(&self) -> u64 {
        self.fixed.unwrap_or_else(now_ms)
    }
}

/// The clock, for every module that tells the time.
#[module(providers = [Clock], exports = [Clock])]
pub struct ClockModule;

/// Tokens: issued on `/`, checked by `/chat`.
#[module(providers = [AuthService, JwtGuard, RolesGuard], exports = [AuthService, JwtGuard, RolesGuard])]
pub struct AuthModule;

/// Chat: the gateway and the service that keeps each room's history.
#[module(imports = [AuthModule, ClockModule], providers = [ChatService, ChatGateway], exports = [ChatService])]
pub struct ChatModule;

/// The application's root module.
#[module(
    imports = [AuthModule, ChatModule, ClockModule],
    providers = [EventsGateway, TeamGateway, NotificationsGateway, Announcer, Config<DemoConfig>]
)]
pub struct AppModule;

/// Starts the demo as configured (`demo.toml` and the environment, see [`DemoConfig`]): the
/// signing secret, the address, the notifications port and the adapter.
pub async fn run(config: &DemoConfig) -> Result<RunningApp, StartupError> {
    auth::init_secret(config.jwt_secret.as_deref()).map_err(|source| {
        StartupError::ProviderInit {
            provider: "AuthService",
            source,
        }
    })?;
    let parser = config.socketio_parser.is_some().then(|| config.parser());
    let addr = format!("{}:{}", config.host, config.port);
    launch(&addr, config.notify_port, config.engine()?, parser).await
}

/// Where the demo's nodes meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine<'a> {
    /// One process, in memory.
    Memory,
    /// The Redis at this URL (`REDIS_URL`).
    Redis(&'a str),
    /// The PostgreSQL at this URL (`DATABASE_URL`).
    Postgres(&'a str),
}

/// Starts the demo on `host:port`, with the notifications gateway on `notify_port` (`0`: free
/// ports, read them back from the [`RunningApp`]), in memory.
pub async fn start(host: &str, port: u16, notify_port: u16) -> Result<RunningApp, StartupError> {
    start_with(host, port, notify_port, None).await
}

/// [`start`], every port served with `parser` (what `SOCKETIO_PARSER` sets in [`run`]).
pub async fn start_with_parser(
    host: &str,
    port: u16,
    notify_port: u16,
    parser: gateway_core::Parser,
) -> Result<RunningApp, StartupError> {
    launch(
        &format!("{host}:{port}"),
        notify_port,
        Engine::Memory,
        Some(parser),
    )
    .await
}

/// [`start`], on the Redis at `redis_url` when one is given: then several demo processes on
/// one Redis share their chat rooms.
pub async fn start_with(
    host: &str,
    port: u16,
    notify_port: u16,
    redis_url: Option<&str>,
) -> Result<RunningApp, StartupError> {
    let engine = redis_url.map_or(Engine::Memory, Engine::Redis);
    start_on(host, port, notify_port, engine).await
}

/// [`start`], on `engine`: several demo processes on one Redis or one PostgreSQL share their
/// chat rooms.
pub async fn start_on(
    host: &str,
    port: u16,
    notify_port: u16,
    engine: Engine<'_>,
) -> Result<RunningApp, StartupError> {
    launch(&format!("{host}:{port}"), notify_port, engine, None).await
}

/// The demo on `addr`, on `engine`, every port on `parser` when one is given.
async fn launch(
    addr: &str,
    notify_port: u16,
    engine: Engine<'_>,
    parser: Option<gateway_core::Parser>,
) -> Result<RunningApp, StartupError> {
    match engine {
        Engine::Redis(url) => {
            let app = GatewayApplication::create_with_redis::<AppModule>(url).await?;
            listen(app, addr, notify_port, parser).await
        }
        Engine::Postgres(url) => {
            let app = GatewayApplication::create_with_postgres::<AppModule>(url).await?;
            listen(app, addr, notify_port, parser).await
        }
        Engine::Memory => {
            let app = GatewayApplication::create::<AppModule>().await?;
            listen(app, addr, notify_port, parser).await
        }
    }
}

async fn listen<A: gateway_core::AppAdapter>(
    app: GatewayApplication<A>,
    addr: &str,
    notify_port: u16,
    parser: Option<gateway_core::Parser>,
) -> Result<RunningApp, StartupError> {
    let app = match parser {
        Some(parser) => app.parser(parser),
        None => app,
    };
    let (host, port) = addr.rsplit_once(':').unwrap_or((addr, "0"));
    let api = api(host, port.parse().unwrap_or(0), notify_port);
    app.map_port(NOTIFY_PORT, notify_port)
        .with_routes(http::routes_for(parser.unwrap_or_default()).merge(api.router()))
        .with_metrics("/metrics")
        .start(addr)
        .await
}

/// The demo's API, served on `host:port` with the notifications on `notify_port`: its AsyncAPI
/// document (`--asyncapi`, `GET /asyncapi.json`) and TypeScript event maps (`--typescript DIR`).
pub fn api(host: &str, port: u16, notify_port: u16) -> ApiDescription {
    GatewayApplication::describe::<AppModule>()
        .title("gateway-rs demo")
        .version(env!("CARGO_PKG_VERSION"))
        .description(
            "The demo's four gateways: `/` (login, the NestJS sample's events), `/chat` (rooms, \
             a token from `login` in the handshake's auth), `/teams/{team}` and \
             `/notifications` on its own port.",
        )
        .server(host, port)
        .map_port(NOTIFY_PORT, notify_port)
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

//! Scaling out with PostgreSQL: socketioxide-postgres's adapter (LISTEN/NOTIFY) on a driver
//! that survives PostgreSQL going away.
//!
//! ```no_run
//! # use gateway_core::prelude::*;
//! # #[module(providers = [])] struct AppModule;
//! # async fn f() -> Result<(), BoxError> {
//! GatewayApplication::create_with_postgres::<AppModule>("postgres://app:secret@127.0.0.1/app")
//!     .await?
//!     .listen("127.0.0.1:3000")
//!     .await
//! # }
//! ```
//!
//! The messages between nodes travel as `NOTIFY` payloads on one connection per node, which
//! also `LISTEN`s; a payload of 8000 bytes or more (PostgreSQL's limit), and every binary one,
//! is written to the table `socket_io_attachments` (created at start-up, rows pruned after a
//! minute) and only its id is notified. Nodes find each other by heartbeats (every 5 s,
//! forgotten after 20 s without one): a server-wide request waits for the nodes heard from,
//! at most 2 s beyond its ack timeout (a node that does not answer: gone, or still
//! reconnecting after an outage).
//!
//! The fault story is the Redis one: while PostgreSQL is unreachable, every node keeps
//! serving its own clients: a broadcast reaches the local sockets of the room, and server-wide
//! requests (`fetch_sockets`, an emit with acks) are answered by this node's sockets alone.
//! What other nodes should have received in that time is **lost**: broadcasts, and operations
//! on one socket of another node. A warning is logged when PostgreSQL is lost and when it is
//! back; the driver reconnects by itself (every quarter of a second), recreates the attachment table if
//! it is gone, and `LISTEN`s again on its channels. Delivery across nodes resumes as soon as
//! the connection is back.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::future::Either;
use futures_util::stream::BoxStream;
use socketioxide::adapter::Emitter;
use socketioxide_core::adapter::errors::BroadcastError;
use socketioxide_core::adapter::{
    BroadcastOptions, CoreAdapter, CoreLocalAdapter, DefinedAdapter, RemoteSocketData, Room,
    RoomParam, SocketEmitter,
};
use socketioxide_core::packet::Packet;
use socketioxide_postgres::drivers::{Driver, Notification};
use socketioxide_postgres::{CustomPostgresAdapter, PostgresAdapterConfig, PostgresAdapterCtr};
use tokio::sync::{Notify, mpsc};
use tokio_postgres::{AsyncMessage, Client, NoTls};

use super::redact;
use crate::app::{GatewayApplication, Module};
use crate::error::StartupError;

/// How long a PostgreSQL query may take before the node considers PostgreSQL lost.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);
/// How often a node that lost PostgreSQL tries to reach it again.
const RETRY_EVERY: Duration = Duration::from_millis(250);
/// How long a server-wide request waits for the other nodes' answers beyond the ack timeout
/// (socketioxide-postgres's default is 5 s). A node heard from within the heartbeat timeout
/// but not connected now (still reconnecting after an outage, or gone) never answers: the
/// request returns what the others said after this long.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);
/// How often a healthy node checks that PostgreSQL is still there.
const CHECK_EVERY: Duration = Duration::from_secs(1);
/// How many notifications of one channel may wait for the adapter.
const QUEUE: usize = 1024;
/// The attachment table (socketioxide-postgres's default name).
const TABLE: &str = "socket_io_attachments";

/// A notification received on a channel this node listens to.
#[derive(Debug)]
pub struct PgNotification {
    channel: String,
    payload: String,
}

impl Notification for PgNotification {
    fn channel(&self) -> &str {
        &self.channel
    }
    fn payload(&self) -> &str {
        &self.payload
    }
}

type Listeners = HashMap<String, mpsc::Sender<PgNotification>>;

/// A socketioxide-postgres driver on one tokio-postgres connection per node, that reconnects
/// and `LISTEN`s again by itself, and lets local delivery go on while PostgreSQL is away
/// instead of failing every broadcast.
#[derive(Clone)]
pub struct ResilientDriver(Arc<Inner>);

struct Inner {
    config: tokio_postgres::Config,
    /// The connection; `None` while PostgreSQL is away.
    client: RwLock<Option<Arc<Client>>>,
    /// The channels this node listens to, and where their notifications go.
    listeners: Arc<RwLock<Listeners>>,
    healthy: AtomicBool,
    /// Woken when the connection drops, to find out at once.
    dropped: Notify,
    url: Arc<str>,
}

impl fmt::Debug for ResilientDriver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResilientDriver")
            .field("url", &self.0.url)
            .finish()
    }
}

/// A PostgreSQL error, as the driver reports it.
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    /// What tokio-postgres said.
    #[error("postgres: {}", describe(.0))]
    Postgres(#[from] tokio_postgres::Error),
    /// The query did not finish within the response timeout.
    #[error("postgres: no answer within {0:?}")]
    Timeout(Duration),
    /// PostgreSQL is away (the node is reconnecting).
    #[error("postgres: not connected")]
    Disconnected,
}

/// What the server said (`password authentication failed for user "app"`), not only
/// tokio-postgres's "db error"; or what failed on the way (the connection refused).
fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{} ({})", db.message(), db.code().code());
    }
    match std::error::Error::source(e) {
        Some(source) => format!("{e}: {source}"),
        None => e.to_string(),
    }
}

/// `f` within [`RESPONSE_TIMEOUT`].
async fn bounded<T>(
    f: impl Future<Output = Result<T, tokio_postgres::Error>>,
) -> Result<T, DriverError> {
    match tokio::time::timeout(RESPONSE_TIMEOUT, f).await {
        Ok(result) => Ok(result?),
        Err(_) => Err(DriverError::Timeout(RESPONSE_TIMEOUT)),
    }
}

impl ResilientDriver {
    /// Connects to `url` (`postgres://user:password@host:port/db`, or the `key=value` form);
    /// fails when PostgreSQL cannot be reached now, refuses the credentials, or the attachment
    /// table cannot be created.
    pub async fn connect(url: &str) -> Result<Self, StartupError> {
        let shown: Arc<str> = redact(url).into();
        let fail = |reason: String| StartupError::Postgres {
            url: shown.to_string(),
            reason,
        };
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e: tokio_postgres::Error| fail(e.to_string()))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(RESPONSE_TIMEOUT);
        }
        let inner = Arc::new(Inner {
            config,
            client: RwLock::new(None),
            listeners: Arc::default(),
            healthy: AtomicBool::new(false),
            dropped: Notify::new(),
            url: shown.clone(),
        });
        inner.reconnect().await.map_err(|e| fail(e.to_string()))?;
        inner.healthy.store(true, Ordering::Release);
        tokio::spawn(watch(Arc::downgrade(&inner)));
        Ok(ResilientDriver(inner))
    }

    /// The URL, password hidden.
    pub fn url(&self) -> &str {
        &self.0.url
    }

    /// Whether PostgreSQL is reachable, as far as this node knows.
    pub fn is_healthy(&self) -> bool {
        self.0.healthy.load(Ordering::Acquire)
    }

    /// The connection, when PostgreSQL is there.
    fn client(&self) -> Option<Arc<Client>> {
        if !self.is_healthy() {
            return None;
        }
        self.0
            .client
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Inner {
    /// Marks PostgreSQL lost (once); [`watch`] then reconnects.
    fn lost(&self, error: &dyn fmt::Display) {
        if self.healthy.swap(false, Ordering::AcqRel) {
            tracing::warn!(target: "PostgresAdapter", url = %self.url, "PostgreSQL lost ({error}): serving local clients only until it is back");
            *self.client.write().unwrap_or_else(|e| e.into_inner()) = None;
            self.dropped.notify_one();
        }
    }

    /// Opens a new connection, makes sure the attachment table exists, `LISTEN`s on every
    /// channel of [`Self::listeners`] and installs the connection.
    async fn reconnect(self: &Arc<Self>) -> Result<(), DriverError> {
        let (client, mut conn) = bounded(self.config.connect(NoTls)).await?;
        let client = Arc::new(client);
        // The connection delivers the notifications; it ends when the client is dropped or
        // the server goes away.
        let listeners = self.listeners.clone();
        let inner = Arc::downgrade(self);
        let mine = Arc::downgrade(&client);
        tokio::spawn(async move {
            let mut messages = std::pin::pin!(futures_util::stream::poll_fn(
                move |cx| conn.poll_message(cx)
            ));
            let why = loop {
                match messages.next().await {
                    Some(Ok(AsyncMessage::Notification(n))) => dispatch(&listeners, n),
                    Some(Ok(_)) => {}
                    Some(Err(e)) => break e.to_string(),
                    None => break "connection closed".to_owned(),
                }
            };
            // Only when it is still the current connection (not one replaced since).
            if let (Some(inner), Some(client)) = (inner.upgrade(), mine.upgrade()) {
                let current = inner
                    .client
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone();
                if current.is_some_and(|c| Arc::ptr_eq(&c, &client)) {
                    inner.lost(&why);
                }
            }
        });
        bounded(client.batch_execute(&format!(
            // The advisory lock: nodes starting together do not race on CREATE TABLE.
            r#"BEGIN;
            SELECT pg_advisory_xact_lock({INIT_LOCK});
            CREATE TABLE IF NOT EXISTS "{TABLE}" (
                id BIGSERIAL UNIQUE,
                created_at TIMESTAMPTZ DEFAULT NOW(),
                payload BYTEA
            );
            COMMIT;"#
        )))
        .await?;
        let channels: Vec<String> = self
            .listeners
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect();
        if !channels.is_empty() {
            bounded(client.batch_execute(&listen_query("LISTEN", &channels))).await?;
        }
        *self.client.write().unwrap_or_else(|e| e.into_inner()) = Some(client);
        Ok(())
    }
}

/// The advisory lock key socketioxide-postgres's own drivers take around `CREATE TABLE`.
const INIT_LOCK: i64 = 0x5_0C10_01DE;

fn dispatch(listeners: &RwLock<Listeners>, n: tokio_postgres::Notification) {
    let listeners = listeners.read().unwrap_or_else(|e| e.into_inner());
    if let Some(tx) = listeners.get(n.channel()) {
        let notification = PgNotification {
            channel: n.channel().to_owned(),
            payload: n.payload().to_owned(),
        };
        if let Err(e) = tx.try_send(notification) {
            tracing::warn!(target: "PostgresAdapter", "dropped a notification from PostgreSQL: {e}");
        }
    }
}

/// `LISTEN "a";LISTEN "b";` (channel names are socketioxide-postgres's hashes: `ch_<hex>`).
fn listen_query(verb: &str, channels: &[impl AsRef<str>]) -> String {
    channels
        .iter()
        .map(|c| format!(r#"{verb} "{}";"#, c.as_ref().replace('"', "")))
        .collect()
}

/// Watches the connection for as long as the driver lives: finds out that PostgreSQL is gone
/// (a dropped connection, or a failed check every [`CHECK_EVERY`]), then reconnects every
/// [`RETRY_EVERY`] until it is back.
async fn watch(inner: Weak<Inner>) {
    loop {
        let Some(driver) = inner.upgrade() else {
            return;
        };
        if driver.healthy.load(Ordering::Acquire) {
            let checked = async {
                let _ = tokio::time::timeout(CHECK_EVERY, driver.dropped.notified()).await;
                let client = driver
                    .client
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone();
                match client {
                    Some(client) => bounded(client.simple_query("")).await.map(|_| ()),
                    None => Err(DriverError::Disconnected),
                }
            };
            if let Err(e) = checked.await {
                driver.lost(&e);
            }
            drop(driver);
        } else {
            drop(driver);
            tokio::time::sleep(RETRY_EVERY).await;
            let Some(driver) = inner.upgrade() else {
                return;
            };
            match driver.reconnect().await {
                Ok(()) => {
                    driver.healthy.store(true, Ordering::Release);
                    tracing::warn!(target: "PostgresAdapter", url = %driver.url, "PostgreSQL is back: delivering across nodes again");
                }
                Err(e) => tracing::debug!(target: "PostgresAdapter", "still away: {e}"),
            }
        }
    }
}

impl Driver for ResilientDriver {
    type Error = DriverError;
    type Notification = PgNotification;
    type NotificationStream = BoxStream<'static, PgNotification>;

    /// The attachment table is created when connecting, and again after a reconnection.
    async fn init(&self, _table: &str) -> Result<(), Self::Error> {
        Ok(())
    }

    async fn listen(&self, channels: &[&str]) -> Result<Self::NotificationStream, Self::Error> {
        let (tx, rx) = mpsc::channel(QUEUE);
        {
            let mut listeners = self.0.listeners.write().unwrap_or_else(|e| e.into_inner());
            for chan in channels {
                listeners.insert((*chan).to_owned(), tx.clone());
            }
        }
        // While PostgreSQL is away (a dynamic namespace opened then), the reconnection
        // LISTENs on every registered channel.
        if let Some(client) = self.client()
            && let Err(e) = bounded(client.batch_execute(&listen_query("LISTEN", channels))).await
        {
            self.0.lost(&e);
        }
        let stream =
            futures_util::stream::unfold(
                rx,
                |mut rx| async move { rx.recv().await.map(|n| (n, rx)) },
            );
        Ok(stream.boxed())
    }

    async fn notify(&self, channel: &str, message: &str) -> Result<(), Self::Error> {
        // Lost while PostgreSQL is away; local delivery goes on.
        if let Some(client) = self.client()
            && let Err(e) =
                bounded(client.execute("SELECT pg_notify($1, $2)", &[&channel, &message])).await
        {
            self.0.lost(&e);
        }
        Ok(())
    }

    /// While PostgreSQL is away, the attachment is dropped (id 0): the notification that
    /// would carry its id is dropped too, and the local delivery goes on.
    async fn push_attachment(&self, table: &str, attachment: &[u8]) -> Result<i64, Self::Error> {
        const DROPPED: i64 = 0;
        let Some(client) = self.client() else {
            return Ok(DROPPED);
        };
        let query = format!(r#"INSERT INTO "{table}" (payload) VALUES ($1) RETURNING id"#);
        match bounded(client.query_one(&query, &[&attachment])).await {
            Ok(row) => Ok(row.try_get(0)?),
            Err(e) => {
                self.0.lost(&e);
                Ok(DROPPED)
            }
        }
    }

    async fn get_attachment(&self, table: &str, id: i64) -> Result<Vec<u8>, Self::Error> {
        let client = self.client().ok_or(DriverError::Disconnected)?;
        let query = format!(r#"SELECT payload FROM "{table}" WHERE id = $1"#);
        let row = bounded(client.query_one(&query, &[&id])).await?;
        Ok(row.try_get(0)?)
    }

    async fn cleanup_attachments(
        &self,
        table: &str,
        interval: Duration,
    ) -> Result<(), Self::Error> {
        let Some(client) = self.client() else {
            return Ok(());
        };
        let query = format!(
            r#"DELETE FROM "{table}" WHERE created_at < now() - interval '{} milliseconds'"#,
            interval.as_millis()
        );
        bounded(client.execute(&query, &[])).await?;
        Ok(())
    }

    /// Stops listening to `channels` only: the connection is shared by every namespace.
    async fn close(&self, channels: &[&str]) -> Result<(), Self::Error> {
        {
            let mut listeners = self.0.listeners.write().unwrap_or_else(|e| e.into_inner());
            for chan in channels {
                listeners.remove(*chan);
            }
        }
        if let Some(client) = self.client() {
            bounded(client.batch_execute(&listen_query("UNLISTEN", channels))).await?;
        }
        Ok(())
    }
}

/// The state the adapters of one socket.io server share: the driver and the configuration.
#[derive(Clone, Debug)]
pub struct PostgresState {
    ctr: PostgresAdapterCtr<ResilientDriver>,
    driver: ResilientDriver,
}

type Remote<E> = CustomPostgresAdapter<E, ResilientDriver>;

/// The adapter type of an application scaled out with PostgreSQL: socketioxide-postgres's
/// adapter, answering server-wide requests from this node alone while PostgreSQL is away
/// (instead of waiting for nodes it cannot hear).
pub struct PostgresAdapter<E = Emitter> {
    remote: Arc<Remote<E>>,
    driver: ResilientDriver,
}

impl<E> DefinedAdapter for PostgresAdapter<E> {}

impl<E: SocketEmitter> PostgresAdapter<E> {
    /// Whether server-wide requests can only be answered here.
    fn alone(&self) -> bool {
        !self.driver.is_healthy()
    }
}

impl<E: SocketEmitter> CoreAdapter<E> for PostgresAdapter<E> {
    type Error = <Remote<E> as CoreAdapter<E>>::Error;
    type State = PostgresState;
    type AckStream = <Remote<E> as CoreAdapter<E>>::AckStream;
    type InitRes = <Remote<E> as CoreAdapter<E>>::InitRes;

    fn new(state: &Self::State, local: CoreLocalAdapter<E>) -> Self {
        PostgresAdapter {
            remote: Arc::new(<Remote<E> as CoreAdapter<E>>::new(&state.ctr, local)),
            driver: state.driver.clone(),
        }
    }

    fn init(self: Arc<Self>, on_success: impl FnOnce() + Send + 'static) -> Self::InitRes {
        self.remote.clone().init(on_success)
    }

    async fn close(&self) -> Result<(), Self::Error> {
        self.remote.close().await
    }

    async fn server_count(&self) -> Result<u16, Self::Error> {
        match self.alone() {
            true => Ok(1),
            false => self.remote.server_count().await,
        }
    }

    async fn broadcast(
        &self,
        packet: Packet,
        opts: BroadcastOptions,
    ) -> Result<(), BroadcastError> {
        self.remote.broadcast(packet, opts).await
    }

    async fn broadcast_with_ack(
        &self,
        packet: Packet,
        opts: BroadcastOptions,
        timeout: Option<Duration>,
    ) -> Result<Self::AckStream, Self::Error> {
        if self.alone() {
            let (local, _) = self.get_local().broadcast_with_ack(packet, opts, timeout);
            return Ok(Either::Left(local));
        }
        self.remote.broadcast_with_ack(packet, opts, timeout).await
    }

    async fn add_sockets(
        &self,
        opts: BroadcastOptions,
        rooms: impl RoomParam,
    ) -> Result<(), Self::Error> {
        self.remote.add_sockets(opts, rooms).await
    }

    async fn del_sockets(
        &self,
        opts: BroadcastOptions,
        rooms: impl RoomParam,
    ) -> Result<(), Self::Error> {
        self.remote.del_sockets(opts, rooms).await
    }

    async fn disconnect_socket(&self, opts: BroadcastOptions) -> Result<(), BroadcastError> {
        self.remote.disconnect_socket(opts).await
    }

    async fn rooms(&self, opts: BroadcastOptions) -> Result<Vec<Room>, Self::Error> {
        if self.alone() {
            return Ok(self.get_local().rooms(opts).into_iter().collect());
        }
        self.remote.rooms(opts).await
    }

    async fn fetch_sockets(
        &self,
        opts: BroadcastOptions,
    ) -> Result<Vec<RemoteSocketData>, Self::Error> {
        if self.alone() {
            return Ok(self.get_local().fetch_sockets(opts));
        }
        self.remote.fetch_sockets(opts).await
    }

    fn get_local(&self) -> &CoreLocalAdapter<E> {
        self.remote.get_local()
    }
}

impl crate::AppAdapter for PostgresAdapter<Emitter> {
    fn ready(
        init: socketioxide_postgres::InitRes<ResilientDriver>,
    ) -> futures_util::future::BoxFuture<'static, Result<(), String>> {
        Box::pin(async move { init.await.map_err(|e| e.to_string()) })
    }
}

/// Each socket.io server of a node (one per port) gets channels of its own, named by the
/// port its gateways declare, as with Redis.
fn server_config(server: &str) -> PostgresAdapterConfig {
    let config = PostgresAdapterConfig::default()
        .with_hb_interval(Duration::from_secs(5))
        .with_hb_timeout(Duration::from_secs(20))
        .with_request_timeout(REQUEST_TIMEOUT)
        .with_table_name(TABLE);
    match server {
        "main" => config,
        port => config.with_prefix(format!("socket.io-port{port}")),
    }
}

impl GatewayApplication<PostgresAdapter> {
    /// Builds the application on PostgreSQL at `url` (`postgres://[user[:password]@]host[:port][/db]`):
    /// rooms and broadcasts span every node on that database. Fails at once, naming the URL
    /// (without its password), when PostgreSQL cannot be reached or refuses the credentials.
    pub async fn create_with_postgres<M: Module>(url: &str) -> Result<Self, StartupError> {
        GatewayApplication::builder::<M>()
            .create_with_postgres(url)
            .await
    }
}

impl<M: Module> crate::ApplicationBuilder<M> {
    /// [`GatewayApplication::create_with_postgres`], with the providers given to the builder.
    pub async fn create_with_postgres(
        self,
        url: &str,
    ) -> Result<GatewayApplication<PostgresAdapter>, StartupError> {
        let driver = ResilientDriver::connect(url).await?;
        tracing::info!(target: "PostgresAdapter", url = %driver.url(), "connected");
        let probe = driver.clone();
        let mut app = self
            .create_with_adapter_factory::<PostgresAdapter>(move |server| PostgresState {
                ctr: PostgresAdapterCtr::new_with_driver(driver.clone(), server_config(server)),
                driver: driver.clone(),
            })
            .await?;
        app.adapter_probe = Some(("postgres", std::sync::Arc::new(move || probe.is_healthy())));
        Ok(app)
    }
}

#[cfg(test)]
mod tests {
    use super::listen_query;

    #[test]
    fn listen_queries_quote_each_channel() {
        assert_eq!(
            listen_query("LISTEN", &["ch_1", "ch_2"]),
            r#"LISTEN "ch_1";LISTEN "ch_2";"#
        );
        assert_eq!(listen_query("UNLISTEN", &["a\"b"]), r#"UNLISTEN "ab";"#);
    }
}

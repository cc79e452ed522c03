//! Scaling out with Redis (7+, or Valkey): socketioxide-redis's adapter on a driver that
//! survives Redis going away.
//!
//! ```no_run
//! # use gateway_core::prelude::*;
//! # #[module(providers = [])] struct AppModule;
//! # async fn f() -> Result<(), BoxError> {
//! GatewayApplication::create_with_redis::<AppModule>("redis://127.0.0.1:6379").await?
//!     .listen("127.0.0.1:3000").await
//! # }
//! ```
//!
//! While Redis is unreachable, every node keeps serving its own clients: a broadcast reaches
//! the local sockets of the room, and server-wide requests (`fetch_sockets`, an emit with
//! acks) are answered by this node's sockets alone. What other nodes should have received in
//! that time is **lost**: broadcasts, and operations on one socket of another node (an emit or
//! a disconnect through a remote socket is dropped; reading its rooms fails after the request
//! timeout). A warning is logged when Redis is lost and when it is back; the driver reconnects
//! by itself and re-subscribes to its channels. Delivery across nodes resumes at the first
//! successful check after Redis returns, at most half a second later.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, PushInfo, PushKind};
use socketioxide::adapter::Emitter;
use socketioxide_redis::drivers::{ChanItem, Driver, MessageStream};
use socketioxide_redis::{CustomRedisAdapter, RedisAdapterConfig, RedisAdapterCtr};
use tokio::sync::{Notify, mpsc};

use crate::app::GatewayApplication;
use crate::app::Module;
use crate::error::StartupError;

/// The adapter type of an application scaled out with Redis.
pub type RedisAdapter = CustomRedisAdapter<Emitter, ResilientDriver>;

/// How long a Redis command may take before the node considers Redis lost.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);
/// How often a node that lost Redis tries to reach it again.
const RETRY_EVERY: Duration = Duration::from_millis(500);

type Handlers = Arc<RwLock<HashMap<String, mpsc::Sender<ChanItem>>>>;

/// A socketioxide-redis driver on redis-rs's `ConnectionManager` (reconnects, re-subscribes),
/// that lets local delivery go on while Redis is away instead of failing every broadcast.
#[derive(Clone)]
pub struct ResilientDriver(Arc<Inner>);

struct Inner {
    conn: ConnectionManager,
    handlers: Handlers,
    healthy: Arc<AtomicBool>,
    /// Woken when the connection drops, to find out at once (a node that only receives would
    /// otherwise never notice, and never re-subscribe).
    dropped: Arc<Notify>,
    /// Channels to subscribe to when Redis is back.
    later: std::sync::Mutex<Vec<String>>,
    url: Arc<str>,
}

/// How often a healthy node checks that Redis is still there.
const CHECK_EVERY: Duration = Duration::from_secs(1);

impl ResilientDriver {
    /// Connects to `url`; fails when Redis cannot be reached now.
    pub async fn connect(url: &str) -> Result<Self, StartupError> {
        let shown: Arc<str> = redact(url).into();
        let fail = |e: redis::RedisError| StartupError::Redis {
            url: shown.to_string(),
            reason: e.to_string(),
        };
        // Pub/sub on one multiplexed connection needs RESP3 push messages.
        let info = redis::IntoConnectionInfo::into_connection_info(url).map_err(fail)?;
        let settings = info
            .redis_settings()
            .clone()
            .set_protocol(redis::ProtocolVersion::RESP3);
        let client = redis::Client::open(info.set_redis_settings(settings)).map_err(fail)?;
        let handlers: Handlers = Arc::default();
        let healthy = Arc::new(AtomicBool::new(true));
        let dropped = Arc::new(Notify::new());
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(RESPONSE_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_number_of_retries(1)
            .set_automatic_resubscription()
            .set_push_sender({
                let handlers = handlers.clone();
                let dropped = dropped.clone();
                move |msg: PushInfo| {
                    route(msg, &handlers, &dropped);
                    Ok::<(), std::convert::Infallible>(())
                }
            });
        let conn = client
            .get_connection_manager_with_config(config)
            .await
            .map_err(fail)?;
        let inner = Inner {
            conn,
            handlers,
            healthy,
            dropped,
            later: Default::default(),
            url: shown.clone(),
        };
        let driver = ResilientDriver(Arc::new(inner));
        driver.0.ping().await.map_err(fail)?;
        tokio::spawn(watch(Arc::downgrade(&driver.0)));
        Ok(driver)
    }

    /// The URL, password hidden.
    pub fn url(&self) -> &str {
        &self.0.url
    }

    fn lost(&self, error: &redis::RedisError) {
        self.0.lost(error);
    }
}

impl Inner {
    /// Marks Redis lost (once); [`watch`] then tries to reach it again.
    fn lost(&self, error: &dyn std::fmt::Display) {
        if self.healthy.swap(false, Ordering::AcqRel) {
            tracing::warn!(target: "RedisAdapter", url = %self.url, "Redis lost ({error}): serving local clients only until it is back");
            self.dropped.notify_one();
        }
    }

    /// Subscribes to the channels asked for while Redis was away; whether all went through.
    async fn subscribe_later(&self) -> bool {
        let later = std::mem::take(&mut *self.later.lock().unwrap_or_else(|e| e.into_inner()));
        let mut failed = Vec::new();
        for chan in later {
            if self.conn.clone().subscribe(chan.as_str()).await.is_err() {
                failed.push(chan);
            }
        }
        let ok = failed.is_empty();
        self.later
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(failed);
        ok
    }

    async fn ping(&self) -> Result<(), redis::RedisError> {
        let mut conn = self.conn.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .map(|_| ())
    }
}

/// Watches the connection for as long as the driver lives: finds out that Redis is gone (a
/// dropped connection, or a failed check every [`CHECK_EVERY`]), then pings every
/// [`RETRY_EVERY`] until it is back; the connection manager then reconnects and
/// re-subscribes.
async fn watch(inner: std::sync::Weak<Inner>) {
    loop {
        let Some(driver) = inner.upgrade() else {
            return;
        };
        if driver.healthy.load(Ordering::Acquire) {
            let dropped = driver.dropped.clone();
            drop(driver);
            let _ = tokio::time::timeout(CHECK_EVERY, dropped.notified()).await;
            let Some(driver) = inner.upgrade() else {
                return;
            };
            if driver.healthy.load(Ordering::Acquire)
                && let Err(e) = driver.ping().await
            {
                driver.lost(&e);
            }
        } else {
            drop(driver);
            tokio::time::sleep(RETRY_EVERY).await;
            let Some(driver) = inner.upgrade() else {
                return;
            };
            if driver.ping().await.is_ok() && driver.subscribe_later().await {
                driver.healthy.store(true, Ordering::Release);
                tracing::warn!(target: "RedisAdapter", url = %driver.url, "Redis is back: delivering across nodes again");
            }
        }
    }
}

fn route(msg: PushInfo, handlers: &Handlers, dropped: &Notify) {
    match msg.kind {
        PushKind::Message | PushKind::SMessage if msg.data.len() >= 2 => {
            let mut data = msg.data.into_iter();
            let (Some(chan), Some(body)) = (data.next(), data.next()) else {
                return;
            };
            let (Ok(chan), Ok(body)) = (
                redis::from_redis_value::<String>(chan),
                redis::from_redis_value::<Vec<u8>>(body),
            ) else {
                return;
            };
            let handlers = handlers.read().unwrap_or_else(|e| e.into_inner());
            if let Some(tx) = handlers.get(&chan)
                && let Err(e) = tx.try_send((chan, body))
            {
                tracing::warn!(target: "RedisAdapter", "dropped a message from Redis: {e}");
            }
        }
        PushKind::Disconnection => dropped.notify_one(),
        _ => {}
    }
}

/// A Redis error, as the driver reports it.
#[derive(Debug, thiserror::Error)]
#[error("redis: {0}")]
pub struct DriverError(#[from] redis::RedisError);

impl Driver for ResilientDriver {
    type Error = DriverError;

    async fn publish(&self, chan: String, val: Vec<u8>) -> Result<(), Self::Error> {
        if !self.0.healthy.load(Ordering::Acquire) {
            return Ok(()); // lost while Redis is away; local delivery goes on
        }
        if let Err(e) = self
            .0
            .conn
            .clone()
            .publish::<_, _, redis::Value>(chan, val)
            .await
        {
            self.lost(&e);
        }
        Ok(())
    }

    async fn subscribe(
        &self,
        chan: String,
        size: usize,
    ) -> Result<MessageStream<ChanItem>, Self::Error> {
        let (tx, rx) = mpsc::channel(size);
        self.0
            .handlers
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(chan.clone(), tx);
        // While Redis is away (a dynamic namespace opened then), subscribe once it is back.
        let subscribed = match self.0.healthy.load(Ordering::Acquire) {
            true => self
                .0
                .conn
                .clone()
                .subscribe(chan.as_str())
                .await
                .map_err(|e| self.lost(&e))
                .is_ok(),
            false => false,
        };
        if !subscribed {
            self.0
                .later
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(chan);
        }
        Ok(MessageStream::new(rx))
    }

    async fn unsubscribe(&self, chan: String) -> Result<(), Self::Error> {
        self.0
            .handlers
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&chan);
        // Not subscribed yet (asked for while Redis was away): only forget it.
        let pending = {
            let mut later = self.0.later.lock().unwrap_or_else(|e| e.into_inner());
            let at = later.iter().position(|c| *c == chan);
            at.map(|i| later.swap_remove(i)).is_some()
        };
        if pending {
            return Ok(());
        }
        self.0.conn.clone().unsubscribe(chan).await?;
        Ok(())
    }

    /// How many nodes listen on `chan`: how many answers a server-wide request (an emit
    /// with acks, `fetch_sockets`) waits for. While Redis is away only this node can answer,
    /// so the request is served locally rather than failing for the local sockets too.
    async fn num_serv(&self, chan: &str) -> Result<u16, Self::Error> {
        const ONLY_THIS_NODE: u16 = 1;
        if !self.0.healthy.load(Ordering::Acquire) {
            return Ok(ONLY_THIS_NODE);
        }
        let mut conn = self.0.conn.clone();
        let result = redis::cmd("PUBSUB")
            .arg("NUMSUB")
            .arg(chan)
            .query_async::<(String, u16)>(&mut conn)
            .await;
        match result {
            Ok((_, count)) => Ok(count),
            Err(e) => {
                self.lost(&e);
                Ok(ONLY_THIS_NODE)
            }
        }
    }
}

/// Each socket.io server of a node (one per port) gets channels of its own, named by the
/// port its gateways declare: the same on every node, and apart from the other ports', as in
/// memory (two servers both have a `/` namespace).
fn server_config(server: &str) -> RedisAdapterConfig {
    match server {
        "main" => RedisAdapterConfig::default(),
        port => RedisAdapterConfig::default().with_prefix(format!("socket.io-port{port}")),
    }
}

impl<R: Driver> crate::AppAdapter for CustomRedisAdapter<Emitter, R> {
    fn ready(
        init: socketioxide_redis::InitRes<R>,
    ) -> futures_util::future::BoxFuture<'static, Result<(), String>> {
        Box::pin(async move { init.await.map_err(|e| e.to_string()) })
    }
}

/// `redis://user:secret@host` shown as `redis://user:***@host`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    // The authority ends at the first `/`; a password may itself hold `@`: split at the last.
    let authority = rest.find('/').map_or(rest, |i| &rest[..i]);
    match authority.rfind('@').map(|i| (&rest[..i], &rest[i + 1..])) {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            let masked = if credentials.contains(':') {
                format!("{user}:***")
            } else {
                "***".to_owned()
            };
            format!("{scheme}://{masked}@{host}")
        }
        None => url.to_owned(),
    }
}

impl GatewayApplication<RedisAdapter> {
    /// Builds the application on the Redis adapter at `url` (`redis://[user:password@]host:port[/db]`):
    /// rooms and broadcasts span every node on that Redis. Fails at once, naming the URL
    /// (without its password), when Redis cannot be reached.
    pub async fn create_with_redis<M: Module>(url: &str) -> Result<Self, StartupError> {
        GatewayApplication::builder::<M>()
            .create_with_redis(url)
            .await
    }
}

impl<M: Module> crate::ApplicationBuilder<M> {
    /// [`GatewayApplication::create_with_redis`], with the providers given to the builder.
    pub async fn create_with_redis(
        self,
        url: &str,
    ) -> Result<GatewayApplication<RedisAdapter>, StartupError> {
        let driver = ResilientDriver::connect(url).await?;
        tracing::info!(target: "RedisAdapter", url = %driver.url(), "connected");
        let probe = driver.clone();
        let mut app = self
            .create_with_adapter_factory::<RedisAdapter>(move |server| {
                RedisAdapterCtr::new_with_driver(driver.clone(), server_config(server))
            })
            .await?;
        app.adapter_probe = Some((
            "redis",
            Arc::new(move || probe.0.healthy.load(Ordering::Acquire)),
        ));
        Ok(app)
    }
}

/// The adapter type of an application scaled out with Redis Cluster (feature `redis-cluster`).
#[cfg(feature = "redis-cluster")]
pub type RedisClusterAdapter = socketioxide_redis::ClusterAdapter<Emitter>;

#[cfg(feature = "redis-cluster")]
impl GatewayApplication<RedisClusterAdapter> {
    /// Builds the application on a Redis Cluster, given some of its nodes
    /// (`redis://host:port`); sharded pub/sub carries the messages between nodes. Unlike
    /// [`create_with_redis`](GatewayApplication::create_with_redis), it uses socketioxide-redis's
    /// own cluster driver: while the cluster is unreachable, broadcasts fail.
    pub async fn create_with_redis_cluster<M: Module>(
        nodes: &[&str],
    ) -> Result<Self, StartupError> {
        use socketioxide_redis::drivers::redis::ClusterDriver;
        let shown = nodes
            .iter()
            .map(|n| redact(n))
            .collect::<Vec<_>>()
            .join(",");
        let fail = |reason: String| StartupError::Redis {
            url: shown.clone(),
            reason,
        };
        let nodes: Vec<redis::ConnectionInfo> = nodes
            .iter()
            .map(|n| {
                let info = redis::IntoConnectionInfo::into_connection_info(*n)
                    .map_err(|e| fail(e.to_string()))?;
                let settings = info
                    .redis_settings()
                    .clone()
                    .set_protocol(redis::ProtocolVersion::RESP3);
                Ok(info.set_redis_settings(settings))
            })
            .collect::<Result<_, StartupError>>()?;
        let client = redis::cluster::ClusterClientBuilder::new(nodes)
            .use_protocol(redis::ProtocolVersion::RESP3)
            .build()
            .map_err(|e| fail(e.to_string()))?;
        let driver = ClusterDriver::new(&client)
            .await
            .map_err(|e| fail(e.to_string()))?;
        tracing::info!(target: "RedisAdapter", nodes = %shown, "connected to the cluster");
        Self::create_with_adapter_factory::<M>(move |server| {
            RedisAdapterCtr::new_with_driver(driver.clone(), server_config(server))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact("redis://user:secret@host:6379/0"),
            "redis://user:***@host:6379/0"
        );
        assert_eq!(redact("redis://:secret@host"), "redis://:***@host");
        assert_eq!(redact("redis://host:6379"), "redis://host:6379");
        assert_eq!(
            redact("redis://user:p@ss-word@127.0.0.1:6379/0"),
            "redis://user:***@127.0.0.1:6379/0"
        );
    }
}

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
//! While Redis is unreachable: every node keeps serving its own clients (a broadcast reaches
//! the local sockets of the room); what other nodes should have received in that time is
//! **lost**, as are cross-node operations (fetching remote sockets, acks from other nodes),
//! which fail. A warning is logged when Redis is lost and when it is back; the driver
//! reconnects by itself and re-subscribes to its channels.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, PushInfo, PushKind};
use socketioxide::adapter::Emitter;
use socketioxide_redis::drivers::{ChanItem, Driver, MessageStream};
use socketioxide_redis::{CustomRedisAdapter, RedisAdapterConfig, RedisAdapterCtr};
use tokio::sync::mpsc;

use crate::app::GatewayApplication;
use crate::di::Module;
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
pub struct ResilientDriver {
    conn: ConnectionManager,
    handlers: Handlers,
    healthy: Arc<AtomicBool>,
    url: Arc<str>,
}

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
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(RESPONSE_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_number_of_retries(1)
            .set_automatic_resubscription()
            .set_push_sender({
                let handlers = handlers.clone();
                let healthy = healthy.clone();
                let shown = shown.clone();
                move |msg: PushInfo| {
                    route(msg, &handlers, &healthy, &shown);
                    Ok::<(), std::convert::Infallible>(())
                }
            });
        let conn = client
            .get_connection_manager_with_config(config)
            .await
            .map_err(fail)?;
        let driver = ResilientDriver {
            conn,
            handlers,
            healthy,
            url: shown.clone(),
        };
        let mut ping = driver.conn.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut ping)
            .await
            .map_err(fail)?;
        Ok(driver)
    }

    /// Marks Redis lost (once) and starts trying to reach it again.
    fn lost(&self, error: &redis::RedisError) {
        if self.healthy.swap(false, Ordering::AcqRel) {
            tracing::warn!(target: "RedisAdapter", url = %self.url, "Redis lost ({error}): serving local clients only until it is back");
            let driver = self.clone();
            tokio::spawn(async move { driver.reconnect().await });
        }
    }

    async fn reconnect(self) {
        loop {
            tokio::time::sleep(RETRY_EVERY).await;
            let mut conn = self.conn.clone();
            if redis::cmd("PING")
                .query_async::<String>(&mut conn)
                .await
                .is_ok()
            {
                self.healthy.store(true, Ordering::Release);
                tracing::warn!(target: "RedisAdapter", url = %self.url, "Redis is back: delivering across nodes again");
                return;
            }
        }
    }
}

fn route(msg: PushInfo, handlers: &Handlers, healthy: &AtomicBool, url: &str) {
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
        PushKind::Disconnection if healthy.load(Ordering::Acquire) => {
            tracing::debug!(target: "RedisAdapter", url, "Redis connection closed");
        }
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
        if !self.healthy.load(Ordering::Acquire) {
            return Ok(()); // lost while Redis is away; local delivery goes on
        }
        if let Err(e) = self
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
        self.conn.clone().subscribe(chan.as_str()).await?;
        let (tx, rx) = mpsc::channel(size);
        self.handlers
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(chan, tx);
        Ok(MessageStream::new(rx))
    }

    async fn unsubscribe(&self, chan: String) -> Result<(), Self::Error> {
        self.handlers
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&chan);
        self.conn.clone().unsubscribe(chan).await?;
        Ok(())
    }

    async fn num_serv(&self, chan: &str) -> Result<u16, Self::Error> {
        let mut conn = self.conn.clone();
        let result = redis::cmd("PUBSUB")
            .arg("NUMSUB")
            .arg(chan)
            .query_async::<(String, u16)>(&mut conn)
            .await;
        match result {
            Ok((_, count)) => Ok(count),
            Err(e) => {
                self.lost(&e);
                Err(e.into())
            }
        }
    }
}

/// `redis://user:secret@host` shown as `redis://user:***@host`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
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
        let driver = ResilientDriver::connect(url).await?;
        tracing::info!(target: "RedisAdapter", url = %driver.url, "connected");
        Self::create_with_adapter_factory::<M>(move || {
            RedisAdapterCtr::new_with_driver(driver.clone(), RedisAdapterConfig::default())
        })
        .await
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
        Self::create_with_adapter_factory::<M>(move || {
            RedisAdapterCtr::new_with_driver(driver.clone(), RedisAdapterConfig::default())
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
    }
}

//! Two framework nodes on one real engine, `redis-server` (the Redis adapter) or PostgreSQL
//! (the PostgreSQL adapter), for the two-node fan-out scenarios. All the processes are pinned
//! to the server core, so their CPU time adds up to the same one core a single node gets: the
//! figures say what scaling out costs per delivery, not how much more two machines would carry.

use gateway_tests::postgres::PostgresServer;
use gateway_tests::redis::RedisServer;

use super::framework::{DATABASE_URL_ENV, REDIS_URL_ENV};
use super::{Server, ServerKind};
use crate::sys::{self, Cores};

/// Where the two nodes meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// One `redis-server`.
    Redis,
    /// One PostgreSQL server (LISTEN/NOTIFY).
    Postgres,
}

/// A running engine.
enum EngineServer {
    Redis(RedisServer),
    Postgres(PostgresServer),
}

/// The nodes and their engine; dropping it kills them all.
pub struct TwoNodes {
    /// Node A (the sender's) and node B.
    pub nodes: [Server; 2],
    engine: EngineServer,
}

impl TwoNodes {
    /// Starts the engine on a free loopback port, then two `framework` nodes on it.
    pub async fn start(
        kind: ServerKind,
        cores: Option<Cores>,
        engine: Engine,
    ) -> Result<TwoNodes, String> {
        if kind != ServerKind::Framework {
            return Err(format!(
                "two nodes are run for `framework` only, not `{}`",
                kind.name()
            ));
        }
        // The engine inherits this thread's affinity, as the nodes do in `Server::start`.
        if let Some(c) = cores {
            sys::pin_current_thread(c.server).map_err(|e| format!("sched_setaffinity: {e}"))?;
        }
        // Blocks this thread until the engine answers (at most a few seconds); nothing else
        // runs meanwhile.
        let started = match engine {
            Engine::Redis => RedisServer::try_start(&[])
                .map(EngineServer::Redis)
                .map_err(|e| format!("redis-server: {e}")),
            Engine::Postgres => PostgresServer::try_start()
                .map(EngineServer::Postgres)
                .map_err(|e| format!("postgres: {e}")),
        };
        if let Some(c) = cores {
            sys::pin_current_thread(c.client).map_err(|e| format!("sched_setaffinity: {e}"))?;
        }
        let engine = started?;
        let env = match &engine {
            EngineServer::Redis(redis) => [(REDIS_URL_ENV, redis.url())],
            EngineServer::Postgres(pg) => [(DATABASE_URL_ENV, pg.url())],
        };
        let env = env.each_ref().map(|(k, v)| (*k, v.as_str()));
        let a = Server::start_with_env(kind, cores, None, &env).await?;
        let b = Server::start_with_env(kind, cores, None, &env).await?;
        Ok(TwoNodes {
            nodes: [a, b],
            engine,
        })
    }

    /// The processes whose CPU time counts as the server's: both nodes and the engine (every
    /// PostgreSQL process: the server and the connections' backends).
    pub fn pids(&self) -> Vec<u32> {
        let mut pids: Vec<u32> = self.nodes.iter().map(|n| n.pid).collect();
        match &self.engine {
            EngineServer::Redis(redis) => pids.extend(redis.pid()),
            EngineServer::Postgres(pg) => pids.extend(pg.pids()),
        }
        pids
    }

    /// Kills the nodes, then the engine.
    pub async fn stop(self) {
        let TwoNodes { nodes, engine } = self;
        for node in nodes {
            node.stop().await;
        }
        match engine {
            EngineServer::Redis(mut redis) => redis.stop(),
            EngineServer::Postgres(mut pg) => pg.stop(),
        }
    }
}

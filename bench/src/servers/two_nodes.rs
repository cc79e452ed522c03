//! Two framework nodes on one real `redis-server` (the Redis adapter), for the two-node fan-out
//! scenario. All three processes are pinned to the server core, so their CPU time adds up to
//! the same one core a single node gets: the figures say what scaling out costs per delivery,
//! not how much more two machines would carry.

use gateway_tests::redis::RedisServer;

use super::framework::REDIS_URL_ENV;
use super::{Server, ServerKind};
use crate::sys::{self, Cores};

/// The nodes and their Redis; dropping it kills them all.
pub struct TwoNodes {
    /// Node A (the sender's) and node B.
    pub nodes: [Server; 2],
    redis: RedisServer,
}

impl TwoNodes {
    /// Starts `redis-server` on a free loopback port, then two `framework` nodes on it.
    pub async fn start(kind: ServerKind, cores: Option<Cores>) -> Result<TwoNodes, String> {
        if kind != ServerKind::Framework {
            return Err(format!(
                "two nodes are run for `framework` only, not `{}`",
                kind.name()
            ));
        }
        // redis-server inherits this thread's affinity, as the nodes do in `Server::start`.
        if let Some(c) = cores {
            sys::pin_current_thread(c.server).map_err(|e| format!("sched_setaffinity: {e}"))?;
        }
        // Blocks this thread until Redis answers PING (at most a few seconds); nothing else
        // runs meanwhile.
        let redis = RedisServer::try_start(&[]);
        if let Some(c) = cores {
            sys::pin_current_thread(c.client).map_err(|e| format!("sched_setaffinity: {e}"))?;
        }
        let redis = redis.map_err(|e| format!("redis-server: {e}"))?;
        let url = redis.url();
        let env = [(REDIS_URL_ENV, url.as_str())];
        let a = Server::start_with_env(kind, cores, None, &env).await?;
        let b = Server::start_with_env(kind, cores, None, &env).await?;
        Ok(TwoNodes {
            nodes: [a, b],
            redis,
        })
    }

    /// The processes whose CPU time counts as the server's: both nodes and Redis.
    pub fn pids(&self) -> Vec<u32> {
        let mut pids: Vec<u32> = self.nodes.iter().map(|n| n.pid).collect();
        pids.extend(self.redis.pid());
        pids
    }

    /// Kills the nodes, then Redis.
    pub async fn stop(self) {
        let TwoNodes { nodes, mut redis } = self;
        for node in nodes {
            node.stop().await;
        }
        redis.stop();
    }
}

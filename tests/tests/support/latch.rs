//! Latches for test gateways: a hook or handler that must still be "in progress" while a client
//! sends more waits on a latch that the test releases, instead of sleeping and hoping the
//! messages arrive in time (a sleep passes vacuously on a slow machine).
//!
//! A latch is named by a key, in practice the id of the socket under test. A fixture waits on
//! it with [`Latches::wait`]; the JavaScript suite releases it by emitting `release` with the
//! key on the `/latch` namespace of [`LatchGateway`] (`lib/latch.mjs`), over the same engine.io
//! connection as the socket under test. socket.io handles the packets of one connection in the
//! order they arrive, so every message the client sent on that socket before the release has
//! reached the server (and is queued behind the hook, or holds its turn) when the latch opens.
//!
//! ```ignore
//! #[injectable]
//! struct SlowGateway { latches: Arc<Latches> }
//!
//! #[web_socket_gateway(namespace = "/slow")]
//! impl SlowGateway {
//!     async fn handle_connection(&self, socket: SocketRef) {
//!         self.latches.wait(&socket.id().to_string()).await; // until the client releases it
//!     }
//! }
//!
//! #[module(providers = [Latches, LatchGateway, SlowGateway])]
//! struct AppModule;
//! ```
//!
//! Once released, a latch stays open: every later wait on its key returns at once. A release
//! that comes before the wait opens it all the same.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use gateway_core::prelude::*;
use tokio::sync::watch;

/// How long [`Latches::wait`] waits before it gives up (by panicking, which the framework turns
/// into a failed hook or an "Internal server error": the test sees it fail).
pub const LATCH_TIMEOUT: Duration = Duration::from_secs(10);

/// Named latches, shared by the fixtures that wait and the [`LatchGateway`] that releases them.
#[injectable]
pub struct Latches {
    by_key: Mutex<HashMap<String, watch::Sender<bool>>>,
}

impl Latches {
    fn latch(&self, key: &str) -> watch::Sender<bool> {
        let mut by_key = self.by_key.lock().unwrap_or_else(|e| e.into_inner());
        by_key
            .entry(key.to_owned())
            .or_insert_with(|| watch::Sender::new(false))
            .clone()
    }

    /// Waits until the latch `key` is released (at once if it already was).
    ///
    /// # Panics
    ///
    /// If it is not released within [`LATCH_TIMEOUT`]: the test forgot to release it, or the
    /// release never reached the server.
    pub async fn wait(&self, key: &str) {
        let mut open = self.latch(key).subscribe();
        match tokio::time::timeout(LATCH_TIMEOUT, open.wait_for(|open| *open)).await {
            Ok(Ok(_)) => {}
            Ok(Err(_)) => unreachable!("the sender lives in `self`"),
            Err(_) => panic!(
                "latch {key:?} was not released within {} s",
                LATCH_TIMEOUT.as_secs()
            ),
        }
    }

    /// Opens the latch `key` for good.
    pub fn release(&self, key: &str) {
        self.latch(key).send_replace(true);
    }
}

/// The `/latch` namespace: `release(key)` opens the latch `key` and acks `true`.
#[injectable]
pub struct LatchGateway {
    latches: Arc<Latches>,
}

#[web_socket_gateway(namespace = "/latch")]
impl LatchGateway {
    #[subscribe_message("release")]
    fn release(&self, #[message_body] key: String) -> bool {
        self.latches.release(&key);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn latches() -> Latches {
        Latches {
            by_key: Mutex::default(),
        }
    }

    #[tokio::test]
    async fn a_wait_returns_once_released_and_then_at_once() {
        let latches = Arc::new(latches());
        let waiting = tokio::spawn({
            let latches = latches.clone();
            async move { latches.wait("k").await }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "not released yet");
        latches.release("k");
        waiting.await.expect("the wait ends");
        latches.wait("k").await;
    }

    #[tokio::test]
    async fn a_release_before_the_wait_counts() {
        let latches = latches();
        latches.release("early");
        latches.wait("early").await;
    }
}

//! Port 3001, namespace `/notifications`: a ticker and topic subscriptions.

use std::sync::Mutex;
use std::time::Duration;

use gateway_core::prelude::*;
use tokio::task::AbortHandle;

use crate::Clock;

/// `tick`, to every client once a second.
#[derive(Debug, Serialize, JsonSchema, Event)]
#[event("tick")]
pub struct Tick {
    /// Unix milliseconds.
    pub at: u64,
}

/// The ack of `subscribe`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Subscribed {
    /// The topic joined.
    pub subscribed: String,
}

/// The notifications gateway, on its own port.
#[injectable]
pub struct NotificationsGateway {
    clock: Arc<Clock>,
    ticker: Mutex<Option<AbortHandle>>,
}

#[web_socket_gateway(port = 3001, namespace = "/notifications", emits = [Tick])]
impl NotificationsGateway {
    /// Starts the ticker: `tick` `{"at"}` to every client once a second. Each node ticks
    /// its own clients (`local()`), so that with Redis a client still gets one a second.
    async fn after_init(&self, server: WsServer) {
        let clock = self.clock.clone();
        let task = tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(1));
            loop {
                every.tick().await;
                if let Err(e) = server
                    .all()
                    .local()
                    .emit_event(&Tick { at: clock.now_ms() })
                    .await
                {
                    tracing::warn!("tick not sent: {e}");
                }
            }
        });
        *self.ticker.lock().unwrap_or_else(|e| e.into_inner()) = Some(task.abort_handle());
    }

    /// Joins the topic's room; acks `{"subscribed": topic}`.
    #[subscribe_message("subscribe")]
    fn subscribe(
        &self,
        #[connected_socket] socket: SocketRef,
        #[message_body] topic: String,
    ) -> Subscribed {
        socket.join(topic.clone());
        Subscribed { subscribed: topic }
    }
}

impl OnApplicationShutdown for NotificationsGateway {
    async fn on_application_shutdown(&self) {
        if let Some(ticker) = self.ticker.lock().unwrap_or_else(|e| e.into_inner()).take() {
            ticker.abort();
        }
    }
}

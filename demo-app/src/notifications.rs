//! Port 3001, namespace `/notifications`: a ticker and topic subscriptions.

use std::sync::Mutex;
use std::time::Duration;

use gateway_core::prelude::*;
use serde_json::{Value, json};
use tokio::task::AbortHandle;

use crate::Clock;

/// The notifications gateway, on its own port.
#[injectable]
pub struct NotificationsGateway {
    clock: Arc<Clock>,
    ticker: Mutex<Option<AbortHandle>>,
}

#[web_socket_gateway(port = 3001, namespace = "/notifications")]
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
                    .emit("tick", &json!({ "at": clock.now_ms() }))
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
    ) -> Value {
        socket.join(topic.clone());
        json!({ "subscribed": topic })
    }
}

impl OnApplicationShutdown for NotificationsGateway {
    async fn on_application_shutdown(&self) {
        if let Some(ticker) = self.ticker.lock().unwrap_or_else(|e| e.into_inner()).take() {
            ticker.abort();
        }
    }
}

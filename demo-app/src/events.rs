//! Namespace `/`: the NestJS sample gateway's events.

use gateway_core::prelude::*;
use gateway_core::stream::{self, Stream};
use serde_json::Value;

/// `events`, `identity`, `message`.
#[injectable]
pub struct EventsGateway;

#[web_socket_gateway]
impl EventsGateway {
    /// Three `events` events, `1`, `2`, `3`: a stream of responses.
    #[subscribe_message("events")]
    fn events(&self) -> impl Stream<Item = WsResponse<u32>> + use<> {
        stream::iter((1..=3).map(|n| WsResponse::new("events", n)))
    }

    /// Acks the number it is sent.
    #[subscribe_message("identity")]
    async fn identity(&self, #[message_body] n: serde_json::Number) -> serde_json::Number {
        n
    }

    /// Sends the payload back as `message-back`.
    #[subscribe_message("message")]
    async fn message(&self, #[message_body] data: Value) -> WsResponse<Value> {
        WsResponse::new("message-back", data)
    }
}

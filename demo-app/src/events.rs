//! Namespace `/`: the NestJS sample gateway's events.

use gateway_core::prelude::*;
use gateway_core::stream::{self, Stream};
use serde_json::{Value, json};
use validator::Validate;

use crate::auth::AuthService;

/// `{"name"}`: 1 to 32 characters.
#[derive(Debug, Deserialize, Validate)]
pub struct LoginDto {
    /// Who logs in; `admin` gets the admin role.
    #[validate(length(min = 1, max = 32))]
    pub name: String,
}

/// `events`, `identity`, `message`, `login`.
#[injectable]
pub struct EventsGateway {
    auth: Arc<AuthService>,
}

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

    /// Acks `{"token"}`: a JWT (HS256, one hour) for `/chat`.
    #[subscribe_message("login")]
    fn login(&self, #[message_body(ValidationPipe)] dto: LoginDto) -> WsResult<Value, BoxError> {
        Ok(json!({ "token": self.auth.issue(&dto.name)? }))
    }

    /// Sends the payload back as `message-back`.
    #[subscribe_message("message")]
    async fn message(&self, #[message_body] data: Value) -> WsResponse<Value> {
        WsResponse::new("message-back", data)
    }
}

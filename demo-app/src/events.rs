//! Namespace `/`: the NestJS sample gateway's events.

use gateway_core::prelude::*;
use gateway_core::stream::{self, Stream};
use serde_json::Value;
use validator::Validate;

use crate::auth::AuthService;

/// `{"name"}`: 1 to 32 characters.
#[derive(Debug, Deserialize, Validate, JsonSchema)]
pub struct LoginDto {
    /// Who logs in; `admin` gets the admin role.
    #[validate(length(min = 1, max = 32))]
    pub name: String,
}

/// The ack of `login`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TokenDto {
    /// A JWT (HS256, one hour) for `/chat`'s `auth`.
    pub token: String,
}

/// `events`: 1, 2, then 3, the answers to `events`.
#[derive(Debug, Serialize, JsonSchema, Event)]
#[event("events")]
#[serde(transparent)]
pub struct Count(pub u32);

/// `message-back`: the payload of `message`, sent back.
#[derive(Debug, Serialize, JsonSchema, Event)]
#[event("message-back")]
#[serde(transparent)]
pub struct MessageBack(pub Value);

/// `events`, `identity`, `message`, `login`.
#[injectable]
pub struct EventsGateway {
    auth: Arc<AuthService>,
}

#[web_socket_gateway(emits = [Count, MessageBack])]
impl EventsGateway {
    /// Three `events` events, `1`, `2`, `3`: a stream of responses.
    #[subscribe_message("events")]
    fn events(&self) -> impl Stream<Item = WsResponse<Count>> + use<> {
        stream::iter((1..=3).map(|n| WsResponse::event(Count(n))))
    }

    /// Acks the number it is sent.
    #[subscribe_message("identity")]
    async fn identity(&self, #[message_body] n: serde_json::Number) -> serde_json::Number {
        n
    }

    /// Acks `{"token"}`: a JWT (HS256, one hour) for `/chat`.
    #[subscribe_message("login")]
    fn login(&self, #[message_body(ValidationPipe)] dto: LoginDto) -> WsResult<TokenDto, BoxError> {
        Ok(TokenDto {
            token: self.auth.issue(&dto.name)?,
        })
    }

    /// Sends the payload back as `message-back`.
    #[subscribe_message("message")]
    async fn message(&self, #[message_body] data: Value) -> WsResponse<MessageBack> {
        WsResponse::event(MessageBack(data))
    }
}

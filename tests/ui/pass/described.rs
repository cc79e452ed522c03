//! The API description's forms: typed events declared with `emits`, bodies and acks with and
//! without `JsonSchema` (described as any value), a guard describing `auth`.
use gateway_core::prelude::*;

#[derive(Deserialize, JsonSchema)]
struct Described {
    n: u32,
}

// No `JsonSchema`: still a body and an ack, described as `{}`.
#[derive(Deserialize, Serialize)]
struct Plain {
    n: u32,
}

#[derive(Serialize, JsonSchema, Event)]
#[event("pong")]
struct Pong {
    n: u32,
}

#[derive(Serialize, JsonSchema, Event)]
#[event("room")]
#[serde(transparent)]
struct Room(String);

#[injectable]
struct AuthGuard;

impl ConnectionGuard for AuthGuard {
    async fn can_connect(&self, _: &ConnectionContext<'_>) -> Result<bool, ConnectionRefused> {
        Ok(true)
    }
    fn auth_schema(generator: &mut schemars::SchemaGenerator) -> Option<schemars::Schema> {
        Some(generator.subschema_for::<Described>())
    }
}

#[injectable]
struct PingGateway;

#[web_socket_gateway(namespace = "/ping", emits = [Pong, Room])]
#[use_connection_guards(AuthGuard)]
impl PingGateway {
    #[subscribe_message("ping")]
    async fn ping(&self, #[connected_socket] s: SocketRef, #[message_body] d: Described) -> WsResult<Option<Plain>, BoxError> {
        s.emit_event(&Pong { n: d.n })?;
        s.broadcast().emit_event(&Room("r".into())).await?;
        Ok(Some(Plain { n: d.n }))
    }

    #[subscribe_message("plain")]
    fn plain(&self, #[message_body] p: Plain) -> Plain {
        p
    }

    #[subscribe_message("room")]
    fn room(&self, #[message_body] r: String) -> WsResponse<Room> {
        WsResponse::event(Room(r))
    }
}

#[module(providers = [PingGateway, AuthGuard])]
struct AppModule;

fn main() {
    let api = GatewayApplication::describe::<AppModule>();
    let _ = (api.asyncapi(), api.typescript());
}

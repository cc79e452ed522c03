//! A gateway whose API is written down: typed events, schemas from the types, the document.
use gateway_core::prelude::*;
use validator::Validate;

#[derive(Deserialize, Validate, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct SendDto {
    #[validate(length(min = 1, max = 64))]
    room_id: String, // "roomId": minLength 1, maxLength 64
    #[validate(length(min = 1, max = 2000))]
    message: String,
}

#[derive(Serialize, JsonSchema)]
struct Ack {
    ok: bool,
}

#[derive(Serialize, JsonSchema, Event)]
#[event("chat/receive")] // the event name, written once
struct ChatReceive {
    message: String,
}

#[injectable]
struct ChatGateway;

#[web_socket_gateway(namespace = "/chat", emits = [ChatReceive])]
#[use_pipes(ValidationPipe)]
impl ChatGateway {
    #[subscribe_message("chat/send")]
    async fn send(
        &self,
        #[connected_socket] socket: SocketRef,
        #[message_body] dto: SendDto,
    ) -> WsResult<Ack, BoxError> {
        socket
            .within(dto.room_id)
            .emit_event(&ChatReceive {
                message: dto.message,
            })
            .await?;
        Ok(Ack { ok: true }) // the ack, described as the reply
    }
}

#[module(providers = [ChatGateway])]
struct AppModule;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let api = GatewayApplication::describe::<AppModule>()
        .title("Chat")
        .server("127.0.0.1", 3000);
    if std::env::args().any(|a| a == "--asyncapi") {
        print!("{}", api.asyncapi_json()); // or api.write_typescript("web/src/api")
        return Ok(());
    }
    let app = GatewayApplication::create::<AppModule>().await?;
    app.with_routes(api.router()).listen("127.0.0.1:3000").await // GET /asyncapi.json
}

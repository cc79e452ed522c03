//! A chat gateway, a service injected into it, and the application.
use gateway_core::prelude::*;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SendDto {
    room_id: String,
    message: String,
}

#[derive(Serialize)]
struct Ack {
    ok: bool,
}

#[injectable]
struct ChatService; // a provider: rooms, history...

impl ChatService {
    fn room(&self, dto: &SendDto) -> String {
        format!("room:{}", dto.room_id)
    }
}

#[injectable]
struct ChatGateway {
    chat: Arc<ChatService>,
} // injected by type

#[web_socket_gateway(namespace = "/chat", cors(origin = "*"))]
impl ChatGateway {
    #[subscribe_message("chat/send")]
    async fn send(
        &self,
        #[connected_socket] socket: SocketRef,
        #[message_body] dto: SendDto,
    ) -> WsResult<Ack, BoxError> {
        socket
            .within(self.chat.room(&dto))
            .emit("chat/receive", &dto.message)
            .await?;
        Ok(Ack { ok: true }) // answers the client's ack
    }
}

#[module(providers = [ChatService, ChatGateway])]
struct AppModule;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    GatewayApplication::create::<AppModule>()
        .await?
        .listen("127.0.0.1:3000")
        .await
}

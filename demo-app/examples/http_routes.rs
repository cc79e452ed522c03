//! An HTTP route beside a gateway, on the same port: it injects a service that emits into a room.
use axum::{Json, Router, extract::Path, routing::post};
use gateway_core::{Inject, prelude::*};

#[injectable]
struct Rooms {
    #[web_socket_server]
    server: WsServer,
} // any provider may hold the server

impl Rooms {
    async fn announce(&self, room: String, text: String) -> Result<(), EmitError> {
        let chat = self.server.of("/chat").ok_or(EmitError::Closed)?;
        chat.to(room).emit("announcement", &text).await
    }
}

#[injectable]
struct ChatGateway;

#[web_socket_gateway(namespace = "/chat")]
impl ChatGateway {
    #[subscribe_message("join")]
    fn join(&self, #[connected_socket] socket: SocketRef, #[message_body] room: String) {
        socket.join(room)
    }
}

async fn announce(
    Inject(rooms): Inject<Rooms>,
    Path(room): Path<String>,
    Json(text): Json<String>,
) -> String {
    rooms
        .announce(room, text)
        .await
        .map_or_else(|e| e.to_string(), |()| "sent".into())
}

#[module(providers = [Rooms, ChatGateway])]
struct AppModule;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let routes = Router::new().route("/rooms/{room}/announce", post(announce));
    GatewayApplication::create::<AppModule>()
        .await?
        .with_routes(routes)
        .listen("127.0.0.1:3000")
        .await
}

//! Asking the clients: a room's answers with a deadline, one client's answer, a volatile emit,
//! and msgpack on the wire.
use std::time::Duration;

use gateway_core::prelude::*;

#[derive(Serialize)]
struct Readiness {
    ready: usize,
    late: usize,
}

#[injectable]
struct GameGateway;

#[web_socket_gateway(namespace = "/game", parser = "msgpack")] // clients use socket.io-msgpack-parser
impl GameGateway {
    #[subscribe_message("start")]
    async fn start(
        &self,
        #[connected_socket] socket: SocketRef,
        #[message_body] room: String,
    ) -> WsResult<Readiness, BoxError> {
        let answers: Vec<AckResponse<bool>> = socket
            .within(room)
            .timeout(Duration::from_secs(2)) // io.in(room).timeout(2000)
            .emit_with_ack("ready?", &()) //   .emitWithAck("ready?")
            .await?; // one answer per socket, on every node
        let ready = answers.iter().filter(|a| a.answer() == Some(&true)).count();
        let late = answers.iter().filter(|a| a.timed_out()).count();
        Ok(Readiness { ready, late })
    }

    #[subscribe_message("name")]
    async fn name(&self, #[connected_socket] socket: SocketRef) -> WsResult<String, BoxError> {
        let name: String = socket.emit_with_ack("your-name?", &()).await?; // EmitError::AckTimeout after 5 s
        Ok(name)
    }

    #[subscribe_message("move")]
    async fn moved(
        &self,
        #[connected_socket] socket: SocketRef,
        #[message_body] at: (f64, f64),
    ) -> WsResult<(), BoxError> {
        socket.broadcast().volatile().emit("moved", &at).await?; // dropped for a client not ready
        Ok(())
    }
}

#[module(providers = [GameGateway])]
struct AppModule;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    GatewayApplication::create::<AppModule>()
        .await?
        .listen("127.0.0.1:3000")
        .await
}

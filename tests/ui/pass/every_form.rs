use gateway_core::prelude::*;
use gateway_core::stream::{self, Stream};

#[derive(Deserialize)]
struct Dto {
    text: String,
}

#[injectable]
struct Service;

#[injectable]
struct EveryGateway {
    #[web_socket_server]
    server: WsServer,
    service: Arc<Service>,
}

#[web_socket_gateway(3001, namespace = regex("^/\\w+$"), cors(origin = ["http://a.test"], credentials = true, methods = ["GET", "POST"]), path = "/ws", transports = ["websocket", "polling"], ping_interval = 1000, ping_timeout = 2000, connect_timeout = 3000, max_payload = 4096, parser = "msgpack")]
impl EveryGateway {
    async fn after_init(&self, _server: WsServer) {}
    fn handle_connection(&self, _socket: SocketRef) -> Result<(), WsException> {
        Ok(())
    }
    async fn handle_disconnect(&self, _socket: SocketRef) {}

    #[subscribe_message("value")]
    async fn value(&self, #[message_body] dto: Dto) -> String {
        dto.text
    }
    #[subscribe_message("tuple")]
    fn tuple(&self, #[message_body] (a, b): (i32, String)) -> (i32, String) {
        (a, b)
    }
    #[subscribe_message("prop")]
    fn prop(&self, #[message_body("text")] text: Option<String>) -> Option<String> {
        text
    }
    #[subscribe_message("stream")]
    fn stream(&self) -> impl Stream<Item = WsResponse<u8>> + use<> {
        stream::iter([WsResponse::new("n", 1)])
    }
    #[subscribe_message("manual")]
    fn manual(&self, ack: AckSender, #[connected_socket] socket: SocketRef) -> WsResult<()> {
        ack.send(&socket.id().to_string()).map_err(|e| WsException::new(e.to_string()))
    }
    #[subscribe_message("fail")]
    async fn fail(&self) -> Result<u8, BoxError> {
        let _ = (&self.server, &self.service);
        Err("boom".into())
    }
}

#[module(providers = [Service], exports = [Service])]
struct ServiceModule;

#[module(imports = [ServiceModule], providers = [EveryGateway])]
struct AppModule;

fn main() {
    let _ = GatewayApplication::create::<AppModule>();
}

//! State a client can make the server keep is freed when the client leaves: the child
//! namespace of a pattern gateway (`/rooms/{room}`) goes with its last socket, so connecting to
//! many distinct paths does not grow the server for good. Driven by the official
//! socket.io-client (`tests/js/bounded.test.mjs`); the server side is read through the
//! pattern gateway's `WsServer`.

use gateway_core::prelude::*;
use gateway_tests::node::run_node_suite_async;

#[injectable]
struct RoomGateway {
    #[web_socket_server]
    server: WsServer,
}

#[web_socket_gateway(namespace = "/rooms/{room}")]
impl RoomGateway {
    #[subscribe_message("ping")]
    fn ping(&self) -> &'static str {
        "pong"
    }
}

/// Answers whether namespaces of `RoomGateway` exist on the server.
#[injectable]
struct ProbeGateway {
    rooms: Arc<RoomGateway>,
}

#[web_socket_gateway(namespace = "/probe")]
impl ProbeGateway {
    #[subscribe_message("exists")]
    fn exists(&self, #[message_body] paths: Vec<String>) -> Vec<bool> {
        paths
            .iter()
            .map(|p| self.rooms.server.of(p).is_some())
            .collect()
    }
}

#[module(providers = [RoomGateway, ProbeGateway])]
struct AppModule;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pattern_namespace_is_freed_with_its_last_socket() {
    let app = GatewayApplication::create::<AppModule>()
        .await
        .expect("builds")
        .start("127.0.0.1:0")
        .await
        .expect("starts");
    let env = vec![("URL", format!("http://{}", app.addr()))];
    let out = run_node_suite_async("bounded.test.mjs", env).await;
    app.shutdown().await;
    match out {
        Ok(report) => println!("{report}"),
        Err(report) => panic!("socket.io-client suite failed:\n{report}"),
    }
}

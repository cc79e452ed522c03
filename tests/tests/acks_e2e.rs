//! Acks the server asks of its clients (`emit_with_ack` to one socket, a room, every client,
//! with a timeout), volatile emits, binary data and every error path, through the official
//! socket.io-client (`tests/js/acks.test.mjs`), once with socket.io's default parser and once
//! with `socket.io-msgpack-parser` against a server on msgpack.

use std::time::Duration;

use bytes::Bytes;
use gateway_core::prelude::*;
use gateway_core::{Parser, RunningApp};
use gateway_tests::node::run_node_suite_async;
use serde_json::{Value, json};

/// One socket's answer as the suite compares it: `{answered}`, `"timed out"` or `"bad answer"`.
fn outcome<T: Serialize>(response: &AckResponse<T>) -> Value {
    match &response.result {
        Ok(answer) => json!({ "answered": answer }),
        Err(EmitError::AckTimeout) => json!("timed out"),
        Err(EmitError::AckDecode(_)) => json!("bad answer"),
        Err(other) => json!({ "error": other.to_string() }),
    }
}

#[derive(Serialize, Deserialize)]
struct File {
    name: String,
    data: Bytes,
}

#[derive(Deserialize, validator::Validate)]
#[serde(rename_all = "camelCase")]
struct ScoreDto {
    #[validate(length(min = 1, max = 8))]
    room_id: String,
    #[validate(range(min = 1, max = 10))]
    points: u8,
}

#[injectable]
struct AcksGateway {
    #[web_socket_server]
    server: WsServer,
}

#[web_socket_gateway(namespace = "/acks")]
impl AcksGateway {
    #[subscribe_message("join")]
    fn join(&self, #[connected_socket] socket: SocketRef, #[message_body] room: String) -> bool {
        socket.join(room);
        true
    }

    /// Asks the sender, with this deadline (ms).
    #[subscribe_message("ask-me")]
    async fn ask_me(
        &self,
        #[connected_socket] socket: SocketRef,
        #[message_body] ms: u64,
    ) -> Value {
        let asked = socket
            .timeout(Duration::from_millis(ms))
            .emit_with_ack::<Value, _>("question", &"who are you?")
            .await;
        match asked {
            Ok(answer) => json!({ "answered": answer }),
            Err(EmitError::AckTimeout) => json!("timed out"),
            Err(e) => json!({ "error": e.to_string() }),
        }
    }

    /// Asks the sender for a file (binary inside), and acks it back as it came.
    #[subscribe_message("ask-file")]
    async fn ask_file(&self, #[connected_socket] socket: SocketRef) -> WsResult<File, BoxError> {
        Ok(socket.emit_with_ack("send-file", &()).await?)
    }

    /// Asks every other socket of a room to count, with this deadline (ms); acks each
    /// socket's outcome by id.
    #[subscribe_message("ask-room")]
    async fn ask_room(
        &self,
        #[connected_socket] socket: SocketRef,
        #[message_body] (room, ms): (String, u64),
    ) -> WsResult<Value, BoxError> {
        let answers = socket
            .to(room)
            .timeout(Duration::from_millis(ms))
            .emit_with_ack::<u32, _>("count?", &())
            .await?;
        Ok(answers
            .iter()
            .map(|a| (a.socket.to_string(), outcome(a)))
            .collect::<serde_json::Map<_, _>>()
            .into())
    }

    /// Asks every client of the gateway, with this deadline (ms), through the server.
    #[subscribe_message("ask-all")]
    async fn ask_all(&self, #[message_body] ms: u64) -> WsResult<Value, BoxError> {
        let answers = self
            .server
            .timeout(Duration::from_millis(ms))
            .emit_with_ack::<u32, _>("count?", &())
            .await?;
        Ok(answers
            .iter()
            .map(|a| (a.socket.to_string(), outcome(a)))
            .collect::<serde_json::Map<_, _>>()
            .into())
    }

    /// A volatile emit to the others in the room.
    #[subscribe_message("typing")]
    async fn typing(
        &self,
        #[connected_socket] socket: SocketRef,
        #[message_body] room: String,
    ) -> WsResult<(), BoxError> {
        socket
            .to(room.clone())
            .volatile()
            .emit("typing", &room)
            .await?;
        Ok(())
    }

    /// A file sent with binary data, acked back as it came.
    #[subscribe_message("upload")]
    fn upload(&self, #[message_body] file: File) -> File {
        file
    }

    /// A validated body: every field that fails is named.
    #[subscribe_message("score")]
    fn score(&self, #[message_body(ValidationPipe)] dto: ScoreDto) -> u8 {
        dto.points
    }
}

/// A gateway that asks for msgpack itself, on a port of its own.
#[injectable]
struct PackedGateway;

#[web_socket_gateway(port = 4301, namespace = "/packed", parser = "msgpack")]
impl PackedGateway {
    #[subscribe_message("echo")]
    fn echo(&self, #[message_body] file: File) -> File {
        file
    }
}

#[module(providers = [AcksGateway, PackedGateway])]
struct AcksModule;

async fn start(parser: Option<Parser>) -> RunningApp {
    let app = GatewayApplication::create::<AcksModule>()
        .await
        .expect("the module builds")
        .map_port(4301, 0);
    let app = match parser {
        Some(parser) => app.parser(parser),
        None => app,
    };
    app.start("127.0.0.1:0").await.expect("the app starts")
}

async fn run_suite(parser: Option<Parser>, name: &str) {
    let app = start(parser).await;
    let env = vec![
        ("ACKS_URL", format!("http://{}", app.addr())),
        (
            "PACKED_URL",
            format!("http://{}", app.port_addr(4301).expect("the packed port")),
        ),
        ("SOCKETIO_PARSER", name.to_owned()),
    ];
    let out = run_node_suite_async("acks.test.mjs", env).await;
    app.shutdown().await;
    match out {
        Ok(report) => println!("{report}"),
        Err(report) => panic!("socket.io-client suite ({name} parser) failed:\n{report}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_acks_and_volatile_emits_with_the_default_parser() {
    run_suite(None, "default").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_acks_volatile_emits_binary_and_errors_on_msgpack() {
    run_suite(Some(Parser::Msgpack), "msgpack").await;
}

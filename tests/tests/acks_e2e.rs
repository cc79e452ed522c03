//! Acks the server asks of its clients (`emit_with_ack` to one socket, a room, every client,
//! with a timeout), volatile emits, binary data and every error path: through the official
//! socket.io-client (`tests/js/acks.test.mjs`), once with socket.io's default parser and once
//! with `socket.io-msgpack-parser` against a server on msgpack; and through the Rust test
//! client (`gateway_core::testing::TestClient`, which answers with `expect_with_ack`).
//!
//! A client that never answers is reported as timed out: no test races the clock, the
//! answering clients answer as soon as they are asked and the silent one never does.

use std::time::Duration;

use bytes::Bytes;
use gateway_core::prelude::*;
use gateway_core::testing::{TestClient, TestClientError};
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

/// Every socket's outcome, by socket id.
fn by_socket<T: Serialize>(answers: &[AckResponse<T>]) -> Value {
    answers
        .iter()
        .map(|a| (a.socket.to_string(), outcome(a)))
        .collect::<serde_json::Map<_, _>>()
        .into()
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
        Ok(by_socket(&answers))
    }

    /// Asks every client of the gateway, with this deadline (ms), through the server.
    #[subscribe_message("ask-all")]
    async fn ask_all(&self, #[message_body] ms: u64) -> WsResult<Value, BoxError> {
        let answers = self
            .server
            .timeout(Duration::from_millis(ms))
            .emit_with_ack::<u32, _>("count?", &())
            .await?;
        Ok(by_socket(&answers))
    }

    /// One volatile emit: to the sender (`"you"`) or to every client (`"all"`). One at a
    /// time: a socket keeps only the latest volatile message its transport has not written.
    #[subscribe_message("volatile")]
    async fn volatile(
        &self,
        #[connected_socket] socket: SocketRef,
        #[message_body] to: String,
    ) -> WsResult<(), BoxError> {
        match to.as_str() {
            "you" => socket.volatile().emit("to-you", &1)?,
            _ => self.server.volatile().emit("to-all", &2).await?,
        }
        Ok(())
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

// ---------------------------------------------------------------------------------------------
// The same gateway through the Rust test client.

async fn client(app: &RunningApp) -> Result<TestClient, TestClientError> {
    TestClient::connect(app.addr(), "/acks").await
}

#[tokio::test]
async fn rust_client_answers_the_server_typed() -> Result<(), BoxError> {
    let app = start(None).await;
    let client = client(&app).await?;
    let asked = client.emit_with_ack::<Value>("ask-me", &5_000);
    let answer = async {
        let (question, ack): (String, _) = client.expect_with_ack("question").await?;
        assert_eq!(question, "who are you?");
        ack.answer(&"ada")
    };
    let (asked, answered) = tokio::join!(asked, answer);
    answered?;
    assert_eq!(asked?, json!({ "answered": "ada" }));
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn rust_client_that_never_answers_times_out() -> Result<(), BoxError> {
    let app = start(None).await;
    let client = client(&app).await?;
    // The client takes the question and never answers it.
    let asked = client.emit_with_ack::<Value>("ask-me", &50);
    let (asked, question) = tokio::join!(asked, client.expect_with_ack::<String>("question"));
    drop(question?);
    assert_eq!(asked?, json!("timed out"));
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn rust_client_binary_answers_stay_binary() -> Result<(), BoxError> {
    let app = start(None).await;
    let client = client(&app).await?;
    let asked = client.emit_with_ack::<File>("ask-file", &());
    let answer = async {
        let ((), ack) = client.expect_with_ack("send-file").await?;
        let data = Bytes::from_static(&[0, 1, 2, 255]);
        ack.answer(&File {
            name: "a.bin".into(),
            data,
        })
    };
    let (asked, answered) = tokio::join!(asked, answer);
    answered?;
    let file = asked?;
    assert_eq!(file.name, "a.bin");
    assert_eq!(&file.data[..], &[0, 1, 2, 255]);
    app.shutdown().await;
    Ok(())
}

/// Three sockets of a room asked at once: one answers, one answers something that is not a
/// number, one never answers. Each is reported, none is dropped.
#[tokio::test]
async fn rust_clients_every_socket_of_a_room_is_reported() -> Result<(), BoxError> {
    let app = start(None).await;
    let (asker, answers, wrong, silent) = (
        client(&app).await?,
        client(&app).await?,
        client(&app).await?,
        client(&app).await?,
    );
    for member in [&answers, &wrong, &silent] {
        assert!(member.emit_with_ack::<bool>("join", &"r").await?);
    }
    // 2 s for the answering ones, who answer as soon as they are asked.
    let asked = asker.emit_with_ack::<Value>("ask-room", &("r", 2_000));
    let replies = async {
        let ((), ack) = answers.expect_with_ack("count?").await?;
        ack.answer(&7)?;
        let ((), ack) = wrong.expect_with_ack("count?").await?;
        ack.answer(&"seven")?;
        let ((), never) = silent.expect_with_ack("count?").await?;
        drop(never);
        Ok::<_, TestClientError>(())
    };
    let (asked, replied) = tokio::join!(asked, replies);
    replied?;
    assert_eq!(
        asked?,
        json!({
            (answers.id()): { "answered": 7 },
            (wrong.id()): "bad answer",
            (silent.id()): "timed out",
        })
    );
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn rust_clients_the_server_asks_every_client() -> Result<(), BoxError> {
    let app = start(None).await;
    let (a, b) = (client(&app).await?, client(&app).await?);
    // `a` is asked too (it is a client of the gateway): it answers 1, `b` answers 2.
    let asked = a.emit_with_ack::<Value>("ask-all", &2_000);
    let replies = async {
        let ((), ack) = a.expect_with_ack("count?").await?;
        ack.answer(&1)?;
        let ((), ack) = b.expect_with_ack("count?").await?;
        ack.answer(&2)
    };
    let (asked, replied) = tokio::join!(asked, replies);
    replied?;
    assert_eq!(
        asked?,
        json!({ (a.id()): { "answered": 1 }, (b.id()): { "answered": 2 } })
    );
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn rust_clients_get_volatile_emits_and_cannot_answer_them() -> Result<(), BoxError> {
    let app = start(None).await;
    let (a, b) = (client(&app).await?, client(&app).await?);
    assert!(a.emit_with_ack::<bool>("join", &"v").await?);
    assert!(b.emit_with_ack::<bool>("join", &"v").await?);
    a.emit("volatile", &"you").await?;
    assert_eq!(a.expect::<u32>("to-you").await?, 1);
    a.emit("volatile", &"all").await?;
    for c in [&a, &b] {
        assert_eq!(c.expect::<u32>("to-all").await?, 2);
    }
    a.emit("typing", &"v").await?;
    assert_eq!(b.expect::<String>("typing").await?, "v");
    // A plain (volatile) emit asks for no ack: there is nothing to answer.
    a.emit("volatile", &"you").await?;
    let err = a.expect_with_ack::<u32>("to-you").await.unwrap_err();
    assert!(matches!(err, TestClientError::NoAckAsked { .. }), "{err}");
    app.shutdown().await;
    Ok(())
}

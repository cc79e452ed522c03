//! Acks the server asks of its clients (`emit_with_ack` on a socket, a room, the server) and
//! volatile emits, against real gateways on 127.0.0.1 with the Rust test client. A client
//! that never answers is reported as timed out: no test races the clock, the answering
//! clients answer at once and the silent one never does.

use std::time::Duration;

use bytes::Bytes;
use gateway_core::RunningApp;
use gateway_core::prelude::*;
use gateway_core::testing::{TestClient, TestClientError};
use serde_json::{Value, json};

/// What one socket's answer became, as the tests compare it.
fn outcome<T: Serialize>(response: &AckResponse<T>) -> Value {
    match &response.result {
        Ok(answer) => json!({ "answered": answer }),
        Err(EmitError::AckTimeout) => json!("timed out"),
        Err(EmitError::AckDecode(_)) => json!("bad answer"),
        Err(other) => json!({ "error": other.to_string() }),
    }
}

/// Every socket's outcome, by socket id.
fn by_socket<T: Serialize>(responses: &[AckResponse<T>]) -> Value {
    let map: serde_json::Map<String, Value> = responses
        .iter()
        .map(|r| (r.socket.to_string(), outcome(r)))
        .collect();
    Value::Object(map)
}

#[injectable]
struct AskGateway {
    #[web_socket_server]
    server: WsServer,
}

#[web_socket_gateway(namespace = "/ask")]
impl AskGateway {
    #[subscribe_message("join")]
    fn join(&self, #[connected_socket] socket: SocketRef, #[message_body] room: String) -> bool {
        socket.join(room);
        true
    }

    /// Asks the sender itself, with this deadline (ms), and acks what came back.
    #[subscribe_message("ask-me")]
    async fn ask_me(
        &self,
        #[connected_socket] socket: SocketRef,
        #[message_body] ms: u64,
    ) -> Value {
        let asked = socket
            .timeout(Duration::from_millis(ms))
            .emit_with_ack::<String, _>("question", &"who are you?")
            .await;
        match asked {
            Ok(name) => json!({ "answered": name }),
            Err(EmitError::AckTimeout) => json!("timed out"),
            Err(e) => json!({ "error": e.to_string() }),
        }
    }

    /// Asks the sender for bytes, with the default deadline; acks their length.
    #[subscribe_message("ask-bytes")]
    async fn ask_bytes(&self, #[connected_socket] socket: SocketRef) -> WsResult<usize, BoxError> {
        let bytes: Bytes = socket.emit_with_ack("send-bytes", &()).await?;
        Ok(bytes.len())
    }

    /// Asks a room (the sender not in it) to count, with this deadline (ms).
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

    /// Asks every client of the gateway, through the server, with this deadline (ms).
    #[subscribe_message("ask-all")]
    async fn ask_all(&self, #[message_body] ms: u64) -> WsResult<Value, BoxError> {
        let answers = self
            .server
            .timeout(Duration::from_millis(ms))
            .emit_with_ack::<u32, _>("count?", &())
            .await?;
        Ok(by_socket(&answers))
    }

    /// One volatile emit: to the sender, to a room it is in, or to every client. One at a
    /// time: a socket keeps only the latest volatile message its transport has not written.
    #[subscribe_message("volatile")]
    async fn volatile(
        &self,
        #[connected_socket] socket: SocketRef,
        #[message_body] to: String,
    ) -> WsResult<(), BoxError> {
        match to.as_str() {
            "you" => socket.volatile().emit("to-you", &1)?,
            "all" => self.server.volatile().emit("to-all", &3).await?,
            room => socket.within(room).volatile().emit("to-room", &2).await?,
        }
        Ok(())
    }
}

#[module(providers = [AskGateway])]
struct AskModule;

async fn start() -> RunningApp {
    GatewayApplication::create::<AskModule>()
        .await
        .expect("the module builds")
        .start("127.0.0.1:0")
        .await
        .expect("the app starts")
}

#[tokio::test]
async fn a_socket_answers_the_server_typed() -> Result<(), BoxError> {
    let app = start().await;
    let client = TestClient::connect(app.addr(), "/ask").await?;
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
async fn a_socket_that_never_answers_times_out() -> Result<(), BoxError> {
    let app = start().await;
    let client = TestClient::connect(app.addr(), "/ask").await?;
    // The client takes the question and never answers it.
    let asked = client.emit_with_ack::<Value>("ask-me", &50);
    let (asked, question) = tokio::join!(asked, client.expect_with_ack::<String>("question"));
    drop(question?);
    assert_eq!(asked?, json!("timed out"));
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn binary_answers_stay_binary() -> Result<(), BoxError> {
    let app = start().await;
    let client = TestClient::connect(app.addr(), "/ask").await?;
    let asked = client.emit_with_ack::<usize>("ask-bytes", &());
    let answer = async {
        let ((), ack) = client.expect_with_ack("send-bytes").await?;
        ack.answer(&Bytes::from_static(&[0, 1, 2, 255]))
    };
    let (asked, answered) = tokio::join!(asked, answer);
    answered?;
    assert_eq!(asked?, 4);
    app.shutdown().await;
    Ok(())
}

/// Three sockets of a room asked at once: one answers, one answers something that is not a
/// number, one never answers. Each is reported, none is dropped.
#[tokio::test]
async fn every_socket_of_a_room_is_reported() -> Result<(), BoxError> {
    let app = start().await;
    let connect = || TestClient::connect(app.addr(), "/ask");
    let (asker, answers, wrong, silent) = (
        connect().await?,
        connect().await?,
        connect().await?,
        connect().await?,
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
async fn the_server_asks_every_client() -> Result<(), BoxError> {
    let app = start().await;
    let (a, b) = (
        TestClient::connect(app.addr(), "/ask").await?,
        TestClient::connect(app.addr(), "/ask").await?,
    );
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
async fn volatile_emits_reach_ready_clients() -> Result<(), BoxError> {
    let app = start().await;
    let client = TestClient::connect(app.addr(), "/ask").await?;
    assert!(client.emit_with_ack::<bool>("join", &"v").await?);
    client.emit("volatile", &"you").await?;
    assert_eq!(client.expect::<u32>("to-you").await?, 1);
    client.emit("volatile", &"v").await?;
    assert_eq!(client.expect::<u32>("to-room").await?, 2);
    client.emit("volatile", &"all").await?;
    assert_eq!(client.expect::<u32>("to-all").await?, 3);
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn an_event_without_an_ack_cannot_be_answered() -> Result<(), BoxError> {
    let app = start().await;
    let client = TestClient::connect(app.addr(), "/ask").await?;
    client.emit("volatile", &"you").await?;
    let err = client.expect_with_ack::<u32>("to-you").await.unwrap_err();
    assert!(matches!(err, TestClientError::NoAckAsked { .. }), "{err}");
    app.shutdown().await;
    Ok(())
}

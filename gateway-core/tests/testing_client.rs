//! `gateway_core::testing::TestClient` against real gateways on 127.0.0.1: each operation,
//! over a WebSocket and over HTTP long-polling, as socketioxide answers it.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;
use gateway_core::RunningApp;
use gateway_core::prelude::*;
use gateway_core::testing::{CloseReason, TestClient, TestClientError, Transport};
use serde_json::{Value, json};
use tokio::sync::Notify;

const TRANSPORTS: [Transport; 2] = [Transport::WebSocket, Transport::Polling];

#[derive(Serialize, Deserialize, validator::Validate)]
#[serde(rename_all = "camelCase")]
struct RoomDto {
    #[validate(length(min = 1, max = 8))]
    room_id: String,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct File {
    name: String,
    data: Bytes,
}

/// The reasons the server gave for each disconnect, in order.
#[injectable]
struct Disconnects {
    reasons: Mutex<Vec<String>>,
    changed: Notify,
}

impl Disconnects {
    /// Waits (bounded) until the server saw a disconnect, and returns its reason.
    async fn next(&self) -> String {
        let wait = async {
            loop {
                let notified = self.changed.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                if let Some(reason) = self.reasons.lock().unwrap_or_else(|e| e.into_inner()).pop() {
                    return reason;
                }
                notified.await;
            }
        };
        tokio::time::timeout(Duration::from_secs(5), wait)
            .await
            .expect("the server saw no disconnect within 5 s")
    }
}

#[injectable]
struct TestGateway {
    disconnects: Arc<Disconnects>,
}

#[web_socket_gateway(namespace = "/t")]
#[use_pipes(ValidationPipe)]
impl TestGateway {
    async fn handle_disconnect(&self, _socket: SocketRef, reason: DisconnectReason) {
        self.disconnects
            .reasons
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(reason.to_string());
        self.disconnects.changed.notify_waiters();
    }

    #[subscribe_message("echo")]
    fn echo(&self, #[message_body] text: String) -> String {
        text
    }

    #[subscribe_message("shout")]
    fn shout(&self, #[message_body] text: String) -> WsResponse<String> {
        WsResponse::new("shouted", text.to_uppercase())
    }

    #[subscribe_message("join")]
    fn join(&self, #[message_body] dto: RoomDto) -> WsResponse<RoomDto> {
        WsResponse::new("joined", dto)
    }

    #[subscribe_message("sum")]
    fn sum(&self, #[message_body] (a, b): (i64, i64)) -> i64 {
        a + b
    }

    #[subscribe_message("reverse")]
    fn reverse(&self, #[message_body] data: Bytes) -> Bytes {
        data.iter().rev().copied().collect()
    }

    #[subscribe_message("file")]
    fn file(&self, #[message_body] file: File) -> WsResponse<File> {
        WsResponse::new("file", file)
    }

    #[subscribe_message("parts")]
    fn parts(&self, #[connected_socket] socket: SocketRef) {
        socket
            .emit("parts", &(1, "two", Bytes::from_static(&[3, 3, 3])))
            .ok();
    }

    #[subscribe_message("kick")]
    fn kick(&self, #[connected_socket] socket: SocketRef) {
        socket.disconnect().ok();
    }
}

#[derive(Clone, Serialize)]
struct Visitor {
    name: String,
}

/// Lets in the clients whose auth has the token, named by the `name` query parameter.
#[injectable]
struct TokenGuard;

impl ConnectionGuard for TokenGuard {
    async fn can_connect(&self, ctx: &ConnectionContext<'_>) -> Result<bool, ConnectionRefused> {
        if ctx.auth()["token"] != "let-me-in" {
            return Err(ConnectionRefused::new("Bad token"));
        }
        let name = ctx.query("name").unwrap_or_default();
        ctx.socket().extensions().insert(Visitor { name });
        Ok(true)
    }
}

#[injectable]
struct GuardedGateway;

#[web_socket_gateway(namespace = "/guarded")]
#[use_connection_guards(TokenGuard)]
impl GuardedGateway {
    #[subscribe_message("whoami")]
    fn whoami(&self, Extension(visitor): Extension<Visitor>) -> Visitor {
        visitor
    }
}

#[module(providers = [Disconnects, TokenGuard, TestGateway, GuardedGateway])]
struct TestModule;

async fn start() -> RunningApp {
    start_recording().await.0
}

/// The app, and what records its disconnects.
async fn start_recording() -> (RunningApp, Arc<Disconnects>) {
    let app = GatewayApplication::create::<TestModule>()
        .await
        .expect("the test module resolves");
    let disconnects = app.get::<Disconnects>().expect("a provider");
    let app = app.start("127.0.0.1:0").await.expect("the test app starts");
    (app, disconnects)
}

async fn connect(app: &RunningApp, transport: Transport) -> TestClient {
    TestClient::builder(app.addr())
        .namespace("/t")
        .transport(transport)
        .connect()
        .await
        .unwrap_or_else(|e| panic!("{transport:?}: {e}"))
}

#[tokio::test]
async fn acks_come_back_typed() {
    let app = start().await;
    for transport in TRANSPORTS {
        let client = connect(&app, transport).await;
        let echoed: String = client.emit_with_ack("echo", "hello").await.unwrap();
        assert_eq!(echoed, "hello", "{transport:?}");
        let sum: i64 = client.emit_with_ack("sum", &(2, 40)).await.unwrap();
        assert_eq!(sum, 42, "{transport:?}");

        let wrong = client.emit_with_ack::<u32>("echo", "not a number").await;
        assert!(
            matches!(&wrong, Err(TestClientError::Decode { data, .. }) if data == "[\"not a number\"]"),
            "{transport:?}: {wrong:?}"
        );
    }
    app.shutdown().await;
}

#[tokio::test]
async fn events_wait_in_the_inbox_until_expected() {
    let app = start().await;
    for transport in TRANSPORTS {
        let client = connect(&app, transport).await;
        client.emit("shout", "a").await.unwrap();
        client
            .emit("join", &json!({ "roomId": "r1" }))
            .await
            .unwrap();
        client.emit("shout", "b").await.unwrap();

        // `joined` is expected first although it arrived between the two `shouted`.
        let joined: Value = client.expect("joined").await.unwrap();
        assert_eq!(joined, json!({ "roomId": "r1" }), "{transport:?}");
        let first: String = client.expect("shouted").await.unwrap();
        let second: String = client.expect("shouted").await.unwrap();
        assert_eq!(
            (first.as_str(), second.as_str()),
            ("A", "B"),
            "{transport:?}"
        );
    }
    app.shutdown().await;
}

#[tokio::test]
async fn a_validation_failure_is_an_exception_event() {
    let app = start().await;
    for transport in TRANSPORTS {
        let client = connect(&app, transport).await;
        client.emit("join", &json!({ "roomId": "" })).await.unwrap();
        let exception: Value = client.expect("exception").await.unwrap();
        assert_eq!(exception["message"], "Validation failed", "{transport:?}");
        assert_eq!(exception["errors"][0]["field"], "roomId", "{transport:?}");
        assert_eq!(exception["cause"]["pattern"], "join", "{transport:?}");
        // The ack of a later message proves the failed one was handled before it.
        let _: String = client.emit_with_ack("echo", "after").await.unwrap();
        client
            .expect_none("joined", Duration::from_millis(50))
            .await
            .unwrap();
    }
    app.shutdown().await;
}

#[tokio::test]
async fn expect_none_reports_the_event_that_came() {
    let app = start().await;
    let client = connect(&app, Transport::WebSocket).await;
    client.emit("shout", "oops").await.unwrap();
    let seen = client.expect_none("shouted", Duration::from_secs(5)).await;
    assert!(
        matches!(&seen, Err(TestClientError::Unexpected { event, data }) if event == "shouted" && data == "[\"shouted\",\"OOPS\"]"),
        "{seen:?}"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn binary_data_round_trips_as_attachments() {
    let app = start().await;
    for transport in TRANSPORTS {
        let client = connect(&app, transport).await;
        let reversed: Bytes = client
            .emit_with_ack("reverse", &Bytes::from_static(&[1, 2, 3, 0, 255]))
            .await
            .unwrap();
        assert_eq!(&reversed[..], &[255, 0, 3, 2, 1], "{transport:?}");

        let file = File {
            name: "a.bin".into(),
            data: Bytes::from_static(&[0, 42, 7]),
        };
        client.emit("file", &file).await.unwrap();
        let back: File = client.expect("file").await.unwrap();
        assert_eq!(back, file, "{transport:?}");
    }
    app.shutdown().await;
}

#[tokio::test]
async fn several_arguments_are_a_tuple() {
    let app = start().await;
    for transport in TRANSPORTS {
        let client = connect(&app, transport).await;
        client.emit("parts", &()).await.unwrap();
        let (one, two, three): (u8, String, Bytes) = client.expect("parts").await.unwrap();
        assert_eq!(
            (one, two.as_str(), &three[..]),
            (1, "two", &[3, 3, 3][..]),
            "{transport:?}"
        );
    }
    app.shutdown().await;
}

#[tokio::test]
async fn a_connection_guard_refusal_is_a_connect_error() {
    let app = start().await;
    for transport in TRANSPORTS {
        let refused = TestClient::builder(app.addr())
            .namespace("/guarded")
            .transport(transport)
            .auth(json!({ "token": "wrong" }))
            .connect_error()
            .await
            .unwrap();
        assert_eq!(refused.message, "Bad token", "{transport:?}");
        assert_eq!(refused.data, None, "{transport:?}");

        let connected = TestClient::builder(app.addr())
            .namespace("guarded")
            .transport(transport)
            .auth(json!({ "token": "let-me-in" }))
            .query("name", "Ada L.")
            .connect()
            .await
            .unwrap();
        let visitor: Value = connected.emit_with_ack("whoami", &()).await.unwrap();
        assert_eq!(visitor, json!({ "name": "Ada L." }), "{transport:?}");
    }
    app.shutdown().await;
}

#[tokio::test]
async fn an_unknown_namespace_is_a_connect_error() {
    let app = start().await;
    let error = TestClient::connect(app.addr(), "/nowhere")
        .await
        .unwrap_err();
    let refused = error.connect_error().expect("a connect_error");
    assert_eq!(refused.message, "Invalid namespace");

    // And a connect_error that does not come is an error too.
    let accepted = TestClient::builder(app.addr())
        .namespace("/t")
        .connect_error()
        .await;
    assert!(
        matches!(&accepted, Err(TestClientError::Accepted { namespace }) if namespace == "/t"),
        "{accepted:?}"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn a_server_disconnect_gives_its_reason() {
    let (app, disconnects) = start_recording().await;
    for transport in TRANSPORTS {
        let client = connect(&app, transport).await;
        client.emit("kick", &()).await.unwrap();
        assert_eq!(
            client.disconnected().await.unwrap(),
            CloseReason::ServerDisconnect,
            "{transport:?}"
        );
        assert_eq!(disconnects.next().await, "server namespace disconnect");

        let after = client.emit("echo", "late").await;
        assert!(
            matches!(
                after,
                Err(TestClientError::Disconnected(CloseReason::ServerDisconnect))
            ),
            "{transport:?}: {after:?}"
        );
    }
    app.shutdown().await;
}

#[tokio::test]
async fn a_client_disconnect_reaches_the_server() {
    let (app, disconnects) = start_recording().await;
    for transport in TRANSPORTS {
        let client = connect(&app, transport).await;
        client.disconnect().await.unwrap();
        assert_eq!(
            client.disconnected().await.unwrap(),
            CloseReason::ClientDisconnect
        );
        assert_eq!(
            disconnects.next().await,
            "client namespace disconnect",
            "{transport:?}"
        );
    }
    app.shutdown().await;
}

#[tokio::test]
async fn dropping_the_client_closes_the_transport() {
    let (app, disconnects) = start_recording().await;
    // Over a WebSocket the server sees the close at once (polling would wait for a ping).
    drop(connect(&app, Transport::WebSocket).await);
    assert_eq!(disconnects.next().await, "transport close");
    app.shutdown().await;
}

/// Asserts that `wait` fails with a timeout no sooner than `bound` and well before 10 × it.
async fn assert_times_out<T: std::fmt::Debug>(
    bound: Duration,
    wait: impl Future<Output = Result<T, TestClientError>>,
) -> String {
    let started = Instant::now();
    let result = wait.await;
    let elapsed = started.elapsed();
    let Err(TestClientError::Timeout { what, after }) = result else {
        panic!("expected a timeout, got {result:?}");
    };
    assert_eq!(after, bound);
    assert!(
        elapsed >= bound,
        "gave up after {elapsed:?}, before {bound:?}"
    );
    assert!(
        elapsed < bound * 10,
        "took {elapsed:?} for a bound of {bound:?}"
    );
    what
}

#[tokio::test]
async fn every_wait_times_out() {
    let app = start().await;
    let bound = Duration::from_millis(200);
    for transport in TRANSPORTS {
        let mut client = connect(&app, transport).await;
        client.set_timeout(bound);

        let what = assert_times_out(bound, client.expect::<Value>("never")).await;
        assert_eq!(what, "event `never`");

        // `shout` answers with an event, never with an ack.
        let what = assert_times_out(bound, client.emit_with_ack::<Value>("shout", "x")).await;
        assert_eq!(what, "the ack of `shout`");
        // The event it sent meanwhile is still in the inbox.
        let _: String = client.expect("shouted").await.unwrap();

        let what = assert_times_out(bound, client.disconnected()).await;
        assert_eq!(what, "the end of the connection");
    }
    app.shutdown().await;
}

#[tokio::test]
async fn connecting_to_a_silent_server_times_out() {
    // Accepted by the kernel's backlog, never answered.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let bound = Duration::from_millis(300);
    for transport in TRANSPORTS {
        let connecting = TestClient::builder(silent.local_addr().unwrap())
            .transport(transport)
            .timeout(bound)
            .connect();
        let what = assert_times_out(bound, connecting).await;
        assert!(what.starts_with("the connection to 127.0.0.1:"), "{what}");
    }
}

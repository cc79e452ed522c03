//! What one misbehaving client may take, and what the application counts: connection limits
//! answered with a 503 before anything is read, a deadline for the request head, a shutdown
//! that ends at its deadline whatever the hooks do, and `/metrics`.

use std::net::SocketAddr;
use std::time::Duration;

use gateway_core::prelude::*;
use gateway_core::testing::{TestingModule, Transport};
use gateway_core::{Limits, RunningApp};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use validator::Validate;

mod common;
use common::{RawSocket, raw_socket, request};

#[derive(Debug, Deserialize, Validate)]
struct Note {
    #[validate(length(min = 1))]
    text: String,
}

#[injectable]
struct Deny;

impl CanActivate for Deny {
    async fn can_activate(&self, _: &ExecutionContext<'_>) -> Result<bool, HandlerError> {
        Ok(false)
    }
}

#[injectable]
struct NotesGateway;

#[web_socket_gateway(namespace = "/notes")]
impl NotesGateway {
    #[subscribe_message("add")]
    #[use_pipes(ValidationPipe)]
    fn add(&self, #[message_body] note: Note) -> String {
        note.text
    }

    #[subscribe_message("echo")]
    fn echo(&self, #[message_body] data: Value) -> Value {
        data
    }

    #[subscribe_message("fail")]
    fn fail(&self) -> WsResult<()> {
        Err(WsException::new("no"))
    }

    #[subscribe_message("admin")]
    #[use_guards(Deny)]
    fn admin(&self) -> bool {
        true
    }

    #[subscribe_message("burst")]
    #[throttle(limit = 1, ttl_ms = 60_000)]
    fn burst(&self) -> bool {
        true
    }
}

#[module(providers = [NotesGateway])]
struct AppModule;

/// Reads what the server sends until it closes the connection; `None` if it is still open
/// after 10 s.
async fn until_closed(tcp: &mut TcpStream) -> Option<String> {
    let mut seen = Vec::new();
    let read = tcp.read_to_end(&mut seen);
    match tokio::time::timeout(Duration::from_secs(10), read).await {
        Ok(_) => Some(String::from_utf8_lossy(&seen).into_owned()),
        Err(_) => None,
    }
}

/// Connects until one connection is served (the server frees a closed connection's place
/// when it notices the close, a moment after the client's).
async fn served(addr: SocketAddr) -> u16 {
    for _ in 0..200 {
        let (status, _) = request(addr, "GET", "/nowhere").await;
        if status != 503 {
            return status;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("every connection was refused for 2 s after a place was freed");
}

#[tokio::test]
async fn connections_past_the_per_ip_limit_get_a_503_and_the_others_go_on() -> Result<(), BoxError>
{
    let app = TestingModule::builder::<AppModule>()
        .configure(|app| app.limits(Limits::default().max_connections_per_ip(2)))
        .start()
        .await?;
    let client = app.client("/notes").connect().await?;
    let idle = TcpStream::connect(app.addr()).await?;

    let mut third = TcpStream::connect(app.addr()).await?;
    let refused = until_closed(&mut third)
        .await
        .expect("the refused connection is closed");
    assert!(
        refused.starts_with("HTTP/1.1 503 Service Unavailable"),
        "{refused}"
    );
    assert!(refused.ends_with("Too many connections"), "{refused}");

    // The connected client is not disturbed; a freed place is given again.
    assert_eq!(
        client
            .emit_with_ack::<String>("add", &serde_json::json!({"text": "hi"}))
            .await?,
        "hi"
    );
    drop(idle);
    assert_eq!(served(app.addr()).await, 404);
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn connections_past_the_total_limit_get_a_503() -> Result<(), BoxError> {
    let app = TestingModule::builder::<AppModule>()
        .configure(|app| app.limits(Limits::default().max_connections(1)))
        .start()
        .await?;
    let _client = app.client("/notes").connect().await?;
    let mut tcp = TcpStream::connect(app.addr()).await?;
    let refused = until_closed(&mut tcp).await.expect("closed");
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn an_ip_reconnecting_in_a_loop_is_cut_off() -> Result<(), BoxError> {
    let app = TestingModule::builder::<AppModule>()
        .configure(|app| {
            app.limits(Limits::default().connection_rate_per_ip(3, Duration::from_secs(3600)))
                .with_metrics("/metrics")
        })
        .start()
        .await?;
    for _ in 0..2 {
        let client = app.client("/notes").connect().await?;
        client.disconnect().await?;
    }
    // The third connection of the budget is this scrape; the fourth is refused.
    let (status, _) = request(app.addr(), "GET", "/metrics").await;
    assert_eq!(status, 200);
    let mut tcp = TcpStream::connect(app.addr()).await?;
    let refused = until_closed(&mut tcp).await.expect("closed");
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_client_that_sends_its_request_head_too_slowly_is_closed() -> Result<(), BoxError> {
    let app = TestingModule::builder::<AppModule>()
        .configure(|app| app.limits(Limits::default().head_timeout(Duration::from_millis(300))))
        .start()
        .await?;
    // Nothing at all.
    let mut silent = TcpStream::connect(app.addr()).await?;
    assert!(
        until_closed(&mut silent).await.is_some(),
        "a silent connection stays open"
    );

    // One byte of the head at a time, never finishing it.
    let mut slow = TcpStream::connect(app.addr()).await?;
    let dribble = async {
        for b in b"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n"
            .iter()
            .cycle()
        {
            if slow.write_all(&[*b]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let closed = tokio::time::timeout(Duration::from_secs(10), dribble).await;
    assert!(
        closed.is_ok(),
        "a client dribbling its head was still served after 10 s"
    );

    // A normal client still connects.
    let client = app.client("/notes").connect().await?;
    assert_eq!(
        client
            .emit_with_ack::<String>("add", &serde_json::json!({"text": "ok"}))
            .await?,
        "ok"
    );
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_payload_nested_past_the_parser_limit_is_refused_not_nulled() -> Result<(), BoxError> {
    let app = TestingModule::builder::<AppModule>().start().await?;
    let client = app.client("/notes").connect().await?;
    let mut deep = serde_json::json!(1);
    for _ in 0..127 {
        deep = Value::Array(vec![deep]);
    }
    client.emit("echo", &deep).await?;
    let error: Value = client.expect("exception").await?;
    assert_eq!(error["message"], "Validation failed", "{error}");
    let reason = error["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(reason.contains("recursion limit exceeded"), "{error}");
    // Nested within the limit, it is echoed; the socket was never disconnected.
    let shallow = serde_json::json!([[[1]]]);
    assert_eq!(
        client.emit_with_ack::<Value>("echo", &shallow).await?,
        shallow
    );
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn binary_where_json_is_expected_is_a_validation_error_not_a_crash() -> Result<(), BoxError> {
    let app = TestingModule::builder::<AppModule>().start().await?;
    let client = app.client("/notes").connect().await?;
    // `add` takes a `Note` object: a binary attachment is not one.
    client
        .emit("add", &bytes::Bytes::from_static(b"\x00\x01\xff"))
        .await?;
    let error: Value = client.expect("exception").await?;
    assert_eq!(error["message"], "Validation failed", "{error}");
    // Nor is an object holding one where a string is expected.
    #[derive(Serialize)]
    struct BinaryNote {
        text: bytes::Bytes,
    }
    let note = BinaryNote {
        text: bytes::Bytes::from_static(b"\x00"),
    };
    client.emit("add", &note).await?;
    let error: Value = client.expect("exception").await?;
    assert_eq!(error["message"], "Validation failed", "{error}");
    // The socket is still served.
    let ok: String = client
        .emit_with_ack("add", &serde_json::json!({ "text": "kept" }))
        .await?;
    assert_eq!(ok, "kept");
    app.shutdown().await;
    Ok(())
}

/// Asks `/notes` to echo `payload` back as the ack of `id`, without reading.
async fn ask_echo(ws: &mut RawSocket, id: usize, payload: &str) -> Result<(), BoxError> {
    use futures_util::SinkExt;
    let packet = format!("42/notes,{id}[\"echo\",\"{payload}\"]");
    ws.send(tokio_tungstenite::tungstenite::Message::text(packet))
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_client_that_does_not_read_is_closed_at_the_byte_bound_and_the_others_go_on()
-> Result<(), BoxError> {
    use futures_util::StreamExt;
    let app = TestingModule::builder::<AppModule>()
        .configure(|app| {
            app.limits(Limits::default().max_buffered_bytes(Some(1 << 20)))
                .with_metrics("/metrics")
        })
        .start()
        .await?;
    let other = app.client("/notes").connect().await?;
    let mut greedy = raw_socket(app.addr(), "/notes").await?;
    // 64 MiB of acks asked for, none read: far past the kernel's buffers and the 1 MiB bound.
    let payload = "x".repeat(64 << 10);
    let mut sent = 0;
    let send_all = async {
        for id in 0..1024 {
            ask_echo(&mut greedy, id, &payload).await?;
            sent += 1;
        }
        Ok::<_, BoxError>(())
    };
    // The server closes the connection while (or after) the requests go out.
    let _ = tokio::time::timeout(Duration::from_secs(20), send_all).await;
    // The other client is served all along.
    assert_eq!(
        other
            .emit_with_ack::<Value>("echo", &serde_json::json!("hi"))
            .await?,
        "hi"
    );
    // Reading now: what the kernels held, then the end, well before socket.io's heartbeat
    // (25 s + 20 s) would have ended it; a few MiB at most, not the 64 MiB asked for.
    let mut received = 0usize;
    let mut acks = 0usize;
    let drained = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(Ok(message)) = greedy.next().await {
            received += message.len();
            acks += usize::from(message.to_text().is_ok_and(|t| t.starts_with("43/notes,")));
        }
    })
    .await;
    assert!(drained.is_ok(), "the server did not close the connection");
    assert!(
        acks < 1024,
        "{acks} of 1024 acks arrived: nothing was bounded"
    );
    assert!(received < 48 << 20, "{received} bytes arrived");
    assert!(sent > 0);
    let (_, metrics) = request(app.addr(), "GET", "/metrics").await;
    let closed = series(&metrics, "gateway_slow_clients_closed_total").unwrap_or(0.0);
    assert!(closed >= 1.0, "{metrics}");
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn below_the_byte_bound_a_client_that_reads_late_gets_everything_in_order()
-> Result<(), BoxError> {
    use futures_util::StreamExt;
    let app = TestingModule::builder::<AppModule>()
        .configure(|app| app.limits(Limits::default().max_buffered_bytes(Some(256 << 20))))
        .start()
        .await?;
    let mut late = raw_socket(app.addr(), "/notes").await?;
    // 24 MiB of acks before the first read: more than the kernels hold, so some wait in the
    // server's spill, and all must come out, whole and in order.
    let payload = "y".repeat(96 << 10);
    for id in 0..256 {
        ask_echo(&mut late, id, &payload).await?;
    }
    let expected_len = format!("43/notes,0[\"{payload}\"]").len();
    let mut id = 0;
    while id < 256 {
        let message = tokio::time::timeout(Duration::from_secs(20), late.next())
            .await?
            .ok_or("the server closed the connection")??;
        let text = message.to_text()?;
        if text == "2" {
            continue;
        }
        let prefix = format!("43/notes,{id}[\"");
        assert!(
            text.starts_with(&prefix),
            "ack {id}: {}",
            &text[..40.min(text.len())]
        );
        assert_eq!(
            text.len() - prefix.len(),
            expected_len - "43/notes,0[\"".len()
        );
        id += 1;
    }
    app.shutdown().await;
    Ok(())
}

/// A gateway whose disconnect hook never ends.
#[injectable]
struct StuckGateway;

#[web_socket_gateway(namespace = "/stuck")]
impl StuckGateway {
    async fn handle_disconnect(&self, _: SocketRef, _: DisconnectReason) {
        std::future::pending::<()>().await;
    }
}

#[module(providers = [StuckGateway])]
struct StuckModule;

#[tokio::test]
async fn shutdown_ends_at_its_deadline_whatever_the_hooks_do() -> Result<(), BoxError> {
    let app = GatewayApplication::create::<StuckModule>()
        .await?
        .limits(Limits::default().shutdown_timeout(Duration::from_millis(300)))
        .start("127.0.0.1:0")
        .await?;
    let url = format!("http://{}", app.addr());
    let mut clients = Vec::new();
    for transport in [Transport::WebSocket, Transport::Polling] {
        let client = gateway_core::testing::TestClient::builder(&url)
            .namespace("/stuck")
            .transport(transport)
            .connect()
            .await?;
        clients.push(client);
    }
    let shutdown = tokio::time::timeout(Duration::from_secs(10), RunningApp::shutdown(app)).await;
    assert!(shutdown.is_ok(), "shutdown still waiting after 10 s");
    Ok(())
}

/// The value of one series in a Prometheus text exposition.
fn series(text: &str, name_and_labels: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name_and_labels)?.strip_prefix(' '))
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn metrics_count_connections_messages_by_outcome_and_refusals() -> Result<(), BoxError> {
    let app = TestingModule::builder::<AppModule>()
        .configure(|app| app.with_metrics("/metrics"))
        .start()
        .await?;
    let client = app.client("/notes").connect().await?;
    let other = app
        .client("/notes")
        .transport(Transport::Polling)
        .connect()
        .await?;

    assert_eq!(
        client
            .emit_with_ack::<String>("add", &serde_json::json!({"text": "a"}))
            .await?,
        "a"
    );
    client.emit("add", &serde_json::json!({"text": ""})).await?;
    let _: Value = client.expect("exception").await?;
    client.emit("fail", &()).await?;
    let _: Value = client.expect("exception").await?;
    client.emit("admin", &()).await?;
    let _: Value = client.expect("exception").await?;
    assert!(client.emit_with_ack::<bool>("burst", &()).await?);
    client.emit("burst", &()).await?;
    let _: Value = client.expect("exception").await?;
    other.disconnect().await?;

    let (status, text) = request(app.addr(), "GET", "/metrics").await;
    assert_eq!(status, 200);
    let outcome = |event: &str, outcome: &str| {
        series(
            &text,
            &format!(
                r#"gateway_messages_total{{namespace="/notes",event="{event}",outcome="{outcome}"}}"#
            ),
        )
    };
    assert_eq!(outcome("add", "ok"), Some(1.0), "{text}");
    assert_eq!(outcome("add", "validation"), Some(1.0));
    assert_eq!(outcome("fail", "exception"), Some(1.0));
    assert_eq!(outcome("admin", "forbidden"), Some(1.0));
    assert_eq!(outcome("burst", "ok"), Some(1.0));
    assert_eq!(outcome("burst", "throttled"), Some(1.0));
    assert_eq!(
        series(
            &text,
            r#"gateway_handler_duration_seconds_count{namespace="/notes",event="add"}"#
        ),
        Some(2.0)
    );
    assert_eq!(
        series(
            &text,
            r#"gateway_connections_opened_total{namespace="/notes"}"#
        ),
        Some(2.0)
    );
    // The polling client's disconnect is handled when the server reads it: not raced here.
    let connected = series(&text, r#"gateway_connections{namespace="/notes"}"#);
    assert!(matches!(connected, Some(1.0 | 2.0)), "{connected:?}");
    assert_eq!(
        series(&text, r#"gateway_adapter_up{adapter="memory"}"#),
        Some(1.0)
    );
    assert!(text.contains("gateway_packets_dropped_total"));
    app.shutdown().await;
    Ok(())
}

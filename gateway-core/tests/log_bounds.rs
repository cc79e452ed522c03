//! What one misbehaving client costs in log lines. Each attack runs against a fresh server and
//! must write at most a few WARN or ERROR lines, however many packets it sends: repeated lines
//! on a hot path are rate-limited (one a second, with a count). A test binary of its own, and
//! one test, because the count is the whole process's.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use gateway_core::Limits;
use gateway_core::prelude::*;
use gateway_core::testing::TestingModule;
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tracing_subscriber::layer::SubscriberExt;

mod common;
use common::{RawSocket, raw_socket};

/// Keeps the WARN and ERROR lines of the process.
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<String>>>);

impl Lines {
    fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// The lines from the `from`th on, one per line.
    fn since(&self, from: usize) -> String {
        self.0.lock().unwrap_or_else(|e| e.into_inner())[from..].join("\n")
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Lines {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Text(String);
        impl tracing::field::Visit for Text {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                use std::fmt::Write as _;
                let _ = write!(self.0, " {}={value:?}", field.name());
            }
        }
        let meta = event.metadata();
        if *meta.level() <= tracing::Level::WARN {
            let mut text = Text(format!("{} {}:", meta.level(), meta.target()));
            event.record(&mut text);
            self.0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(text.0);
        }
    }
}

#[injectable]
struct EchoGateway;

#[web_socket_gateway(namespace = "/echo")]
impl EchoGateway {
    #[subscribe_message("echo")]
    fn echo(&self, #[message_body] data: Value) -> Value {
        data
    }

    #[subscribe_message("fail")]
    fn fail(&self) -> WsResult<()> {
        Err(WsException::new("no"))
    }
}

#[module(providers = [EchoGateway])]
struct AppModule;

/// Sends `n` acked echoes of `size` bytes without reading; stops early when the server closes.
async fn flood(ws: &mut RawSocket, n: usize, size: usize) {
    let payload = "z".repeat(size);
    for id in 0..n {
        let packet = format!("42/echo,{id}[\"echo\",\"{payload}\"]");
        let sent = tokio::time::timeout(Duration::from_secs(10), ws.send(Message::text(packet)));
        if !matches!(sent.await, Ok(Ok(()))) {
            return;
        }
    }
}

/// Whether `packet` is the ack of a probe (ack ids from 10,000; the attack's are below).
fn probe_answer(packet: &str) -> bool {
    let Some(rest) = packet.strip_prefix("43/echo,") else {
        return false;
    };
    let id: String = rest.chars().take_while(char::is_ascii_digit).collect();
    id.parse::<u64>().is_ok_and(|id| id >= 10_000)
}

/// Runs `attack` and checks that it caused at most [`BOUND`] WARN or ERROR lines.
async fn few_lines<F: Future<Output = Result<(), BoxError>>>(
    log: &Lines,
    what: &str,
    attack: F,
) -> Result<(), BoxError> {
    let before = log.len();
    attack.await?;
    let lines = log.len() - before;
    assert!(
        lines <= BOUND,
        "{what}: {lines} log lines:\n{}",
        log.since(before)
    );
    Ok(())
}

/// At most one line a second for each kind of repeated event, fewer as it goes on, and each
/// attack takes a few seconds: one line per packet would pass this by thousands.
const BOUND: usize = 5;

#[tokio::test]
async fn each_attack_writes_a_few_log_lines_not_one_per_packet() -> Result<(), BoxError> {
    let log = Lines::default();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(log.clone()))?;
    // Replies to a client that does not read, dropped at socketioxide's 128 packets.
    few_lines(&log, "dropped replies", async {
        let app = TestingModule::builder::<AppModule>()
            .configure(|app| app.limits(Limits::default().max_buffered_bytes(None)))
            .start()
            .await?;
        let mut ws = raw_socket(app.addr(), "/echo").await?;
        flood(&mut ws, 20_000, 1024).await;
        // Its replies are dropped, the server still answers everyone else.
        let other = app.client("/echo").connect().await?;
        let pong: Value = other.emit_with_ack("echo", &"hi").await?;
        assert_eq!(pong, "hi");
        drop(ws);
        app.shutdown().await;
        Ok(())
    })
    .await?;

    // The same client past the byte bound: closed, once.
    few_lines(&log, "slow client closed", async {
        let app = TestingModule::builder::<AppModule>()
            .configure(|app| app.limits(Limits::default().max_buffered_bytes(Some(256 << 10))))
            .start()
            .await?;
        let mut ws = raw_socket(app.addr(), "/echo").await?;
        flood(&mut ws, 20_000, 1024).await;
        drop(ws);
        app.shutdown().await;
        Ok(())
    })
    .await?;

    // Connections past a limit, refused with a 503.
    few_lines(&log, "refused connections", async {
        let app = TestingModule::builder::<AppModule>()
            .configure(|app| {
                // The held connection sends nothing: it must outlast the attack.
                app.limits(
                    Limits::default()
                        .max_connections(1)
                        .head_timeout(Duration::from_secs(300)),
                )
            })
            .start()
            .await?;
        let held = TcpStream::connect(app.addr()).await?;
        for _ in 0..500 {
            let mut refused = TcpStream::connect(app.addr()).await?;
            let mut answer = Vec::new();
            let read = tokio::io::AsyncReadExt::read_to_end(&mut refused, &mut answer);
            tokio::time::timeout(Duration::from_secs(5), read).await??;
            assert!(answer.starts_with(b"HTTP/1.1 503"));
        }
        drop(held);
        app.shutdown().await;
        Ok(())
    })
    .await?;

    // Bad payloads and handler exceptions, answered on the wire, not in the log.
    few_lines(&log, "bad payloads", async {
        let app = TestingModule::builder::<AppModule>().start().await?;
        let mut ws = raw_socket(app.addr(), "/echo").await?;
        for id in 0..2_000 {
            let packet = match id % 3 {
                0 => format!("42/echo,{id}[\"fail\"]"),
                1 => format!("42/echo,{id}[\"nowhere\",1]"),
                _ => format!(
                    "42/echo,{id}[\"echo\",{}]",
                    "[".repeat(200) + &"]".repeat(200)
                ),
            };
            ws.send(Message::text(packet)).await?;
        }
        // Then an echo is answered: the socket is still served. (One may be dropped, as any
        // reply is when socketioxide's 128-packet queue is full: ask again until one comes.)
        let answered = async {
            for probe in 10_000.. {
                ws.send(Message::text(format!("42/echo,{probe}[\"echo\",1]")))
                    .await?;
                let reply = tokio::time::timeout(Duration::from_millis(500), async {
                    while let Some(message) = ws.next().await {
                        match message?.to_text()? {
                            "2" => ws.send(Message::text("3")).await?,
                            answer if probe_answer(answer) => return Ok(true),
                            _ => {}
                        }
                    }
                    Ok::<_, BoxError>(false)
                });
                match reply.await {
                    Ok(Ok(true)) => return Ok(()),
                    Ok(Ok(false)) => return Err("the server closed the connection".into()),
                    Ok(Err(e)) => return Err(e),
                    Err(_) => {}
                }
            }
            Ok::<_, BoxError>(())
        };
        tokio::time::timeout(Duration::from_secs(60), answered).await??;
        app.shutdown().await;
        Ok(())
    })
    .await?;
    Ok(())
}

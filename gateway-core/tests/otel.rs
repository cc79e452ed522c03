//! Feature `otel`: the spans of a real connection and of a real message reach an OTLP/HTTP
//! collector, here a small one in the test (an HTTP server on 127.0.0.1 that decodes the
//! protobuf it is sent).
//!
//! One test in this file: it installs the process's global `tracing` subscriber, which the
//! server's tasks (on any thread) then see.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Bytes;
use axum::routing::post;
use gateway_core::prelude::*;
use gateway_core::testing::TestingModule;
use tokio::sync::mpsc;
use tokio::time::timeout;
use tracing::Subscriber;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{Layer, registry};

const WAIT: Duration = Duration::from_secs(10);

#[injectable]
struct PingGateway;

#[web_socket_gateway(namespace = "/otel")]
impl PingGateway {
    #[subscribe_message("ping")]
    fn ping(&self, #[message_body] text: String) -> String {
        tracing::info!("pinged");
        format!("pong {text}")
    }
}

#[module(providers = [PingGateway])]
struct AppModule;

/// An exported span, as far as this test reads it.
#[derive(Debug)]
struct Span {
    service: String,
    name: String,
    /// The string-valued ones.
    attributes: HashMap<String, String>,
    /// The names of its events.
    events: Vec<String>,
}

#[tokio::test]
async fn connection_and_message_spans_reach_an_otlp_collector() -> Result<(), BoxError> {
    let (collector, mut exported) = collector().await?;
    let (otel, traces) = gateway_core::otel::layer("otel-test", &format!("http://{collector}"))?;
    let (ended_tx, mut ended) = mpsc::unbounded_channel();
    let gateway_spans = Targets::new().with_target("gateway_core", LevelFilter::DEBUG);
    tracing::subscriber::set_global_default(
        registry()
            .with(otel)
            .with(Ended(ended_tx).with_filter(gateway_spans)),
    )?;

    let app = TestingModule::builder::<AppModule>().start().await?;
    let client = app.client("/otel").connect().await?;
    assert_eq!(
        client.emit_with_ack::<String>("ping", &"hi").await?,
        "pong hi"
    );

    // Both spans have ended on the server (the OpenTelemetry layer, before `Ended`, has handed
    // them to the exporter), then the exporter is flushed: every span is at the collector.
    let mut names = HashSet::new();
    while !(names.contains("connection") && names.contains("message")) {
        let name = timeout(WAIT, ended.recv()).await?.expect("the layer lives");
        names.insert(name);
    }
    let traces = tokio::task::spawn_blocking(move || traces.flush().map(|()| traces)).await??;
    let mut spans = Vec::new();
    while let Ok(batch) = exported.try_recv() {
        spans.extend(batch);
    }

    let find = |name: &str| {
        spans
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no span `{name}` among {spans:#?}"))
    };
    let message = find("message");
    assert_eq!(message.service, "otel-test");
    assert_eq!(message.attributes["ns"], "/otel");
    assert_eq!(message.attributes["event"], "ping");
    assert_eq!(message.attributes["sid"], client.id());
    assert!(
        message.events.iter().any(|e| e == "pinged"),
        "the handler's event is in the message's span: {message:#?}"
    );
    let connection = find("connection");
    assert_eq!(connection.attributes["ns"], "/otel");
    assert_eq!(connection.attributes["sid"], client.id());

    app.shutdown().await;
    tokio::task::spawn_blocking(move || traces.shutdown()).await??;
    Ok(())
}

/// Tells the test the name of every span that ends.
struct Ended(mpsc::UnboundedSender<&'static str>);

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Ended {
    fn on_close(&self, id: tracing::span::Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(&id) {
            let _ = self.0.send(span.name());
        }
    }
}

/// An OTLP/HTTP collector on a free port: each `POST /v1/traces` is decoded and its spans
/// sent on the channel, before it is answered.
async fn collector() -> Result<(SocketAddr, mpsc::UnboundedReceiver<Vec<Span>>), BoxError> {
    let (tx, rx) = mpsc::unbounded_channel();
    let router = axum::Router::new().route(
        "/v1/traces",
        post(move |body: Bytes| {
            let tx = tx.clone();
            async move {
                let spans = export_request(&body).expect("an ExportTraceServiceRequest");
                let _ = tx.send(spans);
                // An empty ExportTraceServiceResponse.
                ([("content-type", "application/x-protobuf")], Vec::new())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok((addr, rx))
}

/// The spans of an `ExportTraceServiceRequest` (opentelemetry-proto's `trace.proto` and
/// `common.proto`: only the fields read here).
fn export_request(buf: &[u8]) -> Option<Vec<Span>> {
    let mut spans = Vec::new();
    for resource_spans in field(buf, 1)? {
        let mut service = String::new();
        for resource in field(resource_spans, 1)? {
            let attributes = key_values(resource, 1)?;
            service = attributes.get("service.name").cloned().unwrap_or_default();
        }
        for scope_spans in field(resource_spans, 2)? {
            for span in field(scope_spans, 2)? {
                let name = string(field(span, 5)?.first().copied().unwrap_or_default())?;
                let attributes = key_values(span, 9)?;
                let mut events = Vec::new();
                for event in field(span, 11)? {
                    events.push(string(
                        field(event, 2)?.first().copied().unwrap_or_default(),
                    )?);
                }
                spans.push(Span {
                    service: service.clone(),
                    name,
                    attributes,
                    events,
                });
            }
        }
    }
    Some(spans)
}

/// The string-valued attributes, field `number` of `message` (9 of a span, 1 of a
/// resource): `KeyValue { 1: key, 2: AnyValue { 1: string_value } }`.
fn key_values(message: &[u8], number: u64) -> Option<HashMap<String, String>> {
    let mut out = HashMap::new();
    for kv in field(message, number)? {
        let key = string(field(kv, 1)?.first().copied().unwrap_or_default())?;
        for value in field(kv, 2)? {
            if let Some(s) = field(value, 1)?.first() {
                out.insert(key.clone(), string(s)?);
            }
        }
    }
    Some(out)
}

fn string(bytes: &[u8]) -> Option<String> {
    String::from_utf8(bytes.to_vec()).ok()
}

/// The length-delimited fields numbered `number` of a protobuf message, in order.
fn field(mut buf: &[u8], number: u64) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    while !buf.is_empty() {
        let key = varint(&mut buf)?;
        match key & 7 {
            0 => {
                varint(&mut buf)?;
            }
            1 => buf = buf.get(8..)?,
            5 => buf = buf.get(4..)?,
            2 => {
                let len = usize::try_from(varint(&mut buf)?).ok()?;
                let value = buf.get(..len)?;
                buf = buf.get(len..)?;
                if key >> 3 == number {
                    out.push(value);
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

fn varint(buf: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = buf.split_first()?;
        *buf = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

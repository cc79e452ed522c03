//! The gateway's traces over OTLP (feature `otel`): every message's span `message` (`ns`,
//! `event`, `sid`) and every handshake's span `connection` (`ns`, `sid`), with what runs
//! inside them (your own spans, and events as span events), sent to an OpenTelemetry collector
//! over HTTP/protobuf.
//!
//! [`layer`] is a `tracing-subscriber` layer to add to your subscriber; it takes the
//! gateway's spans at DEBUG, whatever your log level, and the rest at INFO:
//!
//! ```no_run
//! use tracing_subscriber::prelude::*;
//! use tracing_subscriber::{EnvFilter, fmt};
//!
//! # fn main() -> Result<(), gateway_core::otel::OtelError> {
//! let (otel, traces) = gateway_core::otel::layer("chat", "http://127.0.0.1:4318")?;
//! tracing_subscriber::registry()
//!     // A filter on the log's layer only: a global one would hide the DEBUG spans.
//!     .with(fmt::layer().with_filter(EnvFilter::new("info")))
//!     .with(otel)
//!     .init();
//! // ... run the application, then send what is left before the process exits:
//! traces.shutdown()?;
//! # Ok(()) }
//! ```
//!
//! The exporter is opentelemetry-otlp's, with reqwest's blocking client, plain HTTP (for
//! HTTPS, enable opentelemetry-otlp's `reqwest-rustls` feature in your own `Cargo.toml`); the
//! `OTEL_EXPORTER_OTLP_HEADERS`, `..._TIMEOUT` and `..._COMPRESSION` variables apply. Spans are
//! sent in batches from a thread of the SDK's, never from the tasks that serve clients.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Subscriber;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::registry::LookupSpan;

use crate::error::BoxError;

/// What could not be done with the traces: building the exporter, or sending them.
#[derive(Debug, thiserror::Error)]
#[error("OpenTelemetry: {what}: {source}")]
pub struct OtelError {
    what: &'static str,
    #[source]
    source: BoxError,
}

impl OtelError {
    fn new(what: &'static str, source: impl Into<BoxError>) -> Self {
        OtelError {
            what,
            source: source.into(),
        }
    }
}

/// A layer that exports the gateway's spans to the OTLP/HTTP collector at `endpoint` (its
/// base address, `http://collector:4318`: the spans go to `/v1/traces`), as the service
/// `service_name`; and the handle that sends what is left at the end. See the
/// [module](self)'s example.
pub fn layer<S>(service_name: &str, endpoint: &str) -> Result<(impl Layer<S>, Traces), OtelError>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
        .build()
        .map_err(|e| OtelError::new("could not build the OTLP exporter", e))?;
    let resource = Resource::builder()
        .with_service_name(service_name.to_owned())
        .build();
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build();
    let tracer = provider.tracer("gateway_core");
    // The gateway's spans are at DEBUG so that they cost nothing unless asked for: asked for
    // here. The SDK's own logs stay out (they are about this very export).
    let filter = Targets::new()
        .with_default(LevelFilter::INFO)
        .with_target("gateway_core::message", LevelFilter::DEBUG)
        .with_target("gateway_core::connection", LevelFilter::DEBUG)
        .with_target("opentelemetry", LevelFilter::OFF);
    let layer = tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_filter(filter);
    Ok((
        layer,
        Traces {
            provider: Some(provider),
        },
    ))
}

/// The exporter of [`layer`]: keep it for the life of the application. Dropping it, or
/// [`shutdown`](Self::shutdown), sends the spans that have ended and stops the export.
#[must_use = "dropping it stops the export"]
#[derive(Debug)]
pub struct Traces {
    /// `None` once shut down.
    provider: Option<SdkTracerProvider>,
}

impl Traces {
    /// Sends the spans that have ended, and waits until the collector has them (or the
    /// export's timeout). It blocks: from async code, call it in `spawn_blocking`.
    pub fn flush(&self) -> Result<(), OtelError> {
        let Some(provider) = &self.provider else {
            return Ok(());
        };
        provider
            .force_flush()
            .map_err(|e| OtelError::new("could not send the spans", e))
    }

    /// Sends the spans that have ended and stops the export (blocking, as
    /// [`flush`](Self::flush)).
    pub fn shutdown(mut self) -> Result<(), OtelError> {
        self.stop()
    }

    fn stop(&mut self) -> Result<(), OtelError> {
        let Some(provider) = self.provider.take() else {
            return Ok(());
        };
        provider
            .shutdown()
            .map_err(|e| OtelError::new("could not stop the export", e))
    }
}

impl Drop for Traces {
    fn drop(&mut self) {
        if let Err(e) = self.stop() {
            tracing::warn!("{e}");
        }
    }
}

//! Prometheus metrics of an application (`with_metrics`): what is connected, what each handler
//! answered and how fast, what was dropped or refused. Every label takes a bounded set of
//! values: a dynamic namespace is counted under its pattern (`/teams/{team}`), never under
//! each path a client tries.
//!
//! Nothing here costs anything unless the application asked for metrics: routes and sockets
//! then hold handles resolved once (a counter is an atomic add, the latency histogram a
//! short lock).

use std::sync::{Arc, LazyLock};
use std::time::Instant;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// What became of a message, the `outcome` label of `gateway_messages_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The handler returned normally.
    Ok,
    /// A `WsException` (of the handler, a pipe, or a guard's own).
    Exception,
    /// The body failed validation ("Validation failed").
    Validation,
    /// A guard said no ("Forbidden resource").
    Forbidden,
    /// A throttle refused it ("ThrottlerException: Too Many Requests").
    Throttled,
    /// An internal error or a panic ("Internal server error").
    Error,
}

impl Outcome {
    const ALL: [Outcome; 6] = [
        Outcome::Ok,
        Outcome::Exception,
        Outcome::Validation,
        Outcome::Forbidden,
        Outcome::Throttled,
        Outcome::Error,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Exception => "exception",
            Outcome::Validation => "validation",
            Outcome::Forbidden => "forbidden",
            Outcome::Throttled => "throttled",
            Outcome::Error => "error",
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct NamespaceLabel {
    namespace: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EventLabels {
    namespace: String,
    event: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MessageLabels {
    namespace: String,
    event: String,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabel {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AdapterLabel {
    adapter: &'static str,
}

/// Whether the application's adapter reaches its peers, asked at each scrape.
pub(crate) type AdapterProbe = Arc<dyn Fn() -> bool + Send + Sync>;

/// One application's metrics.
pub(crate) struct Metrics {
    registry: Registry,
    connections: Family<NamespaceLabel, Gauge>,
    connected: Family<NamespaceLabel, Counter>,
    messages: Family<MessageLabels, Counter>,
    latency: Family<EventLabels, Histogram, fn() -> Histogram>,
    refused: Family<ReasonLabel, Counter>,
    adapter_up: Family<AdapterLabel, Gauge>,
    adapter: Option<(&'static str, AdapterProbe)>,
}

/// Replies and emits dropped because a client's outgoing buffer was full, in this process.
static PACKETS_DROPPED: LazyLock<Counter> = LazyLock::new(Counter::default);

/// Counts a packet dropped because its client does not read.
pub(crate) fn packet_dropped() {
    PACKETS_DROPPED.inc();
}

/// Connections closed because their client did not read past the outgoing bound, in this
/// process.
static SLOW_CLIENTS_CLOSED: LazyLock<Counter> = LazyLock::new(Counter::default);

/// Counts a connection closed because its client does not read.
pub(crate) fn slow_client_closed() {
    SLOW_CLIENTS_CLOSED.inc();
}

/// Handler latency buckets: 50 µs to about 1.6 s, doubling.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_05, 2.0, 16))
}

impl Metrics {
    /// Metrics of an application on the named adapter (`"memory"`, `"redis"`...), probed at
    /// each scrape when it has peers.
    pub(crate) fn new(adapter: Option<(&'static str, AdapterProbe)>) -> Arc<Self> {
        let mut registry = Registry::default();
        let connections = Family::<NamespaceLabel, Gauge>::default();
        registry.register(
            "gateway_connections",
            "Sockets connected to this node, by namespace (a dynamic one under its pattern)",
            connections.clone(),
        );
        let connected = Family::<NamespaceLabel, Counter>::default();
        registry.register(
            "gateway_connections_opened",
            "Sockets that joined a namespace on this node",
            connected.clone(),
        );
        let messages = Family::<MessageLabels, Counter>::default();
        registry.register(
            "gateway_messages",
            "Messages handled, by namespace, event and outcome (ok, exception, validation, forbidden, throttled, error)",
            messages.clone(),
        );
        let latency = Family::<EventLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        registry.register(
            "gateway_handler_duration_seconds",
            "Time from a message's arrival to its handler's end, pipes, guards and interceptors included",
            latency.clone(),
        );
        registry.register(
            "gateway_packets_dropped",
            "Packets dropped because their client's outgoing buffer was full (whole process)",
            PACKETS_DROPPED.clone(),
        );
        registry.register(
            "gateway_slow_clients_closed",
            "Connections closed because more than Limits::max_buffered_bytes waited for their client (whole process)",
            SLOW_CLIENTS_CLOSED.clone(),
        );
        let refused = Family::<ReasonLabel, Counter>::default();
        registry.register(
            "gateway_connections_refused",
            "Connections refused, by reason (max_connections, max_connections_per_ip, connection_rate_per_ip, origin, guard, namespace)",
            refused.clone(),
        );
        let adapter_up = Family::<AdapterLabel, Gauge>::default();
        registry.register(
            "gateway_adapter_up",
            "1 when the adapter reaches its peers (always 1 in memory), else 0",
            adapter_up.clone(),
        );
        Arc::new(Metrics {
            registry,
            connections,
            connected,
            messages,
            latency,
            refused,
            adapter_up,
            adapter,
        })
    }

    /// The handles of one handler's series.
    pub(crate) fn route(&self, namespace: &str, event: &str) -> RouteMetrics {
        let outcomes = Outcome::ALL.map(|outcome| {
            self.messages.get_or_create_owned(&MessageLabels {
                namespace: namespace.to_owned(),
                event: event.to_owned(),
                outcome: outcome.as_str(),
            })
        });
        let latency = self.latency.get_or_create_owned(&EventLabels {
            namespace: namespace.to_owned(),
            event: event.to_owned(),
        });
        RouteMetrics { outcomes, latency }
    }

    /// The handles of one gateway's connection series.
    pub(crate) fn namespace(&self, namespace: &str) -> NamespaceMetrics {
        let label = NamespaceLabel {
            namespace: namespace.to_owned(),
        };
        NamespaceMetrics {
            connections: self.connections.get_or_create_owned(&label),
            connected: self.connected.get_or_create_owned(&label),
        }
    }

    /// Counts a connection refused for `reason`.
    pub(crate) fn refused(&self, reason: &'static str) {
        self.refused.get_or_create(&ReasonLabel { reason }).inc();
    }

    /// The Prometheus text exposition (OpenMetrics 1.0).
    pub(crate) fn encode(&self) -> String {
        let (name, up) = match &self.adapter {
            Some((name, probe)) => (*name, probe()),
            None => ("memory", true),
        };
        self.adapter_up
            .get_or_create(&AdapterLabel { adapter: name })
            .set(i64::from(up));
        let mut text = String::new();
        // Writing into a `String` cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// The series of one handler.
#[derive(Clone)]
pub(crate) struct RouteMetrics {
    outcomes: [Counter; 6],
    latency: Histogram,
}

impl RouteMetrics {
    /// Counts a message that arrived at `since` and ended with `outcome`.
    pub(crate) fn record(&self, since: Instant, outcome: Outcome) {
        self.latency.observe(since.elapsed().as_secs_f64());
        self.outcomes[outcome as usize].inc();
    }
}

/// The connection series of one gateway.
#[derive(Clone)]
pub(crate) struct NamespaceMetrics {
    connections: Gauge,
    connected: Counter,
}

impl NamespaceMetrics {
    /// A socket joined the namespace.
    pub(crate) fn connected(&self) {
        self.connections.inc();
        self.connected.inc();
    }

    /// A socket left it.
    pub(crate) fn disconnected(&self) {
        self.connections.dec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_labels() {
        let m = Metrics::new(None);
        let route = m.route("/chat", "chat/send");
        route.record(Instant::now(), Outcome::Ok);
        route.record(Instant::now(), Outcome::Throttled);
        m.namespace("/teams/{team}").connected();
        m.refused("max_connections_per_ip");
        let text = m.encode();
        for line in [
            r#"gateway_messages_total{namespace="/chat",event="chat/send",outcome="ok"} 1"#,
            r#"gateway_messages_total{namespace="/chat",event="chat/send",outcome="throttled"} 1"#,
            r#"gateway_messages_total{namespace="/chat",event="chat/send",outcome="validation"} 0"#,
            r#"gateway_handler_duration_seconds_count{namespace="/chat",event="chat/send"} 2"#,
            r#"gateway_connections{namespace="/teams/{team}"} 1"#,
            r#"gateway_connections_refused_total{reason="max_connections_per_ip"} 1"#,
            r#"gateway_adapter_up{adapter="memory"} 1"#,
        ] {
            assert!(text.contains(line), "{line} not in\n{text}");
        }
        assert!(text.contains("gateway_packets_dropped_total"));
    }
}

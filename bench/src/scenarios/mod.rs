//! The scenarios, each run against one fresh server process. To add one, add a [`Scenario`]
//! variant, its name, and a run function; [`Scenario::pending`] marks one that is listed but
//! not run yet.

pub mod burst;
pub mod connect;
pub mod echo;
pub mod fanout;
pub mod idle;
pub mod soak;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hdrhistogram::Histogram;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::client::Conn;
use crate::node::NodeEnv;
use crate::report::Row;
use crate::servers::two_nodes::{Engine, TwoNodes};
use crate::servers::{Server, ServerKind};
use crate::sys::Cores;

/// A scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// `echo`: emit, emitted back; closed loop.
    Echo,
    /// `echo-ack`: emit with an ack, acked back; closed loop.
    EchoAck,
    /// `echo-validated`: `echo` with the payload validated as a DTO.
    EchoValidated,
    /// `fanout`: one sender, a room of clients, the broadcast rate stepped up.
    Fanout,
    /// `fanout-2n`: `fanout` on two framework nodes sharing one Redis.
    FanoutTwoNodes,
    /// `fanout-2n-pg`: `fanout` on two framework nodes sharing one PostgreSQL.
    FanoutTwoNodesPg,
    /// `connect`: connections per second and handshake latency.
    Connect,
    /// `idle-<n>`: server RSS per idle connection with `n` connected on `/`.
    Idle(usize),
    /// `idle-ten-<n>`: the same on `/ten`, whose gateway has ten handlers.
    IdleTen(usize),
    /// `ordered-burst`: one socket sends a burst back to back to an `ordered` gateway.
    OrderedBurst,
    /// `ordered-burst-yield`: the same, with a handler that waits once before acking.
    OrderedBurstYield,
    /// `soak`: many idle clients, a share replaced every tenth of a second, echoes beside.
    Soak,
}

impl Scenario {
    /// Every scenario of a run: `--quick` measures idle memory at 1k only.
    pub fn all(quick: bool) -> Vec<Scenario> {
        let mut v = vec![
            Scenario::Echo,
            Scenario::EchoAck,
            Scenario::EchoValidated,
            Scenario::Fanout,
            Scenario::FanoutTwoNodes,
            Scenario::FanoutTwoNodesPg,
            Scenario::Connect,
            Scenario::Idle(1_000),
        ];
        if !quick {
            v.push(Scenario::Idle(10_000));
        }
        v.push(Scenario::IdleTen(1_000));
        if !quick {
            v.push(Scenario::IdleTen(10_000));
        }
        v.push(Scenario::OrderedBurst);
        v.push(Scenario::OrderedBurstYield);
        v.push(Scenario::Soak);
        v
    }

    /// The name on the command line and in the report.
    pub fn name(self) -> String {
        match self {
            Scenario::Echo => "echo".into(),
            Scenario::EchoAck => "echo-ack".into(),
            Scenario::EchoValidated => "echo-validated".into(),
            Scenario::Fanout => "fanout".into(),
            Scenario::FanoutTwoNodes => "fanout-2n".into(),
            Scenario::FanoutTwoNodesPg => "fanout-2n-pg".into(),
            Scenario::Connect => "connect".into(),
            Scenario::Idle(n) => format!("idle-{}", size(n)),
            Scenario::IdleTen(n) => format!("idle-ten-{}", size(n)),
            Scenario::OrderedBurst => "ordered-burst".into(),
            Scenario::OrderedBurstYield => "ordered-burst-yield".into(),
            Scenario::Soak => "soak".into(),
        }
    }

    /// The scenarios `name` selects (`idle` and `idle-ten` select both sizes).
    pub fn parse(name: &str, quick: bool) -> Option<Vec<Scenario>> {
        if name == "idle" {
            return Some(vec![Scenario::Idle(1_000), Scenario::Idle(10_000)]);
        }
        if name == "idle-ten" {
            return Some(vec![Scenario::IdleTen(1_000), Scenario::IdleTen(10_000)]);
        }
        if let Some(n) = name.strip_prefix("idle-ten-") {
            return Some(vec![Scenario::IdleTen(parse_size(n)?)]);
        }
        if let Some(n) = name.strip_prefix("idle-") {
            return Some(vec![Scenario::Idle(parse_size(n)?)]);
        }
        Scenario::all(quick)
            .into_iter()
            .find(|s| s.name() == name)
            .map(|s| vec![s])
    }

    /// Why the scenario is not run yet, if it is not.
    pub fn pending(self) -> Option<&'static str> {
        let _ = self; // every scenario runs now
        None
    }

    /// Whether the scenario runs on `kind`: two nodes on Redis are measured for the framework
    /// only, against its own one-node `fanout`; the ordered burst on the Rust servers only.
    pub fn runs_on(self, kind: ServerKind) -> bool {
        match self {
            Scenario::FanoutTwoNodes | Scenario::FanoutTwoNodesPg => kind == ServerKind::Framework,
            Scenario::OrderedBurst | Scenario::OrderedBurstYield => !kind.is_node(),
            _ => true,
        }
    }

    /// Why the scenario does not run on `kind`, when the report should say so (an "n/a" row).
    pub fn not_applicable(self, kind: ServerKind) -> Option<&'static str> {
        match self {
            Scenario::OrderedBurst | Scenario::OrderedBurstYield if kind.is_node() => Some(
                "n/a: `ordered` is an option of the framework; the burst is measured on the \
                 Rust servers only",
            ),
            _ => None,
        }
    }

    /// Runs the scenario on a fresh `kind` deployment (one server process, or two nodes and
    /// their Redis), then stops it; rows without server and round.
    pub async fn run_fresh(
        self,
        kind: ServerKind,
        cores: Option<Cores>,
        node: Option<&NodeEnv>,
        p: &Params,
    ) -> Result<Vec<Row>, String> {
        let engine = match self {
            Scenario::FanoutTwoNodes => Some(Engine::Redis),
            Scenario::FanoutTwoNodesPg => Some(Engine::Postgres),
            _ => None,
        };
        if let Some(engine) = engine {
            let nodes = TwoNodes::start(kind, cores, engine).await?;
            let r = fanout::run_two_nodes(&nodes, p, &self.name()).await;
            nodes.stop().await;
            return r;
        }
        let server = Server::start(kind, cores, node).await?;
        let r = self.run(&server, p).await;
        server.stop().await;
        r
    }

    /// Runs the scenario against `server`; rows without server and round.
    async fn run(self, server: &Server, p: &Params) -> Result<Vec<Row>, String> {
        match self {
            Scenario::Echo => echo::run(server, p, echo::Kind::Emit)
                .await
                .map(|r| vec![r]),
            Scenario::EchoAck => echo::run(server, p, echo::Kind::Ack).await.map(|r| vec![r]),
            Scenario::EchoValidated => echo::run(server, p, echo::Kind::Validated)
                .await
                .map(|r| vec![r]),
            Scenario::Fanout => fanout::run(server, p).await,
            Scenario::FanoutTwoNodes | Scenario::FanoutTwoNodesPg => {
                Err("two nodes are started by `run_fresh`".into())
            }
            Scenario::Connect => connect::run(server, p).await.map(|r| vec![r]),
            Scenario::Idle(n) => idle::run(server, p, n, "/").await.map(|r| vec![r]),
            Scenario::IdleTen(n) => idle::run(server, p, n, idle::TEN_NS).await.map(|r| vec![r]),
            Scenario::OrderedBurst => burst::run(server, p, burst::EVENT).await.map(|r| vec![r]),
            Scenario::OrderedBurstYield => burst::run(server, p, burst::EVENT_YIELD)
                .await
                .map(|r| vec![r]),
            Scenario::Soak => soak::run(server, p).await.map(|r| vec![r]),
        }
    }
}

/// Durations and sizes: full or `--quick`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Params {
    /// Load before the measured window.
    pub warmup: Duration,
    /// The measured window.
    pub measure: Duration,
    /// Connections of the echo scenarios.
    pub echo_conns: usize,
    /// Clients in the fan-out room.
    pub fanout_room: usize,
    /// Broadcast rates, stepped up until fewer than 99% are delivered.
    pub fanout_rates: Vec<u64>,
    /// How long each rate is sent.
    pub fanout_step: Duration,
    /// How long deliveries are waited for after a step.
    pub fanout_drain: Duration,
    /// Concurrent connecting clients of the `connect` scenario.
    pub connect_workers: usize,
    /// Wait after the idle clients are connected, before RSS is read.
    pub idle_settle: Duration,
    /// Messages of one ordered burst.
    pub burst_messages: u64,
    /// Bursts before the measured ones, on the same connection.
    pub burst_warmup: usize,
    /// Measured bursts (their median is the figure).
    pub bursts: usize,
    /// Before each run, how long to wait at most for other processes to calm down.
    pub quiet_wait: Duration,
    /// Soak: clients connected.
    pub soak_conns: usize,
    /// Soak: clients replaced every tenth of a second.
    pub soak_churn_per_tick: usize,
    /// Soak: tenths of a second of churn.
    pub soak_ticks: usize,
    /// Soak: wait after every client left, before the last RSS reading.
    pub soak_after: Duration,
}

impl Params {
    /// The parameters of a full run, or of `--quick`.
    pub fn new(quick: bool) -> Params {
        if quick {
            Params {
                warmup: Duration::from_millis(500),
                measure: Duration::from_millis(1500),
                echo_conns: 100,
                fanout_room: 1000,
                fanout_rates: vec![100, 1000, 4000],
                fanout_step: Duration::from_secs(1),
                fanout_drain: Duration::from_millis(500),
                connect_workers: 32,
                idle_settle: Duration::from_millis(500),
                burst_messages: 1000,
                burst_warmup: 1,
                bursts: 5,
                quiet_wait: Duration::from_secs(1),
                soak_conns: 1_000,
                soak_churn_per_tick: 10,
                soak_ticks: 30,
                soak_after: Duration::from_secs(1),
            }
        } else {
            Params {
                warmup: Duration::from_secs(2),
                measure: Duration::from_secs(8),
                echo_conns: 100,
                fanout_room: 1000,
                fanout_rates: vec![100, 200, 400, 700, 1000, 1500, 2000, 3000, 4000, 6000],
                fanout_step: Duration::from_secs(4),
                fanout_drain: Duration::from_secs(1),
                connect_workers: 32,
                idle_settle: Duration::from_secs(2),
                burst_messages: 1000,
                burst_warmup: 2,
                bursts: 9,
                quiet_wait: Duration::from_secs(15),
                // 10,000 clients, 500 replaced a second for two minutes: 60,000 replaced.
                soak_conns: 10_000,
                soak_churn_per_tick: 50,
                soak_ticks: 1_200,
                soak_after: Duration::from_secs(10),
            }
        }
    }
}

/// `1k` for 1000, else the number.
fn size(n: usize) -> String {
    if n.is_multiple_of(1000) {
        format!("{}k", n / 1000)
    } else {
        n.to_string()
    }
}

/// `1k` or `1000` as a number.
fn parse_size(s: &str) -> Option<usize> {
    match s.strip_suffix('k') {
        Some(k) => k.parse::<usize>().ok()?.checked_mul(1000),
        None => s.parse().ok(),
    }
}

/// A latency histogram in µs, 1 µs to 10 min, 3 significant digits.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid histogram bounds")
}

/// Records `us` (clamped to the histogram's range).
pub fn record(h: &mut Histogram<u64>, us: u64) {
    h.saturating_record(us.max(1));
}

/// p50 and p99 of `h`, µs (`None` when empty).
pub fn percentiles(h: &Histogram<u64>) -> (Option<f64>, Option<f64>) {
    if h.is_empty() {
        return (None, None);
    }
    (
        Some(h.value_at_quantile(0.50) as f64),
        Some(h.value_at_quantile(0.99) as f64),
    )
}

/// Opens `n` connections to `addr` on namespace `/`, at most `parallel` handshakes at a time.
pub async fn connect_many(
    addr: SocketAddr,
    n: usize,
    parallel: usize,
) -> Result<Vec<Conn>, String> {
    connect_many_ns(addr, "/", n, parallel).await
}

/// [`connect_many`] on namespace `ns`: each client sends socket.io's CONNECT to `ns` (and
/// joins `ns` only).
pub async fn connect_many_ns(
    addr: SocketAddr,
    ns: &'static str,
    n: usize,
    parallel: usize,
) -> Result<Vec<Conn>, String> {
    let permits = Arc::new(Semaphore::new(parallel));
    let mut set = JoinSet::new();
    for _ in 0..n {
        let permits = permits.clone();
        set.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let mut last = None;
            for attempt in 0..3 {
                match Conn::connect_ns(addr, ns).await {
                    Ok(c) => return Ok(c),
                    Err(e) => {
                        last = Some(e);
                        tokio::time::sleep(Duration::from_millis(50 * (attempt + 1))).await;
                    }
                }
            }
            Err(last.map(|e| e.to_string()).unwrap_or_default())
        });
    }
    let mut conns = Vec::with_capacity(n);
    while let Some(r) = set.join_next().await {
        match r {
            Ok(Ok(c)) => conns.push(c),
            Ok(Err(e)) => return Err(format!("{} of {n} connected, then: {e}", conns.len())),
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(conns)
}

/// Waits for the tasks to end by themselves for up to `grace`, then aborts the rest.
pub async fn finish<T: 'static>(set: &mut JoinSet<T>, grace: Duration) -> Vec<T> {
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + grace;
    loop {
        match tokio::time::timeout_at(deadline, set.join_next()).await {
            Ok(Some(Ok(v))) => out.push(v),
            Ok(Some(Err(_))) => {}
            Ok(None) => break,
            Err(_) => {
                set.abort_all();
                while set.join_next().await.is_some() {}
                break;
            }
        }
    }
    out
}

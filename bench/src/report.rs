//! Results: one [`Row`] per scenario, server and round; the JSON report; the markdown table of
//! medians with ratios against raw socketioxide and NestJS; the targets.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::servers::ServerKind;

/// One measurement: a scenario on a fresh server process, in one round.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Row {
    /// `echo`, `echo-ack`, `echo-validated`, `fanout`, `fanout-max`, `fanout-2n`,
    /// `fanout-2n-max`, `connect`, `idle-1k`, `idle-10k`, `idle-ten-1k`, `idle-ten-10k`,
    /// `ordered-burst`.
    pub scenario: String,
    /// `framework`, `socketioxide`, `nestjs`, `socketio`.
    pub server: String,
    /// 1-based.
    pub round: usize,
    /// Server CPU time (user + system) per message handled, µs. For `connect`: per connection;
    /// for `ordered-burst`: the median burst's CPU time over its messages.
    pub cpu_us_per_msg: Option<f64>,
    /// Messages handled per second (fan-out: deliveries; `connect`: connections).
    pub msgs_per_s: Option<f64>,
    /// Median latency (round trip, delivery or handshake), µs.
    pub p50_us: Option<f64>,
    /// 99th percentile latency, µs.
    pub p99_us: Option<f64>,
    /// Fan-out: messages delivered over messages that should have been.
    pub delivery_ratio: Option<f64>,
    /// Idle: server RSS per connection, KiB.
    pub kb_per_conn: Option<f64>,
    /// Whether the generator's own core was at least 90% busy (the figure may then be the
    /// generator's limit, not the server's).
    pub client_saturated: bool,
    /// The generator's CPU time over wall time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_cpu_util: Option<f64>,
    /// The server's CPU time over wall time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_cpu_util: Option<f64>,
    /// CPU used by other processes of the machine during the window, in cores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_cpu_util: Option<f64>,
    /// Whether other processes used more than 15% of a core during the window (the figure is
    /// then less trustworthy).
    #[serde(default)]
    pub noisy: bool,
    /// Client connections.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connections: Option<usize>,
    /// Messages (or connections) counted in the window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<u64>,
    /// Length of the measured window, seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_s: Option<f64>,
    /// Fan-out: broadcasts per second sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broadcasts_per_s: Option<f64>,
    /// Idle: server CPU per connection while the clients connected, µs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_cpu_us: Option<f64>,
    /// Idle: connections per second while the clients connected (100 at a time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connects_per_s: Option<f64>,
    /// Idle: server RSS with no connection, KiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rss_base_kb: Option<u64>,
    /// Idle: server RSS with the connections, KiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rss_kb: Option<u64>,
    /// Soak: the server's highest RSS seen during the churn, KiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rss_peak_kb: Option<u64>,
    /// Soak: the server's RSS after the churn, with as many clients connected as before, KiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rss_end_kb: Option<u64>,
    /// Soak: the server's RSS once every client has left, KiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rss_after_kb: Option<u64>,
    /// Client-side failures (connections lost or refused).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<u64>,
    /// Ordered burst: the server's CPU time for one burst, ms (median over the bursts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub burst_cpu_ms: Option<f64>,
    /// Ordered burst: from the first byte written to the last ack, ms (median).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub burst_wall_ms: Option<f64>,
    /// Ordered burst: bursts measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bursts: Option<usize>,
    /// Ordered burst: acks that arrived with an id not above the one before, over all bursts
    /// (expected of the unordered reference when its handler waits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_of_order: Option<u64>,
    /// Fan-out: every rate step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<FanoutStep>>,
    /// Why the run failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One rate step of the fan-out scenario.
#[derive(Debug, Clone, Serialize)]
pub struct FanoutStep {
    /// Broadcasts per second asked for.
    pub rate: u64,
    /// Broadcasts sent.
    pub sent: u64,
    /// Deliveries counted (before the step closed).
    pub delivered: u64,
    /// `delivered / (sent * room)`.
    pub delivery_ratio: f64,
    /// Delivery latency, µs.
    pub p50_us: Option<f64>,
    /// Delivery latency, µs.
    pub p99_us: Option<f64>,
    /// Server CPU per delivery, µs.
    pub cpu_us_per_msg: Option<f64>,
    /// The generator's CPU over wall time.
    pub client_cpu_util: f64,
    /// Other processes' CPU over wall time, in cores.
    pub other_cpu_util: f64,
    /// Whether the generator was saturated.
    pub client_saturated: bool,
}

/// The whole JSON report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// `nproc`, CPU model, kernel, memory, date, pinning.
    pub machine: serde_json::Value,
    /// Versions of everything measured.
    pub versions: serde_json::Value,
    /// How the run was configured.
    pub config: serde_json::Value,
    /// Every row.
    pub results: Vec<Row>,
}

/// The median of the values present.
pub fn median(values: impl IntoIterator<Item = Option<f64>>) -> Option<f64> {
    let mut v: Vec<f64> = values
        .into_iter()
        .flatten()
        .filter(|x| x.is_finite())
        .collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// The medians of one scenario on one server, over its rounds.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Rounds that produced a figure.
    pub rounds: usize,
    /// Rounds that failed.
    pub failed: usize,
    /// Median CPU µs per message.
    pub cpu: Option<f64>,
    /// Median messages per second.
    pub rate: Option<f64>,
    /// Median p50, µs.
    pub p50: Option<f64>,
    /// Median p99, µs.
    pub p99: Option<f64>,
    /// Median delivery ratio.
    pub delivery: Option<f64>,
    /// Median KiB per connection.
    pub kb: Option<f64>,
    /// Median broadcasts per second (fan-out).
    pub broadcasts: Option<f64>,
    /// Median CPU ms per ordered burst.
    pub burst_cpu_ms: Option<f64>,
    /// Median wall ms per ordered burst.
    pub burst_wall_ms: Option<f64>,
    /// Ordered burst: acks out of order, all rounds together.
    pub out_of_order: u64,
    /// Rounds where the generator was saturated.
    pub saturated: usize,
    /// Rounds disturbed by other processes.
    pub noisy: usize,
}

/// Medians per (scenario, server), scenarios in first-seen order.
pub fn summarize(rows: &[Row]) -> Vec<(String, BTreeMap<ServerKind, Summary>)> {
    let mut out: Vec<(String, BTreeMap<ServerKind, Summary>)> = Vec::new();
    for row in rows {
        if !out.iter().any(|(s, _)| *s == row.scenario) {
            out.push((row.scenario.clone(), BTreeMap::new()));
        }
    }
    for (scenario, by_server) in &mut out {
        for kind in ServerKind::ALL {
            let rs: Vec<&Row> = rows
                .iter()
                .filter(|r| r.scenario == *scenario && r.server == kind.name())
                .collect();
            if rs.is_empty() {
                continue;
            }
            let ok: Vec<&Row> = rs.iter().copied().filter(|r| r.error.is_none()).collect();
            by_server.insert(
                kind,
                Summary {
                    rounds: ok.len(),
                    failed: rs.len() - ok.len(),
                    cpu: median(ok.iter().map(|r| r.cpu_us_per_msg)),
                    rate: median(ok.iter().map(|r| r.msgs_per_s)),
                    p50: median(ok.iter().map(|r| r.p50_us)),
                    p99: median(ok.iter().map(|r| r.p99_us)),
                    delivery: median(ok.iter().map(|r| r.delivery_ratio)),
                    kb: median(ok.iter().map(|r| r.kb_per_conn)),
                    broadcasts: median(ok.iter().map(|r| r.broadcasts_per_s)),
                    burst_cpu_ms: median(ok.iter().map(|r| r.burst_cpu_ms)),
                    burst_wall_ms: median(ok.iter().map(|r| r.burst_wall_ms)),
                    out_of_order: ok.iter().filter_map(|r| r.out_of_order).sum(),
                    saturated: ok.iter().filter(|r| r.client_saturated).count(),
                    noisy: ok.iter().filter(|r| r.noisy).count(),
                },
            );
        }
    }
    out
}

fn num(v: Option<f64>) -> String {
    match v {
        None => "–".to_owned(),
        Some(x) if x.abs() >= 10_000.0 => format!("{:.0}", x),
        Some(x) if x.abs() >= 100.0 => format!("{:.0}", x),
        Some(x) if x.abs() >= 10.0 => format!("{:.1}", x),
        Some(x) => format!("{:.2}", x),
    }
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

/// `cpu 1.03 · p99 0.98`: the scenario's main figures over the reference's.
fn ratios(scenario: &str, s: &Summary, reference: Option<&Summary>) -> String {
    let Some(r) = reference else {
        return "–".to_owned();
    };
    let mut parts = Vec::new();
    let mut push = |name: &str, v: Option<f64>| {
        if let Some(v) = v {
            parts.push(format!("{name} {v:.2}"));
        }
    };
    if scenario.starts_with("idle") {
        push("kb", ratio(s.kb, r.kb));
    } else if scenario.ends_with("-max") {
        push("rate", ratio(s.broadcasts, r.broadcasts));
        push("p99", ratio(s.p99, r.p99));
    } else {
        push("cpu", ratio(s.cpu, r.cpu));
        push("p99", ratio(s.p99, r.p99));
    }
    if parts.is_empty() {
        "–".to_owned()
    } else {
        parts.join(" · ")
    }
}

/// The markdown table of medians; `not_applicable` adds an "n/a" row for each (scenario,
/// server, why) that was not run.
pub fn markdown(
    rows: &[Row],
    pending: &[(&str, &str)],
    not_applicable: &[(&str, &str, &str)],
) -> String {
    let mut out = String::new();
    out.push_str(
        "| scenario | server | CPU µs/msg | msgs/s | p50 µs | p99 µs | delivered | KB/conn | gen. saturated | noisy | ÷ socketioxide | ÷ nestjs |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n",
    );
    for (scenario, by_server) in summarize(rows) {
        let raw = by_server.get(&ServerKind::Socketioxide);
        let nest = by_server.get(&ServerKind::Nestjs);
        for (kind, s) in &by_server {
            let label = if scenario.ends_with("-max") {
                format!("{scenario} ({} bc/s)", num(s.broadcasts))
            } else {
                scenario.clone()
            };
            let failed = if s.failed > 0 {
                format!(" ({} failed)", s.failed)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "| {label} | {}{failed} | {} | {} | {} | {} | {} | {} | {}/{} | {}/{} | {} | {} |",
                kind.name(),
                num(s.cpu),
                num(s.rate),
                num(s.p50),
                num(s.p99),
                s.delivery
                    .map(|d| format!("{:.1}%", d * 100.0))
                    .unwrap_or_else(|| "–".to_owned()),
                num(s.kb),
                s.saturated,
                s.rounds,
                s.noisy,
                s.rounds,
                ratios(&scenario, s, raw),
                ratios(&scenario, s, nest),
            );
        }
    }
    for (scenario, server, why) in not_applicable {
        let _ = writeln!(
            out,
            "| {scenario} | {server} | n/a | – | – | – | – | – | – | – | {why} | |"
        );
    }
    for (scenario, why) in pending {
        let _ = writeln!(
            out,
            "| {scenario} | pending | – | – | – | – | – | – | – | – | {why} | |"
        );
    }
    out
}

/// One target of the issue, checked against the medians.
#[derive(Debug, Clone)]
pub struct Target {
    /// What is compared.
    pub what: &'static str,
    /// The measured value, formatted.
    pub value: String,
    /// The target, formatted.
    pub goal: &'static str,
    /// Met, missed, or not measured (`None`).
    pub met: Option<bool>,
}

/// The targets, from the medians.
pub fn targets(rows: &[Row]) -> Vec<Target> {
    let summary = summarize(rows);
    let get = |scenario: &str, kind: ServerKind| -> Option<Summary> {
        summary
            .iter()
            .find(|(s, _)| s == scenario)
            .and_then(|(_, m)| m.get(&kind).cloned())
    };
    let fw = |s: &str| get(s, ServerKind::Framework);
    let raw = |s: &str| get(s, ServerKind::Socketioxide);
    let nest = |s: &str| get(s, ServerKind::Nestjs);
    let mut out = Vec::new();
    let mut push_ratio = |what, goal, v: Option<f64>, ok: fn(f64) -> bool| {
        out.push(Target {
            what,
            value: v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "–".into()),
            goal,
            met: v.map(ok),
        });
    };
    push_ratio(
        "framework / socketioxide, CPU per echo",
        "≤ 1.05",
        ratio(
            fw("echo").and_then(|s| s.cpu),
            raw("echo").and_then(|s| s.cpu),
        ),
        |v| v <= 1.05,
    );
    push_ratio(
        "framework / socketioxide, CPU per validated echo",
        "≤ 1.10",
        ratio(
            fw("echo-validated").and_then(|s| s.cpu),
            raw("echo-validated").and_then(|s| s.cpu),
        ),
        |v| v <= 1.10,
    );
    push_ratio(
        "framework / socketioxide, CPU per acked echo",
        "(no target; ≤ 1.05 expected)",
        ratio(
            fw("echo-ack").and_then(|s| s.cpu),
            raw("echo-ack").and_then(|s| s.cpu),
        ),
        |v| v <= 1.05,
    );
    push_ratio(
        "nestjs / framework, CPU per echo",
        "≥ 2.2",
        ratio(
            nest("echo").and_then(|s| s.cpu),
            fw("echo").and_then(|s| s.cpu),
        ),
        |v| v >= 2.2,
    );
    push_ratio(
        "framework / nestjs, echo p99",
        "≤ 0.25",
        ratio(
            fw("echo").and_then(|s| s.p99),
            nest("echo").and_then(|s| s.p99),
        ),
        |v| v <= 0.25,
    );
    push_ratio(
        "framework / nestjs, fan-out delivery p99 (1000 clients, 100 bc/s)",
        "≤ 0.33",
        ratio(
            fw("fanout").and_then(|s| s.p99),
            nest("fanout").and_then(|s| s.p99),
        ),
        |v| v <= 1.0 / 3.0,
    );
    for idle in ["idle-1k", "idle-10k"] {
        let d = match (fw(idle).and_then(|s| s.kb), raw(idle).and_then(|s| s.kb)) {
            (Some(a), Some(b)) => Some(a - b),
            _ => None,
        };
        out.push(Target {
            what: if idle == "idle-1k" {
                "framework − socketioxide, KB per idle connection (1k)"
            } else {
                "framework − socketioxide, KB per idle connection (10k)"
            },
            value: d
                .map(|v| format!("{v:+.2} KB"))
                .unwrap_or_else(|| "–".into()),
            goal: "≤ +2 KB",
            met: d.map(|v| v <= 2.0),
        });
    }
    out
}

/// Two framework nodes on one engine against one framework node: the fan-out figures of
/// `scenario` (`fanout-2n` on Redis, `fanout-2n-pg` on PostgreSQL), as a markdown list (empty
/// when it did not run).
pub fn two_nodes_markdown(rows: &[Row], scenario: &str, engine: &str) -> String {
    let summary = summarize(rows);
    let fw = |scenario: &str| {
        summary
            .iter()
            .find(|(s, _)| s == scenario)
            .and_then(|(_, m)| m.get(&ServerKind::Framework).cloned())
    };
    let (Some(one), Some(two)) = (fw("fanout"), fw(scenario)) else {
        return String::new();
    };
    let pct = |d: Option<f64>| {
        d.map(|d| format!("{:.1}%", d * 100.0))
            .unwrap_or_else(|| "–".into())
    };
    let ratio_text = |v: Option<f64>| v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "–".into());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "- at {} bc/s: delivered {} on two nodes, {} on one; delivery p99 {} µs against {} µs (× {}); CPU per delivery, both nodes and {engine} together, × {}",
        num(two.broadcasts),
        pct(two.delivery),
        pct(one.delivery),
        num(two.p99),
        num(one.p99),
        ratio_text(ratio(two.p99, one.p99)),
        ratio_text(ratio(two.cpu, one.cpu)),
    );
    if let (Some(one_max), Some(two_max)) = (fw("fanout-max"), fw(&format!("{scenario}-max"))) {
        let _ = writeln!(
            out,
            "- highest rate with 99% delivered: {} bc/s on two nodes, {} on one (× {})",
            num(two_max.broadcasts),
            num(one_max.broadcasts),
            ratio_text(ratio(two_max.broadcasts, one_max.broadcasts)),
        );
    }
    out
}

/// The idle scenarios, as rows of the memory table: scenario and label.
const IDLE_ROWS: [(&str, &str); 4] = [
    ("idle-1k", "idle memory per connection, 1k, `/`"),
    ("idle-10k", "idle memory per connection, 10k, `/`"),
    ("idle-ten-1k", "idle memory per connection, 1k, 10 handlers"),
    (
        "idle-ten-10k",
        "idle memory per connection, 10k, 10 handlers",
    ),
];

/// Idle memory per connection (KiB) as a table: one row per size and namespace (`/`, with the
/// five handlers of the other scenarios, and `/ten`, with ten), one column per server, then the
/// framework against socketioxide and socket.io. Empty when no idle scenario ran.
pub fn idle_markdown(rows: &[Row]) -> String {
    let summary = summarize(rows);
    let kb = |scenario: &str, kind: ServerKind| {
        summary
            .iter()
            .find(|(s, _)| s == scenario)
            .and_then(|(_, m)| m.get(&kind))
            .and_then(|s| s.kb)
    };
    let mut out = String::new();
    for (scenario, label) in IDLE_ROWS {
        if !summary.iter().any(|(s, _)| s == scenario) {
            continue;
        }
        if out.is_empty() {
            out.push_str(
                "| KB per idle connection | framework | socketioxide | nestjs | socketio | framework − socketioxide | framework ÷ socketio |\n\
                 |---|---:|---:|---:|---:|---:|---:|\n",
            );
        }
        let fw = kb(scenario, ServerKind::Framework);
        let diff = match (fw, kb(scenario, ServerKind::Socketioxide)) {
            (Some(a), Some(b)) => format!("{:+.2}", a - b),
            _ => "–".to_owned(),
        };
        let over_node = ratio(fw, kb(scenario, ServerKind::Socketio))
            .map(|v| format!("{v:.2}"))
            .unwrap_or_else(|| "–".to_owned());
        let _ = writeln!(
            out,
            "| {label} | {} | {} | {} | {} | {diff} | {over_node} |",
            num(fw),
            num(kb(scenario, ServerKind::Socketioxide)),
            num(kb(scenario, ServerKind::Nestjs)),
            num(kb(scenario, ServerKind::Socketio)),
        );
    }
    out
}

/// The soak: per server, the clients, how many were replaced and how fast, the server's RSS
/// (before any client, with them all before the churn, at its peak, after it, once they all
/// left), the echo p99 under churn, and the errors; medians over the rounds, as a markdown
/// table. Empty when it did not run.
pub fn soak_markdown(rows: &[Row]) -> String {
    let mut out = String::new();
    for kind in ServerKind::ALL {
        let ok: Vec<&Row> = rows
            .iter()
            .filter(|r| r.scenario == "soak" && r.server == kind.name() && r.error.is_none())
            .collect();
        if ok.is_empty() {
            continue;
        }
        if out.is_empty() {
            out.push_str(
                "| server | clients | replaced | replaced/s | CPU µs per replaced | RSS, no client | with all | peak | after the churn | all gone | echo p99 ms | errors |\n\
                 |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
            );
        }
        let mb = |f: fn(&Row) -> Option<u64>| {
            median(ok.iter().map(|r| f(r).map(|kb| kb as f64 / 1024.0)))
                .map(|v| format!("{v:.1}"))
                .unwrap_or_else(|| "–".to_owned())
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            kind.name(),
            num(median(ok.iter().map(|r| r.connections.map(|n| n as f64)))),
            num(median(ok.iter().map(|r| r.messages.map(|n| n as f64)))),
            num(median(ok.iter().map(|r| r.msgs_per_s))),
            num(median(ok.iter().map(|r| r.cpu_us_per_msg))),
            mb(|r| r.rss_base_kb),
            mb(|r| r.rss_kb),
            mb(|r| r.rss_peak_kb),
            mb(|r| r.rss_end_kb),
            mb(|r| r.rss_after_kb),
            num(median(ok.iter().map(|r| r.p99_us.map(|us| us / 1000.0)))),
            ok.iter().map(|r| r.errors.unwrap_or(0)).sum::<u64>(),
        );
    }
    out
}

/// The ordered burst: per Rust server, CPU and wall time per burst, and the framework's
/// (`ordered`) over socketioxide's (unordered), as a markdown list. Empty when it did not run.
pub fn burst_markdown(rows: &[Row]) -> String {
    let summary = summarize(rows);
    let mut out = String::new();
    for (scenario, handler) in [
        ("ordered-burst", "a handler that acks at once"),
        (
            "ordered-burst-yield",
            "a handler that waits once, then acks",
        ),
    ] {
        if let Some((_, by_server)) = summary.iter().find(|(s, _)| s == scenario) {
            let _ = writeln!(out, "`{scenario}`, {handler}:\n");
            burst_lines(&mut out, by_server);
            out.push('\n');
        }
    }
    out
}

fn burst_lines(out: &mut String, by_server: &BTreeMap<ServerKind, Summary>) {
    for (kind, how) in [
        (ServerKind::Framework, "`ordered` gateway"),
        (ServerKind::Socketioxide, "unordered, the reference"),
    ] {
        if let Some(s) = by_server.get(&kind) {
            let _ = writeln!(
                out,
                "- {} ({how}): {} ms server CPU per burst, {} ms to the last ack, {} of the acks arrived, {} out of order",
                kind.name(),
                num(s.burst_cpu_ms),
                num(s.burst_wall_ms),
                s.delivery
                    .map(|d| format!("{:.1}%", d * 100.0))
                    .unwrap_or_else(|| "–".to_owned()),
                s.out_of_order,
            );
        }
    }
    let fw = by_server.get(&ServerKind::Framework);
    let raw = by_server.get(&ServerKind::Socketioxide);
    if let (Some(fw), Some(raw)) = (fw, raw) {
        let r = |v: Option<f64>| v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "–".into());
        let _ = writeln!(
            out,
            "- framework ÷ socketioxide: CPU {}, wall {}",
            r(ratio(fw.burst_cpu_ms, raw.burst_cpu_ms)),
            r(ratio(fw.burst_wall_ms, raw.burst_wall_ms)),
        );
    }
}

/// The targets as a markdown list.
pub fn targets_markdown(rows: &[Row]) -> String {
    let mut out = String::new();
    for t in targets(rows) {
        let mark = match t.met {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => "not measured",
        };
        let _ = writeln!(out, "- {}: {} (target {}): {mark}", t.what, t.value, t.goal);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(scenario: &str, server: &str, round: usize, cpu: f64, p99: f64) -> Row {
        Row {
            scenario: scenario.into(),
            server: server.into(),
            round,
            cpu_us_per_msg: Some(cpu),
            p99_us: Some(p99),
            ..Row::default()
        }
    }

    #[test]
    fn soak_table_gives_memory_in_mb_and_sums_errors() {
        let soak = |round, peak_kb, errors| Row {
            scenario: "soak".into(),
            server: "framework".into(),
            round,
            connections: Some(1000),
            messages: Some(300),
            rss_base_kb: Some(10 * 1024),
            rss_kb: Some(30 * 1024),
            rss_peak_kb: Some(peak_kb),
            rss_end_kb: Some(31 * 1024),
            rss_after_kb: Some(12 * 1024),
            p99_us: Some(2500.0),
            errors,
            ..Row::default()
        };
        let md = soak_markdown(&[soak(1, 40 * 1024, Some(2)), soak(2, 42 * 1024, None)]);
        let fw = md.lines().find(|l| l.starts_with("| framework |")).unwrap();
        assert_eq!(
            fw,
            "| framework | 1000 | 300 | – | – | 10.0 | 30.0 | 41.0 | 31.0 | 12.0 | 2.50 | 2 |"
        );
        assert!(soak_markdown(&[row("echo", "framework", 1, 1.0, 1.0)]).is_empty());
    }

    #[test]
    fn medians_ignore_missing_values() {
        assert_eq!(median([Some(3.0), None, Some(1.0), Some(2.0)]), Some(2.0));
        assert_eq!(median([Some(4.0), Some(1.0)]), Some(2.5));
        assert_eq!(median([None, Some(f64::NAN)]), None);
    }

    #[test]
    fn table_has_ratios_against_both_references() {
        let rows = vec![
            row("echo", "framework", 1, 10.0, 1000.0),
            row("echo", "framework", 2, 11.0, 1100.0),
            row("echo", "framework", 3, 30.0, 900.0),
            row("echo", "socketioxide", 1, 10.0, 1000.0),
            row("echo", "nestjs", 1, 22.0, 4000.0),
        ];
        let md = markdown(
            &rows,
            &[("echo-validated", "pending")],
            &[("ordered-burst", "nestjs", "n/a: why")],
        );
        let fw = md.lines().find(|l| l.contains("| framework |")).unwrap();
        assert!(fw.contains("| 11.0 |"), "{fw}");
        assert!(fw.contains("cpu 1.10 · p99 1.00"), "{fw}");
        assert!(fw.contains("cpu 0.50 · p99 0.25"), "{fw}");
        assert!(md.contains("| echo-validated | pending |"));
        assert!(md.contains("| ordered-burst | nestjs | n/a |"), "{md}");
        assert!(idle_markdown(&rows).is_empty(), "no idle rows");
        assert!(burst_markdown(&rows).is_empty(), "no burst rows");
        let t = targets(&rows);
        assert_eq!(t[0].met, Some(false));
        assert_eq!(t[1].met, None, "echo-validated not measured");
        assert_eq!(t[3].value, "2.00");
        assert_eq!(t[4].met, Some(true));
        assert!(
            two_nodes_markdown(&rows, "fanout-2n", "Redis").is_empty(),
            "no fanout-2n rows"
        );
    }

    #[test]
    fn two_nodes_against_one() {
        let fan = |scenario: &str, p99: f64, delivery: f64, bc: f64| Row {
            scenario: scenario.into(),
            server: "framework".into(),
            round: 1,
            cpu_us_per_msg: Some(2.0),
            p99_us: Some(p99),
            delivery_ratio: Some(delivery),
            broadcasts_per_s: Some(bc),
            ..Row::default()
        };
        let rows = vec![
            fan("fanout", 1000.0, 1.0, 100.0),
            fan("fanout-max", 3000.0, 0.995, 2000.0),
            fan("fanout-2n", 1500.0, 0.999, 100.0),
            fan("fanout-2n-max", 4000.0, 0.99, 1000.0),
        ];
        let md = two_nodes_markdown(&rows, "fanout-2n", "Redis");
        assert!(
            md.contains("delivered 99.9% on two nodes, 100.0% on one"),
            "{md}"
        );
        assert!(md.contains("(× 1.50)"), "{md}");
        assert!(
            md.contains("1000 bc/s on two nodes, 2000 on one (× 0.50)"),
            "{md}"
        );
        let table = markdown(&rows, &[], &[]);
        assert!(
            table.contains("| fanout-2n-max (1000 bc/s) | framework |"),
            "{table}"
        );
    }

    #[test]
    fn idle_table_has_a_row_per_size_and_namespace() {
        let idle = |scenario: &str, server: &str, kb: f64| Row {
            scenario: scenario.into(),
            server: server.into(),
            round: 1,
            kb_per_conn: Some(kb),
            ..Row::default()
        };
        let rows = vec![
            idle("idle-1k", "framework", 30.0),
            idle("idle-1k", "socketioxide", 29.0),
            idle("idle-1k", "socketio", 24.0),
            idle("idle-ten-1k", "framework", 30.5),
            idle("idle-ten-1k", "socketioxide", 33.0),
            idle("idle-ten-1k", "nestjs", 45.0),
        ];
        let md = idle_markdown(&rows);
        assert!(
            md.contains(
                "| idle memory per connection, 1k, `/` | 30.0 | 29.0 | – | 24.0 | +1.00 | 1.25 |"
            ),
            "{md}"
        );
        assert!(
            md.contains("| idle memory per connection, 1k, 10 handlers | 30.5 | 33.0 | 45.0 | – | -2.50 | – |"),
            "{md}"
        );
        assert!(!md.contains("10k"), "{md}");
        // The main table keeps its idle rows and their ratios.
        let table = markdown(&rows, &[], &[]);
        assert!(table.contains("| idle-ten-1k | framework |"), "{table}");
        assert!(table.contains("kb 0.92"), "{table}");
    }

    #[test]
    fn ordered_burst_against_the_reference() {
        let burst = |server: &str, cpu: f64, wall: f64| Row {
            scenario: "ordered-burst".into(),
            server: server.into(),
            round: 1,
            cpu_us_per_msg: Some(cpu),
            burst_cpu_ms: Some(cpu),
            burst_wall_ms: Some(wall),
            delivery_ratio: Some(1.0),
            ..Row::default()
        };
        let rows = vec![
            burst("framework", 12.0, 20.0),
            burst("socketioxide", 10.0, 16.0),
        ];
        let md = burst_markdown(&rows);
        assert!(
            md.contains("- framework (`ordered` gateway): 12.0 ms server CPU per burst, 20.0 ms to the last ack, 100.0% of the acks arrived, 0 out of order"),
            "{md}"
        );
        assert!(md.contains("CPU 1.20, wall 1.25"), "{md}");
    }
}

//! The benchmark of issue 4: this framework against hand-written socketioxide, a NestJS 12
//! gateway and plain socket.io, with the same handlers, measured by one load generator.
//!
//! ```text
//! cargo run --release -p bench -- [--quick] [--out FILE] [--rounds N]
//!     [--only echo,echo-ack,echo-validated,fanout,fanout-2n,connect,idle-1k,idle-10k,
//!             idle-ten-1k,idle-ten-10k,ordered-burst,ordered-burst-yield,soak] [--servers framework,socketioxide,nestjs,socketio]
//! ```
//!
//! Each run starts a fresh server process pinned to core 0 (the Rust servers are this binary,
//! re-executed as `bench serve <kind>`, on a single-threaded tokio runtime), drives it from this
//! process, pinned to core 1, and reads the server's CPU time and RSS from `/proc`. Runs are
//! interleaved (every server, scenario by scenario, round by round); the medians are printed as
//! a markdown table with ratios against socketioxide and NestJS, and `--out` writes every row as
//! JSON. See `bench/README.md`.

mod client;
mod node;
mod report;
mod scenarios;
mod servers;
mod sys;
mod wire;

use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::json;

use crate::node::NodeEnv;
use crate::report::{Report, Row};
use crate::scenarios::{Params, Scenario};
use crate::servers::ServerKind;

const USAGE: &str = "\
usage: cargo run --release -p bench -- [options]

  --quick               short runs, one round, idle memory at 1k only (about a minute)
  --rounds N            rounds of every scenario on every server (default 3, --quick 1)
  --only LIST           scenarios, comma-separated: echo, echo-ack, echo-validated,
                        fanout, fanout-2n (two framework nodes on one Redis),
                        fanout-2n-pg (the same on one PostgreSQL), connect,
                        idle (both sizes), idle-1k, idle-10k, idle-ten (both sizes, on a
                        namespace with ten handlers), idle-ten-1k, idle-ten-10k,
                        ordered-burst, ordered-burst-yield (Rust servers only),
                        soak (10k clients, 500 replaced a second for 2 minutes, paced echoes
                        beside; --quick: 1k, 100 a second for 3 s)
  --servers LIST        servers, comma-separated: framework, socketioxide, nestjs, socketio
  --out FILE            also write the JSON report to FILE
  -h, --help            this text

  The exit status is 1 when a run failed (a server that did not start, no answer); missed
  targets and noisy figures are reported, never failures.

  bench serve framework|socketioxide   run one Rust server (what the benchmark starts), print PORT=<n>
  bench load PORT echo|echo-ack|echo-validated MESSAGES [CONNECTIONS]
                        send a fixed number of messages to 127.0.0.1:PORT in a closed loop
                        (100 connections), for profiling a server started by hand";

/// The command line.
#[derive(Debug)]
struct Config {
    quick: bool,
    rounds: usize,
    out: Option<PathBuf>,
    scenarios: Vec<Scenario>,
    servers: Vec<ServerKind>,
}

fn parse_args(args: &[String]) -> Result<Option<Config>, String> {
    let mut quick = false;
    let mut rounds = None;
    let mut out = None;
    let mut only: Option<String> = None;
    let mut servers: Option<String> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag {
            "-h" | "--help" => return Ok(None),
            "--quick" => quick = true,
            "--rounds" => {
                let v = value("--rounds")?;
                let n: usize = v
                    .parse()
                    .map_err(|_| format!("--rounds {v}: not a number"))?;
                if n == 0 {
                    return Err("--rounds must be at least 1".into());
                }
                rounds = Some(n);
            }
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--only" => only = Some(value("--only")?),
            "--servers" => servers = Some(value("--servers")?),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let scenarios = match only {
        None => Scenario::all(quick),
        Some(list) => {
            let mut v: Vec<Scenario> = Vec::new();
            for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                for s in Scenario::parse(name, quick)
                    .ok_or_else(|| format!("unknown scenario `{name}`"))?
                {
                    if !v.contains(&s) {
                        v.push(s);
                    }
                }
            }
            v
        }
    };
    let servers = match servers {
        None => ServerKind::ALL.to_vec(),
        Some(list) => {
            let mut v = Vec::new();
            for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let k =
                    ServerKind::parse(name).ok_or_else(|| format!("unknown server `{name}`"))?;
                if !v.contains(&k) {
                    v.push(k);
                }
            }
            v
        }
    };
    Ok(Some(Config {
        quick,
        rounds: rounds.unwrap_or(if quick { 1 } else { 3 }),
        out,
        scenarios,
        servers,
    }))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("serve") {
        return servers::serve(args.get(1).map(String::as_str).unwrap_or_default());
    }
    if args.first().map(String::as_str) == Some("load") {
        return load(&args[1..]);
    }
    match parse_args(&args) {
        Ok(Some(cfg)) => run(cfg),
        Ok(None) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench: {e}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(mut cfg: Config) -> ExitCode {
    let fd_limit = sys::raise_fd_limit();
    let needed = cfg
        .scenarios
        .iter()
        .map(|s| match s {
            Scenario::Idle(n) | Scenario::IdleTen(n) => *n,
            Scenario::Fanout | Scenario::FanoutTwoNodes | Scenario::FanoutTwoNodesPg => 1001,
            _ => 100,
        })
        .max()
        .unwrap_or(0);
    if (fd_limit as usize) < needed + 100 {
        eprintln!(
            "bench: warning: the open-files limit is {fd_limit}, {needed} connections need more (ulimit -n)"
        );
    }
    let cores = sys::cores();
    match cores {
        Some(c) => {
            if let Err(e) = sys::pin_current_thread(c.client) {
                eprintln!("bench: cannot pin the generator to core {}: {e}", c.client);
            }
        }
        None => eprintln!("bench: warning: one CPU only, server and generator share it"),
    }

    let node = if cfg.servers.iter().any(|k| k.is_node()) {
        match node::prepare() {
            Ok(env) => Some(env),
            Err(why) => {
                let skipped: Vec<&str> = cfg
                    .servers
                    .iter()
                    .filter(|k| k.is_node())
                    .map(|k| k.name())
                    .collect();
                eprintln!("bench: skipping {}: {why}", skipped.join(", "));
                cfg.servers.retain(|k| !k.is_node());
                None
            }
        }
    } else {
        None
    };
    if cfg.servers.is_empty() {
        eprintln!("bench: no server to measure");
        return ExitCode::FAILURE;
    }

    let params = Params::new(cfg.quick);
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("bench: cannot start tokio: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (date, time) = sys::utc_now();
    eprintln!(
        "bench: {} rounds; servers: {}; scenarios: {}; {} CPUs ({}), server on core {}, generator on core {}",
        cfg.rounds,
        names(cfg.servers.iter().map(|k| k.name().to_owned())),
        names(cfg.scenarios.iter().map(|s| s.name())),
        sys::nproc(),
        sys::cpu_model(),
        cores.map(|c| c.server.to_string()).unwrap_or("-".into()),
        cores.map(|c| c.client.to_string()).unwrap_or("-".into()),
    );

    // Read now: the sources (and the git state) are those this binary was just built from.
    let versions = versions(node.as_ref());
    let mut rows: Vec<Row> = Vec::new();
    let mut pending: Vec<(String, &'static str)> = Vec::new();
    for s in &cfg.scenarios {
        if let Some(why) = s.pending() {
            eprintln!("bench: {}: {why}", s.name());
            pending.push((s.name(), why));
        }
    }
    // No PostgreSQL on this machine (and none installable): its fan-out is skipped, noted in
    // the report, not failed.
    if cfg.scenarios.contains(&Scenario::FanoutTwoNodesPg)
        && let Err(why) = gateway_tests::postgres::available()
    {
        eprintln!("bench: fanout-2n-pg skipped: {why}");
        pending.push((
            Scenario::FanoutTwoNodesPg.name(),
            "skipped: PostgreSQL is not installed (scripts/install-test-deps.sh)",
        ));
        cfg.scenarios.retain(|s| *s != Scenario::FanoutTwoNodesPg);
    }
    let mut not_applicable: Vec<(String, &'static str, &'static str)> = Vec::new();
    for s in cfg.scenarios.iter().filter(|s| s.pending().is_none()) {
        for &kind in &cfg.servers {
            if let Some(why) = s.not_applicable(kind) {
                eprintln!("bench: {} · {}: {why}", s.name(), kind.name());
                not_applicable.push((s.name(), kind.name(), why));
            }
        }
    }
    for round in 1..=cfg.rounds {
        // Every other round runs the servers in reverse order (A B C D, then D C B A), so that
        // no server always runs first, right after the quiet wait, or right after another.
        let mut order = cfg.servers.clone();
        if round % 2 == 0 {
            order.reverse();
        }
        for scenario in cfg.scenarios.iter().filter(|s| s.pending().is_none()) {
            for &kind in order.iter().filter(|&&k| scenario.runs_on(k)) {
                let label = format!(
                    "[{round}/{}] {} · {}",
                    cfg.rounds,
                    scenario.name(),
                    kind.name()
                );
                eprintln!("{label} ...");
                let result = rt.block_on(async {
                    let busy = sys::wait_quiet(0.10, params.quiet_wait).await;
                    if busy >= 0.10 {
                        eprintln!(
                            "    other processes keep {:.0}% of a core busy: the figures may be noisy",
                            busy * 100.0
                        );
                    }
                    scenario
                        .run_fresh(kind, cores, node.as_ref(), &params)
                        .await
                });
                match result {
                    Ok(measured) => {
                        for mut row in measured {
                            if row.scenario.is_empty() {
                                row.scenario = scenario.name();
                            }
                            row.server = kind.name().to_owned();
                            row.round = round;
                            eprintln!("    {}", progress(&row));
                            rows.push(row);
                        }
                    }
                    Err(e) => {
                        eprintln!("    FAILED: {e}");
                        rows.push(Row {
                            scenario: scenario.name(),
                            server: kind.name().to_owned(),
                            round,
                            error: Some(e),
                            ..Row::default()
                        });
                    }
                }
            }
        }
    }

    // A run that failed (a server that did not start, a scenario that got no answer) is a
    // broken bench, which CI must see; missed targets and noise are not failures.
    let failed = rows.iter().filter(|r| r.error.is_some()).count();
    let pending_ref: Vec<(&str, &str)> = pending.iter().map(|(s, w)| (s.as_str(), *w)).collect();
    println!(
        "\n## Medians of {} round(s), started {date} {time}\n\n{} CPUs ({}), Linux {}; server pinned to core {}, generator to core {}.\n",
        cfg.rounds,
        sys::nproc(),
        sys::cpu_model(),
        sys::kernel(),
        cores.map(|c| c.server.to_string()).unwrap_or("-".into()),
        cores.map(|c| c.client.to_string()).unwrap_or("-".into()),
    );
    let na_ref: Vec<(&str, &str, &str)> = not_applicable
        .iter()
        .map(|(s, k, w)| (s.as_str(), *k, *w))
        .collect();
    println!("{}", report::markdown(&rows, &pending_ref, &na_ref));
    let idle = report::idle_markdown(&rows);
    if !idle.is_empty() {
        println!(
            "Idle memory per connection, KiB (`/`: five handlers, echo to fanout; 10 handlers: namespace `/ten`):\n\n{idle}"
        );
    }
    let burst = report::burst_markdown(&rows);
    if !burst.is_empty() {
        println!(
            "Ordered burst (one socket, 1000 acked messages written back to back):\n\n{burst}"
        );
    }
    let soak = report::soak_markdown(&rows);
    if !soak.is_empty() {
        println!(
            "Soak (clients replaced while others stay connected and a few echo; server RSS in MB):\n\n{soak}"
        );
    }
    println!("Targets of issue 4:\n\n{}", report::targets_markdown(&rows));
    for (scenario, engine) in [("fanout-2n", "Redis"), ("fanout-2n-pg", "PostgreSQL")] {
        let two_nodes = report::two_nodes_markdown(&rows, scenario, engine);
        if !two_nodes.is_empty() {
            println!(
                "Two framework nodes on one {engine}, against one node (fan-out, 1000 clients):\n\n{two_nodes}"
            );
        }
    }
    println!("Versions: {versions}");

    if let Some(path) = &cfg.out {
        let report = Report {
            machine: json!({
                "nproc": sys::nproc(),
                "cpu_model": sys::cpu_model(),
                "kernel": sys::kernel(),
                "mem_total_kb": sys::mem_total_kb(),
                "date": date,
                "time": time,
                "server_core": cores.map(|c| c.server),
                "generator_core": cores.map(|c| c.client),
                "fd_limit": fd_limit,
            }),
            versions,
            config: json!({
                "quick": cfg.quick,
                "rounds": cfg.rounds,
                "servers": cfg.servers.iter().map(|k| k.name()).collect::<Vec<_>>(),
                "scenarios": cfg.scenarios.iter().map(|s| s.name()).collect::<Vec<_>>(),
                "pending": pending.iter().map(|(s, w)| json!({"scenario": s, "why": w})).collect::<Vec<_>>(),
                "not_applicable": not_applicable.iter().map(|(s, k, w)| json!({"scenario": s, "server": k, "why": w})).collect::<Vec<_>>(),
                "params": params,
            }),
            results: rows,
        };
        let text = match serde_json::to_string_pretty(&report) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("bench: cannot encode the report: {e}");
                return ExitCode::FAILURE;
            }
        };
        if let Err(e) = std::fs::write(path, text + "\n") {
            eprintln!("bench: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        eprintln!("bench: wrote {}", path.display());
    }
    if failed > 0 {
        eprintln!("bench: {failed} run(s) FAILED (see above)");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// `bench load PORT KIND MESSAGES [CONNECTIONS]`.
fn load(args: &[String]) -> ExitCode {
    let parsed = (|| -> Option<(u16, scenarios::echo::Kind, u64, usize)> {
        let port = args.first()?.parse().ok()?;
        let kind = match args.get(1)?.as_str() {
            "echo" => scenarios::echo::Kind::Emit,
            "echo-ack" => scenarios::echo::Kind::Ack,
            "echo-validated" => scenarios::echo::Kind::Validated,
            _ => return None,
        };
        let messages = args.get(2)?.parse().ok()?;
        let conns = match args.get(3) {
            Some(c) => c.parse().ok()?,
            None => 100,
        };
        Some((port, kind, messages, conns))
    })();
    let Some((port, kind, messages, conns)) = parsed else {
        eprintln!(
            "bench: usage: bench load PORT echo|echo-ack|echo-validated MESSAGES [CONNECTIONS]"
        );
        return ExitCode::from(2);
    };
    sys::raise_fd_limit();
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("bench: cannot start tokio: {e}");
            return ExitCode::FAILURE;
        }
    };
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    match rt.block_on(scenarios::echo::fixed_count(addr, kind, messages, conns)) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench load: {e}");
            ExitCode::FAILURE
        }
    }
}

fn names(it: impl Iterator<Item = String>) -> String {
    it.collect::<Vec<_>>().join(", ")
}

/// One line per finished run.
fn progress(r: &Row) -> String {
    let f = |v: Option<f64>, unit: &str| v.map(|v| format!("{v:.2}{unit}"));
    let parts: Vec<String> = [
        Some(r.scenario.clone()),
        f(r.cpu_us_per_msg, " µs cpu/msg"),
        f(r.msgs_per_s, " msg/s"),
        f(r.p50_us, " µs p50"),
        f(r.p99_us, " µs p99"),
        r.delivery_ratio
            .map(|d| format!("{:.1}% delivered", d * 100.0)),
        r.broadcasts_per_s.map(|b| format!("{b:.0} bc/s")),
        f(r.kb_per_conn, " KB/conn"),
        f(r.burst_cpu_ms, " ms cpu/burst"),
        f(r.burst_wall_ms, " ms/burst"),
        r.out_of_order
            .filter(|&n| n > 0)
            .map(|n| format!("{n} acks out of order")),
        r.client_cpu_util
            .map(|u| format!("generator {:.0}%", u * 100.0)),
        r.server_cpu_util
            .map(|u| format!("server {:.0}%", u * 100.0)),
        r.errors.map(|e| format!("{e} errors")),
    ]
    .into_iter()
    .flatten()
    .collect();
    parts.join(", ")
}

/// The version of crate `name` in the workspace's lockfile (what this binary was built with).
fn lock_version(name: &str) -> Option<String> {
    const LOCK: &str = include_str!("../../Cargo.lock");
    let needle = format!("name = \"{name}\"\n");
    let at = LOCK.find(&needle)? + needle.len();
    let line = LOCK[at..].lines().next()?;
    Some(
        line.strip_prefix("version = ")?
            .trim_matches('"')
            .to_owned(),
    )
}

/// The output of a command, trimmed, if it ran.
fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let out = std::process::Command::new(program)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn versions(node: Option<&NodeEnv>) -> serde_json::Value {
    let rustc = command_output("rustc", &["--version"]);
    // The framework as built: the commit, and whether its sources had uncommitted changes.
    let commit = command_output("git", &["rev-parse", "--short", "HEAD"]);
    let dirty = command_output(
        "git",
        &[
            "status",
            "--porcelain",
            "--",
            "../gateway-core",
            "../gateway-macros",
        ],
    )
    .map(|s| !s.is_empty());
    let mut v = json!({
        "bench": env!("CARGO_PKG_VERSION"),
        "gateway-core": lock_version("gateway-core"),
        "socketioxide": lock_version("socketioxide"),
        "engineioxide": lock_version("engineioxide"),
        "tokio": lock_version("tokio"),
        "axum": lock_version("axum"),
        "hyper": lock_version("hyper"),
        "rustc": rustc,
        "git_commit": commit,
        "framework_sources_modified": dirty,
    });
    if let Some(node) = node {
        v["node"] = json!(node.version);
        for pkg in [
            "@nestjs/core",
            "@nestjs/common",
            "@nestjs/websockets",
            "@nestjs/platform-socket.io",
            "@nestjs/platform-express",
            "socket.io",
            "engine.io",
            "ws",
        ] {
            v[pkg] = json!(node::package_version(&node.dir, pkg));
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn command_line() {
        let c = parse_args(&args(
            "--quick --only echo,idle --servers framework,nestjs --out r.json",
        ))
        .unwrap()
        .unwrap();
        assert!(c.quick);
        assert_eq!(c.rounds, 1);
        assert_eq!(
            c.scenarios,
            vec![Scenario::Echo, Scenario::Idle(1000), Scenario::Idle(10_000)]
        );
        assert_eq!(c.servers, vec![ServerKind::Framework, ServerKind::Nestjs]);
        assert_eq!(c.out, Some(PathBuf::from("r.json")));
        let c = parse_args(&args("--rounds=5")).unwrap().unwrap();
        assert_eq!(c.rounds, 5);
        assert_eq!(c.servers.len(), 4);
        assert!(c.scenarios.contains(&Scenario::Idle(10_000)));
        assert!(c.scenarios.contains(&Scenario::IdleTen(10_000)));
        assert!(c.scenarios.contains(&Scenario::OrderedBurst));
        assert!(c.scenarios.contains(&Scenario::OrderedBurstYield));
        let c = parse_args(&args("--quick")).unwrap().unwrap();
        assert!(c.scenarios.contains(&Scenario::IdleTen(1_000)));
        assert!(!c.scenarios.contains(&Scenario::IdleTen(10_000)));
        assert!(c.scenarios.contains(&Scenario::OrderedBurst));
        let c = parse_args(&args("--only idle,idle-ten,ordered-burst,idle-ten-1k"))
            .unwrap()
            .unwrap();
        assert_eq!(
            c.scenarios,
            vec![
                Scenario::Idle(1_000),
                Scenario::Idle(10_000),
                Scenario::IdleTen(1_000),
                Scenario::IdleTen(10_000),
                Scenario::OrderedBurst,
            ]
        );
        let names: Vec<String> = c.scenarios.iter().map(|s| s.name()).collect();
        assert_eq!(
            names,
            [
                "idle-1k",
                "idle-10k",
                "idle-ten-1k",
                "idle-ten-10k",
                "ordered-burst"
            ]
        );
        assert!(!Scenario::OrderedBurst.runs_on(ServerKind::Nestjs));
        assert!(Scenario::OrderedBurst.runs_on(ServerKind::Socketioxide));
        assert!(
            Scenario::OrderedBurst
                .not_applicable(ServerKind::Socketio)
                .is_some()
        );
        assert!(Scenario::IdleTen(1_000).runs_on(ServerKind::Nestjs));
        assert!(parse_args(&args("--only nope")).is_err());
        assert!(parse_args(&args("--rounds 0")).is_err());
        assert!(parse_args(&args("--help")).unwrap().is_none());
    }

    #[test]
    fn lockfile_versions() {
        assert_eq!(lock_version("socketioxide").as_deref(), Some("0.18.9"));
        assert!(lock_version("no-such-crate").is_none());
    }
}

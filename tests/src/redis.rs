//! A real `redis-server` for the scale-out tests: started on a free loopback port, stopped (and
//! its files removed) when dropped, even when the test panics.
//!
//! ```ignore
//! let mut redis = gateway_tests::redis::RedisServer::start();
//! let node = demo_app::start_with("127.0.0.1", 0, 0, Some(&redis.url())).await?;
//! redis.stop();    // Redis goes away
//! redis.restart(); // and comes back on the same port
//! ```
//!
//! [`RedisCluster`] starts three masters with cluster mode on and joins them with
//! `redis-cli --cluster create`.
//!
//! `redis-server` and `redis-cli` (Debian's `redis-server` package, Redis 7 or newer) must be on
//! `PATH`; `scripts/install-test-deps.sh` installs them. A missing binary fails the test with a
//! message saying so: it is never skipped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use crate::process::{ChildGroup, run_bounded, wait_until_refused};
use crate::server::{ServerProcess, free_port, install_deps};

/// How long a starting `redis-server` may take to answer `PING`.
pub const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long one command sent by [`RedisServer::query`] may take.
const QUERY_TIMEOUT: Duration = Duration::from_secs(2);

/// How long `redis-cli --cluster create` may take, and the cluster to agree it is up.
const CLUSTER_TIMEOUT: Duration = Duration::from_secs(30);

/// A `redis-server` child process on `127.0.0.1:port`, in a temporary directory of its own.
///
/// Dropping it kills the process and removes the directory.
pub struct RedisServer {
    process: ServerProcess,
    /// Extra `redis-server` arguments, given again on each start.
    args: Vec<String>,
}

impl RedisServer {
    /// Starts a standalone server (no persistence) on a free loopback port and waits until it
    /// answers `PING`.
    ///
    /// # Panics
    ///
    /// If `redis-server` is missing or does not become ready within [`READY_TIMEOUT`]; the
    /// message carries its output.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// [`start`](Self::start), with extra `redis-server` arguments (e.g.
    /// `["--requirepass", "pw"]`).
    pub fn start_with(extra: &[&str]) -> Self {
        Self::try_start(extra).unwrap_or_else(|e| panic!("{e}"))
    }

    /// [`start_with`](Self::start_with) without the panic: `Err` says why it did not start
    /// (for callers that are not tests, like the benchmark).
    pub fn try_start(extra: &[&str]) -> Result<Self, String> {
        Self::try_start_on(extra, free_port)
    }

    fn try_start_on(extra: &[&str], pick: fn() -> u16) -> Result<Self, String> {
        ensure_redis_installed()?;
        // A port picked free may be taken again before redis-server binds it: try a few.
        let mut last = String::new();
        let mut server = RedisServer {
            process: ServerProcess::new("redis-server")?,
            args: extra.iter().map(|s| (*s).to_owned()).collect(),
        };
        for _ in 0..3 {
            server.process.port = pick();
            match server.spawn_and_wait() {
                Ok(()) => return Ok(server),
                Err(e) => last = e,
            }
        }
        Err(last) // `server` is dropped: directory removed
    }

    /// The port it listens on (the same across [`restart`](Self::restart)s).
    pub fn port(&self) -> u16 {
        self.process.port
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port())
    }

    /// `127.0.0.1:<port>`.
    pub fn addr(&self) -> SocketAddr {
        self.process.addr()
    }

    /// The process id of the running server (`None` when stopped).
    pub fn pid(&self) -> Option<u32> {
        self.process.child().map(ChildGroup::id)
    }

    /// Whether the process is running (started and not stopped; it may have died since).
    pub fn is_running(&mut self) -> bool {
        self.process.is_running()
    }

    /// Kills the server (`SIGKILL`: Redis vanishes as in a crash) and waits until it is gone and
    /// its port refuses connections. Does nothing when it is not running.
    pub fn stop(&mut self) {
        // Dropping the child kills it.
        drop(self.process.take_child());
        // The listening socket is closed with the process; wait for the kernel to agree.
        wait_until_refused(self.addr(), READY_TIMEOUT, "redis-server");
    }

    /// Stops the server if it runs, then starts it again on the same port (empty: no
    /// persistence) and waits until it answers `PING`.
    ///
    /// # Panics
    ///
    /// If it does not become ready within [`READY_TIMEOUT`] (e.g. the port was taken meanwhile).
    pub fn restart(&mut self) {
        self.stop();
        if let Err(e) = self.spawn_and_wait() {
            panic!("restarting redis-server on the same port: {e}");
        }
    }

    /// Sends one command (RESP) and returns the reply: simple strings, integers and bulk
    /// strings as text; `Err` with the message for an error reply or an I/O failure. Arrays are
    /// not supported.
    pub fn query(&self, args: &[&str]) -> Result<String, String> {
        query(self.addr(), args)
    }

    /// The server's output so far (its log), to explain a failure.
    pub fn log(&self) -> String {
        self.process.log()
    }

    /// Starts `redis-server` on the port and waits until it answers `PING`.
    fn spawn_and_wait(&mut self) -> Result<(), String> {
        let port = self.port().to_string();
        let addr = self.addr();
        let mut cmd = Command::new("redis-server");
        cmd.args(["--port", &port, "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .args(["--daemonize", "no", "--protected-mode", "yes"])
            .arg("--dir")
            .arg(self.process.dir())
            .args(&self.args);
        self.process
            .spawn_and_wait(&mut cmd, READY_TIMEOUT, || match query(addr, &["PING"]) {
                Ok(pong) => pong == "PONG",
                // `-NOAUTH` with --requirepass: it is up.
                Err(e) => e.contains("NOAUTH") || e.contains("AUTH"),
            })
    }
}

impl std::fmt::Debug for RedisServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.process.fmt(f)
    }
}

/// A Redis Cluster of three masters (no replicas), each a [`RedisServer`] with cluster mode on.
/// Dropping it stops them all.
pub struct RedisCluster {
    nodes: Vec<RedisServer>,
}

impl RedisCluster {
    /// Starts three masters, joins them with `redis-cli --cluster create ... --cluster-replicas
    /// 0 --cluster-yes`, and waits until every node reports `cluster_state:ok`.
    ///
    /// # Panics
    ///
    /// If a server does not start, `redis-cli` is missing or fails, or the cluster is not up
    /// within 30 s.
    pub fn start() -> Self {
        let nodes: Vec<RedisServer> = (0..3)
            .map(|i| {
                let conf = format!("nodes-{i}.conf");
                RedisServer::try_start_on(
                    &[
                        "--cluster-enabled",
                        "yes",
                        "--cluster-config-file",
                        &conf,
                        "--cluster-node-timeout",
                        "5000",
                    ],
                    // The cluster bus listens on port + 10000: it must be free too.
                    free_cluster_port,
                )
                .unwrap_or_else(|e| panic!("cluster node {i}: {e}"))
            })
            .collect();
        let cluster = RedisCluster { nodes };
        cluster.create();
        cluster.wait_ok();
        cluster
    }

    /// `redis://127.0.0.1:<port>` of every node.
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(RedisServer::url).collect()
    }

    /// The nodes.
    pub fn nodes(&self) -> &[RedisServer] {
        &self.nodes
    }

    fn create(&self) {
        let mut cmd = Command::new("redis-cli");
        cmd.arg("--cluster").arg("create");
        for node in &self.nodes {
            cmd.arg(format!("127.0.0.1:{}", node.port()));
        }
        cmd.args(["--cluster-replicas", "0", "--cluster-yes"]);
        let run = run_bounded(cmd, CLUSTER_TIMEOUT).unwrap_or_else(|e| {
            panic!("cannot run redis-cli --cluster create ({e}); run scripts/install-test-deps.sh")
        });
        assert!(
            run.succeeded(),
            "redis-cli --cluster create {}:\n{}\n{}",
            run.describe_end(),
            run.output,
            self.logs()
        );
    }

    fn wait_ok(&self) {
        let deadline = Instant::now() + CLUSTER_TIMEOUT;
        loop {
            let states: Vec<String> = self
                .nodes
                .iter()
                .map(|n| {
                    n.query(&["CLUSTER", "INFO"])
                        .map(|info| {
                            info.lines()
                                .find(|l| l.starts_with("cluster_state:"))
                                .unwrap_or("cluster_state:?")
                                .trim()
                                .to_owned()
                        })
                        .unwrap_or_else(|e| e)
                })
                .collect();
            if states.iter().all(|s| s == "cluster_state:ok") {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the cluster is not up after {} s: {states:?}\n{}",
                CLUSTER_TIMEOUT.as_secs(),
                self.logs()
            );
            thread::sleep(Duration::from_millis(100));
        }
    }

    fn logs(&self) -> String {
        self.nodes
            .iter()
            .map(|n| format!("--- node {} ---\n{}", n.port(), n.log()))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A free port whose cluster bus port (port + 10000) is free too.
fn free_cluster_port() -> u16 {
    for _ in 0..100 {
        let port = free_port();
        if port > 55_000 {
            continue;
        }
        if TcpListener::bind((Ipv4Addr::LOCALHOST, port + 10_000)).is_ok() {
            return port;
        }
    }
    panic!("no free port p with p + 10000 free too, after 100 tries")
}

/// One RESP command on a fresh connection, every step bounded by [`QUERY_TIMEOUT`].
fn query(addr: SocketAddr, args: &[&str]) -> Result<String, String> {
    let mut stream = TcpStream::connect_timeout(&addr, QUERY_TIMEOUT).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(QUERY_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(QUERY_TIMEOUT)))
        .map_err(|e| e.to_string())?;
    let mut req = format!("*{}\r\n", args.len());
    for a in args {
        req.push_str(&format!("${}\r\n{a}\r\n", a.len()));
    }
    stream
        .write_all(req.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).map_err(|e| e.to_string())?;
    let line = line.trim_end_matches("\r\n");
    let (kind, rest) = line.split_at(line.len().min(1));
    match kind {
        "+" | ":" => Ok(rest.to_owned()),
        "-" => Err(rest.to_owned()),
        "$" => {
            let len: i64 = rest
                .parse()
                .map_err(|_| format!("bad bulk length {rest:?}"))?;
            if len < 0 {
                return Ok(String::new());
            }
            let mut body = vec![0u8; len as usize + 2];
            reader.read_exact(&mut body).map_err(|e| e.to_string())?;
            body.truncate(len as usize);
            Ok(String::from_utf8_lossy(&body).into_owned())
        }
        "" => Err("connection closed without a reply".to_owned()),
        other => Err(format!("unsupported reply type {other:?}: {line}")),
    }
}

/// Makes sure `redis-server` and `redis-cli` are on `PATH`: when they are not, runs
/// `scripts/install-test-deps.sh` (Debian's redis-server; the script is idempotent) once per
/// process, so that `cargo test --workspace` alone works on a fresh machine.
pub fn ensure_redis_installed() -> Result<(), String> {
    static OUTCOME: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    let present = || {
        ["redis-server", "redis-cli"].iter().all(|bin| {
            Command::new(bin)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
    };
    OUTCOME
        .get_or_init(|| {
            if present() {
                return Ok(());
            }
            install_deps("redis-server", present)
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_answers_stops_and_restarts_on_the_same_port() {
        let mut redis = RedisServer::start();
        let port = redis.port();
        assert_eq!(redis.query(&["PING"]).as_deref(), Ok("PONG"));
        assert_eq!(redis.query(&["SET", "k", "v"]).as_deref(), Ok("OK"));
        assert_eq!(redis.query(&["GET", "k"]).as_deref(), Ok("v"));
        redis.stop();
        assert!(!redis.is_running());
        assert!(redis.query(&["PING"]).is_err(), "stopped: nothing answers");
        redis.restart();
        assert_eq!(redis.port(), port);
        assert_eq!(redis.query(&["PING"]).as_deref(), Ok("PONG"));
        assert_eq!(
            redis.query(&["GET", "k"]).as_deref(),
            Ok(""),
            "no persistence"
        );
        let dir = redis.process.dir().to_owned();
        drop(redis);
        assert!(!dir.exists(), "its directory is removed");
        assert!(
            TcpStream::connect_timeout(
                &SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
                Duration::from_millis(200)
            )
            .is_err(),
            "dropped: killed"
        );
    }

    #[test]
    fn a_password_protected_server_is_ready_too() {
        let redis = RedisServer::start_with(&["--requirepass", "pw"]);
        assert!(
            redis
                .query(&["GET", "k"])
                .is_err_and(|e| e.contains("NOAUTH"))
        );
    }
}

//! The four servers, each a separate process pinned to the server core: the two Rust ones are
//! this binary re-executed as `bench serve <kind>` (one single-threaded tokio runtime), the Node
//! ones are `node bench/node/<file>.mjs`. Every server binds `127.0.0.1:0` and prints
//! `PORT=<n>` on stdout.

pub mod dto;
pub mod framework;
pub mod raw;
pub mod two_nodes;

use std::net::SocketAddr;
use std::process::{ExitCode, Stdio};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

use crate::node::NodeEnv;
use crate::sys::{self, Cores};

/// How long a server may take to print its port.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Which server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServerKind {
    /// A gateway written with this framework.
    Framework,
    /// The same handlers written by hand on socketioxide.
    Socketioxide,
    /// A NestJS 12 gateway on Node.
    Nestjs,
    /// Plain socket.io 4.8 on Node.
    Socketio,
}

impl ServerKind {
    /// Every server, in the order runs are interleaved.
    pub const ALL: [ServerKind; 4] = [
        ServerKind::Framework,
        ServerKind::Socketioxide,
        ServerKind::Nestjs,
        ServerKind::Socketio,
    ];

    /// The name used on the command line and in the report.
    pub fn name(self) -> &'static str {
        match self {
            ServerKind::Framework => "framework",
            ServerKind::Socketioxide => "socketioxide",
            ServerKind::Nestjs => "nestjs",
            ServerKind::Socketio => "socketio",
        }
    }

    /// The kind named `name`.
    pub fn parse(name: &str) -> Option<ServerKind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether it runs on Node.
    pub fn is_node(self) -> bool {
        matches!(self, ServerKind::Nestjs | ServerKind::Socketio)
    }
}

/// `bench serve <kind>`: runs a Rust server on a single-threaded tokio runtime until killed.
pub fn serve(kind: &str) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("bench serve: cannot start tokio: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match ServerKind::parse(kind) {
        Some(ServerKind::Framework) => rt.block_on(framework::run()).map_err(|e| e.to_string()),
        Some(ServerKind::Socketioxide) => rt.block_on(raw::run()).map_err(|e| e.to_string()),
        _ => Err(format!(
            "unknown Rust server `{kind}` (framework, socketioxide)"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench serve {kind}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints `PORT=<port>` for the benchmark to read.
pub(crate) fn announce(port: u16) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "PORT={port}").ok();
    out.flush().ok();
}

/// A running server process.
pub struct Server {
    /// Its process id (what `/proc` is read for).
    pub pid: u32,
    /// Where it listens.
    pub addr: SocketAddr,
    child: Child,
    // Kept open so that the server never writes to a closed pipe.
    _stdout: Lines<BufReader<ChildStdout>>,
}

impl Server {
    /// Starts a fresh `kind` server, pinned to `cores.server`, and waits for its port.
    pub async fn start(
        kind: ServerKind,
        cores: Option<Cores>,
        node: Option<&NodeEnv>,
    ) -> Result<Server, String> {
        Server::start_with_env(kind, cores, node, &[]).await
    }

    /// [`start`](Self::start), with extra environment variables for the process.
    pub async fn start_with_env(
        kind: ServerKind,
        cores: Option<Cores>,
        node: Option<&NodeEnv>,
        env: &[(&str, &str)],
    ) -> Result<Server, String> {
        let mut cmd = if kind.is_node() {
            let node = node.ok_or("Node is not available")?;
            let script = match kind {
                ServerKind::Nestjs => "nest.mjs",
                _ => "socketio.mjs",
            };
            let mut cmd = Command::new(&node.node);
            cmd.arg(node.dir.join(script))
                .current_dir(&node.dir)
                .env("NODE_ENV", "production");
            cmd
        } else {
            let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
            let mut cmd = Command::new(exe);
            cmd.arg("serve").arg(kind.name());
            cmd
        };
        cmd.envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        // The child inherits the affinity of the thread that spawns it: pin this thread to the
        // server core for the spawn, then back to the generator's.
        if let Some(c) = cores {
            sys::pin_current_thread(c.server).map_err(|e| format!("sched_setaffinity: {e}"))?;
        }
        let spawned = cmd.spawn();
        if let Some(c) = cores {
            sys::pin_current_thread(c.client).map_err(|e| format!("sched_setaffinity: {e}"))?;
        }
        let mut child = spawned.map_err(|e| format!("cannot start {}: {e}", kind.name()))?;
        let pid = child.id().ok_or("the server exited at once")?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let port = tokio::time::timeout(START_TIMEOUT, async {
            while let Some(line) = lines.next_line().await.map_err(|e| e.to_string())? {
                if let Some(p) = line.trim().strip_prefix("PORT=") {
                    return p.parse::<u16>().map_err(|e| format!("bad port {p}: {e}"));
                }
            }
            Err("the server exited before printing its port".to_owned())
        })
        .await
        .map_err(|_| format!("{} did not print its port in time", kind.name()))??;
        Ok(Server {
            pid,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            child,
            _stdout: lines,
        })
    }

    /// Kills the process and reaps it.
    pub async fn stop(mut self) {
        self.child.start_kill().ok();
        tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .ok();
    }
}

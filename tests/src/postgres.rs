//! A real PostgreSQL server for the scale-out tests: a cluster made by `initdb` in a temporary
//! directory, served by `postgres` on a free loopback port, stopped (and its files removed)
//! when dropped, even when the test panics.
//!
//! ```ignore
//! let mut pg = gateway_tests::postgres::PostgresServer::start();
//! let node = GatewayApplication::create_with_postgres::<AppModule>(&pg.url()).await?;
//! pg.stop();    // PostgreSQL crashes (`pg_ctl stop -m immediate`)
//! pg.restart(); // and comes back on the same port, with the same data
//! ```
//!
//! PostgreSQL refuses to run as root: when the tests run as root, every server command runs as
//! the system user `postgres` (`runuser -u postgres`), which owns the directory. The cluster
//! has one superuser, [`USER`], whose password is [`PASSWORD`] over TCP (scram-sha-256).
//!
//! Debian's `postgresql` package (`initdb`, `postgres`, `pg_ctl`, `pg_isready` in
//! `/usr/lib/postgresql/<version>/bin`) must be installed; `scripts/install-test-deps.sh`
//! installs it. A missing binary fails the test with a message saying so: it is never skipped.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use crate::process::{ChildGroup, run_bounded, wait_until_refused};
use crate::server::{ServerProcess, free_port, install_deps};

/// The cluster's superuser.
pub const USER: &str = "gateway";
/// Its password.
pub const PASSWORD: &str = "gateway-pass";

/// How long a starting server may take to accept connections (and `initdb` to run).
pub const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// A `postgres` server on `127.0.0.1:port`, its cluster in a temporary directory of its own.
///
/// Dropping it stops the server and removes the directory.
pub struct PostgresServer {
    process: ServerProcess,
}

/// Where the server binaries are, and who runs them.
struct Install {
    bin: PathBuf,
    /// `Some("postgres")` when the tests run as root.
    run_as: Option<&'static str>,
}

impl Install {
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        match self.run_as {
            Some(user) => {
                let mut cmd = Command::new("runuser");
                cmd.args(["-u", user, "--"]).arg(path);
                cmd
            }
            None => Command::new(path),
        }
    }
}

impl PostgresServer {
    /// Makes a cluster, starts its server on a free loopback port and waits until it accepts
    /// connections.
    ///
    /// # Panics
    ///
    /// If PostgreSQL is missing or does not become ready within [`READY_TIMEOUT`]; the message
    /// carries its output.
    pub fn start() -> Self {
        Self::try_start().unwrap_or_else(|e| panic!("{e}"))
    }

    /// [`start`](Self::start) without the panic: `Err` says why it did not start (for callers
    /// that are not tests, like the benchmark).
    pub fn try_start() -> Result<Self, String> {
        let install = install()?;
        let mut server = PostgresServer {
            process: ServerProcess::new("postgres")?,
        };
        server.init(install)?;
        // A port picked free may be taken again before postgres binds it: try a few.
        let mut last = String::new();
        for _ in 0..3 {
            server.process.port = free_port();
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

    /// `postgres://gateway:gateway-pass@127.0.0.1:<port>/postgres`.
    pub fn url(&self) -> String {
        format!(
            "postgres://{USER}:{PASSWORD}@127.0.0.1:{}/postgres",
            self.port()
        )
    }

    /// The server's processes: the one started (`runuser` when run as root) and all its
    /// descendants (the postmaster, its auxiliary processes, a backend per connection).
    pub fn pids(&self) -> Vec<u32> {
        let Some(root) = self.process.child().map(ChildGroup::id) else {
            return Vec::new();
        };
        // Every process's parent, from /proc/<pid>/stat (`pid (comm) state ppid ...`).
        let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let pid: u32 = e.file_name().to_str()?.parse().ok()?;
                let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
                let after_comm = &stat[stat.rfind(')')? + 1..];
                let ppid = after_comm.split_whitespace().nth(1)?.parse().ok()?;
                Some((pid, ppid))
            })
            .collect();
        let mut pids = vec![root];
        let mut i = 0;
        while i < pids.len() {
            let parent = pids[i];
            pids.extend(
                parents
                    .iter()
                    .filter(|(_, pp)| *pp == parent)
                    .map(|(p, _)| *p),
            );
            i += 1;
        }
        pids
    }

    /// `127.0.0.1:<port>`.
    pub fn addr(&self) -> SocketAddr {
        self.process.addr()
    }

    /// Stops the server as in a crash (`pg_ctl stop -m immediate`: every server process quits
    /// at once, clients see their connection drop) and waits until its port refuses
    /// connections. Does nothing when it is not running.
    pub fn stop(&mut self) {
        let Some(mut child) = self.process.take_child() else {
            return;
        };
        if let Ok(install) = install() {
            let mut cmd = install.command("pg_ctl");
            cmd.args(["stop", "-m", "immediate", "-w", "-t", "20", "-D"])
                .arg(self.data());
            let _ = run_bounded(cmd, READY_TIMEOUT);
        }
        // Whatever pg_ctl did, the process group goes.
        if !matches!(child.wait_timeout(READY_TIMEOUT), Ok(Some(_))) {
            child.kill();
        }
        wait_until_refused(self.addr(), READY_TIMEOUT, "postgres");
    }

    /// Stops the server if it runs, then starts it again on the same port (same data: crash
    /// recovery runs) and waits until it accepts connections.
    ///
    /// # Panics
    ///
    /// If it does not become ready within [`READY_TIMEOUT`] (e.g. the port was taken meanwhile).
    pub fn restart(&mut self) {
        self.stop();
        if let Err(e) = self.spawn_and_wait() {
            panic!("restarting postgres on the same port: {e}");
        }
    }

    /// The server's output so far (its log), to explain a failure.
    pub fn log(&self) -> String {
        self.process.log()
    }

    fn data(&self) -> PathBuf {
        self.process.dir().join("data")
    }

    fn sockets(&self) -> PathBuf {
        self.process.dir().join("sock")
    }

    /// `initdb`, the directory owned by the user that runs the server.
    fn init(&mut self, install: &Install) -> Result<(), String> {
        std::fs::create_dir_all(self.sockets())
            .map_err(|e| format!("cannot create {}: {e}", self.sockets().display()))?;
        let pwfile = self.process.dir().join("pwfile");
        std::fs::write(&pwfile, PASSWORD)
            .map_err(|e| format!("cannot write {}: {e}", pwfile.display()))?;
        if let Some(user) = install.run_as {
            let mut chown = Command::new("chown");
            chown
                .args(["-R", &format!("{user}:")])
                .arg(self.process.dir());
            let run = run_bounded(chown, READY_TIMEOUT).map_err(|e| format!("chown: {e}"))?;
            if !run.succeeded() {
                return Err(format!(
                    "chown {user} {}: {}",
                    self.process.dir().display(),
                    run.output
                ));
            }
        }
        let mut cmd = install.command("initdb");
        cmd.arg("-D")
            .arg(self.data())
            .args(["-U", USER, "-E", "UTF8", "--no-sync", "--no-instructions"])
            .args(["--auth-local=trust", "--auth-host=scram-sha-256"])
            .arg(format!("--pwfile={}", pwfile.display()));
        let run = run_bounded(cmd, READY_TIMEOUT)
            .map_err(|e| format!("cannot run initdb ({e}); run scripts/install-test-deps.sh"))?;
        if !run.succeeded() {
            return Err(format!("initdb {}:\n{}", run.describe_end(), run.output));
        }
        Ok(())
    }

    /// Starts `postgres` on the port and waits until it accepts connections.
    fn spawn_and_wait(&mut self) -> Result<(), String> {
        let install = install()?;
        let port = self.port().to_string();
        let mut cmd = install.command("postgres");
        cmd.arg("-D")
            .arg(self.data())
            .args(["-p", &port, "-c", "listen_addresses=127.0.0.1"])
            .arg("-k")
            .arg(self.sockets())
            .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off", "-c", "max_connections=200"]);
        let is_ready = install.bin.join("pg_isready");
        self.process.spawn_and_wait(&mut cmd, READY_TIMEOUT, || {
            let mut probe = Command::new(&is_ready);
            probe.args(["-q", "-h", "127.0.0.1", "-p", &port, "-t", "1"]);
            run_bounded(probe, Duration::from_secs(5)).is_ok_and(|r| r.succeeded())
        })
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        self.stop(); // cleanly, before `process` removes its directory
    }
}

impl std::fmt::Debug for PostgresServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.process.fmt(f)
    }
}

/// Whether PostgreSQL can be run here (its binaries found, installed by
/// `scripts/install-test-deps.sh` when missing); `Err` says why not.
pub fn available() -> Result<(), String> {
    install().map(|_| ())
}

/// The newest `/usr/lib/postgresql/<version>/bin` with `initdb` (Debian's layout), or the
/// directory of `initdb` on `PATH`.
fn find_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .find(|p| p.join("initdb").exists() && p.join("postgres").exists())
    })
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Finds PostgreSQL's binaries; when they are missing, runs `scripts/install-test-deps.sh`
/// (Debian's postgresql; the script is idempotent) once per process, so that
/// `cargo test --workspace` alone works on a fresh machine.
fn install() -> Result<&'static Install, String> {
    static OUTCOME: OnceLock<Result<Install, String>> = OnceLock::new();
    OUTCOME
        .get_or_init(|| {
            let bin = match find_bin() {
                Some(bin) => bin,
                None => {
                    install_deps("PostgreSQL (initdb)", || find_bin().is_some())?;
                    find_bin().ok_or("PostgreSQL (initdb) is still missing")?
                }
            };
            let run_as = running_as_root().then_some("postgres");
            Ok(Install { bin, run_as })
        })
        .as_ref()
        .map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, TcpStream};

    #[test]
    fn starts_stops_and_restarts_on_the_same_port_with_its_data() {
        let mut pg = PostgresServer::start();
        let port = pg.port();
        assert!(TcpStream::connect_timeout(&pg.addr(), Duration::from_secs(2)).is_ok());
        pg.stop();
        assert!(
            TcpStream::connect_timeout(&pg.addr(), Duration::from_millis(200)).is_err(),
            "stopped: nothing answers"
        );
        pg.restart();
        assert_eq!(pg.port(), port);
        assert!(TcpStream::connect_timeout(&pg.addr(), Duration::from_secs(2)).is_ok());
        let dir = pg.process.dir().to_owned();
        drop(pg);
        assert!(!dir.exists(), "its directory is removed");
        assert!(
            TcpStream::connect_timeout(
                &SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
                Duration::from_millis(200)
            )
            .is_err(),
            "dropped: stopped"
        );
    }
}

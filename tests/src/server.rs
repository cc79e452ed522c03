//! What the real servers of the tests ([`redis`](crate::redis), [`postgres`](crate::postgres))
//! have in common: a free loopback port kept across restarts, a temporary directory of their
//! own removed with them, a log file per start that goes into every error, and the install
//! script run once when their binaries are missing.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::process::{ChildGroup, NotReady, log_file, wait_ready, with_file_lock};

/// A loopback port nothing listens on right now (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind 127.0.0.1:0 to pick a free port")
}

/// Runs `scripts/install-test-deps.sh` (idempotent) under a lock shared by every test process,
/// then asks `present` whether `what` is there now. For the servers' `ensure` functions, so that
/// `cargo test --workspace` alone works on a fresh machine.
pub(crate) fn install_deps(what: &str, present: impl Fn() -> bool) -> Result<(), String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/install-test-deps.sh");
    let status = with_file_lock("gateway-tests-install-deps.lock", || {
        Ok(Command::new("bash").arg(&script).status())
    })?;
    match status {
        Ok(_) if present() => Ok(()),
        Ok(s) => Err(format!(
            "{} exited with {s}, and {what} is still missing",
            script.display()
        )),
        Err(e) => Err(format!("cannot run {}: {e}", script.display())),
    }
}

/// One server process on `127.0.0.1:port`, with a directory of its own.
///
/// Dropping it kills the process (its whole process group) and removes the directory; a server
/// that must be stopped another way first does so in its own `Drop`.
pub(crate) struct ServerProcess {
    /// The program's name, for messages.
    name: &'static str,
    /// The port it listens on: picked free, the same across restarts.
    pub(crate) port: u16,
    dir: PathBuf,
    child: Option<ChildGroup>,
    /// How many times it was started: each start has its log file.
    starts: usize,
}

impl ServerProcess {
    /// A stopped server named `name`, its directory created under the system temp dir.
    pub(crate) fn new(name: &'static str) -> Result<Self, String> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "gateway-tests-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(ServerProcess {
            name,
            port: 0,
            dir,
            child: None,
            starts: 0,
        })
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// `127.0.0.1:<port>`.
    pub(crate) fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// The process started (`None` when stopped).
    pub(crate) fn child(&self) -> Option<&ChildGroup> {
        self.child.as_ref()
    }

    /// The process, taken out: the caller stops it (dropping it kills it).
    pub(crate) fn take_child(&mut self) -> Option<ChildGroup> {
        self.child.take()
    }

    /// Whether the process is running (started and not stopped; it may have died since).
    pub(crate) fn is_running(&mut self) -> bool {
        match &mut self.child {
            Some(child) => matches!(child.wait_timeout(Duration::ZERO), Ok(None)),
            None => false,
        }
    }

    /// The output of the latest start, to explain a failure.
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn log_path(&self) -> PathBuf {
        self.dir.join(format!("{}-{}.log", self.name, self.starts))
    }

    /// Starts `cmd` in the directory, its output into a new log file, and polls `ready` until
    /// it says yes (within `limit`). `Err` carries the log; the process is then killed.
    pub(crate) fn spawn_and_wait(
        &mut self,
        cmd: &mut Command,
        limit: Duration,
        ready: impl FnMut() -> bool,
    ) -> Result<(), String> {
        self.starts += 1;
        let (log, log_err) = log_file(&self.log_path())?;
        cmd.current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        let mut child = ChildGroup::spawn(cmd).map_err(|e| {
            format!(
                "cannot run {} ({e}); run scripts/install-test-deps.sh",
                self.name
            )
        })?;
        // On an error `child` is dropped: killed with its process group.
        match wait_ready(&mut child, limit, ready) {
            Ok(()) => {
                self.child = Some(child);
                Ok(())
            }
            Err(NotReady::Exited(status)) => Err(format!(
                "{} on port {} exited with {status} before it was ready:\n{}",
                self.name,
                self.port,
                self.log()
            )),
            Err(NotReady::TimedOut) => Err(format!(
                "{} on port {} was not ready within {} s:\n{}",
                self.name,
                self.port,
                limit.as_secs(),
                self.log()
            )),
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.child = None; // killed before its directory goes
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl std::fmt::Debug for ServerProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(self.name)
            .field("port", &self.port)
            .field("running", &self.child.is_some())
            .finish()
    }
}

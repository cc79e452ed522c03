//! Child processes with a bound: [`run_bounded`] runs one to completion within a time limit and
//! captures its output; [`ChildGroup`] holds a long-running one. Either way the child leads its
//! own process group (on Unix), and the whole group is killed when the limit passes or the
//! holder is dropped (a panicking test included), so that nothing it started outlives the test.

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How often a bounded wait polls the child.
const POLL_EVERY: Duration = Duration::from_millis(20);

/// How long the output pipes may stay open after the child ended (a straggler that inherited
/// them); what was read by then is kept.
const PIPE_GRACE: Duration = Duration::from_secs(5);

/// Waits until nothing accepts connections on `addr` any more (a server just stopped: the
/// kernel closes its listening socket with it).
///
/// # Panics
///
/// If `addr` still accepts connections after `limit`, naming `what`.
pub fn wait_until_refused(addr: std::net::SocketAddr, limit: Duration, what: &str) {
    let deadline = Instant::now() + limit;
    while std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
        assert!(
            Instant::now() < deadline,
            "{addr} still accepts connections {} s after {what} was stopped",
            limit.as_secs()
        );
        thread::sleep(POLL_EVERY);
    }
}

/// Why a server did not get ready: see [`wait_ready`].
#[derive(Debug)]
pub enum NotReady {
    /// Its process exited first, with this status.
    Exited(ExitStatus),
    /// It was still not ready when the limit passed.
    TimedOut,
}

/// Polls `ready` until it says yes, `child` exits, or `limit` passes.
pub fn wait_ready(
    child: &mut ChildGroup,
    limit: Duration,
    mut ready: impl FnMut() -> bool,
) -> Result<(), NotReady> {
    let deadline = Instant::now() + limit;
    loop {
        if let Ok(Some(status)) = child.wait_timeout(Duration::ZERO) {
            return Err(NotReady::Exited(status));
        }
        if ready() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(NotReady::TimedOut);
        }
        thread::sleep(POLL_EVERY);
    }
}

/// The file at `path`, created, twice: for a child's stdout and stderr.
pub fn log_file(path: &std::path::Path) -> Result<(std::fs::File, std::fs::File), String> {
    let log = std::fs::File::create(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let log_err = log
        .try_clone()
        .map_err(|e| format!("cannot duplicate the log file handle: {e}"))?;
    Ok((log, log_err))
}

/// Runs `f` while holding an exclusive lock on the file `name` in the system temp dir, so that
/// several processes (test binaries run in parallel) do not install the same thing over each
/// other. `Err` when the lock cannot be taken, else what `f` returns.
pub fn with_file_lock<T>(name: &str, f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    let path = std::env::temp_dir().join(name);
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("cannot open lock file {}: {e}", path.display()))?;
    lock.lock()
        .map_err(|e| format!("cannot lock {}: {e}", path.display()))?;
    // Closing the file (when `lock` drops, after `f`) releases the lock.
    f()
}

/// A child process spawned in a process group of its own; dropping it kills the group (unless
/// the child was already waited for) and reaps the child.
#[derive(Debug)]
pub struct ChildGroup {
    child: Child,
    reaped: bool,
}

impl ChildGroup {
    /// Spawns `cmd` as the leader of a new process group.
    pub fn spawn(cmd: &mut Command) -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        Ok(ChildGroup {
            child: cmd.spawn()?,
            reaped: false,
        })
    }

    /// The child's process id (and, on Unix, its group's id).
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// The child, e.g. to take its pipes.
    pub fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Waits at most `limit` for the child to exit: `Ok(None)` if it is still running then.
    pub fn wait_timeout(&mut self, limit: Duration) -> std::io::Result<Option<ExitStatus>> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait()? {
                self.reaped = true;
                return Ok(Some(status));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            thread::sleep(POLL_EVERY);
        }
    }

    /// Kills the whole group (`SIGKILL`) and reaps the child: its exit status, if it could be
    /// read.
    pub fn kill(&mut self) -> Option<ExitStatus> {
        if !self.reaped {
            // Before the child is reaped its pid cannot be reused: the group is still its own.
            kill_group(self.child.id());
            let _ = self.child.kill();
        }
        let status = self.child.wait().ok();
        self.reaped = true;
        status
    }
}

impl Drop for ChildGroup {
    fn drop(&mut self) {
        self.kill();
    }
}

fn kill_group(pgid: u32) {
    #[cfg(unix)]
    {
        // `kill -s KILL -- -PGID`: the `--` is needed for procps' kill to take the negative
        // number as a process group, not as an option.
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--"])
            .arg(format!("-{pgid}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    #[cfg(not(unix))]
    let _ = pgid;
}

/// The outcome of [`run_bounded`].
#[derive(Debug)]
pub struct Run {
    /// How it exited (`None` if that could not be read).
    pub status: Option<ExitStatus>,
    /// The limit, when it was killed for passing it.
    pub timed_out: Option<Duration>,
    /// Its stdout, then its stderr after a `--- stderr ---` line (when there is any).
    pub output: String,
}

impl Run {
    /// Whether it exited with status 0 within the limit.
    pub fn succeeded(&self) -> bool {
        self.timed_out.is_none() && self.status.is_some_and(|s| s.success())
    }

    /// How it ended, for a message: "exited with exit status: 3", "was killed after ...".
    pub fn describe_end(&self) -> String {
        match (self.timed_out, self.status) {
            (Some(limit), _) => format!("was killed after the {} s time limit", limit.as_secs()),
            (None, Some(status)) => format!("exited with {status}"),
            (None, None) => "ended in an unknown state".to_owned(),
        }
    }
}

/// Runs `cmd` (stdin empty, stdout and stderr captured) to completion, killing its whole
/// process group when `limit` passes. `Err` only when it cannot be started.
pub fn run_bounded(mut cmd: Command, limit: Duration) -> std::io::Result<Run> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = ChildGroup::spawn(&mut cmd)?;
    let stdout = read_in_background(child.child_mut().stdout.take());
    let stderr = read_in_background(child.child_mut().stderr.take());

    let (status, timed_out) = match child.wait_timeout(limit)? {
        Some(status) => (Some(status), None),
        None => (child.kill(), Some(limit)),
    };

    let mut output = stdout.finish(PIPE_GRACE);
    let err = stderr.finish(PIPE_GRACE);
    if !err.trim().is_empty() {
        if !output.is_empty() && !output.ends_with('\n') {
            output.push('\n');
        }
        output.push_str("--- stderr ---\n");
        output.push_str(&err);
    }
    Ok(Run {
        status,
        timed_out,
        output,
    })
}

/// Output read so far from one pipe, and a signal sent when it reaches EOF.
struct Capture {
    buf: Arc<Mutex<Vec<u8>>>,
    done: mpsc::Receiver<()>,
}

impl Capture {
    /// Waits up to `grace` for EOF, then returns what was read.
    fn finish(self, grace: Duration) -> String {
        let _ = self.done.recv_timeout(grace);
        let buf = self.buf.lock().unwrap_or_else(|e| e.into_inner());
        String::from_utf8_lossy(&buf).into_owned()
    }
}

fn read_in_background(pipe: Option<impl Read + Send + 'static>) -> Capture {
    let (tx, done) = mpsc::channel();
    let buf = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&buf);
    thread::spawn(move || {
        if let Some(mut pipe) = pipe {
            let mut chunk = [0u8; 8192];
            loop {
                match pipe.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) => sink
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .extend_from_slice(&chunk[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    // A read error ends the capture; what was read so far is kept.
                    Err(_) => break,
                }
            }
        }
        let _ = tx.send(());
    });
    Capture { buf, done }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_kills_the_process_group() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo started; sleep 30 & sleep 30"]);
        let begun = Instant::now();
        let run = run_bounded(cmd, Duration::from_millis(300)).expect("sh runs");
        assert!(!run.succeeded());
        assert!(run.timed_out.is_some());
        assert!(run.output.contains("started"), "{}", run.output);
        assert!(
            begun.elapsed() < Duration::from_secs(4),
            "took {:?}",
            begun.elapsed()
        );
    }

    #[test]
    fn exit_status_and_stderr_are_reported() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo out; echo err >&2; exit 3"]);
        let run = run_bounded(cmd, Duration::from_secs(10)).expect("sh runs");
        assert!(!run.succeeded());
        assert_eq!(run.status.and_then(|s| s.code()), Some(3));
        assert!(run.output.contains("out") && run.output.contains("--- stderr ---\nerr"));
    }

    #[test]
    fn dropping_a_group_kills_it() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "sleep 30 & sleep 30"])
            .stdout(Stdio::piped());
        let mut group = ChildGroup::spawn(&mut cmd).expect("sh runs");
        let stdout = group.child_mut().stdout.take();
        assert_eq!(group.wait_timeout(Duration::ZERO).expect("waits"), None);
        let begun = Instant::now();
        drop(group);
        // The pipe closes only when the background `sleep` is gone too.
        read_in_background(stdout).finish(Duration::from_secs(10));
        assert!(
            begun.elapsed() < Duration::from_secs(4),
            "took {:?}",
            begun.elapsed()
        );
    }
}

//! Running the JavaScript end-to-end suites (`tests/js`, official
//! `socket.io-client`, Node's built-in test runner) from `cargo test`.
//!
//! A Rust test starts the server in-process, then runs a suite against it:
//!
//! ```ignore
//! let url = format!("http://{addr}");
//! let out = tokio::task::spawn_blocking(move || {
//!     gateway_tests::node::run_node_suite("demo.test.mjs", &[("DEMO_URL", url)])
//! })
//! .await
//! .expect("node runner thread");
//! match out {
//!     Ok(report) => println!("{report}"),
//!     Err(report) => panic!("node suite failed:\n{report}"),
//! }
//! ```
//!
//! Node.js (20 or newer) and npm must be on `PATH`; `scripts/install-test-deps.sh`
//! installs what is missing.

use std::fs::OpenOptions;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

/// How long one `node --test` run may take before it is killed.
pub const NODE_SUITE_TIMEOUT: Duration = Duration::from_secs(120);

/// How long `npm ci` may take before it is killed.
const NPM_CI_TIMEOUT: Duration = Duration::from_secs(300);

/// The directory holding the JavaScript suites: `tests/js`.
pub fn js_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("js")
}

/// Makes sure `tests/js/node_modules` matches `tests/js/package-lock.json`.
///
/// If `node_modules/.package-lock.json` is missing or older than
/// `package-lock.json`, runs `npm ci --no-audit --no-fund` in `tests/js`.
/// Runs at most once per process (later and concurrent callers wait for the
/// first one and share its outcome), and holds an exclusive lock on a file in
/// the system temp dir while checking and installing, so that several test
/// processes do not run `npm ci` over each other.
///
/// # Panics
///
/// If npm is missing or `npm ci` fails; the message carries npm's output.
pub fn ensure_js_deps() {
    static OUTCOME: OnceLock<Result<(), String>> = OnceLock::new();
    if let Err(e) = OUTCOME.get_or_init(install_js_deps) {
        panic!("JavaScript test dependencies are not installed: {e}");
    }
}

fn install_js_deps() -> Result<(), String> {
    let dir = js_dir();
    let lock_path = std::env::temp_dir().join("gateway-tests-npm-ci.lock");
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| format!("cannot open lock file {}: {e}", lock_path.display()))?;
    lock.lock()
        .map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;
    // Checked under the lock: another process may just have installed them.
    let result = if js_deps_up_to_date(&dir) {
        Ok(())
    } else {
        npm_ci(&dir)
    };
    // Closing the file releases the lock.
    drop(lock);
    result
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn js_deps_up_to_date(dir: &Path) -> bool {
    let installed = modified(&dir.join("node_modules").join(".package-lock.json"));
    let wanted = modified(&dir.join("package-lock.json"));
    match (installed, wanted) {
        (Some(installed), Some(wanted)) => installed >= wanted,
        _ => false,
    }
}

fn npm_ci(dir: &Path) -> Result<(), String> {
    let mut cmd = Command::new("npm");
    cmd.args(["ci", "--no-audit", "--no-fund"]).current_dir(dir);
    let run = run_with_timeout(cmd, NPM_CI_TIMEOUT).map_err(|e| {
        format!(
            "cannot run `npm ci` in {} ({e}); run scripts/install-test-deps.sh",
            dir.display()
        )
    })?;
    if run.succeeded() {
        Ok(())
    } else {
        Err(format!(
            "`npm ci` in {} {}:\n{}",
            dir.display(),
            run.describe_end(),
            run.output
        ))
    }
}

/// Runs `node --test --test-reporter=spec tests/js/<file>` with the extra
/// environment variables `env`, and returns its combined output: `Ok` if node
/// exited with status 0, `Err` otherwise (a failing test, a crash, or a run
/// killed after [`NODE_SUITE_TIMEOUT`]).
///
/// Calls [`ensure_js_deps`] first. This blocks the calling thread: from async
/// tests, run it inside `tokio::task::spawn_blocking` so that the server under
/// test keeps running.
pub fn run_node_suite(file: &str, env: &[(&str, String)]) -> Result<String, String> {
    ensure_js_deps();
    let dir = js_dir();
    let suite = dir.join(file);
    if !suite.is_file() {
        return Err(format!("no such test suite: {}", suite.display()));
    }
    let mut cmd = Command::new("node");
    cmd.arg("--test")
        .arg("--test-reporter=spec")
        .arg(&suite)
        .current_dir(&dir);
    for (key, value) in env {
        cmd.env(key, value);
    }
    let run = run_with_timeout(cmd, NODE_SUITE_TIMEOUT).map_err(|e| {
        format!(
            "cannot run node on {} ({e}); is Node.js 20+ installed?",
            suite.display()
        )
    })?;
    if run.succeeded() {
        Ok(run.output)
    } else {
        Err(format!(
            "node --test {file} {}\n{}",
            run.describe_end(),
            run.output
        ))
    }
}

/// The outcome of a child process run by [`run_with_timeout`].
struct Run {
    status: Option<ExitStatus>,
    timed_out: Option<Duration>,
    output: String,
}

impl Run {
    fn succeeded(&self) -> bool {
        self.timed_out.is_none() && self.status.is_some_and(|s| s.success())
    }

    fn describe_end(&self) -> String {
        match (self.timed_out, self.status) {
            (Some(limit), _) => format!("was killed after the {} s time limit", limit.as_secs()),
            (None, Some(status)) => format!("exited with {status}"),
            (None, None) => "ended in an unknown state".to_owned(),
        }
    }
}

/// Runs `cmd` with stdout and stderr captured, killing it (and, on Unix, its
/// whole process group, so that node's per-file test processes go too) when
/// `limit` passes.
fn run_with_timeout(mut cmd: Command, limit: Duration) -> std::io::Result<Run> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut child = cmd.spawn()?;
    let stdout = read_in_background(child.stdout.take());
    let stderr = read_in_background(child.stderr.take());

    let deadline = Instant::now() + limit;
    let mut timed_out = None;
    let status = loop {
        match child.try_wait()? {
            Some(status) => break Some(status),
            None if Instant::now() >= deadline => {
                timed_out = Some(limit);
                kill_tree(&mut child);
                break child.wait().ok();
            }
            None => thread::sleep(Duration::from_millis(50)),
        }
    };

    // The pipes close when every process holding them is gone; don't wait
    // forever on a straggler that inherited them.
    let grace = Duration::from_secs(5);
    let out = stdout.finish(grace);
    let err = stderr.finish(grace);
    let mut output = out;
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
        let buf = match self.buf.lock() {
            Ok(buf) => buf,
            Err(poisoned) => poisoned.into_inner(),
        };
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
                    Ok(n) => match sink.lock() {
                        Ok(mut sink) => sink.extend_from_slice(&chunk[..n]),
                        Err(poisoned) => poisoned.into_inner().extend_from_slice(&chunk[..n]),
                    },
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

fn kill_tree(child: &mut Child) {
    #[cfg(unix)]
    {
        // The child leads its own process group (see `process_group(0)`).
        // `kill -s KILL -- -PGID`: the `--` is needed for procps' kill to
        // take the negative number as a process group, not as an option.
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--"])
            .arg(format!("-{}", child.id()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_dir_holds_the_package() {
        assert!(js_dir().join("package.json").is_file());
        assert!(js_dir().join("package-lock.json").is_file());
    }

    #[test]
    fn timeout_kills_the_process_group() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo started; sleep 30 & sleep 30"]);
        let begun = Instant::now();
        let run = run_with_timeout(cmd, Duration::from_millis(300)).expect("sh runs");
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
        let run = run_with_timeout(cmd, Duration::from_secs(10)).expect("sh runs");
        assert!(!run.succeeded());
        assert_eq!(run.status.and_then(|s| s.code()), Some(3));
        assert!(run.output.contains("out") && run.output.contains("--- stderr ---\nerr"));
    }
}

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

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::npm;
use crate::process::run_bounded;

/// How long one `node --test` run may take before it is killed.
pub const NODE_SUITE_TIMEOUT: Duration = Duration::from_secs(120);

/// The directory holding the JavaScript suites: `tests/js`.
pub fn js_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("js")
}

/// Makes sure `tests/js/node_modules` matches its lockfile ([`npm::ensure_installed`]).
///
/// # Panics
///
/// If npm is missing or `npm ci` fails; the message carries npm's output.
pub fn ensure_js_deps() {
    if let Err(e) = npm::ensure_installed(&js_dir()) {
        panic!("JavaScript test dependencies are not installed: {e}");
    }
}

/// [`run_node_suite`] from an async test: on a blocking thread, so that the server under test
/// keeps running on the test's runtime.
pub async fn run_node_suite_async(
    file: &'static str,
    env: Vec<(&'static str, String)>,
) -> Result<String, String> {
    tokio::task::spawn_blocking(move || run_node_suite(file, &env))
        .await
        .map_err(|e| format!("the node runner panicked: {e}"))?
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
        .current_dir(&dir)
        // The suite's parser is the test's choice (`env`), never the caller's shell's.
        .env_remove("SOCKETIO_PARSER");
    for (key, value) in env {
        cmd.env(key, value);
    }
    let run = run_bounded(cmd, NODE_SUITE_TIMEOUT).map_err(|e| {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_dir_holds_the_package() {
        assert!(js_dir().join("package.json").is_file());
        assert!(js_dir().join("package-lock.json").is_file());
    }
}

//! Installing a directory's npm packages from its lockfile (`npm ci`), once per process.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use crate::process::{run_bounded, with_file_lock};

/// How long one `npm ci` may take before it is killed.
pub const NPM_CI_TIMEOUT: Duration = Duration::from_secs(600);

/// Makes sure `dir/node_modules` matches `dir/package-lock.json` and `dir/package.json`.
///
/// If `node_modules/.package-lock.json` (which npm writes on every install) is missing or older
/// than either, runs `npm ci --no-audit --no-fund` in `dir`, bounded by [`NPM_CI_TIMEOUT`].
/// Runs at most once per directory and process (later and concurrent callers wait for the
/// first one and share its outcome), and holds an exclusive lock on a file in the system temp
/// dir while checking and installing, so that several processes (test binaries, the benchmark)
/// do not run `npm ci` over each other. `Err` says what failed, with npm's output.
pub fn ensure_installed(dir: &Path) -> Result<(), String> {
    type Outcomes = Mutex<HashMap<PathBuf, Arc<OnceLock<Result<(), String>>>>>;
    static OUTCOMES: OnceLock<Outcomes> = OnceLock::new();
    let once = OUTCOMES
        .get_or_init(Outcomes::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(dir.to_path_buf())
        .or_default()
        .clone();
    once.get_or_init(|| install(dir)).clone()
}

fn install(dir: &Path) -> Result<(), String> {
    with_file_lock("gateway-tests-npm-ci.lock", || {
        // Checked under the lock: another process may just have installed them.
        if up_to_date(dir) { Ok(()) } else { npm_ci(dir) }
    })
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn up_to_date(dir: &Path) -> bool {
    let installed = modified(&dir.join("node_modules").join(".package-lock.json"));
    let lock = modified(&dir.join("package-lock.json"));
    let manifest = modified(&dir.join("package.json"));
    match (installed, lock, manifest) {
        (Some(installed), Some(lock), Some(manifest)) => installed >= lock && installed >= manifest,
        _ => false,
    }
}

fn npm_ci(dir: &Path) -> Result<(), String> {
    let mut cmd = Command::new("npm");
    cmd.args(["ci", "--no-audit", "--no-fund"]).current_dir(dir);
    let run = run_bounded(cmd, NPM_CI_TIMEOUT).map_err(|e| {
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

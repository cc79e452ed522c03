//! The Node side: finds `node` (20 or newer), installs `bench/node`'s packages from the lockfile
//! when they are missing or older than it (`npm ci`), and reads the installed versions.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long `npm ci` may take.
const NPM_CI_TIMEOUT: Duration = Duration::from_secs(600);

/// A usable Node installation with `bench/node`'s packages installed.
#[derive(Debug, Clone)]
pub struct NodeEnv {
    /// The `node` executable.
    pub node: PathBuf,
    /// `bench/node`.
    pub dir: PathBuf,
    /// `node --version`, e.g. `v20.20.2`.
    pub version: String,
}

/// `bench/node`.
pub fn node_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("node")
}

/// Checks Node and installs the packages if needed. `Err` says why the Node servers cannot run.
pub fn prepare() -> Result<NodeEnv, String> {
    let node = PathBuf::from(std::env::var_os("NODE").unwrap_or_else(|| "node".into()));
    let out = Command::new(&node)
        .arg("--version")
        .output()
        .map_err(|e| format!("`node` not found ({e})"))?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let major: u32 = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| format!("cannot read the Node version from `{version}`"))?;
    if major < 20 {
        return Err(format!("Node {version} is too old: 20 or newer is needed"));
    }
    let dir = node_dir();
    if !deps_up_to_date(&dir) {
        eprintln!("bench: installing bench/node's packages (npm ci)...");
        npm_ci(&dir)?;
    }
    Ok(NodeEnv { node, dir, version })
}

fn mtime(p: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

/// Whether `node_modules` was installed from the current lockfile (npm writes
/// `node_modules/.package-lock.json` on every install).
fn deps_up_to_date(dir: &Path) -> bool {
    let installed = mtime(&dir.join("node_modules/.package-lock.json"));
    let lock = mtime(&dir.join("package-lock.json"));
    let manifest = mtime(&dir.join("package.json"));
    match (installed, lock, manifest) {
        (Some(i), Some(l), Some(m)) => i >= l && i >= m,
        _ => false,
    }
}

fn npm_ci(dir: &Path) -> Result<(), String> {
    let mut child = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("`npm` not found ({e})"))?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("`npm ci` failed ({status})")),
            Ok(None) if start.elapsed() > NPM_CI_TIMEOUT => {
                child.kill().ok();
                child.wait().ok();
                return Err("`npm ci` took too long".to_owned());
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => return Err(format!("`npm ci`: {e}")),
        }
    }
}

/// The installed version of package `name` in `bench/node`.
pub fn package_version(dir: &Path, name: &str) -> Option<String> {
    let text =
        std::fs::read_to_string(dir.join("node_modules").join(name).join("package.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json.get("version")?.as_str().map(str::to_owned)
}

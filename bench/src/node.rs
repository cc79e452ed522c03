//! The Node side: finds `node` (20 or newer), installs `bench/node`'s packages from the lockfile
//! when they are missing or older than it (`npm ci`, through the tests' helper), and reads the
//! installed versions.

use std::path::{Path, PathBuf};
use std::process::Command;

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
    gateway_tests::npm::ensure_installed(&dir)?;
    Ok(NodeEnv { node, dir, version })
}

/// The installed version of package `name` in `bench/node`.
pub fn package_version(dir: &Path, name: &str) -> Option<String> {
    let text =
        std::fs::read_to_string(dir.join("node_modules").join(name).join("package.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json.get("version")?.as_str().map(str::to_owned)
}

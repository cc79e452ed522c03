//! The demo binary run as a user runs it: `cargo run -p demo-app`, configured by environment.

use std::io::{BufRead, BufReader};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use gateway_tests::process::ChildGroup;

/// A running `demo-app` process; killed (with its process group) when dropped.
pub struct Demo {
    child: ChildGroup,
    /// `host:port` of its main listener, from its "demo ready" log line.
    pub addr: String,
    /// Its log so far (stdout), and the lines still to come.
    pub log: Vec<String>,
    lines: mpsc::Receiver<String>,
}

impl Demo {
    /// Starts the binary with `env` (and `PORT=0`, `NOTIFY_PORT=0` unless given), and waits
    /// for its "demo ready" line.
    pub fn start(env: &[(&str, &str)]) -> Demo {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_demo-app"));
        cmd.env_remove("JWT_SECRET")
            .env_remove("SOCKETIO_PARSER")
            .env("PORT", "0")
            .env("NOTIFY_PORT", "0")
            .env("RUST_LOG", "info")
            .env_remove("NO_COLOR")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = ChildGroup::spawn(&mut cmd).expect("the demo binary starts");
        let stdout = child.child_mut().stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut log = Vec::new();
        let addr = loop {
            let line = lines
                .recv_timeout(Duration::from_secs(20))
                .unwrap_or_else(|_| {
                    panic!("the demo logs that it is ready; log:\n{}", log.join("\n"))
                });
            log.push(line.clone());
            if let Some(rest) = line.split("demo ready: http://").nth(1) {
                break rest
                    .split_whitespace()
                    .next()
                    .expect("an address")
                    .to_owned();
            }
        };
        Demo {
            child,
            addr,
            log,
            lines,
        }
    }

    /// Sends `signal` (`TERM`, `INT`) and waits (at most 15 s) for the process to exit; the
    /// log is complete afterwards.
    pub fn stop_with(&mut self, signal: &str) -> ExitStatus {
        let status = Command::new("kill")
            .args([format!("-{signal}"), self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{signal} failed");
        let exit = self
            .child
            .wait_timeout(Duration::from_secs(15))
            .expect("waits")
            .unwrap_or_else(|| panic!("the demo did not stop within 15 s of SIG{signal}"));
        // The reader thread ends with the pipe: take every line it read.
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.log.push(line);
        }
        exit
    }
}

/// Runs the demo binary with `env` (and `PORT=0`, `NOTIFY_PORT=0`, no `JWT_SECRET`) until it
/// exits, asserts that it refused to start, and returns its output.
#[allow(dead_code)] // each test binary compiles this module; not all of them refuse starts
pub fn refused(env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_demo-app"));
    cmd.env_remove("JWT_SECRET")
        .env_remove("SOCKETIO_PARSER")
        .env("PORT", "0")
        .env("NOTIFY_PORT", "0")
        .env("NO_COLOR", "1")
        .envs(env.iter().copied());
    let run = gateway_tests::process::run_bounded(cmd, Duration::from_secs(20))
        .expect("the demo binary runs");
    assert!(
        run.timed_out.is_none() && !run.succeeded(),
        "{env:?} must stop start-up; it {}:\n{}",
        run.describe_end(),
        run.output
    );
    assert!(!run.output.contains("demo ready"), "{}", run.output);
    run.output
}

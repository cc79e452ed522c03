//! `echo`, `echo-ack` and `echo-validated`: N connections in a closed loop, each sending one pre-encoded message,
//! waiting for the answer (`42["echo",...]` or `431[...]`, matched by prefix), and sending again.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use tokio::task::JoinSet;

use super::{Params, connect_many, finish, histogram, percentiles, record};
use crate::report::Row;
use crate::servers::Server;
use crate::sys::CpuSample;
use crate::wire;

/// The payload every message carries (about 60 bytes of JSON).
pub const BODY: &str = r#"{"n":1,"text":"the quick brown fox jumps over the lazy dog"}"#;

/// Which answer the client waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `42["echo",BODY]`, answered by an `echo` event.
    Emit,
    /// `421["echo-ack",BODY]`, answered by the ack `431[BODY]`.
    Ack,
    /// `42["echo-validated",BODY]`: BODY validated as a DTO, answered by an `echo` event.
    Validated,
}

impl Kind {
    /// The frame sent and the prefix of the answer.
    pub fn frames(self) -> (Vec<u8>, Vec<u8>) {
        match self {
            Kind::Emit => (
                wire::text_frame(&wire::sio_event("echo", BODY, None)),
                wire::sio_event_prefix("echo"),
            ),
            Kind::Validated => (
                wire::text_frame(&wire::sio_event("echo-validated", BODY, None)),
                wire::sio_event_prefix("echo"),
            ),
            // One message in flight per connection: the same ack id every time.
            Kind::Ack => (
                wire::text_frame(&wire::sio_event("echo-ack", BODY, Some(1))),
                wire::sio_ack_prefix(1),
            ),
        }
    }
}

struct Shared {
    measuring: AtomicBool,
    stop: AtomicBool,
    count: AtomicU64,
    errors: AtomicU64,
    hist: Mutex<Histogram<u64>>,
}

/// Runs the closed loop against `server`.
pub async fn run(server: &Server, p: &Params, kind: Kind) -> Result<Row, String> {
    let conns = connect_many(server.addr, p.echo_conns, 50).await?;
    let (frame, answer) = kind.frames();
    let (frame, answer): (Arc<[u8]>, Arc<[u8]>) = (frame.into(), answer.into());
    let shared = Arc::new(Shared {
        measuring: AtomicBool::new(false),
        stop: AtomicBool::new(false),
        count: AtomicU64::new(0),
        errors: AtomicU64::new(0),
        hist: Mutex::new(histogram()),
    });
    let mut tasks = JoinSet::new();
    for mut conn in conns {
        let (frame, answer, shared) = (frame.clone(), answer.clone(), shared.clone());
        tasks.spawn(async move {
            while !shared.stop.load(Ordering::Relaxed) {
                let t0 = Instant::now();
                let r = async {
                    conn.send(&frame).await?;
                    loop {
                        conn.next().await?;
                        if conn.message().starts_with(&answer) {
                            return Ok::<_, std::io::Error>(());
                        }
                    }
                }
                .await;
                if r.is_err() {
                    shared.errors.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                if shared.measuring.load(Ordering::Relaxed) {
                    let us = t0.elapsed().as_micros() as u64;
                    shared.count.fetch_add(1, Ordering::Relaxed);
                    record(
                        &mut shared.hist.lock().unwrap_or_else(|e| e.into_inner()),
                        us,
                    );
                }
            }
        });
    }
    tokio::time::sleep(p.warmup).await;
    let before = CpuSample::take(server.pid);
    shared.measuring.store(true, Ordering::Relaxed);
    tokio::time::sleep(p.measure).await;
    shared.measuring.store(false, Ordering::Relaxed);
    let after = CpuSample::take(server.pid);
    shared.stop.store(true, Ordering::Relaxed);
    finish(&mut tasks, Duration::from_secs(3)).await;

    let delta = before.until(&after);
    let count = shared.count.load(Ordering::Relaxed);
    let errors = shared.errors.load(Ordering::Relaxed);
    let (p50, p99) = percentiles(&shared.hist.lock().unwrap_or_else(|e| e.into_inner()));
    if count == 0 {
        return Err(format!(
            "no answer in the window ({errors} connections failed)"
        ));
    }
    Ok(Row {
        cpu_us_per_msg: Some(delta.server_us / count as f64),
        msgs_per_s: Some(count as f64 / delta.wall_s),
        p50_us: p50,
        p99_us: p99,
        client_saturated: delta.client_saturated(),
        client_cpu_util: Some(delta.client_util()),
        other_cpu_util: Some(delta.other_util()),
        noisy: delta.noisy(),
        server_cpu_util: Some(delta.server_util()),
        connections: Some(p.echo_conns),
        messages: Some(count),
        window_s: Some(delta.wall_s),
        errors: (errors > 0).then_some(errors),
        ..Row::default()
    })
}

/// With `BENCH_LOAD_SYNC=FILE`, [`fixed_count`] creates FILE once connected and again once
/// done, and each time waits until FILE is removed: a profiler can be reset and dumped at those
/// points, so that connecting and disconnecting are left out of the profile.
async fn sync_point() {
    let Some(path) = std::env::var_os("BENCH_LOAD_SYNC") else {
        return;
    };
    let path = std::path::PathBuf::from(path);
    if std::fs::write(&path, b"").is_err() {
        return;
    }
    while path.exists() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `bench load <port> <echo|echo-ack> <messages> [connections]`: a fixed number of messages in
/// a closed loop against a server started by hand (under a profiler, say), then a summary line.
pub async fn fixed_count(
    addr: std::net::SocketAddr,
    kind: Kind,
    messages: u64,
    conns: usize,
) -> Result<String, String> {
    let conns = connect_many(addr, conns, 50).await?;
    let (frame, answer) = kind.frames();
    let (frame, answer): (Arc<[u8]>, Arc<[u8]>) = (frame.into(), answer.into());
    let left = Arc::new(AtomicU64::new(messages));
    sync_point().await;
    let start = Instant::now();
    let mut tasks = JoinSet::new();
    for mut conn in conns {
        let (frame, answer, left) = (frame.clone(), answer.clone(), left.clone());
        tasks.spawn(async move {
            // Handed back at the end, so that connections close after the last sync point.
            while left
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok()
            {
                conn.send(&frame).await?;
                loop {
                    conn.next().await?;
                    if conn.message().starts_with(&answer) {
                        break;
                    }
                }
            }
            Ok::<_, std::io::Error>(conn)
        });
    }
    let mut open = Vec::new();
    while let Some(r) = tasks.join_next().await {
        match r {
            Ok(Ok(conn)) => open.push(conn),
            Ok(Err(e)) => return Err(e.to_string()),
            Err(e) => return Err(e.to_string()),
        }
    }
    let s = start.elapsed().as_secs_f64();
    sync_point().await;
    drop(open);
    Ok(format!(
        "{messages} messages in {s:.2} s: {:.0} msg/s",
        messages as f64 / s
    ))
}

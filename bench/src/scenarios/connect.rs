//! `connect`: concurrent clients in a closed loop, each opening a connection (TCP, WebSocket
//! upgrade, engine.io open, socket.io CONNECT answered), then resetting it, then again. Figures:
//! connections per second, handshake latency, server CPU per connection (its disconnect
//! included).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use tokio::task::JoinSet;

use super::{Params, finish, histogram, percentiles, record};
use crate::client::Conn;
use crate::report::Row;
use crate::servers::Server;
use crate::sys::CpuSample;

struct Shared {
    measuring: AtomicBool,
    stop: AtomicBool,
    count: AtomicU64,
    errors: AtomicU64,
    hist: Mutex<Histogram<u64>>,
}

/// Runs the connect loop against `server`.
pub async fn run(server: &Server, p: &Params) -> Result<Row, String> {
    let shared = Arc::new(Shared {
        measuring: AtomicBool::new(false),
        stop: AtomicBool::new(false),
        count: AtomicU64::new(0),
        errors: AtomicU64::new(0),
        hist: Mutex::new(histogram()),
    });
    let addr = server.addr;
    let mut tasks = JoinSet::new();
    for _ in 0..p.connect_workers {
        let shared = shared.clone();
        tasks.spawn(async move {
            while !shared.stop.load(Ordering::Relaxed) {
                let t0 = Instant::now();
                match Conn::connect(addr).await {
                    Ok(conn) => {
                        let us = t0.elapsed().as_micros() as u64;
                        // Dropped: reset, the server sees the transport close.
                        drop(conn);
                        if shared.measuring.load(Ordering::Relaxed) {
                            shared.count.fetch_add(1, Ordering::Relaxed);
                            record(
                                &mut shared.hist.lock().unwrap_or_else(|e| e.into_inner()),
                                us,
                            );
                        }
                    }
                    Err(_) => {
                        shared.errors.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
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
            "no connection completed in the window ({errors} failed)"
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
        connections: Some(p.connect_workers),
        messages: Some(count),
        window_s: Some(delta.wall_s),
        errors: (errors > 0).then_some(errors),
        ..Row::default()
    })
}

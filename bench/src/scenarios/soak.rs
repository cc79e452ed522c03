//! `soak`: `n` clients connected on `/` for a while, a share of them replaced every tenth of a
//! second (reset, and a new client connected in its place), while a few other clients echo with
//! acks at a steady pace. Figures: the server's RSS with the `n` connected before the churn, at
//! its peak during it, after it (the same `n` connected, most of them new) and once every client
//! has left; the echo round trip under churn; server CPU per replaced connection; connections
//! lost or refused.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use tokio::task::{AbortHandle, JoinSet};

use super::{Params, connect_many, finish, histogram, percentiles, record};
use crate::client::Conn;
use crate::report::Row;
use crate::servers::Server;
use crate::sys::{self, CpuSample};
use crate::wire;

/// Clients that echo beside the churn, each once every [`ECHO_EVERY`]: a steady 200 echoes a
/// second whose round trip says what the churn does to the others, without adding a load of
/// their own to the figures.
const ECHOERS: usize = 20;

/// How often each echoing client sends.
const ECHO_EVERY: Duration = Duration::from_millis(100);

struct Shared {
    stop: AtomicBool,
    /// Connections that ended without being replaced, or that could not be opened.
    errors: AtomicU64,
    hist: Mutex<Histogram<u64>>,
}

/// Keeps `conn` read (which answers pings) until it ends; an end the bench did not cause is
/// counted as an error.
fn keep(conn: Conn, shared: &Arc<Shared>) -> AbortHandle {
    let shared = shared.clone();
    let mut conn = conn;
    tokio::spawn(async move {
        while conn.next().await.is_ok() {}
        shared.errors.fetch_add(1, Ordering::Relaxed);
    })
    .abort_handle()
}

/// Runs the soak against `server`.
pub async fn run(server: &Server, p: &Params) -> Result<Row, String> {
    let (n, per_tick, ticks) = (p.soak_conns, p.soak_churn_per_tick, p.soak_ticks);
    let addr = server.addr;
    // Warm up as `idle` does, so that lazy start-up work is not counted.
    drop(connect_many(addr, 10, 10).await?);
    tokio::time::sleep(p.idle_settle.max(Duration::from_millis(500))).await;
    let base = sys::rss_kb(server.pid).ok_or("cannot read the server's RSS")?;

    let shared = Arc::new(Shared {
        stop: AtomicBool::new(false),
        errors: AtomicU64::new(0),
        hist: Mutex::new(histogram()),
    });
    let slots: Vec<AbortHandle> = connect_many(addr, n, 100)
        .await?
        .into_iter()
        .map(|c| keep(c, &shared))
        .collect();
    let slots = Arc::new(Mutex::new(slots));
    tokio::time::sleep(p.idle_settle).await;
    let rss_start = sys::rss_kb(server.pid).ok_or("cannot read the server's RSS")?;

    let mut echoers = JoinSet::new();
    let (frame, answer): (Arc<[u8]>, Arc<[u8]>) = (
        wire::text_frame(&wire::sio_event("echo-ack", super::echo::BODY, Some(1))).into(),
        wire::sio_ack_prefix(1).into(),
    );
    for mut conn in connect_many(addr, ECHOERS, ECHOERS).await? {
        let (frame, answer, shared) = (frame.clone(), answer.clone(), shared.clone());
        echoers.spawn(async move {
            let mut every = tokio::time::interval(ECHO_EVERY);
            while !shared.stop.load(Ordering::Relaxed) {
                every.tick().await;
                let t0 = Instant::now();
                let acked = async {
                    conn.send(&frame).await?;
                    loop {
                        conn.next().await?;
                        if conn.message().starts_with(&answer) {
                            return Ok::<_, std::io::Error>(());
                        }
                    }
                };
                match tokio::time::timeout(Duration::from_secs(5), acked).await {
                    Ok(Ok(())) => {
                        let us = t0.elapsed().as_micros() as u64;
                        record(
                            &mut shared.hist.lock().unwrap_or_else(|e| e.into_inner()),
                            us,
                        );
                    }
                    _ => {
                        shared.errors.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                }
            }
        });
    }

    // The churn: every tick, `per_tick` clients (round robin) are reset and replaced.
    let before = CpuSample::take(server.pid);
    let mut peak = rss_start;
    let mut replacing = JoinSet::new();
    let mut next = 0usize;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    for t in 0..ticks {
        tick.tick().await;
        for _ in 0..per_tick {
            let i = next % n;
            next += 1;
            let (slots, shared) = (slots.clone(), shared.clone());
            slots.lock().unwrap_or_else(|e| e.into_inner())[i].abort();
            replacing.spawn(async move {
                match Conn::connect(addr).await {
                    Ok(c) => slots.lock().unwrap_or_else(|e| e.into_inner())[i] = keep(c, &shared),
                    Err(_) => {
                        shared.errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
        while replacing.try_join_next().is_some() {}
        if t % 10 == 9 {
            peak = peak.max(sys::rss_kb(server.pid).unwrap_or(0));
        }
    }
    finish(&mut replacing, Duration::from_secs(10)).await;
    let after = CpuSample::take(server.pid);
    shared.stop.store(true, Ordering::Relaxed);
    finish(&mut echoers, Duration::from_secs(5)).await;
    tokio::time::sleep(p.idle_settle).await;
    let rss_end = sys::rss_kb(server.pid).ok_or("cannot read the server's RSS")?;
    peak = peak.max(rss_end);

    // Every client leaves; the RSS is read once the server has had time to free them.
    for slot in slots.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        slot.abort();
    }
    tokio::time::sleep(p.soak_after).await;
    let rss_after = sys::rss_kb(server.pid).ok_or("cannot read the server's RSS")?;

    let delta = before.until(&after);
    let churned = next as u64;
    let (p50, p99) = percentiles(&shared.hist.lock().unwrap_or_else(|e| e.into_inner()));
    let errors = shared.errors.load(Ordering::Relaxed);
    Ok(Row {
        cpu_us_per_msg: Some(delta.server_us / churned as f64),
        msgs_per_s: Some(churned as f64 / delta.wall_s),
        p50_us: p50,
        p99_us: p99,
        client_saturated: delta.client_saturated(),
        client_cpu_util: Some(delta.client_util()),
        server_cpu_util: Some(delta.server_util()),
        other_cpu_util: Some(delta.other_util()),
        noisy: delta.noisy(),
        connections: Some(n),
        messages: Some(churned),
        window_s: Some(delta.wall_s),
        rss_base_kb: Some(base),
        rss_kb: Some(rss_start),
        rss_peak_kb: Some(peak),
        rss_end_kb: Some(rss_end),
        rss_after_kb: Some(rss_after),
        errors: (errors > 0).then_some(errors),
        ..Row::default()
    })
}

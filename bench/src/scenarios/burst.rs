//! `ordered-burst`: one client on namespace `/ordered` writes a burst of messages back to back
//! (`421["echo-ack",BODY]` to `42<n>[...]`, all in one write), then waits for every ack.
//! `ordered-burst-yield` does the same with `echo-ack-yield`, whose handler waits once before
//! acking: then the messages behind it in an ordered gateway wait for their turn. On the
//! framework the gateway is `ordered`: each socket's messages are handled one at a time, in
//! arrival order. Hand-written socketioxide runs the same handler unordered, the reference.
//! Figures per burst: the server's CPU time from the first byte written to the last ack read,
//! and the wall time of the same span; the median over several bursts.
//!
//! Acks may be lost: socketioxide queues at most `max_buffer_size` packets per socket (128 by
//! default, which the framework keeps) and drops what an emit or ack finds full. A burst read
//! in one go is handled before the socket's writer runs, so most of its acks find the queue
//! full. The client therefore stops waiting once no ack has come for [`ACK_QUIET`], and the row
//! reports the share of acks that arrived (`delivered`); the wall time is then the time to the
//! last ack that arrived. The server's CPU time counts every message handled either way.

use std::time::{Duration, Instant};

use super::Params;
use crate::client::Conn;
use crate::report::{Row, median};
use crate::servers::Server;
use crate::sys::{self, CpuSample};
use crate::wire;

/// The namespace of the ordered gateway.
pub const ORDERED_NS: &str = "/ordered";

/// The event of `ordered-burst`: the handler acks the body without waiting.
pub const EVENT: &str = "echo-ack";

/// The event of `ordered-burst-yield`: the handler waits once (`yield_now`), then acks, so
/// that the messages behind it wait for their turn.
pub const EVENT_YIELD: &str = "echo-ack-yield";

/// How long one burst may take before the run fails.
const BURST_TIMEOUT: Duration = Duration::from_secs(60);

/// With acks missing, how long after the last one the burst is taken as over.
const ACK_QUIET: Duration = Duration::from_millis(500);

/// One burst, as measured.
#[derive(Debug, Clone, Copy)]
struct Burst {
    /// Server CPU time, ms.
    cpu_ms: f64,
    /// First byte written to last ack read, ms.
    wall_ms: f64,
    /// Acks that arrived.
    acks: u64,
    /// Acks that arrived out of order (an id not above the previous one).
    out_of_order: u64,
}

/// Runs warm-up and measured bursts of `event` against `server`.
pub async fn run(server: &Server, p: &Params, event: &str) -> Result<Row, String> {
    let n = p.burst_messages;
    let mut conn = Conn::connect_ns(server.addr, ORDERED_NS)
        .await
        .map_err(|e| format!("connecting to {ORDERED_NS}: {e}"))?;
    // The whole burst, encoded once: ack ids 1..=n.
    let mut frames = Vec::new();
    for id in 1..=n {
        frames.extend(wire::text_frame(&wire::sio_event_ns(
            ORDERED_NS,
            event,
            super::echo::BODY,
            Some(id),
        )));
    }
    let ack_prefix = wire::sio_ack_any_prefix_ns(ORDERED_NS);

    for _ in 0..p.burst_warmup {
        burst(&mut conn, server.pid, &frames, &ack_prefix, n).await?;
    }
    let before = CpuSample::take(server.pid);
    let mut bursts = Vec::with_capacity(p.bursts);
    for _ in 0..p.bursts {
        bursts.push(burst(&mut conn, server.pid, &frames, &ack_prefix, n).await?);
    }
    let after = CpuSample::take(server.pid);
    drop(conn);

    let delta = before.until(&after);
    let cpu_ms = median(bursts.iter().map(|b| Some(b.cpu_ms))).ok_or("no burst measured")?;
    let wall_ms = median(bursts.iter().map(|b| Some(b.wall_ms))).ok_or("no burst measured")?;
    let out_of_order: u64 = bursts.iter().map(|b| b.out_of_order).sum();
    let acks: u64 = bursts.iter().map(|b| b.acks).sum();
    Ok(Row {
        cpu_us_per_msg: Some(cpu_ms * 1e3 / n as f64),
        msgs_per_s: Some(n as f64 / (wall_ms / 1e3)),
        burst_cpu_ms: Some(cpu_ms),
        burst_wall_ms: Some(wall_ms),
        delivery_ratio: Some(acks as f64 / (n * bursts.len() as u64) as f64),
        bursts: Some(bursts.len()),
        client_saturated: delta.client_saturated(),
        client_cpu_util: Some(delta.client_util()),
        other_cpu_util: Some(delta.other_util()),
        noisy: delta.noisy(),
        server_cpu_util: Some(delta.server_util()),
        connections: Some(1),
        messages: Some(n * bursts.len() as u64),
        window_s: Some(delta.wall_s),
        out_of_order: Some(out_of_order),
        ..Row::default()
    })
}

/// Writes `frames` (`n` messages) and reads until `n` acks have arrived, or none for
/// [`ACK_QUIET`].
async fn burst(
    conn: &mut Conn,
    pid: u32,
    frames: &[u8],
    ack_prefix: &[u8],
    n: u64,
) -> Result<Burst, String> {
    // The server is idle between bursts, so its CPU time is up to date when sampled.
    let cpu0 = server_cpu_us(pid)?;
    let t0 = Instant::now();
    let mut last_ack = t0;
    let mut acks = 0u64;
    let mut last_id = 0u64;
    let mut out_of_order = 0u64;
    let r = tokio::time::timeout(BURST_TIMEOUT, async {
        // One write: the messages go back to back. (The acks, about as many bytes, fit in the
        // generator's socket buffer meanwhile, so the server never waits for this client.)
        conn.send(frames).await?;
        while acks < n {
            match tokio::time::timeout(ACK_QUIET, conn.next()).await {
                Ok(r) => r?,
                // No ack for a while: the missing ones were dropped.
                Err(_) if acks > 0 => break,
                Err(_) => continue,
            }
            if let Some(rest) = conn.message().strip_prefix(ack_prefix) {
                last_ack = Instant::now();
                acks += 1;
                let id = wire::leading_u64(rest).unwrap_or(0);
                if id <= last_id {
                    out_of_order += 1;
                }
                last_id = id;
            }
        }
        Ok::<_, std::io::Error>(())
    })
    .await;
    let wall_ms = last_ack.duration_since(t0).as_secs_f64() * 1e3;
    match r {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(format!("{acks} of {n} acks, then: {e}")),
        Err(_) => {
            return Err(format!(
                "{acks} of {n} acks within {} s",
                BURST_TIMEOUT.as_secs()
            ));
        }
    }
    // Let the server finish what follows its last ack (flushing, bookkeeping) before sampling.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let cpu1 = server_cpu_us(pid)?;
    Ok(Burst {
        cpu_ms: (cpu1 - cpu0) / 1e3,
        wall_ms,
        acks,
        out_of_order,
    })
}

/// The server's CPU time, µs: at nanosecond resolution when the kernel keeps it, else in ticks.
fn server_cpu_us(pid: u32) -> Result<f64, String> {
    sys::cpu_us_fine(pid)
        .or_else(|| sys::cpu_us(pid))
        .ok_or_else(|| "cannot read the server's CPU time".to_owned())
}

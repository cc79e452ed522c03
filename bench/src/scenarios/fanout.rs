//! `fanout`: a room of clients (1000) joined with `join`, one more client sending `fanout`
//! broadcasts at a fixed rate, stepped up until fewer than 99% of the deliveries arrive before
//! the step closes (its sending time plus a drain time).
//!
//! Each broadcast carries its step and its send time (`{"s":step,"t":µs}`); receivers read both
//! by scanning bytes. Two rows come out: `fanout` at the first rate (100/s, comparable across
//! servers) and `fanout-max` at the highest rate that still delivered 99%, with every step.
//!
//! `fanout-2n` is the same on two framework nodes sharing one Redis: the receivers are split
//! between the nodes and the sender is on the first, so half the deliveries cross Redis.
//! `fanout-2n-pg` is the same on PostgreSQL (LISTEN/NOTIFY).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use tokio::task::JoinSet;

use super::{Params, connect_many, finish, histogram, percentiles, record};
use crate::client::Conn;
use crate::report::{FanoutStep, Row};
use crate::servers::Server;
use crate::servers::two_nodes::TwoNodes;
use crate::sys::CpuSample;
use crate::wire;

/// The share of deliveries a step must reach to pass.
pub const PASS: f64 = 0.99;

struct Step {
    received: u64,
    closed: bool,
    hist: Histogram<u64>,
}

struct Shared {
    epoch: Instant,
    steps: Mutex<Vec<Step>>,
}

impl Shared {
    fn steps(&self) -> std::sync::MutexGuard<'_, Vec<Step>> {
        self.steps.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The frame of broadcast request in step `step`, sent at `t_us`.
pub fn broadcast_frame(step: usize, t_us: u64) -> Vec<u8> {
    wire::text_frame(&wire::sio_event(
        "fanout",
        &format!(r#"{{"s":{step},"t":{t_us}}}"#),
        None,
    ))
}

/// Joins every connection to room `fanout` (acked).
async fn join_all(conns: Vec<Conn>) -> Result<Vec<Conn>, String> {
    let frame: Arc<[u8]> = wire::text_frame(&wire::sio_event("join", "\"fanout\"", Some(1))).into();
    let ack: Arc<[u8]> = wire::sio_ack_prefix(1).into();
    let mut set = JoinSet::new();
    for mut c in conns {
        let (frame, ack) = (frame.clone(), ack.clone());
        set.spawn(async move {
            c.send(&frame).await?;
            loop {
                c.next().await?;
                if c.message().starts_with(&ack) {
                    return Ok::<_, std::io::Error>(c);
                }
            }
        });
    }
    let mut out = Vec::new();
    let joined = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(r) = set.join_next().await {
            match r {
                Ok(Ok(c)) => out.push(c),
                Ok(Err(e)) => return Err(format!("join failed: {e}")),
                Err(e) => return Err(e.to_string()),
            }
        }
        Ok(())
    })
    .await;
    match joined {
        Ok(r) => r.map(|()| out),
        Err(_) => Err("joins not acked in time".into()),
    }
}

/// Runs the rate steps against `server`: rows `fanout` and `fanout-max`.
pub async fn run(server: &Server, p: &Params) -> Result<Vec<Row>, String> {
    run_on(&[server.addr], &[server.pid], p, "fanout").await
}

/// Runs the rate steps against two nodes on one engine: rows `<name>` and `<name>-max`
/// (`fanout-2n` on Redis, `fanout-2n-pg` on PostgreSQL). The server CPU is that of both nodes
/// and of the engine.
pub async fn run_two_nodes(nodes: &TwoNodes, p: &Params, name: &str) -> Result<Vec<Row>, String> {
    let addrs = nodes.nodes.each_ref().map(|n| n.addr);
    run_on(&addrs, &nodes.pids(), p, name).await
}

/// The receivers are spread evenly over `addrs`; the sender connects to the first.
async fn run_on(
    addrs: &[SocketAddr],
    pids: &[u32],
    p: &Params,
    name: &str,
) -> Result<Vec<Row>, String> {
    let room = p.fanout_room;
    let mut receivers = Vec::with_capacity(room);
    for (i, &addr) in addrs.iter().enumerate() {
        // The first nodes take one more when the room does not divide evenly.
        let n = room / addrs.len() + usize::from(i < room % addrs.len());
        receivers.extend(connect_many(addr, n, 64).await?);
    }
    let receivers = join_all(receivers).await?;
    let mut sender = Conn::connect(addrs[0])
        .await
        .map_err(|e| format!("sender: {e}"))?;
    let shared = Arc::new(Shared {
        epoch: Instant::now(),
        steps: Mutex::new(Vec::new()),
    });
    let prefix: Arc<[u8]> = wire::sio_event_prefix("fanout").into();
    let mut tasks = JoinSet::new();
    for mut conn in receivers {
        let (shared, prefix) = (shared.clone(), prefix.clone());
        tasks.spawn(async move {
            while conn.next().await.is_ok() {
                let m = conn.message();
                if !m.starts_with(&prefix) {
                    continue;
                }
                let (Some(s), Some(t)) =
                    (wire::scan_u64(m, b"\"s\":"), wire::scan_u64(m, b"\"t\":"))
                else {
                    continue;
                };
                let now = shared.epoch.elapsed().as_micros() as u64;
                let mut steps = shared.steps();
                if let Some(step) = steps.get_mut(s as usize)
                    && !step.closed
                {
                    step.received += 1;
                    record(&mut step.hist, now.saturating_sub(t));
                }
            }
        });
    }

    let mut results: Vec<FanoutStep> = Vec::new();
    let mut first_failing_saturated = false;
    for (i, &rate) in p.fanout_rates.iter().enumerate() {
        shared.steps().push(Step {
            received: 0,
            closed: false,
            hist: histogram(),
        });
        let before = CpuSample::take_all(pids);
        let start = Instant::now();
        let total = (rate as f64 * p.fanout_step.as_secs_f64()).round() as u64;
        let mut sent = 0u64;
        while sent < total {
            let due = ((start.elapsed().as_secs_f64() * rate as f64) as u64 + 1).min(total);
            while sent < due {
                let t = shared.epoch.elapsed().as_micros() as u64;
                sender
                    .send(&broadcast_frame(i, t))
                    .await
                    .map_err(|e| format!("sender: {e}"))?;
                sent += 1;
            }
            if sent < total {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_micros(500)) => {}
                    r = sender.next() => { r.map_err(|e| format!("sender: {e}"))?; }
                }
            }
        }
        let expected = sent * room as u64;
        let deadline = Instant::now() + p.fanout_drain;
        while shared.steps()[i].received < expected && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let (received, p50, p99) = {
            let mut steps = shared.steps();
            let step = &mut steps[i];
            step.closed = true;
            let (p50, p99) = percentiles(&step.hist);
            (step.received, p50, p99)
        };
        let after = CpuSample::take_all(pids);
        let delta = before.until(&after);
        let ratio = if expected == 0 {
            0.0
        } else {
            received as f64 / expected as f64
        };
        let step = FanoutStep {
            rate,
            sent,
            delivered: received,
            delivery_ratio: ratio,
            p50_us: p50,
            p99_us: p99,
            cpu_us_per_msg: (received > 0).then(|| delta.server_us / received as f64),
            client_cpu_util: delta.client_util(),
            other_cpu_util: delta.other_util(),
            client_saturated: delta.client_saturated(),
        };
        eprintln!(
            "    fanout {rate}/s: {:.1}% delivered, p99 {} µs{}",
            ratio * 100.0,
            p99.map(|v| format!("{v:.0}")).unwrap_or_else(|| "–".into()),
            if step.client_saturated {
                " (generator saturated)"
            } else {
                ""
            }
        );
        let pass = ratio >= PASS;
        if !pass {
            first_failing_saturated = step.client_saturated;
        }
        results.push(step);
        if !pass {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tasks.abort_all();
    finish(&mut tasks, Duration::from_secs(1)).await;
    drop(sender);

    let row_of = |s: &FanoutStep| Row {
        cpu_us_per_msg: s.cpu_us_per_msg,
        msgs_per_s: Some(s.delivered as f64 / p.fanout_step.as_secs_f64()),
        p50_us: s.p50_us,
        p99_us: s.p99_us,
        delivery_ratio: Some(s.delivery_ratio),
        client_saturated: s.client_saturated,
        client_cpu_util: Some(s.client_cpu_util),
        other_cpu_util: Some(s.other_cpu_util),
        noisy: s.other_cpu_util > 0.15,
        connections: Some(room + 1),
        messages: Some(s.delivered),
        broadcasts_per_s: Some(s.rate as f64),
        ..Row::default()
    };
    let first = results.first().ok_or("no step ran")?;
    let mut base = row_of(first);
    base.scenario = name.into();
    let best = results.iter().rev().find(|s| s.delivery_ratio >= PASS);
    let mut max = match best {
        Some(s) => row_of(s),
        None => Row {
            msgs_per_s: Some(0.0),
            broadcasts_per_s: Some(0.0),
            delivery_ratio: Some(first.delivery_ratio),
            connections: Some(room + 1),
            ..Row::default()
        },
    };
    max.scenario = format!("{name}-max");
    // The highest rate may be the generator's limit rather than the server's.
    max.client_saturated |= first_failing_saturated;
    max.steps = Some(results);
    Ok(vec![base, max])
}

//! `idle-<n>` and `idle-ten-<n>`: the server's RSS with `n` idle clients connected, minus its
//! RSS with none, per connection: on namespace `/` (five handlers), or on `/ten`, whose gateway
//! has ten. The baseline is read after a few connections came and went, so that lazy start-up
//! work is not counted as per-connection memory.

use std::time::Duration;

use tokio::task::JoinSet;

use super::{Params, connect_many_ns, finish};
use crate::client::Conn;
use crate::report::Row;
use crate::servers::Server;
use crate::sys::{self, CpuSample};
use crate::wire;

/// The namespace whose gateway has ten handlers, [`TEN_EVENTS`], each acking its body.
pub const TEN_NS: &str = "/ten";

/// The ten events of [`TEN_NS`].
pub const TEN_EVENTS: [&str; 10] = ["e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9"];

/// Runs the idle scenario with `n` connections on namespace `ns` against `server`.
pub async fn run(server: &Server, p: &Params, n: usize, ns: &'static str) -> Result<Row, String> {
    // Warm up: a few connections open and close.
    let mut warm = connect_many_ns(server.addr, ns, 10, 10).await?;
    if ns == TEN_NS {
        // The namespace must have its ten handlers, not just exist.
        if let Some(c) = warm.first_mut() {
            check_ten(c).await?;
        }
    }
    drop(warm);
    tokio::time::sleep(p.idle_settle.max(Duration::from_millis(500))).await;
    let base = sys::rss_kb(server.pid).ok_or("cannot read the server's RSS")?;

    let before = CpuSample::take(server.pid);
    let conns = connect_many_ns(server.addr, ns, n, 100).await?;
    let connected = CpuSample::take(server.pid);
    // Every client keeps reading, so pings are answered while the clients sit idle.
    let mut tasks = JoinSet::new();
    for mut c in conns {
        tasks.spawn(async move { while c.next().await.is_ok() {} });
    }
    tokio::time::sleep(p.idle_settle).await;
    let rss = sys::rss_kb(server.pid).ok_or("cannot read the server's RSS")?;
    // A task that has ended lost its connection.
    let mut lost = 0u64;
    while tasks.try_join_next().is_some() {
        lost += 1;
    }
    tasks.abort_all();
    finish(&mut tasks, Duration::from_secs(5)).await;

    let delta = before.until(&connected);
    let kb = (rss as f64 - base as f64) / n as f64;
    Ok(Row {
        kb_per_conn: Some(kb),
        // Connecting them (100 at a time): server CPU per connection, connections per second.
        connect_cpu_us: Some(delta.server_us / n as f64),
        connects_per_s: Some(n as f64 / delta.wall_s),
        client_saturated: delta.client_saturated(),
        client_cpu_util: Some(delta.client_util()),
        other_cpu_util: Some(delta.other_util()),
        noisy: delta.noisy(),
        connections: Some(n),
        rss_base_kb: Some(base),
        rss_kb: Some(rss),
        errors: (lost > 0).then_some(lost),
        ..Row::default()
    })
}

/// Sends each of [`TEN_EVENTS`] once on `conn` (connected to [`TEN_NS`]) and waits for its ack.
async fn check_ten(conn: &mut Conn) -> Result<(), String> {
    for (i, event) in TEN_EVENTS.iter().enumerate() {
        let id = i as u64 + 1;
        let frame = wire::text_frame(&wire::sio_event_ns(TEN_NS, event, "{\"n\":1}", Some(id)));
        let want = wire::sio_ack_prefix_ns(TEN_NS, id);
        let acked = async {
            conn.send(&frame).await?;
            loop {
                conn.next().await?;
                if conn.message().starts_with(&want) {
                    return Ok::<_, std::io::Error>(());
                }
            }
        };
        match tokio::time::timeout(Duration::from_secs(5), acked).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(format!("`{event}` on {TEN_NS}: {e}")),
            Err(_) => return Err(format!("`{event}` on {TEN_NS}: no ack within 5 s")),
        }
    }
    Ok(())
}

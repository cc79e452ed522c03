//! `idle-<n>`: the server's RSS with `n` idle clients connected, minus its RSS with none, per
//! connection. The baseline is read after a few connections came and went, so that lazy
//! start-up work is not counted as per-connection memory.

use std::time::Duration;

use tokio::task::JoinSet;

use super::{Params, connect_many, finish};
use crate::report::Row;
use crate::servers::Server;
use crate::sys::{self, CpuSample};

/// Runs the idle scenario with `n` connections against `server`.
pub async fn run(server: &Server, p: &Params, n: usize) -> Result<Row, String> {
    // Warm up: a few connections open and close.
    let warm = connect_many(server.addr, 10, 10).await?;
    drop(warm);
    tokio::time::sleep(p.idle_settle.max(Duration::from_millis(500))).await;
    let base = sys::rss_kb(server.pid).ok_or("cannot read the server's RSS")?;

    let before = CpuSample::take(server.pid);
    let conns = connect_many(server.addr, n, 100).await?;
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

//! `cargo run -p demo-app`: the demo on `HOST:PORT` (127.0.0.1:3000), notifications on
//! `NOTIFY_PORT` (3001); with `REDIS_URL`, on the Redis adapter.

use demo_app::{NOTIFY_PORT, start_with};
use gateway_core::BoxError;
use tracing_subscriber::EnvFilter;

fn env_port(name: &str, default: u16) -> Result<u16, BoxError> {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .map_err(|e| format!("{name}={v} is not a port: {e}").into()),
        Err(_) => Ok(default),
    }
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    // Colours on a terminal only: not as escape codes in files and pipes.
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".to_owned());
    let port = env_port("PORT", 3000)?;
    let notify_port = env_port("NOTIFY_PORT", NOTIFY_PORT)?;
    let redis_url = std::env::var("REDIS_URL").ok().filter(|u| !u.is_empty());
    let app = match start_with(&host, port, notify_port, redis_url.as_deref()).await {
        Ok(app) => app,
        Err(e) => {
            // Said once, readably, before main's own `Error: ...` (the Debug form).
            tracing::error!("start-up failed: {e}");
            return Err(e.into());
        }
    };
    tracing::info!(
        "demo ready: http://{} (notifications: {:?})",
        app.addr(),
        app.port_addr(NOTIFY_PORT)
    );
    wait_for_signal().await;
    app.shutdown().await;
    Ok(())
}

async fn wait_for_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {},
    }
    tracing::info!("shutting down");
}

//! `cargo run -p demo-app`: the demo on `HOST:PORT` (127.0.0.1:3000), notifications on
//! `NOTIFY_PORT` (3001); with `REDIS_URL`, on the Redis adapter, with `DATABASE_URL` on the
//! PostgreSQL one (not both). Every setting can also come from `demo-app/demo.toml` (see
//! `DemoConfig`).
//!
//! `--asyncapi` prints the AsyncAPI 3.0 document of the demo's API and exits; `--typescript DIR`
//! writes its TypeScript event maps into `DIR` and exits.

use demo_app::{DemoConfig, NOTIFY_PORT, run};
use gateway_core::BoxError;
use gateway_core::config::Config;
use tracing_subscriber::EnvFilter;

/// jemalloc, with its background thread, rather than glibc's allocator: after a spike of 10k
/// connections closes, glibc keeps the freed memory for good (RSS 10 -> 186 MB, and it stays
/// there; mimalloc too, on an idle server), while jemalloc's background thread returns it
/// within its 10 s decay (see the README's figures).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.is_empty() {
        return describe(&args);
    }
    // Colours on a terminal only: not as escape codes in files and pipes.
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    let started = match Config::<DemoConfig>::load() {
        Ok(config) => run(&config).await,
        Err(e) => Err(e),
    };
    let app = match started {
        Ok(app) => app,
        Err(e) => {
            // Said once, readably, before main's own `Error: ...` (the Debug form).
            tracing::error!("start-up failed: {e}");
            return Err(e.into());
        }
    };
    // The handlers are in place before "ready" is said: a SIGTERM sent as soon as the demo
    // says it is ready shuts it down gracefully, not by the signal's default action.
    let stop = shutdown_signals();
    tracing::info!(
        "demo ready: http://{} (notifications: {:?})",
        app.addr(),
        app.port_addr(NOTIFY_PORT)
    );
    stop.await;
    tracing::info!("shutting down");
    app.shutdown().await;
    Ok(())
}

/// `--asyncapi` or `--typescript DIR`: the API as configured (host and ports), without
/// starting anything.
fn describe(args: &[String]) -> Result<(), BoxError> {
    let config = Config::<DemoConfig>::load()?;
    let api = demo_app::api(&config.host, config.port, config.notify_port);
    match args {
        [flag] if flag == "--asyncapi" => {
            print!("{}", api.asyncapi_json());
            Ok(())
        }
        [flag, dir] if flag == "--typescript" => {
            for path in api.write_typescript(dir)? {
                println!("{}", path.display());
            }
            Ok(())
        }
        _ => Err("usage: demo-app [--asyncapi | --typescript DIR]".into()),
    }
}

/// SIGINT or SIGTERM, registered now, awaited later.
fn shutdown_signals() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut int = signal(SignalKind::interrupt()).ok();
    let mut term = signal(SignalKind::terminate()).ok();
    async move {
        let int = async {
            match int.as_mut() {
                Some(s) => drop(s.recv().await),
                None => std::future::pending().await,
            }
        };
        let term = async {
            match term.as_mut() {
                Some(s) => drop(s.recv().await),
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = int => {},
            () = term => {},
        }
    }
}

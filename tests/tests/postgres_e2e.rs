//! Scale-out with PostgreSQL (issue 18), end to end: the Redis scenarios of `redis_e2e` on one
//! real PostgreSQL server (started by [`gateway_tests::postgres`] on a free port), with
//! `create_with_postgres`, driven from outside by the official socket.io-client
//! (`tests/js/redis.test.mjs` with `ENGINE=PostgreSQL`).
//!
//! - Two demo nodes (`demo_app::start_on(.., Engine::Postgres(url))`): chat across nodes
//!   exactly once, `user-joined` across nodes, typing, 100 messages in order, leaving a room.
//! - Six [`ScaleModule`] nodes and two [`RootOnlyModule`] nodes: `WsServer::emit`,
//!   `socket.broadcast()`, `to(room)` / `except(room)`, `fetch_sockets`, remote sockets, a
//!   message of 20 kB (over NOTIFY's 8000-byte limit: through the attachment table).
//! - PostgreSQL stopped as in a crash and restarted in the middle (through [`Control`]): local
//!   delivery goes on, delivery across nodes resumes (also on a node that only receives), no
//!   client is disconnected, new dynamic namespaces still open, the adapter warns, nothing
//!   panics.
//! - `start()` returns with the namespaces' adapters ready.
//! - Start-up with PostgreSQL unreachable or refusing the password: a clear
//!   [`StartupError::Postgres`] that shows the URL without the password.

use std::sync::{Arc, Mutex};

use demo_app::Engine;
use gateway_core::prelude::*;
use gateway_core::{RunningApp, StartupError};
use gateway_tests::postgres::{PASSWORD, PostgresServer, USER};
use gateway_tests::server::free_port;

#[path = "support/scale.rs"]
mod scale;

use scale::*;

/// A [`ScaleModule`] node on the PostgreSQL at `url`, on free ports.
async fn scale_node(url: &str) -> RunningApp {
    GatewayApplication::create_with_postgres::<ScaleModule>(url)
        .await
        .unwrap_or_else(|e| panic!("a ScaleModule node on {url} builds: {e}"))
        .map_port(SIDE_PORT, 0)
        .start("127.0.0.1:0")
        .await
        .expect("a ScaleModule node starts")
}

/// Every scenario on ten nodes (two demo, six [`ScaleModule`], two [`RootOnlyModule`]) on one
/// PostgreSQL, which the suite stops and restarts.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nodes_on_one_postgres_through_socket_io_client() {
    init_observers();
    let pg = Arc::new(Mutex::new(PostgresServer::start()));
    let pg_url = pg.lock().unwrap_or_else(|e| e.into_inner()).url();
    let logs_from = log_len();
    let nodes = Nodes::start(
        async || {
            demo_app::start_on("127.0.0.1", 0, 0, Engine::Postgres(&pg_url))
                .await
                .expect("a demo node starts on PostgreSQL")
        },
        async || scale_node(&pg_url).await,
        async || {
            GatewayApplication::create_with_postgres::<RootOnlyModule>(&pg_url)
                .await
                .expect("a RootOnlyModule node builds")
                .start("127.0.0.1:0")
                .await
                .expect("a RootOnlyModule node starts")
        },
    )
    .await;
    let control = Control::start(Arc::downgrade(&pg));
    let failures = nodes
        .run_suite(
            "PostgreSQL",
            &control,
            logs_from,
            ["PostgreSQL lost", "PostgreSQL is back"],
        )
        .await;
    drop(pg);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `start()` returns with the adapter of every static namespace initialised (LISTENing, its
/// first heartbeat sent).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn namespaces_are_ready_when_start_returns() {
    init_observers();
    let pg = PostgresServer::start();
    for round in 0..5 {
        let app = GatewayApplication::create_with_postgres::<ScaleModule>(&pg.url())
            .await
            .expect("a ScaleModule node builds");
        let gateway = app
            .get::<ScaleGateway>()
            .expect("the gateway is a provider");
        let running = app
            .map_port(SIDE_PORT, 0)
            .start("127.0.0.1:0")
            .await
            .expect("a ScaleModule node starts");
        assert!(
            gateway.server.of("/scale").is_some(),
            "round {round}: start returned before /scale was registered"
        );
        assert!(shutdown("scale node", running).await.is_none());
    }
}

/// What `create_with_postgres` with `url` fails with, within a bound.
async fn postgres_startup_error(url: &str) -> StartupError {
    startup_error(
        url,
        GatewayApplication::create_with_postgres::<ScaleModule>(url),
    )
    .await
}

/// Asserts a [`StartupError::Postgres`] naming `shown` and never `secret`.
fn assert_postgres_error(err: &StartupError, shown: &str, secret: &str) {
    let postgres = matches!(err, StartupError::Postgres { .. });
    assert_names_url_not_secret(err, postgres, shown, secret);
}

#[tokio::test]
async fn postgres_unreachable_at_startup_is_a_clear_error_without_the_password() {
    init_observers();
    let port = free_port(); // nothing listens there
    let err = postgres_startup_error(&format!("postgres://app:secret@127.0.0.1:{port}/app")).await;
    assert_postgres_error(
        &err,
        &format!("postgres://app:***@127.0.0.1:{port}/app"),
        "secret",
    );

    // The demo goes through the same path.
    let url = format!("postgres://app:hunter2@127.0.0.1:{port}/app");
    let err = match demo_app::start_on("127.0.0.1", 0, 0, Engine::Postgres(&url)).await {
        Ok(app) => {
            app.shutdown().await;
            panic!("the demo should not start without PostgreSQL")
        }
        Err(e) => e,
    };
    assert_postgres_error(&err, "postgres://app:***@127.0.0.1", "hunter2");
}

#[tokio::test]
async fn postgres_refusing_the_password_is_a_clear_error_without_the_password() {
    init_observers();
    let pg = PostgresServer::start();
    let port = pg.port();
    let err = postgres_startup_error(&format!(
        "postgres://{USER}:wrong-pass@127.0.0.1:{port}/postgres"
    ))
    .await;
    assert_postgres_error(
        &err,
        &format!("postgres://{USER}:***@127.0.0.1:{port}/postgres"),
        "wrong-pass",
    );
    assert!(
        err.to_string().contains("password"),
        "the error says the password was refused: {err}"
    );

    // And the right one works.
    let url = format!("postgres://{USER}:{PASSWORD}@127.0.0.1:{port}/postgres");
    let app = GatewayApplication::create_with_postgres::<ScaleModule>(&url)
        .await
        .expect("the right password is accepted");
    drop(app);
}

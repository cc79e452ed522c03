//! Scale-out with Redis (issue 5), end to end: several application nodes in this process, each
//! on its own ports, on one real `redis-server` (started by [`gateway_tests::redis`] on a free
//! port), driven from outside by the official socket.io-client (`tests/js/redis.test.mjs`).
//!
//! - Two demo nodes (`demo_app::start_with(.., Some(url))`): chat across nodes exactly once,
//!   `user-joined` across nodes, typing, 100 messages in order, leaving a room.
//! - Six nodes of [`ScaleModule`], test gateways for what the demo does not do: `WsServer::emit`,
//!   `socket.broadcast()`, `server.to(room)` / `except(room)`, `fetch_sockets`,
//!   `RemoteSocket::{rooms, emit, disconnect}`, `server.to(room).disconnect()`, a room's acks
//!   collected from every node (`emit_with_ack` with a timeout), and a gateway on
//!   `/` next to a gateway on a port of its own; two [`RootOnlyModule`] nodes for contrast.
//! - Redis killed and restarted in the middle (the JS suite asks for it through [`Control`]):
//!   local delivery goes on, delivery across nodes resumes (also on a node that only receives),
//!   no client is disconnected, new dynamic namespaces still open, the adapter warns, nothing
//!   panics.
//! - `start()` returns with the namespaces' Redis adapters ready.
//! - Start-up with Redis unreachable or refusing the password: a clear [`StartupError::Redis`]
//!   that shows the URL without the password.
//! - A three-master Redis Cluster ([`gateway_tests::redis::RedisCluster`]) with
//!   `create_with_redis_cluster` (feature `redis-cluster`): the cross-node operations again.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gateway_core::prelude::*;
use gateway_core::{RunningApp, StartupError};
use gateway_tests::node::run_node_suite_async;
use gateway_tests::redis::{RedisCluster, RedisServer};
use gateway_tests::server::free_port;

#[path = "support/scale.rs"]
mod scale;

use scale::*;

/// A [`ScaleModule`] node on the Redis at `url`, on free ports.
async fn scale_node(url: &str) -> RunningApp {
    GatewayApplication::create_with_redis::<ScaleModule>(url)
        .await
        .unwrap_or_else(|e| panic!("a ScaleModule node on {url} builds: {e}"))
        .map_port(SIDE_PORT, 0)
        .start("127.0.0.1:0")
        .await
        .expect("a ScaleModule node starts")
}

/// Every scenario on ten nodes (two demo, six [`ScaleModule`], two [`RootOnlyModule`]) on one
/// Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nodes_on_one_redis_through_socket_io_client() {
    init_observers();
    let redis = Arc::new(Mutex::new(RedisServer::start()));
    let redis_url = redis.lock().unwrap_or_else(|e| e.into_inner()).url();
    let logs_from = log_len();
    let nodes = Nodes::start(
        async || {
            demo_app::start_with("127.0.0.1", 0, 0, Some(&redis_url))
                .await
                .expect("a demo node starts on Redis")
        },
        async || scale_node(&redis_url).await,
        async || {
            GatewayApplication::create_with_redis::<RootOnlyModule>(&redis_url)
                .await
                .expect("a RootOnlyModule node builds")
                .start("127.0.0.1:0")
                .await
                .expect("a RootOnlyModule node starts")
        },
    )
    .await;
    let control = Control::start(Arc::downgrade(&redis));
    let failures = nodes
        .run_suite(
            "Redis",
            &control,
            logs_from,
            ["Redis lost", "Redis is back"],
        )
        .await;
    drop(redis);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `start()` returns with the Redis adapter of every static namespace initialised: a client
/// connecting right away is not told "Invalid namespace", and `WsServer::emit` right away is not
/// sent to nobody.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn namespaces_are_ready_when_start_returns() {
    init_observers();
    let redis = RedisServer::start();
    let mut not_ready = Vec::new();
    for round in 0..20 {
        let app = GatewayApplication::create_with_redis::<ScaleModule>(&redis.url())
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
        if gateway.server.of("/scale").is_none() {
            // Late, or never? Bounded polling, for the report.
            let late = Instant::now();
            while gateway.server.of("/scale").is_none() && late.elapsed() < Duration::from_secs(5) {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            not_ready.push(format!(
                "round {round}: ready {} µs after start returned{}",
                late.elapsed().as_micros(),
                if gateway.server.of("/scale").is_none() {
                    " (NOT after 5 s)"
                } else {
                    ""
                }
            ));
        }
        assert!(shutdown("scale node", running).await.is_none());
    }
    assert!(
        not_ready.is_empty(),
        "GatewayApplication::start returned before /scale was registered (its Redis adapter \
         still subscribing) in {} of 20 rounds: meanwhile clients get \"Invalid \
         namespace\" and WsServer::emit reaches nobody: {not_ready:#?}",
        not_ready.len()
    );
}

/// What `create_with_redis` with `url` fails with, within a bound.
async fn redis_startup_error(url: &str) -> StartupError {
    startup_error(
        url,
        GatewayApplication::create_with_redis::<ScaleModule>(url),
    )
    .await
}

/// Asserts a [`StartupError::Redis`] naming `shown` and never `secret`.
fn assert_redis_error(err: &StartupError, shown: &str, secret: &str) {
    let redis = matches!(err, StartupError::Redis { .. });
    assert_names_url_not_secret(err, redis, shown, secret);
}

#[tokio::test]
async fn redis_unreachable_at_startup_is_a_clear_error_without_the_password() {
    init_observers();
    let port = free_port(); // nothing listens there
    let err = redis_startup_error(&format!("redis://user:secret@127.0.0.1:{port}")).await;
    assert_redis_error(
        &err,
        &format!("redis://user:***@127.0.0.1:{port}"),
        "secret",
    );

    // The demo goes through the same path.
    let err = match demo_app::start_with(
        "127.0.0.1",
        0,
        0,
        Some(&format!("redis://:hunter2@127.0.0.1:{port}")),
    )
    .await
    {
        Ok(app) => {
            app.shutdown().await;
            panic!("the demo should not start without Redis")
        }
        Err(e) => e,
    };
    assert_redis_error(&err, &format!("redis://:***@127.0.0.1:{port}"), "hunter2");
}

#[tokio::test]
async fn redis_refusing_the_password_is_a_clear_error_without_the_password() {
    init_observers();
    let redis = RedisServer::start_with(&["--requirepass", "right-pass"]);
    let port = redis.port();
    let err = redis_startup_error(&format!("redis://:wrong-pass@127.0.0.1:{port}")).await;
    assert_redis_error(
        &err,
        &format!("redis://:***@127.0.0.1:{port}"),
        "wrong-pass",
    );

    // And the right one works.
    let app = GatewayApplication::create_with_redis::<ScaleModule>(&format!(
        "redis://:right-pass@127.0.0.1:{port}"
    ))
    .await
    .expect("the right password is accepted");
    drop(app);
}

/// A password with a raw `@` (redis-rs, like every URL parser, splits at the last `@`): none
/// of it may be shown.
#[tokio::test]
async fn a_password_with_an_at_sign_is_not_shown_either() {
    init_observers();
    let port = free_port();
    let err = redis_startup_error(&format!("redis://user:p@ss-word@127.0.0.1:{port}")).await;
    assert_redis_error(&err, "127.0.0.1", "ss-word");
}

/// Two [`ScaleModule`] nodes on a three-master Redis Cluster (`create_with_redis_cluster`,
/// feature `redis-cluster`): delivery across nodes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nodes_on_a_redis_cluster_through_socket_io_client() {
    init_observers();
    let began = Instant::now();
    let cluster = RedisCluster::start();
    eprintln!(
        "[redis_e2e] cluster up in {} ms",
        began.elapsed().as_millis()
    );
    let urls = cluster.urls();
    let nodes: Vec<&str> = urls.iter().map(String::as_str).collect();
    let mut apps = Vec::new();
    for name in ["cluster A", "cluster B"] {
        let app = tokio::time::timeout(
            Duration::from_secs(15),
            GatewayApplication::create_with_redis_cluster::<ScaleModule>(&nodes),
        )
        .await
        .unwrap_or_else(|_| panic!("{name}: create_with_redis_cluster still waiting after 15 s"))
        .unwrap_or_else(|e| panic!("{name} builds on the cluster: {e}"))
        .map_port(SIDE_PORT, 0)
        .start("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{name} starts: {e}"));
        apps.push((name, app));
    }
    let env = vec![
        ("CLUSTER_A_URL", url(apps[0].1.addr())),
        ("CLUSTER_B_URL", url(apps[1].1.addr())),
    ];
    let out = run_node_suite_async("redis.test.mjs", env).await;
    let mut problems = Vec::new();
    for (name, app) in apps {
        problems.extend(shutdown(name, app).await);
    }
    drop(cluster);
    eprintln!(
        "[redis_e2e] cluster test took {} ms",
        began.elapsed().as_millis()
    );
    match out {
        Ok(report) => println!("{report}"),
        Err(report) => panic!("socket.io-client suite (cluster) failed:\n{report}"),
    }
    assert!(problems.is_empty(), "{problems:?}");
}

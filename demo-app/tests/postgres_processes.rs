//! Two `demo-app` processes on one real PostgreSQL server, started as a user starts them
//! (`DATABASE_URL`, `PORT`, `NOTIFY_PORT`, one `JWT_SECRET`): the demo's cross-node chat
//! scenarios of `tests/js/redis.test.mjs` (`ENGINE=PostgreSQL`) with the official
//! socket.io-client, and `/health` following PostgreSQL when it is stopped under them.

mod common;

use common::Demo;
use gateway_tests::node::run_node_suite;
use gateway_tests::postgres::PostgresServer;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_demo_processes_share_chat_rooms_through_postgres() {
    let mut pg = PostgresServer::start();
    let url = pg.url();
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("JWT_SECRET", "the same secret on every node"),
    ];
    let a = Demo::start(&env);
    let b = Demo::start(&env);
    assert!(
        a.log.iter().any(|l| l.contains("PostgresAdapter")),
        "on PostgreSQL:\n{}",
        a.log.join("\n")
    );
    let health = format!("http://{}/health", a.addr);
    let res = reqwest::get(&health).await.expect("GET /health");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await.expect("JSON"),
        json!({ "status": "ok", "redis": "off", "postgres": "up" })
    );

    let suite_env = vec![
        ("ENGINE", "PostgreSQL".to_owned()),
        ("DEMO_A_URL", format!("http://{}", a.addr)),
        ("DEMO_B_URL", format!("http://{}", b.addr)),
    ];
    let out = tokio::task::spawn_blocking(move || run_node_suite("redis.test.mjs", &suite_env))
        .await
        .expect("the node runner");

    pg.stop();
    let res = reqwest::get(&health).await.expect("GET /health");
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.json::<Value>().await.expect("JSON")["postgres"], "down");
    // SIGTERM with PostgreSQL down: both exit cleanly.
    let (a, b) = tokio::task::spawn_blocking(move || {
        let (mut a, mut b) = (a, b);
        let exits = [a.stop_with("TERM"), b.stop_with("TERM")];
        (exits, [a.log.join("\n"), b.log.join("\n")])
    })
    .await
    .expect("stopping the demos");
    for (exit, log) in a.iter().zip(b.iter()) {
        assert!(exit.success(), "exit status {exit:?}; log:\n{log}");
    }
    match out {
        Ok(report) => println!("{report}"),
        Err(report) => panic!("socket.io-client suite failed:\n{report}"),
    }
}

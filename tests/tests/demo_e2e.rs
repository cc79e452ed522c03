//! The demo's wire contract (README), checked from outside by the official socket.io-client.

use gateway_tests::node::run_node_suite_async;

/// The suite signs tokens of its own (expired, short-lived): it needs the demo's secret.
const SECRET: &str = "the secret of the demo contract test";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_contract_through_socket_io_client() {
    assert!(
        demo_app::auth::use_secret(SECRET),
        "nothing decided the secret before"
    );
    let app = demo_app::start("127.0.0.1", 0, 0)
        .await
        .expect("the demo starts");
    let demo = format!("http://{}", app.addr());
    let notify = format!(
        "http://{}",
        app.port_addr(demo_app::NOTIFY_PORT)
            .expect("notifications listener")
    );
    let env = vec![
        ("DEMO_URL", demo),
        ("NOTIFY_URL", notify),
        ("JWT_SECRET", SECRET.to_owned()),
    ];
    let out = run_node_suite_async("demo.test.mjs", env).await;
    app.shutdown().await;
    match out {
        Ok(report) => println!("{report}"),
        Err(report) => panic!("socket.io-client suite failed:\n{report}"),
    }
}

//! The demo's wire contract (README), checked from outside by the official socket.io-client:
//! once with socket.io's default parser, and once with every port of the demo on msgpack
//! (`SOCKETIO_PARSER=msgpack`) and the suite's clients on `socket.io-msgpack-parser`.

use std::sync::OnceLock;

use gateway_core::Parser;
use gateway_tests::node::run_node_suite_async;

/// The suite signs tokens of its own (expired, short-lived): it needs the demo's secret.
const SECRET: &str = "the secret of the demo contract test";

/// One suite at a time: both are timed against one demo each, on a shared machine.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn run_demo_suite(parser: Parser, name: &str) {
    static SECRET_SET: OnceLock<bool> = OnceLock::new();
    assert!(
        *SECRET_SET.get_or_init(|| demo_app::auth::use_secret(SECRET)),
        "nothing decided the secret before"
    );
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = demo_app::start_with_parser("127.0.0.1", 0, 0, parser)
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
        ("SOCKETIO_PARSER", name.to_owned()),
    ];
    let out = run_node_suite_async("demo.test.mjs", env).await;
    app.shutdown().await;
    match out {
        Ok(report) => println!("{report}"),
        Err(report) => panic!("socket.io-client suite ({name} parser) failed:\n{report}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_contract_through_socket_io_client() {
    run_demo_suite(Parser::Default, "default").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_contract_through_socket_io_client_on_msgpack() {
    run_demo_suite(Parser::Msgpack, "msgpack").await;
}

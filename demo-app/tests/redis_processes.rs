//! Two `demo-app` processes on one real `redis-server`, started as a user starts them
//! (`REDIS_URL`, `PORT`, `NOTIFY_PORT`, one `JWT_SECRET`), and the demo's cross-node chat
//! scenarios of `tests/js/redis.test.mjs` run against them with the official socket.io-client.

mod common;

use common::Demo;
use gateway_tests::node::run_node_suite;
use gateway_tests::redis::RedisServer;

#[test]
fn two_demo_processes_share_chat_rooms_through_redis() {
    let mut redis = RedisServer::start();
    let url = redis.url();
    let env = [
        ("REDIS_URL", url.as_str()),
        ("JWT_SECRET", "the same secret on every node"),
    ];
    let mut a = Demo::start(&env);
    let mut b = Demo::start(&env);
    assert!(
        a.log
            .iter()
            .chain(&b.log)
            .all(|l| !l.contains("JWT_SECRET is not set")),
        "JWT_SECRET is taken from the environment"
    );

    let out = run_node_suite(
        "redis.test.mjs",
        &[
            ("DEMO_A_URL", format!("http://{}", a.addr)),
            ("DEMO_B_URL", format!("http://{}", b.addr)),
        ],
    );
    for demo in [&mut a, &mut b] {
        let exit = demo.stop_with("TERM");
        assert!(
            exit.success(),
            "exit status {exit:?}; log:\n{}",
            demo.log.join("\n")
        );
    }
    redis.stop();
    match out {
        Ok(report) => println!("{report}"),
        Err(report) => panic!("socket.io-client suite failed:\n{report}"),
    }
}

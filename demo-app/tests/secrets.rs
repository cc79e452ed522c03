//! The demo's signing secret as a user configures it: an empty `JWT_SECRET` stops start-up
//! with a message that names it (an empty HMAC key would let anyone sign an admin token);
//! an unset one gives a random secret per process, with a warning, never a public default.

mod common;

use std::process::Command;
use std::time::Duration;

use common::Demo;
use gateway_tests::process::run_bounded;

#[test]
fn an_empty_secret_stops_start_up() {
    for empty in ["", "   "] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_demo-app"));
        cmd.env("PORT", "0")
            .env("NOTIFY_PORT", "0")
            .env("NO_COLOR", "1")
            .env("JWT_SECRET", empty);
        let run = run_bounded(cmd, Duration::from_secs(20)).expect("the demo binary starts");
        assert!(
            run.timed_out.is_none() && !run.succeeded(),
            "JWT_SECRET={empty:?} must stop start-up; it {}:\n{}",
            run.describe_end(),
            run.output
        );
        assert!(
            run.output.contains(
                "invalid configuration: `jwt_secret` (from environment variable JWT_SECRET) must not be empty"
            ),
            "the error names the key, the variable and the rule:\n{}",
            run.output
        );
        assert!(!run.output.contains("demo ready"), "{}", run.output);
    }
}

#[test]
fn an_unset_secret_is_random_per_process_with_a_warning() {
    let mut demo = Demo::start(&[]);
    let log = demo.log.join("\n");
    assert!(
        log.contains("JWT_SECRET is not set: using a random secret for this process"),
        "log:\n{log}"
    );
    assert!(
        !log.contains("dev-secret"),
        "no public default secret:\n{log}"
    );
    assert!(!demo.addr.is_empty(), "it serves all the same");
    assert!(demo.stop_with("TERM").success());
}

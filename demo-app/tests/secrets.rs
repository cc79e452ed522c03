//! The demo's signing secret as a user configures it: an empty `JWT_SECRET` stops start-up
//! with a message that names it (an empty HMAC key would let anyone sign an admin token);
//! an unset one gives a random secret per process, with a warning, never a public default.

mod common;

use common::{Demo, refused};

#[test]
fn an_empty_secret_stops_start_up() {
    for empty in ["", "   "] {
        let out = refused(&[("JWT_SECRET", empty)]);
        assert!(
            out.contains(
                "invalid configuration: `jwt_secret` (from environment variable JWT_SECRET) must not be empty"
            ),
            "the error names the key, the variable and the rule:\n{out}"
        );
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

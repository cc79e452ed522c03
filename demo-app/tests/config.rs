//! The demo configured as a user configures it: `demo.toml` (or the file `DEMO_CONFIG` names)
//! and environment variables, each later source winning; a bad value stops start-up with one
//! message naming the key, where the value came from and the rule, never the value itself.

mod common;

use common::{Demo, refused};

fn file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("demo-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("the file is written");
    path
}

#[test]
fn a_variable_of_the_wrong_type_is_named_with_its_source() {
    let out = refused(&[("PORT", "eighty")]);
    assert!(
        out.contains("invalid configuration: `port` (from environment variable PORT) must be u16"),
        "{out}"
    );
    assert!(!out.contains("eighty"), "the value is not printed:\n{out}");
}

#[test]
fn a_prefixed_variable_wins_over_the_plain_one() {
    let out = refused(&[("DEMO_NOTIFY_PORT", "-1")]);
    assert!(
        out.contains("`notify_port` (from environment variable DEMO_NOTIFY_PORT)"),
        "{out}"
    );
}

#[test]
fn a_bad_value_in_the_file_names_the_file() {
    let path = file("bad-host.toml", "host = \"\"\n");
    let out = refused(&[("DEMO_CONFIG", path.to_str().expect("utf-8"))]);
    assert!(
        out.contains(&format!(
            "invalid configuration: `host` (from file {}) must not be empty",
            path.display()
        )),
        "{out}"
    );
}

#[test]
fn a_secret_in_a_file_is_not_printed_either() {
    let path = file("bad-secret.toml", "jwt_secret = 987654321\n");
    let out = refused(&[("DEMO_CONFIG", path.to_str().expect("utf-8"))]);
    assert!(out.contains("`jwt_secret` (from file"), "{out}");
    assert!(
        !out.contains("987654321"),
        "the value is not printed:\n{out}"
    );
}

#[test]
fn a_file_that_does_not_parse_stops_start_up() {
    let path = file("broken.toml", "jwt_secret = \"hunter2\nport = [\n");
    let out = refused(&[("DEMO_CONFIG", path.to_str().expect("utf-8"))]);
    assert!(
        out.contains(&format!(
            "(from file {}) does not parse: TOML parse error at line 1",
            path.display()
        )),
        "{out}"
    );
    assert!(
        !out.contains("hunter2"),
        "the file's lines are not quoted:\n{out}"
    );
}

#[test]
fn the_file_sets_what_the_environment_does_not() {
    // The file asks for a port that the environment overrides, and names the interface.
    let path = file("good.toml", "host = \"127.0.0.1\"\nport = 1\n");
    let mut demo = Demo::start(&[("DEMO_CONFIG", path.to_str().expect("utf-8"))]);
    assert!(demo.addr.starts_with("127.0.0.1:"), "{}", demo.addr);
    assert!(!demo.addr.ends_with(":1"), "PORT=0 wins over the file");
    assert!(demo.stop_with("TERM").success());
}

#[test]
fn redis_and_postgres_together_stop_start_up_naming_both() {
    let out = refused(&[
        ("REDIS_URL", "redis://:redis-pw@127.0.0.1:1"),
        ("DATABASE_URL", "postgres://app:pg-pw@127.0.0.1:1/app"),
    ]);
    assert!(
        out.contains("invalid configuration: `database_url`") && out.contains("REDIS_URL"),
        "{out}"
    );
    assert!(
        !out.contains("redis-pw") && !out.contains("pg-pw"),
        "no password is printed:\n{out}"
    );
}

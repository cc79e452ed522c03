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

#[test]
fn an_unknown_socketio_parser_is_refused_naming_the_rule() {
    let out = refused(&[("SOCKETIO_PARSER", "protobuf")]);
    assert!(
        out.contains(
            "invalid configuration: `socketio_parser` (from environment variable SOCKETIO_PARSER) must be \"default\" (JSON) or \"msgpack\""
        ),
        "{out}"
    );
}

/// One HTTP/1.1 request on a fresh connection; the response's body.
fn http(addr: &str, method: &str, path: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let mut tcp = std::net::TcpStream::connect(addr).expect("connects");
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .expect("a read timeout");
    write!(
        tcp,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("writes");
    let mut response = String::new();
    tcp.read_to_string(&mut response).expect("reads");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default()
}

/// Opens `namespace` at `addr` over engine.io polling with a msgpack CONNECT packet, and
/// returns the server's answer, decoded from base64: a msgpack CONNECT with the socket id.
fn msgpack_connect(addr: &str, namespace: &str) -> Vec<u8> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let open = http(addr, "GET", "/socket.io/?EIO=4&transport=polling", "");
    let open: serde_json::Value =
        serde_json::from_str(open.trim_start_matches('0')).expect("the open packet");
    let sid = open["sid"].as_str().expect("a session id");
    let path = format!("/socket.io/?EIO=4&transport=polling&sid={sid}");
    // {"type": 0, "nsp": namespace}, as socket.io-msgpack-parser writes it.
    let mut connect = vec![0x82, 0xa4];
    connect.extend_from_slice(b"type");
    connect.extend_from_slice(&[0x00, 0xa3]);
    connect.extend_from_slice(b"nsp");
    connect.push(0xa0 | u8::try_from(namespace.len()).expect("a short namespace"));
    connect.extend_from_slice(namespace.as_bytes());
    assert_eq!(
        http(addr, "POST", &path, &format!("b{}", b64.encode(&connect))),
        "ok"
    );
    // A ping ("2") may come alone, before the answer: pong it and poll again. Each poll
    // returns as soon as the server has a packet, so a few polls are enough.
    let mut seen = Vec::new();
    for _ in 0..5 {
        let answer = http(addr, "GET", &path, "");
        if let Some(packet) = answer.split('\u{1e}').find_map(|p| p.strip_prefix('b')) {
            return b64.decode(packet).expect("base64");
        }
        if answer.split('\u{1e}').any(|p| p == "2") {
            assert_eq!(http(addr, "POST", &path, "3"), "ok");
        }
        seen.push(answer);
    }
    panic!("a binary (msgpack) packet, not only text: {seen:?}")
}

#[test]
fn socketio_parser_msgpack_serves_every_port_on_msgpack() {
    let mut demo = Demo::start(&[("SOCKETIO_PARSER", "msgpack")]);
    let ready = demo.log.last().cloned().unwrap_or_default();
    let notify = ready
        .split("notifications: Some(")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("the notifications address in: {ready}"))
        .to_owned();
    for (addr, namespace) in [(demo.addr.clone(), "/"), (notify, "/notifications")] {
        let answer = msgpack_connect(&addr, namespace);
        // A msgpack map whose `type` is 0 (CONNECT) and whose data has the `sid`.
        assert_eq!(
            answer.get(..7),
            Some(&b"\x83\xa4type\x00"[..]),
            "{answer:?}"
        );
        assert!(answer.windows(3).any(|w| w == b"sid"), "{answer:?}");
    }
    // The web client gets socket.io-client's msgpack build (the JSON one has placeholders).
    let page = demo.addr.clone();
    let client = http(&page, "GET", "/socket.io.min.js", "");
    assert!(client.contains("Socket.IO v4.8.4"), "a socket.io client");
    assert!(!client.contains("_placeholder"), "the msgpack build");
    assert!(demo.stop_with("TERM").success());
}

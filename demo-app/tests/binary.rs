//! `cargo run -p demo-app` as a user runs it: the binary serves socket.io on the port it logs,
//! and SIGTERM or SIGINT shuts it down gracefully (exit status 0).

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::Demo;

fn serves_then_stops_on(signal: &str) {
    let mut demo = Demo::start(&[]);
    let addr = demo.addr.clone();

    // A socket.io (engine.io v4) polling handshake: the server answers with the open packet.
    let mut tcp = TcpStream::connect(&addr).expect("connects");
    tcp.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    write!(tcp, "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").expect("writes");
    let mut response = String::new();
    tcp.read_to_string(&mut response).expect("reads");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("0{\"sid\":"), "{response}");

    let exit = demo.stop_with(signal);
    let log = demo.log.join("\n");
    assert!(exit.success(), "exit status {exit:?}; log:\n{log}");
    assert!(log.contains("shutting down"), "log:\n{log}");
    // Its stdout is a pipe here: no colour escape codes in it.
    assert!(!log.contains('\x1b'), "log:\n{log}");
}

#[test]
fn serves_then_stops_on_sigterm() {
    serves_then_stops_on("TERM");
}

#[test]
fn serves_then_stops_on_sigint() {
    serves_then_stops_on("INT");
}

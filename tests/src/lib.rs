//! Test support: running the JavaScript socket.io-client suites from `cargo test`, and starting
//! applications on free ports.

pub mod node;
pub mod redis;

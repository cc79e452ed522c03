//! Test support: running the JavaScript socket.io-client suites from `cargo test`, starting
//! real `redis-server`s, and latches that test gateways wait on.

pub mod latch;
pub mod node;
pub mod redis;

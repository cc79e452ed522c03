//! Test support, one helper per job: running the JavaScript socket.io-client suites
//! ([`node`]), installing npm packages ([`npm`]), running a child process with a bound
//! ([`process`]), starting real `redis-server`s ([`redis`]) and PostgreSQL servers ([`postgres`]),
//! which share what a server process of the tests needs ([`server`]).

pub mod node;
pub mod npm;
pub mod postgres;
pub mod process;
pub mod redis;
pub mod server;

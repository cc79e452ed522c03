//! Adapters: where rooms and broadcasts live. The in-memory adapter is the default; with the
//! `redis` feature, the `redis` module spans them across processes. Gateways never name an adapter.

#[cfg(feature = "redis")]
pub mod redis;

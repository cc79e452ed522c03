//! Adapters: where rooms and broadcasts live. The in-memory adapter is the default; with the
//! `redis` feature, [`redis`] spans them across processes. Gateways never name an adapter.

#[cfg(feature = "redis")]
pub mod redis;

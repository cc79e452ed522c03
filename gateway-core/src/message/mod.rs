//! What one message carries, below every layer that handles it: the raw payload
//! ([`Incoming`]), the client's ack ([`Ack`]), where the handler's answers go ([`Outbox`]),
//! and the [`Reply`] interceptors see.

mod ack;
mod data;
mod incoming;
mod outbox;
mod reply;

pub(crate) use ack::Ack;
pub(crate) use incoming::{Incoming, event_name};
pub(crate) use outbox::{Outbox, delivered};
pub use reply::{Data, Reply};

//! [`ExecutionContext`]: what guards and pipes see of the message being handled, with the
//! handler's metadata (NestJS's `switchToWs()` and `Reflector` in one).

use serde::de::DeserializeOwned;

use crate::gateway::{GatewayMeta, HandlerMeta};
use crate::handler::payload::Incoming;
use crate::socket::SocketRef;

/// `#[set_metadata("key", value)]` entries: the key and the value as JSON text.
pub type Metadata = &'static [(&'static str, &'static str)];

/// The message being handled, for guards and pipes.
pub struct ExecutionContext<'a> {
    pub(crate) socket: &'a SocketRef,
    pub(crate) incoming: &'a Incoming,
    pub(crate) handler: &'static HandlerMeta,
    pub(crate) gateway: &'static GatewayMeta,
}

impl ExecutionContext<'_> {
    /// The client socket, NestJS's `getClient()`.
    pub fn socket(&self) -> &SocketRef {
        self.socket
    }

    /// The payload as JSON, NestJS's `getData()`.
    pub fn data(&self) -> serde_json::Value {
        self.incoming.data()
    }

    /// The event name, NestJS's `getPattern()`.
    pub fn pattern(&self) -> &'static str {
        self.handler.event
    }

    /// The gateway's name (NestJS's `getClass().name`).
    pub fn gateway(&self) -> &'static str {
        self.gateway.name
    }

    /// The handler method's name (NestJS's `getHandler().name`).
    pub fn handler(&self) -> &'static str {
        self.handler.method
    }

    /// The metadata `key`, from the handler, else from the gateway (NestJS's
    /// `reflector.getAllAndOverride(key, [handler, class])`), decoded as `T`.
    /// `None` when neither sets it or it does not decode as `T`.
    pub fn metadata<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        lookup(self.handler.metadata, key).or_else(|| lookup(self.gateway.metadata, key))
    }
}

fn lookup<T: DeserializeOwned>(entries: Metadata, key: &str) -> Option<T> {
    let (_, json) = entries.iter().find(|(k, _)| *k == key)?;
    serde_json::from_str(json).ok()
}

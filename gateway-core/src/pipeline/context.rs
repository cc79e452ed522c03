//! [`ExecutionContext`]: what guards and pipes see of the message being handled, with the
//! handler's metadata (NestJS's `switchToWs()` and `Reflector` in one).

use serde::de::DeserializeOwned;

use crate::message::Incoming;
use crate::socket::SocketRef;

/// `#[set_metadata("key", value)]` entries: the key and the value as JSON text.
pub type Metadata = &'static [(&'static str, &'static str)];

/// Where a message is handled: the gateway, the event, the method, and the metadata of the
/// handler and its gateway, parsed once when the gateway is mounted.
#[derive(Debug)]
pub(crate) struct Site {
    pub(crate) gateway: &'static str,
    pub(crate) event: &'static str,
    pub(crate) method: &'static str,
    /// The handler's entries first, then the gateway's (the handler's win).
    metadata: Vec<(&'static str, serde_json::Value)>,
}

impl Site {
    pub(crate) fn new(
        (gateway, event, method): (&'static str, &'static str, &'static str),
        handler: Metadata,
        gateway_metadata: Metadata,
    ) -> Self {
        // `#[set_metadata]` checked the JSON at compile time; what does not parse is skipped.
        let metadata = handler
            .iter()
            .chain(gateway_metadata)
            .filter_map(|(k, json)| Some((*k, serde_json::from_str(json).ok()?)))
            .collect();
        Site {
            gateway,
            event,
            method,
            metadata,
        }
    }

    fn metadata<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let (_, value) = self.metadata.iter().find(|(k, _)| *k == key)?;
        T::deserialize(value).ok()
    }
}

/// The message being handled, for guards and interceptors.
pub struct ExecutionContext<'a> {
    pub(crate) socket: &'a SocketRef,
    pub(crate) incoming: &'a Incoming,
    pub(crate) site: &'a Site,
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
        self.site.event
    }

    /// The gateway's name (NestJS's `getClass().name`).
    pub fn gateway(&self) -> &'static str {
        self.site.gateway
    }

    /// The handler method's name (NestJS's `getHandler().name`).
    pub fn handler(&self) -> &'static str {
        self.site.method
    }

    /// The metadata `key`, from the handler, else from the gateway (NestJS's
    /// `reflector.getAllAndOverride(key, [handler, class])`), decoded as `T`.
    /// `None` when neither sets it or it does not decode as `T`.
    pub fn metadata<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.site.metadata(key)
    }
}

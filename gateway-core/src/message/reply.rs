//! [`Reply`]: what a handler produced, as interceptors see it, and [`Data`], one payload of it.

use serde::Serialize;

use super::data::Node;
use crate::error::HandlerError;

/// What a handler produced, as interceptors see it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Reply {
    /// Nothing is sent.
    #[default]
    Nothing,
    /// The value answers the client's ack (when it asked for one).
    Ack(Data),
    /// Events emitted to the client, in order.
    Emit(Vec<(String, Data)>),
}

impl Reply {
    /// A reply that answers the ack with `value` (any `Serialize` value, `json!` included).
    ///
    /// ```
    /// use gateway_core::prelude::*;
    /// let reply = Reply::ack(&serde_json::json!({ "ok": true })).unwrap();
    /// assert!(matches!(reply, Reply::Ack(_)));
    /// ```
    pub fn ack<T: Serialize + ?Sized>(value: &T) -> Result<Self, HandlerError> {
        Data::new(value).map(Reply::Ack)
    }
}

/// One payload of a [`Reply`], held as the handler's type serialized it: object keys keep
/// their order and binary data (`bytes::Bytes`, `Vec<u8>` through `serde_bytes`) stays binary,
/// so an interceptor that passes a reply on changes nothing on the wire.
///
/// Read it with [`to_json`](Self::to_json) (binary shows as arrays of numbers there); build a
/// new one with [`Data::new`] or from a `serde_json::Value`.
///
/// ```
/// use gateway_core::prelude::*;
/// let data = Data::new(&serde_json::json!({ "b": 1, "a": 2 })).unwrap();
/// assert_eq!(data.to_json().to_string(), r#"{"b":1,"a":2}"#);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Data(Node);

impl Data {
    /// Serializes `value` (once: sending it later does not serialize it again from its type).
    pub fn new<T: Serialize + ?Sized>(value: &T) -> Result<Self, HandlerError> {
        Node::of(value)
            .map(Data)
            .map_err(|e| HandlerError::Internal(Box::new(e)))
    }

    /// The payload as JSON, to inspect it (binary data shows as arrays of numbers).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or(serde_json::Value::Null)
    }
}

impl From<serde_json::Value> for Data {
    fn from(value: serde_json::Value) -> Self {
        Data::new(&value).unwrap_or(Data(Node::Null))
    }
}

impl Serialize for Data {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

//! Message handlers: what a `#[subscribe_message]` method can take ([`FromMessageContext`],
//! its body), what it can return ([`WsResponse`] and the rest of the reply table), and the
//! per-message path that ties them to socketioxide: a route per handler, resolved once
//! per gateway, and one dispatcher per socket.

pub(crate) mod body;
mod context;
pub(crate) mod dispatch;
mod extract;
#[doc(hidden)]
pub mod reply;
pub(crate) mod route;

pub use context::MessageContext;
pub(crate) use extract::SocketScope;
pub use extract::{AckSender, Extension, FromMessageContext, NsParams, Scoped};
pub use reply::WsResponse;

use crate::pipeline::{Bindings, Metadata};

/// Writes the JSON Schema of one type with a generator (its named types go to the generator's
/// definitions): how the statics the macros emit carry a payload type.
pub type SchemaFn = fn(&mut schemars::SchemaGenerator) -> schemars::Schema;

/// One `#[subscribe_message]` handler, as a static the macro emits.
#[doc(hidden)]
#[derive(Debug)]
pub struct HandlerMeta {
    /// The gateway's name.
    pub gateway: &'static str,
    /// The event it handles, NestJS's pattern.
    pub event: &'static str,
    /// The method's name.
    pub method: &'static str,
    /// Guards, pipes, interceptors and filters bound to this handler (its body's pipes last).
    pub bindings: Bindings,
    /// `#[set_metadata]` on the handler.
    pub metadata: Metadata,
    /// The line it is declared on (the file is its gateway's).
    pub line: u32,
    /// The schema of the payload the client sends; `None` when it takes no body.
    pub body: Option<SchemaFn>,
    /// The schema of what it acks; `None` when it acks nothing.
    pub ack: Option<SchemaFn>,
}

impl HandlerMeta {
    /// A handler with nothing bound and no metadata.
    pub const fn new(
        gateway: &'static str,
        event: &'static str,
        method: &'static str,
        line: u32,
    ) -> Self {
        HandlerMeta {
            gateway,
            event,
            method,
            bindings: Bindings::NONE,
            metadata: &[],
            line,
            body: None,
            ack: None,
        }
    }
}

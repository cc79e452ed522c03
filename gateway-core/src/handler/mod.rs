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

/// A handler's static as the macros write it: [`HandlerMeta::new`] with the fields the handler
/// sets, each as `name(...)`: `bindings(expr)`, `metadata(expr)`, and the schemas `body(Type)`,
/// `body(Type, "property")`, `ack(Type)` or `ack(@any)`; one line per handler in the expansion.
#[doc(hidden)]
#[macro_export]
macro_rules! __handler_meta {
    ($gateway:expr, $event:expr, $method:expr $(,)?) => {
        $crate::__private::HandlerMeta::new($gateway, $event, $method)
    };
    ($gateway:expr, $event:expr, $method:expr $(, $field:ident $value:tt)+ $(,)?) => {
        $crate::__private::HandlerMeta {
            $($field: $crate::__handler_meta!(@ $field $value),)+
            ..$crate::__private::HandlerMeta::new($gateway, $event, $method)
        }
    };
    (@ bindings ($value:expr)) => { $value };
    (@ metadata ($value:expr)) => { $value };
    (@ body ($($schema:tt)*)) => { $crate::__schema_fn!($($schema)*) };
    (@ ack ($($schema:tt)*)) => { $crate::__schema_fn!($($schema)*) };
}

/// The marker type of a `#[message_body("property")]`: a unit struct whose
/// [`PropertyName`](body::PropertyName) is the property; with `alias = Type`, also the body
/// type `Property<Type, Marker>` under that name.
#[doc(hidden)]
#[macro_export]
macro_rules! __property_name {
    ($marker:ident, $name:expr) => {
        struct $marker;
        #[automatically_derived]
        impl $crate::__private::PropertyName for $marker {
            const NAME: &'static str = $name;
        }
    };
    // The body type too: `$alias` is `Property<$ty, $marker>`.
    ($marker:ident, $name:expr, $alias:ident = $ty:ty) => {
        $crate::__property_name!($marker, $name);
        type $alias = $crate::__private::Property<$ty, $marker>;
    };
}

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
    /// The schema of the payload the client sends; `None` when it takes no body.
    pub body: Option<SchemaFn>,
    /// The schema of what it acks; `None` when it acks nothing.
    pub ack: Option<SchemaFn>,
}

impl HandlerMeta {
    /// A handler with nothing bound and no metadata.
    pub const fn new(gateway: &'static str, event: &'static str, method: &'static str) -> Self {
        HandlerMeta {
            gateway,
            event,
            method,
            bindings: Bindings::NONE,
            metadata: &[],
            body: None,
            ack: None,
        }
    }
}

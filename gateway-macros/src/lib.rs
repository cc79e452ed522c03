//! The procedural macros of [`gateway-core`](https://docs.rs/gateway-core): each entry point
//! parses, checks and expands in its own module, into thin glue over `gateway_core`'s traits.
//! Use them through `gateway_core::prelude`, not from this crate directly.

use proc_macro::TokenStream;

mod attr;
mod ctxt;
mod event;
mod gateway;
mod injectable;
mod manifest;
mod module;
#[cfg(test)]
mod snapshots;

/// `#[derive(Event)]` with `#[event("chat/receive")]`: the type is a payload sent as that event
/// (`socket.emit_event(&msg)`), and can be listed in a gateway's `emits = [...]`.
#[proc_macro_derive(Event, attributes(event))]
pub fn derive_event(item: TokenStream) -> TokenStream {
    event::expand(item.into()).into()
}

/// Marks an `impl` block as a WebSocket gateway: NestJS's `@WebSocketGateway`.
///
/// Options: `port = N` (own listener; or a leading integer), `namespace = "/chat"`,
/// `namespace = "/teams/{team}"`, `namespace = regex("^/\\w+$")`, `cors(origin = "*" | [..],
/// credentials = bool, methods = [..])`, `path`, `transports = ["websocket", "polling"]`,
/// `ping_interval`, `ping_timeout`, `connect_timeout` (ms), `max_payload` (bytes), `ordered`
/// (each socket's messages handled one at a time, in arrival order), `emits = [Type, ..]` (the
/// `#[derive(Event)]` types it sends, for the API description).
///
/// Methods marked `#[subscribe_message("event")]` become handlers; methods named `after_init`,
/// `handle_connection` and `handle_disconnect` become the lifecycle hooks.
#[proc_macro_attribute]
pub fn web_socket_gateway(args: TokenStream, item: TokenStream) -> TokenStream {
    gateway::expand(args.into(), item.into()).into()
}

/// Marks a gateway method as the handler of an event: NestJS's `@SubscribeMessage`.
/// Only valid inside an `impl` block marked `#[web_socket_gateway]`.
#[proc_macro_attribute]
pub fn subscribe_message(_args: TokenStream, item: TokenStream) -> TokenStream {
    gateway::misplaced("subscribe_message", item.into()).into()
}

/// Marks the handler parameter that receives the payload: NestJS's `@MessageBody`.
/// Only valid on a parameter of a `#[subscribe_message]` method.
#[proc_macro_attribute]
pub fn message_body(_args: TokenStream, item: TokenStream) -> TokenStream {
    gateway::misplaced("message_body", item.into()).into()
}

/// Marks the handler parameter that receives the client socket: NestJS's `@ConnectedSocket`.
/// Only valid on a parameter of a `#[subscribe_message]` method.
#[proc_macro_attribute]
pub fn connected_socket(_args: TokenStream, item: TokenStream) -> TokenStream {
    gateway::misplaced("connected_socket", item.into()).into()
}

/// Makes a struct a provider that the container builds and injects: NestJS's `@Injectable`.
///
/// `Arc<T>` fields are injected by type; `Option<Arc<T>>` fields too, with `None` when no
/// visible provider gives `T` (NestJS's `@Optional()`); a `#[web_socket_server]` field gets the
/// gateway's `WsServer`; other fields start as `Default::default()`.
#[proc_macro_attribute]
pub fn injectable(args: TokenStream, item: TokenStream) -> TokenStream {
    injectable::expand(args.into(), item.into()).into()
}

/// Declares a module: NestJS's `@Module({ imports, providers, exports })`, on a unit struct.
#[proc_macro_attribute]
pub fn module(args: TokenStream, item: TokenStream) -> TokenStream {
    module::expand(args.into(), item.into()).into()
}

/// Binds guards to a handler, or to every handler of a gateway when placed on the impl block
/// after `#[web_socket_gateway]`: NestJS's `@UseGuards`.
#[proc_macro_attribute]
pub fn use_guards(_args: TokenStream, item: TokenStream) -> TokenStream {
    gateway::misplaced("use_guards", item.into()).into()
}

/// Binds pipes to a handler's body, or to every handler of a gateway when placed on the impl
/// block after `#[web_socket_gateway]`: NestJS's `@UsePipes`.
#[proc_macro_attribute]
pub fn use_pipes(_args: TokenStream, item: TokenStream) -> TokenStream {
    gateway::misplaced("use_pipes", item.into()).into()
}

/// Attaches metadata to a handler (or a gateway) for guards and interceptors to read:
/// NestJS's `@SetMetadata(key, value)`. The value is a literal or an array of literals.
#[proc_macro_attribute]
pub fn set_metadata(_args: TokenStream, item: TokenStream) -> TokenStream {
    gateway::misplaced("set_metadata", item.into()).into()
}

/// `#[throttle(limit = N, ttl_ms = M)]` on a handler or a gateway: at most `N` messages per
/// `M` milliseconds per socket and handler, NestJS's `@Throttle`; past it the client gets the
/// `exception` "ThrottlerException: Too Many Requests" (`gateway_core::pipeline::ThrottlerGuard`).
/// `by = ip` shares the budget among the sockets of one client IP, `by = MyTracker` among those
/// a `gateway_core::pipeline::ThrottlerTracker` gives the same key (`by = socket` is the
/// default). A handler's `#[throttle]` replaces its gateway's, `by` included.
#[proc_macro_attribute]
pub fn throttle(_args: TokenStream, item: TokenStream) -> TokenStream {
    gateway::misplaced("throttle", item.into()).into()
}

/// `#[roles("admin", ...)]`: the `roles` metadata, for a roles guard to read.
#[proc_macro_attribute]
pub fn roles(_args: TokenStream, item: TokenStream) -> TokenStream {
    gateway::misplaced("roles", item.into()).into()
}

/// Wraps a handler (or every handler of a gateway) in interceptors: NestJS's
/// `@UseInterceptors`.
#[proc_macro_attribute]
pub fn use_interceptors(_args: TokenStream, item: TokenStream) -> TokenStream {
    gateway::misplaced("use_interceptors", item.into()).into()
}

/// Binds exception filters to a handler (or every handler of a gateway): NestJS's
/// `@UseFilters`.
#[proc_macro_attribute]
pub fn use_filters(_args: TokenStream, item: TokenStream) -> TokenStream {
    gateway::misplaced("use_filters", item.into()).into()
}

/// Guards the connections to a gateway at the handshake (on the impl block, after
/// `#[web_socket_gateway]`): a refusal is the client's `connect_error`.
#[proc_macro_attribute]
pub fn use_connection_guards(_args: TokenStream, item: TokenStream) -> TokenStream {
    gateway::misplaced("use_connection_guards", item.into()).into()
}

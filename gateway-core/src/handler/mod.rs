//! Message handlers: what a `#[subscribe_message]` method can take ([`extract`]), what it can
//! return ([`reply`]), and the per-message path that ties them to socketioxide ([`dispatch`]).

pub mod dispatch;
pub mod extract;
pub mod payload;
pub mod reply;

pub use dispatch::MessageContext;
pub use extract::{AckSender, Extension, FromMessageContext, NsParams};
pub use reply::WsResponse;

//! Typed outgoing events: a payload type that knows its event name.

use serde::Serialize;

/// A payload that knows the event it is sent as: `socket.emit_event(&msg)` sends it as
/// [`Event::NAME`], so the name and the payload's shape are written down once, in the type.
///
/// Derive it, and list the type in the gateway's `emits = [...]` so that the API description
/// ([`describe`](crate::describe)) knows what the gateway sends:
///
/// ```
/// use gateway_core::prelude::*;
///
/// #[derive(Serialize, Event)]
/// #[event("chat/receive")]
/// struct ChatReceive {
///     message: String,
/// }
///
/// assert_eq!(<ChatReceive as gateway_core::Event>::NAME, "chat/receive");
/// ```
///
/// A tuple struct is sent as several arguments, as a tuple is by `emit`. A one-field tuple
/// struct must be `#[serde(transparent)]` (the derive says so): socketioxide would send a plain
/// newtype as a malformed list of arguments.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an event",
    label = "not an event",
    note = "derive it: `#[derive(Serialize, Event)] #[event(\"name\")] struct {Self} {{ .. }}`"
)]
pub trait Event: Serialize {
    /// The event name on the wire.
    const NAME: &'static str;
}

use gateway_core::prelude::*;

// No event name.
#[derive(Serialize, Event)]
struct Nameless {
    text: String,
}

// A newtype socketioxide would send as a malformed list of arguments.
#[derive(Serialize, Event)]
#[event("joined")]
struct Joined(String);

#[derive(Serialize)]
struct NotAnEvent {
    text: String,
}

#[injectable]
struct ChatGateway;

// A type that is not an `Event` cannot be declared as emitted.
#[web_socket_gateway(namespace = "/chat", emits = [NotAnEvent])]
impl ChatGateway {}

fn main() {}

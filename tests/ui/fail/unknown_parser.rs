use gateway_core::prelude::*;

#[injectable]
struct ChatGateway;

// socket.io knows two parsers: its default (JSON) and msgpack.
#[web_socket_gateway(namespace = "/chat", parser = "protobuf")]
impl ChatGateway {}

fn main() {}

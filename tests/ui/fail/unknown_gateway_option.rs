use gateway_core::prelude::*;

#[injectable]
struct ChatGateway;

#[web_socket_gateway(namespace = "/chat", pingInterval = 1000)]
impl ChatGateway {}

fn main() {}

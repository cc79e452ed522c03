use gateway_core::prelude::*;

#[injectable]
struct ChatGateway;

#[web_socket_gateway(namespace = "/chat", ordered = 3)]
impl ChatGateway {
    #[subscribe_message("send")]
    fn send(&self) {}
}

fn main() {}

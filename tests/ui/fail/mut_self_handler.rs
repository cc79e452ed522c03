use gateway_core::prelude::*;

#[injectable]
struct ChatGateway;

#[web_socket_gateway]
impl ChatGateway {
    #[subscribe_message("send")]
    fn send(&mut self) {}
}

fn main() {}

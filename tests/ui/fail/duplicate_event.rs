use gateway_core::prelude::*;

#[injectable]
struct ChatGateway;

#[web_socket_gateway]
impl ChatGateway {
    #[subscribe_message("send")]
    fn send(&self) {}

    #[subscribe_message("send")]
    fn send_again(&self) {}
}

fn main() {}

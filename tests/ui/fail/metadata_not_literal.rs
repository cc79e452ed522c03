use gateway_core::prelude::*;

const ROLE: &str = "admin";

#[injectable]
struct ChatGateway;

#[web_socket_gateway]
impl ChatGateway {
    #[subscribe_message("send")]
    #[set_metadata("roles", [ROLE])]
    fn send(&self) {}
}

fn main() {}

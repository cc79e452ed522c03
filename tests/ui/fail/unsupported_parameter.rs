use gateway_core::prelude::*;

#[injectable]
struct ChatGateway;

#[web_socket_gateway]
impl ChatGateway {
    #[subscribe_message("send")]
    fn send(&self, count: u32) -> u32 {
        count
    }
}

fn main() {}

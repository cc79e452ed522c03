use gateway_core::prelude::*;

#[injectable]
struct ChatGateway;

#[web_socket_gateway]
impl ChatGateway {
    #[subscribe_message("send")]
    fn send(&self, #[message_body] a: String, #[message_body] b: String) -> String {
        a + &b
    }
}

fn main() {}

use gateway_core::prelude::*;

#[injectable]
struct Trim;

#[injectable]
struct ChatGateway;

#[web_socket_gateway]
impl ChatGateway {
    #[subscribe_message("send")]
    fn send(&self, #[message_body(Trim)] text: String) -> String {
        text
    }
}

fn main() {}

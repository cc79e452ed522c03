use gateway_core::prelude::*;

struct Dto {
    text: String,
}

#[injectable]
struct ChatGateway;

#[web_socket_gateway]
impl ChatGateway {
    #[subscribe_message("send")]
    fn send(&self, #[message_body] dto: Dto) -> String {
        dto.text
    }
}

fn main() {}

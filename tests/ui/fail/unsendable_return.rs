use gateway_core::prelude::*;

struct NotSerialize;

#[injectable]
struct ChatGateway;

#[web_socket_gateway]
impl ChatGateway {
    #[subscribe_message("send")]
    fn send(&self) -> NotSerialize {
        NotSerialize
    }
}

fn main() {}

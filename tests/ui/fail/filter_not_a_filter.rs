use gateway_core::prelude::*;

#[injectable]
struct AuthService;

#[injectable]
struct ChatGateway;

#[web_socket_gateway]
impl ChatGateway {
    #[subscribe_message("send")]
    #[use_filters(AuthService)]
    fn send(&self) {}
}

fn main() {}

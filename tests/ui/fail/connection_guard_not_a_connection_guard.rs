use gateway_core::prelude::*;

#[injectable]
struct AuthService;

#[injectable]
struct ChatGateway;

#[web_socket_gateway(namespace = "/chat")]
#[use_connection_guards(AuthService)]
impl ChatGateway {
    #[subscribe_message("send")]
    fn send(&self) {}
}

fn main() {}

use gateway_core::prelude::*;

#[injectable]
struct AuthService;

#[injectable]
struct ChatGateway;

#[web_socket_gateway]
impl ChatGateway {
    #[subscribe_message("send")]
    #[throttle(limit = 5, ttl_ms = 1000, by = AuthService)]
    fn send(&self) {}
}

fn main() {}

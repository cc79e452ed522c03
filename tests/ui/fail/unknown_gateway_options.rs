use gateway_core::prelude::*;

#[injectable]
struct ChatGateway;

// Every unknown option is reported, not only the first; inside cors(...) too.
#[web_socket_gateway(
    namespace = "/chat",
    pingInterval = 1000,
    cors(origin = "*", credential = true),
    maxPayload = 4096,
)]
impl ChatGateway {}

fn main() {}

use gateway_core::prelude::*;

#[injectable]
struct ChatGateway;

// The positional port is the `port` option; `origins` is another name for `origin`.
#[web_socket_gateway(
    3001,
    namespace = "/chat",
    port = 3002,
    cors(origin = "http://a.test", origins = ["http://b.test"]),
    ordered,
    ordered = true,
)]
impl ChatGateway {
    #[subscribe_message("send")]
    fn send(&self) {}
}

fn main() {}

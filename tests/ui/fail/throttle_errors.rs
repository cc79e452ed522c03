use gateway_core::prelude::*;

#[injectable]
struct ChatGateway;

// Every mistake of every #[throttle], in one build.
#[web_socket_gateway]
#[throttle(limit = 5)]
impl ChatGateway {
    #[subscribe_message("a")]
    #[throttle(limit = 0, ttl_ms = 1000, by = "ip")]
    fn a(&self) {}

    #[subscribe_message("b")]
    #[throttle(limit = 5, ttl_ms = 1000, by = user)]
    fn b(&self) {}

    #[subscribe_message("c")]
    #[throttle(limit = 5, limit = 6, ttl_ms = 1000, per = 1)]
    fn c(&self) {}

    #[subscribe_message("d")]
    #[throttle(limit = 5, ttl_ms = 1000)]
    #[throttle(limit = 50, ttl_ms = 60000)]
    fn d(&self) {}

    #[subscribe_message("e")]
    #[throttle(limit = 4294967296, ttl_ms = 1)]
    fn e(&self) {}
}

fn main() {}

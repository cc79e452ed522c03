use gateway_core::prelude::*;

struct NotAGateway;

impl NotAGateway {
    #[subscribe_message("ping")]
    fn ping(&self) {}
}

fn main() {}

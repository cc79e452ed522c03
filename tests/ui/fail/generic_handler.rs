use gateway_core::prelude::*;

#[injectable]
struct ChatGateway;

#[web_socket_gateway]
impl ChatGateway {
    #[subscribe_message("send")]
    async fn send<T>(&self, #[message_body] body: T) {
        let _ = body;
    }

    #[subscribe_message("echo")]
    fn echo(&self, #[message_body] text: impl Into<String>) -> String {
        text.into()
    }
}

fn main() {}

use gateway_core::prelude::*;

#[injectable]
struct TokenGuard;

impl ConnectionGuard for TokenGuard {
    async fn can_connect(&self, _ctx: &ConnectionContext<'_>) -> Result<bool, ConnectionRefused> {
        Ok(true)
    }
}

#[injectable]
struct ChatGateway;

#[web_socket_gateway]
impl ChatGateway {
    #[subscribe_message("send")]
    #[use_connection_guards(TokenGuard)]
    fn send(&self) {}
}

fn main() {}

use gateway_core::prelude::*;

#[injectable]
struct RolesGuard;

impl CanActivate for RolesGuard {
    async fn can_activate(&self, _ctx: &ExecutionContext<'_>) -> Result<bool, HandlerError> {
        Ok(true)
    }
}

#[injectable]
struct ChatGateway;

#[use_guards(RolesGuard)]
#[web_socket_gateway]
impl ChatGateway {}

fn main() {}

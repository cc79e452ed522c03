//! Namespaces `/teams/{team}`: one dynamic gateway for every team.

use gateway_core::prelude::*;

/// The namespace's parameters.
#[derive(Debug, Deserialize)]
pub struct Team {
    /// The team's name.
    pub team: String,
}

/// `team`, to a client that just connected: its team.
#[derive(Debug, Serialize, JsonSchema, Event)]
#[event("team")]
pub struct TeamInfo {
    /// The `{team}` of the namespace.
    pub team: String,
}

/// `shout`, to everyone in the team's namespace.
#[derive(Debug, Serialize, JsonSchema, Event)]
#[event("shout")]
pub struct Shout {
    /// The sender's socket id.
    pub from: String,
    /// What it shouted.
    pub text: String,
}

/// The team gateway.
#[injectable]
pub struct TeamGateway {
    #[web_socket_server]
    server: WsServer,
}

#[web_socket_gateway(namespace = "/teams/{team}", emits = [TeamInfo, Shout])]
impl TeamGateway {
    async fn handle_connection(&self, socket: SocketRef) {
        let team = socket.ns_param("team").unwrap_or_default();
        socket.emit_event(&TeamInfo { team }).ok();
    }

    /// Everyone in the same team namespace gets `shout`.
    #[subscribe_message("shout")]
    async fn shout(
        &self,
        #[connected_socket] socket: SocketRef,
        NsParams(team): NsParams<Team>,
        #[message_body] text: String,
    ) -> WsResult<(), BoxError> {
        let payload = Shout {
            from: socket.id().to_string(),
            text,
        };
        let ns = format!("/teams/{}", team.team);
        if let Some(team_ns) = self.server.of(&ns) {
            team_ns.emit_event(&payload).await?;
        }
        Ok(())
    }
}

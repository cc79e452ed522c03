//! Namespaces `/teams/{team}`: one dynamic gateway for every team.

use gateway_core::prelude::*;
use serde_json::json;

/// The namespace's parameters.
#[derive(Debug, Deserialize)]
pub struct Team {
    /// The team's name.
    pub team: String,
}

/// The team gateway.
#[injectable]
pub struct TeamGateway {
    #[web_socket_server]
    server: WsServer,
}

#[web_socket_gateway(namespace = "/teams/{team}")]
impl TeamGateway {
    async fn handle_connection(&self, socket: SocketRef) {
        let team = socket.ns_param("team").unwrap_or_default();
        socket.emit("team", &json!({ "team": team })).ok();
    }

    /// Everyone in the same team namespace gets `shout`.
    #[subscribe_message("shout")]
    async fn shout(
        &self,
        #[connected_socket] socket: SocketRef,
        NsParams(team): NsParams<Team>,
        #[message_body] text: String,
    ) -> WsResult<(), BoxError> {
        let payload = json!({ "from": socket.id().to_string(), "text": text });
        let ns = format!("/teams/{}", team.team);
        if let Some(team_ns) = self.server.of(&ns) {
            team_ns.emit("shout", &payload).await?;
        }
        Ok(())
    }
}

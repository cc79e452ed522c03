//! Testing a gateway: the demo's chat, its clock fixed and its token guard replaced.
use demo_app::{AppModule, Clock, JwtGuard, User};
use gateway_core::BoxError;
use gateway_core::pipeline::{ConnectionContext, ConnectionGuard, ConnectionRefused};
use gateway_core::testing::TestingModule;
use serde_json::{Value, json};

struct AsAda; // lets every client in, as "ada"
impl ConnectionGuard for AsAda {
    async fn can_connect(&self, ctx: &ConnectionContext<'_>) -> Result<bool, ConnectionRefused> {
        let ada = User {
            name: "ada".into(),
            role: "user".into(),
        };
        ctx.socket().extensions().insert(ada);
        Ok(true)
    }
}

#[tokio::test]
async fn a_message_reaches_the_room() -> Result<(), BoxError> {
    let app = TestingModule::builder::<AppModule>()
        .override_provider(Clock::fixed(1_000)) // a provider, by a value of its type
        .override_connection_guard::<JwtGuard>(AsAda) // an enhancer, by another one
        .start()
        .await?; // on 127.0.0.1, every port a free one
    let client = app.client("/chat").connect().await?; // a socket.io client, in Rust
    client.emit("join", &json!({ "roomId": "r" })).await?;
    assert_eq!(client.expect::<String>("joined").await?, "r");
    let ack: Value = client
        .emit_with_ack("chat/send", &json!({ "roomId": "r", "message": "hi" }))
        .await?;
    assert_eq!(ack, json!({ "ok": true }));
    let event: Value = client.expect("chat/receive").await?; // sent to the room, the sender too
    assert_eq!(
        event,
        json!({ "roomId": "r", "message": "hi", "from": "ada", "at": 1_000 })
    );
    client.emit("chat/send", &json!({ "roomId": "" })).await?;
    assert_eq!(
        client.expect::<Value>("exception").await?["message"],
        "Validation failed"
    );
    let refused = app.client("/nowhere").connect_error().await?;
    assert_eq!(refused.message, "Invalid namespace");
    app.shutdown().await;
    Ok(())
}

//! The demo's wire contract, in Rust, with `gateway_core::testing`: the demo's own module
//! under a fixed clock (so `at` is known) and, where it makes a test clearer, a replaced
//! history store or connection guard. The JavaScript suites (`tests/js/demo.test.mjs`) check
//! the same contract against the official socket.io client; this file is what a user of the
//! framework would write.

use std::time::Duration;

use demo_app::chat::{ChatMessage, HISTORY};
use demo_app::{AppModule, ChatService, Clock, JwtGuard, NOTIFY_PORT, User};
use gateway_core::pipeline::{ConnectionContext, ConnectionGuard, ConnectionRefused};
use gateway_core::testing::{TestApp, TestClient, TestingModule, TestingModuleBuilder, Transport};
use gateway_core::{BoxError, SocketRef};
use serde_json::{Value, json};

/// Every `at` of the demo, under the test's clock.
const NOW: u64 = 1_767_225_600_000;

fn demo() -> TestingModuleBuilder<AppModule> {
    TestingModule::builder::<AppModule>().override_provider(Clock::fixed(NOW))
}

/// A token for `name` from the demo's own `login`.
async fn login(app: &TestApp, name: &str) -> Result<String, BoxError> {
    let root = app
        .client("/")
        .transport(Transport::InProcess)
        .connect()
        .await?;
    let reply: Value = root
        .emit_with_ack("login", &json!({ "name": name }))
        .await?;
    Ok(reply["token"]
        .as_str()
        .ok_or("login acks {token}")?
        .to_owned())
}

/// A `/chat` client logged in as `name`, past its `welcome`.
async fn chat(app: &TestApp, name: &str, transport: Transport) -> Result<TestClient, BoxError> {
    let token = login(app, name).await?;
    let client = app
        .client("/chat")
        .auth(json!({ "token": token }))
        .transport(transport)
        .connect()
        .await?;
    let welcome: Value = client.expect("welcome").await?;
    assert_eq!(welcome, json!({ "id": client.id() }));
    Ok(client)
}

#[tokio::test]
async fn the_root_namespace_answers_as_the_nestjs_sample() -> Result<(), BoxError> {
    let app = demo().start().await?;
    let client = app.client("/").connect().await?;

    client.emit("events", &()).await?;
    for n in 1..=3 {
        assert_eq!(client.expect::<u32>("events").await?, n);
    }
    let n: f64 = client.emit_with_ack("identity", &4.5).await?;
    assert_eq!(n, 4.5);
    client.emit("message", &json!({ "a": [1, 2] })).await?;
    assert_eq!(
        client.expect::<Value>("message-back").await?,
        json!({ "a": [1, 2] })
    );

    // An invalid login: the exception names the field; no token.
    client.emit("login", &json!({ "name": "" })).await?;
    let exception: Value = client.expect("exception").await?;
    assert_eq!(exception["message"], "Validation failed");
    assert_eq!(exception["errors"][0]["field"], "name");
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn chat_needs_a_valid_token() -> Result<(), BoxError> {
    let app = demo().start().await?;
    for auth in [json!({}), json!({ "token": "not-a-jwt" })] {
        let refused = app.client("/chat").auth(auth).connect_error().await?;
        assert_eq!(refused.message, "Unauthorized");
    }
    chat(&app, "ada", Transport::WebSocket).await?;
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_message_reaches_the_room_with_the_clocks_time_and_stays_in_history()
-> Result<(), BoxError> {
    let app = demo().start().await?;
    let ada = chat(&app, "ada", Transport::WebSocket).await?;
    let bob = chat(&app, "bob", Transport::InProcess).await?;
    let user_joined: Value = ada.expect("user-joined").await?;
    assert_eq!(user_joined, json!({ "id": bob.id() }));
    for client in [&ada, &bob] {
        client.emit("join", &json!({ "roomId": "r1" })).await?;
        assert_eq!(client.expect::<String>("joined").await?, "r1");
    }

    let ack: Value = ada
        .emit_with_ack("chat/send", &json!({ "roomId": "r1", "message": "hello" }))
        .await?;
    assert_eq!(ack, json!({ "ok": true }));
    let expected = json!({ "roomId": "r1", "message": "hello", "from": "ada", "at": NOW });
    for client in [&ada, &bob] {
        assert_eq!(client.expect::<Value>("chat/receive").await?, expected);
    }

    bob.emit("typing", &json!({ "roomId": "r1" })).await?;
    assert_eq!(
        ada.expect::<Value>("typing").await?,
        json!({ "roomId": "r1", "from": "bob" })
    );
    bob.expect_none("typing", Duration::from_millis(100))
        .await?;

    let history: Value = bob
        .emit_with_ack("history", &json!({ "roomId": "r1" }))
        .await?;
    assert_eq!(history, json!([expected]));

    bob.emit("leave", &json!({ "roomId": "r1" })).await?;
    assert_eq!(bob.expect::<String>("left").await?, "r1");
    ada.emit("chat/send", &json!({ "roomId": "r1", "message": "again" }))
        .await?;
    ada.expect::<Value>("chat/receive").await?;
    bob.expect_none("chat/receive", Duration::from_millis(100))
        .await?;

    bob.disconnect().await?;
    let left: Value = ada.expect("user-left").await?;
    assert_eq!(left["id"], bob.id());
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn an_invalid_message_is_an_exception_naming_the_field_and_the_socket_stays()
-> Result<(), BoxError> {
    let app = demo().start().await?;
    let ada = chat(&app, "ada", Transport::InProcess).await?;
    ada.emit("chat/send", &json!({ "roomId": "", "message": "x" }))
        .await?;
    let exception: Value = ada.expect("exception").await?;
    assert_eq!(exception["status"], "error");
    assert_eq!(exception["message"], "Validation failed");
    assert_eq!(exception["errors"][0]["field"], "roomId");
    assert_eq!(
        exception["cause"],
        json!({ "pattern": "chat/send", "data": { "roomId": "", "message": "x" } })
    );
    let history: Value = ada
        .emit_with_ack("history", &json!({ "roomId": "r" }))
        .await?;
    assert_eq!(history, json!([]), "still connected, nothing recorded");
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn only_an_admin_clears_a_room() -> Result<(), BoxError> {
    let app = demo().start().await?;
    let user = chat(&app, "bob", Transport::InProcess).await?;
    let admin = chat(&app, "admin", Transport::InProcess).await?;
    for client in [&user, &admin] {
        client.emit("join", &json!({ "roomId": "r" })).await?;
        client.expect::<String>("joined").await?;
    }
    let sent: Value = user
        .emit_with_ack(
            "chat/send",
            &json!({ "roomId": "r", "message": "keep me?" }),
        )
        .await?;
    assert_eq!(sent, json!({ "ok": true }));
    user.emit("chat/clear", &json!({ "roomId": "r" })).await?;
    let forbidden: Value = user.expect("exception").await?;
    assert_eq!(forbidden["message"], "Forbidden resource");

    // The room is asked to confirm: `bob` answers at once, the admin never does, so its
    // answer times out (after the demo's 2 s) and the ack says so.
    let room = json!({ "roomId": "r" });
    let cleared = admin.emit_with_ack::<Value>("chat/clear", &room);
    let confirm = async {
        for client in [&user, &admin] {
            assert_eq!(
                client.expect::<Value>("cleared").await?,
                json!({ "roomId": "r" })
            );
        }
        let (asked, ack): (Value, _) = user.expect_with_ack("confirm-clear").await?;
        assert_eq!(asked, json!({ "roomId": "r" }));
        ack.answer(&true)?;
        let (_, never): (Value, _) = admin.expect_with_ack("confirm-clear").await?;
        drop(never);
        Ok::<_, BoxError>(())
    };
    let (cleared, confirmed) = tokio::join!(cleared, confirm);
    confirmed?;
    assert_eq!(
        cleared?,
        json!({ "cleared": 1, "confirmed": 1, "timedOut": 1 })
    );
    let history: Vec<Value> = user
        .emit_with_ack("history", &json!({ "roomId": "r" }))
        .await?;
    assert!(history.is_empty());
    app.shutdown().await;
    Ok(())
}

fn message(room: &str, text: &str) -> ChatMessage {
    ChatMessage {
        room_id: room.to_owned(),
        message: text.to_owned(),
        from: "seed".to_owned(),
        at: 1,
    }
}

#[tokio::test]
async fn history_comes_from_the_store_which_keeps_the_rooms_used_last() -> Result<(), BoxError> {
    // A store of two rooms, seeded with a message in `old`.
    let app = demo()
        .override_provider_with(|| {
            let store = ChatService::with_rooms(2);
            store.record(message("old", "from before"));
            Ok(store)
        })
        .start()
        .await?;
    let ada = chat(&app, "ada", Transport::InProcess).await?;
    let old: Value = ada
        .emit_with_ack("history", &json!({ "roomId": "old" }))
        .await?;
    assert_eq!(old[0]["message"], "from before");

    for room in ["a", "b"] {
        ada.emit_with_ack::<Value>("chat/send", &json!({ "roomId": room, "message": "hi" }))
            .await?;
    }
    let old: Value = ada
        .emit_with_ack("history", &json!({ "roomId": "old" }))
        .await?;
    assert_eq!(old, json!([]), "the least recently used room went");
    let store = app.get::<ChatService>().expect("the store");
    assert_eq!(store.history("a").len(), 1);
    assert_eq!(store.history("b")[0].at, NOW);

    // Each room keeps its last HISTORY messages.
    for n in 0..HISTORY + 3 {
        store.record(message("b", &n.to_string()));
    }
    let b: Vec<Value> = ada
        .emit_with_ack("history", &json!({ "roomId": "b" }))
        .await?;
    assert_eq!(b.len(), HISTORY);
    assert_eq!(b[HISTORY - 1]["message"], (HISTORY + 2).to_string());
    app.shutdown().await;
    Ok(())
}

/// Trusts `auth.name` instead of a token: tests of the chat itself skip the login.
struct NameIsEnough;

impl ConnectionGuard for NameIsEnough {
    async fn can_connect(&self, ctx: &ConnectionContext<'_>) -> Result<bool, ConnectionRefused> {
        let name = ctx.auth()["name"]
            .as_str()
            .ok_or(ConnectionRefused::new("no name"))?;
        let role = if name == "admin" { "admin" } else { "user" };
        ctx.socket().extensions().insert(User {
            name: name.to_owned(),
            role: role.to_owned(),
        });
        Ok(true)
    }
}

#[tokio::test]
async fn the_token_guard_can_be_replaced_and_handlers_called_directly() -> Result<(), BoxError> {
    let app = demo()
        .override_connection_guard::<JwtGuard>(NameIsEnough)
        .start()
        .await?;
    let refused = app.client("/chat").connect_error().await?;
    assert_eq!(refused.message, "no name");
    let eve = app
        .client("/chat")
        .auth(json!({ "name": "eve" }))
        .transport(Transport::InProcess)
        .connect()
        .await?;
    eve.expect::<Value>("welcome").await?;
    let ack: Value = eve
        .emit_with_ack(
            "chat/send",
            &json!({ "roomId": "r", "message": "no token needed" }),
        )
        .await?;
    assert_eq!(ack, json!({ "ok": true }));

    // The gateway's methods called directly, on eve's socket: no message involved, and what
    // a method returns is what the client would have been sent.
    let socket: SocketRef = app.socket(&eve).expect("eve's socket");
    let gateway = app
        .get::<demo_app::ChatGateway>()
        .expect("the chat gateway");
    let room = |id: &str| demo_app::chat::RoomDto {
        room_id: id.to_owned(),
    };
    let history = gateway.history(room("r"));
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].from, "eve");
    gateway.join(socket.clone(), room("r2"));
    assert!(socket.rooms().iter().any(|r| r == "r2"));
    eve.emit("chat/send", &json!({ "roomId": "r2", "message": "in r2" }))
        .await?;
    let received: Value = eve.expect("chat/receive").await?;
    assert_eq!(received["message"], "in r2", "the direct join took effect");
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn teams_and_notifications() -> Result<(), BoxError> {
    let app = demo().start().await?;
    let red = app.client("/teams/red").connect().await?;
    let red2 = app.client("/teams/red").connect().await?;
    let blue = app.client("/teams/blue").connect().await?;
    assert_eq!(red.expect::<Value>("team").await?, json!({ "team": "red" }));
    red2.expect::<Value>("team").await?;
    blue.expect::<Value>("team").await?;
    red.emit("shout", &"go").await?;
    for client in [&red, &red2] {
        let shout: Value = client.expect("shout").await?;
        assert_eq!(shout, json!({ "from": red.id(), "text": "go" }));
    }
    blue.expect_none("shout", Duration::from_millis(100))
        .await?;

    // The notifications gateway's port is a free one here; its ticks carry the clock's time.
    let notes = app
        .client_on(NOTIFY_PORT, "/notifications")
        .connect()
        .await?;
    let subscribed: Value = notes.emit_with_ack("subscribe", &"news").await?;
    assert_eq!(subscribed, json!({ "subscribed": "news" }));
    let tick: Value = notes.expect("tick").await?;
    assert_eq!(tick, json!({ "at": NOW }));
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn chat_send_is_throttled_at_120_per_socket() -> Result<(), BoxError> {
    // The budget is 120 at once, then 12 a second: a burst of 300 sent without waiting is
    // refused in part unless it takes 15 s to send, whatever the machine's speed.
    let app = demo().start().await?;
    let ada = chat(&app, "ada", Transport::InProcess).await?;
    let bob = chat(&app, "bob", Transport::InProcess).await?;
    ada.emit("join", &json!({ "roomId": "r" })).await?;
    ada.expect::<String>("joined").await?;
    for n in 0..300 {
        ada.emit(
            "chat/send",
            &json!({ "roomId": "r", "message": n.to_string() }),
        )
        .await?;
    }
    let refused: Value = ada.expect("exception").await?;
    assert_eq!(refused["message"], "ThrottlerException: Too Many Requests");
    // The first 120 went through, in order.
    for n in 0..120 {
        let received: Value = ada.expect("chat/receive").await?;
        assert_eq!(received["message"], n.to_string());
    }
    // Bob's budget is his own.
    let ack: Value = bob
        .emit_with_ack("chat/send", &json!({ "roomId": "r", "message": "hi" }))
        .await?;
    assert_eq!(ack, json!({ "ok": true }));
    app.shutdown().await;
    Ok(())
}

//! `#[throttle]`: a budget per socket and handler, the NestJS throttler's answer past it, the
//! gateway-level form counted once per message, and other sockets unaffected; budgets shared
//! by the sockets of one IP (`by = ip`) and of one user (`by = ByUser`).

use gateway_core::pipeline::{ConnectionContext, ConnectionRefused, TOO_MANY_REQUESTS};
use gateway_core::prelude::*;
use gateway_core::testing::{TestClient, TestingModule, Transport};
use serde_json::{Value, json};

#[injectable]
struct LimitedGateway;

#[web_socket_gateway(namespace = "/limited")]
impl LimitedGateway {
    #[subscribe_message("send")]
    #[throttle(limit = 3, ttl_ms = 60_000)]
    fn send(&self, #[message_body] n: u32) -> u32 {
        n
    }

    #[subscribe_message("free")]
    fn free(&self) -> bool {
        true
    }
}

/// Every handler throttled by the gateway; one handler with a limit of its own.
#[injectable]
struct WholeGateway;

#[web_socket_gateway(namespace = "/whole")]
#[throttle(limit = 2, ttl_ms = 60_000)]
impl WholeGateway {
    #[subscribe_message("a")]
    fn a(&self) -> bool {
        true
    }

    #[subscribe_message("b")]
    #[throttle(limit = 4, ttl_ms = 60_000)]
    fn b(&self) -> bool {
        true
    }
}

/// The same handler body, throttled per socket and per IP.
#[injectable]
struct ByIpGateway;

#[web_socket_gateway(namespace = "/by-ip")]
impl ByIpGateway {
    #[subscribe_message("per-socket")]
    #[throttle(limit = 2, ttl_ms = 60_000, by = socket)]
    fn per_socket(&self) -> bool {
        true
    }

    #[subscribe_message("per-ip")]
    #[throttle(limit = 3, ttl_ms = 60_000, by = ip)]
    fn per_ip(&self) -> bool {
        true
    }
}

/// Who the handshake says the client is (a stand-in for a token guard).
#[derive(Clone)]
struct UserName(String);

#[injectable]
struct HandshakeUser;

impl ConnectionGuard for HandshakeUser {
    async fn can_connect(&self, ctx: &ConnectionContext<'_>) -> Result<bool, ConnectionRefused> {
        let name = ctx.auth()["user"].as_str().map(str::to_owned);
        if let Some(name) = name {
            ctx.socket().extensions().insert(UserName(name));
        }
        Ok(true)
    }
}

/// One budget per user name; a socket without one is throttled alone.
#[injectable]
struct ByUser;

impl ThrottlerTracker for ByUser {
    type Key = String;

    fn tracker(&self, ctx: &ExecutionContext<'_>) -> Option<String> {
        ctx.socket().extensions().get::<UserName>().map(|u| u.0)
    }
}

/// Throttled per user at the gateway level.
#[injectable]
struct ByUserGateway;

#[web_socket_gateway(namespace = "/by-user")]
#[use_connection_guards(HandshakeUser)]
#[throttle(limit = 3, ttl_ms = 60_000, by = ByUser)]
impl ByUserGateway {
    #[subscribe_message("post")]
    fn post(&self) -> bool {
        true
    }
}

#[module(providers = [LimitedGateway, WholeGateway, ByIpGateway, ByUserGateway])]
struct AppModule;

/// Sends `event` and expects the throttler's `exception`.
async fn refused(client: &TestClient, event: &str) -> Result<(), BoxError> {
    client.emit(event, &()).await?;
    let refused: Value = client.expect("exception").await?;
    assert_eq!(refused["message"], TOO_MANY_REQUESTS, "{event}");
    Ok(())
}
#[tokio::test]
async fn past_the_limit_a_socket_gets_the_throttler_exception() -> Result<(), BoxError> {
    let app = TestingModule::builder::<AppModule>().start().await?;
    let greedy = app
        .client("/limited")
        .transport(Transport::InProcess)
        .connect()
        .await?;
    let other = app.client("/limited").connect().await?;
    for n in 0..3 {
        assert_eq!(greedy.emit_with_ack::<u32>("send", &n).await?, n);
    }
    greedy.emit("send", &3).await?;
    let refused: Value = greedy.expect("exception").await?;
    assert_eq!(refused["status"], "error");
    assert_eq!(refused["message"], TOO_MANY_REQUESTS);
    assert_eq!(TOO_MANY_REQUESTS, "ThrottlerException: Too Many Requests");

    // Its other handlers, and other sockets, have budgets of their own.
    assert!(greedy.emit_with_ack::<bool>("free", &()).await?);
    assert_eq!(other.emit_with_ack::<u32>("send", &7).await?, 7);
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_gateway_throttle_counts_each_message_once() -> Result<(), BoxError> {
    let app = TestingModule::builder::<AppModule>().start().await?;
    let client = app
        .client("/whole")
        .transport(Transport::InProcess)
        .connect()
        .await?;
    assert!(client.emit_with_ack::<bool>("a", &()).await?);
    assert!(
        client.emit_with_ack::<bool>("a", &()).await?,
        "2 allowed, not 1"
    );
    client.emit("a", &()).await?;
    let refused: Value = client.expect("exception").await?;
    assert_eq!(refused["message"], TOO_MANY_REQUESTS);
    // The handler's own limit wins over the gateway's.
    for _ in 0..4 {
        assert!(client.emit_with_ack::<bool>("b", &()).await?);
    }
    client.emit("b", &()).await?;
    let refused: Value = client.expect("exception").await?;
    assert_eq!(refused["message"], TOO_MANY_REQUESTS);
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn by_ip_the_sockets_of_one_address_share_a_budget() -> Result<(), BoxError> {
    let app = TestingModule::builder::<AppModule>().start().await?;
    // Two real connections from 127.0.0.1, over a websocket and over long-polling.
    let a = app.client("/by-ip").connect().await?;
    let b = app
        .client("/by-ip")
        .transport(Transport::Polling)
        .connect()
        .await?;
    let ip = |c: &TestClient| app.socket(c).and_then(|s| s.remote_addr()).map(|a| a.ip());
    let loopback = Some(std::net::IpAddr::from([127, 0, 0, 1]));
    assert_eq!((ip(&a), ip(&b)), (loopback, loopback));
    assert!(a.emit_with_ack::<bool>("per-ip", &()).await?);
    assert!(a.emit_with_ack::<bool>("per-ip", &()).await?);
    assert!(b.emit_with_ack::<bool>("per-ip", &()).await?, "3 per IP");
    refused(&b, "per-ip").await?;
    refused(&a, "per-ip").await?;

    // A client whose address the server does not know (no network) is throttled alone.
    let local = app
        .client("/by-ip")
        .transport(Transport::InProcess)
        .connect()
        .await?;
    assert_eq!(ip(&local), None);
    for _ in 0..3 {
        assert!(local.emit_with_ack::<bool>("per-ip", &()).await?);
    }
    refused(&local, "per-ip").await?;
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn by_socket_the_sockets_of_one_address_do_not_share() -> Result<(), BoxError> {
    let app = TestingModule::builder::<AppModule>().start().await?;
    let a = app.client("/by-ip").connect().await?;
    let b = app.client("/by-ip").connect().await?;
    for _ in 0..2 {
        assert!(a.emit_with_ack::<bool>("per-socket", &()).await?);
    }
    refused(&a, "per-socket").await?;
    for _ in 0..2 {
        assert!(
            b.emit_with_ack::<bool>("per-socket", &()).await?,
            "b has a budget of its own"
        );
    }
    refused(&b, "per-socket").await?;
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn by_user_the_sockets_of_one_user_share_a_budget() -> Result<(), BoxError> {
    let app = TestingModule::builder::<AppModule>().start().await?;
    let as_user = |name: &str| app.client("/by-user").auth(json!({ "user": name }));
    let ada_tab1 = as_user("ada").connect().await?;
    let ada_tab2 = as_user("ada").connect().await?;
    let bob = as_user("bob").connect().await?;
    assert!(ada_tab1.emit_with_ack::<bool>("post", &()).await?);
    assert!(ada_tab2.emit_with_ack::<bool>("post", &()).await?);
    assert!(
        ada_tab1.emit_with_ack::<bool>("post", &()).await?,
        "3 per user"
    );
    refused(&ada_tab2, "post").await?;
    refused(&ada_tab1, "post").await?;

    // Another user, from the same address, has a budget of their own.
    for _ in 0..3 {
        assert!(bob.emit_with_ack::<bool>("post", &()).await?);
    }
    refused(&bob, "post").await?;

    // No user: the socket's own budget, not one shared by every anonymous socket.
    let anonymous = app.client("/by-user").connect().await?;
    for _ in 0..3 {
        assert!(anonymous.emit_with_ack::<bool>("post", &()).await?);
    }
    refused(&anonymous, "post").await?;
    let anonymous2 = app.client("/by-user").connect().await?;
    assert!(anonymous2.emit_with_ack::<bool>("post", &()).await?);
    app.shutdown().await;
    Ok(())
}

//! `#[throttle]`: a budget per socket and handler, the NestJS throttler's answer past it, the
//! gateway-level form counted once per message, and other sockets unaffected.

use gateway_core::pipeline::TOO_MANY_REQUESTS;
use gateway_core::prelude::*;
use gateway_core::testing::{TestingModule, Transport};
use serde_json::Value;

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

#[module(providers = [LimitedGateway, WholeGateway])]
struct AppModule;

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

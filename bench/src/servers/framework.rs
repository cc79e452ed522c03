//! `framework`: the benchmark's handlers as gateways written with this framework, the way a user
//! would write them, on one listener with the framework's defaults: the main one on `/`, ten
//! handlers on `/ten`, and an `ordered` one on `/ordered`.

use gateway_core::prelude::*;
use serde_json::Value;

use super::dto::EchoDto;

/// The gateway: `echo`, `echo-ack`, `echo-validated`, `join` and `fanout` on namespace `/`.
#[injectable]
pub struct BenchGateway;

#[web_socket_gateway]
impl BenchGateway {
    /// Emits the payload back as `echo`.
    #[subscribe_message("echo")]
    async fn echo(&self, #[message_body] body: Value) -> WsResponse<Value> {
        WsResponse::new("echo", body)
    }

    /// Acks the payload.
    #[subscribe_message("echo-ack")]
    async fn echo_ack(&self, #[message_body] body: Value) -> Value {
        body
    }

    /// Validates the payload as an [`EchoDto`] and emits it back as `echo`; an invalid one
    /// gets the `exception` event of the framework's `ValidationPipe`.
    #[subscribe_message("echo-validated")]
    async fn echo_validated(
        &self,
        #[message_body(ValidationPipe)] body: EchoDto,
    ) -> WsResponse<EchoDto> {
        WsResponse::new("echo", body)
    }

    /// Joins the room; acks `true`.
    #[subscribe_message("join")]
    fn join(&self, #[connected_socket] socket: SocketRef, #[message_body] room: String) -> bool {
        socket.join(room);
        true
    }

    /// Sends the payload to everyone in room `fanout` but the sender.
    #[subscribe_message("fanout")]
    async fn fanout(&self, #[connected_socket] socket: SocketRef, #[message_body] body: Value) {
        socket.to("fanout").emit("fanout", &body).await.ok();
    }
}

/// A gateway with ten handlers on `/ten`, `e0` to `e9`, each acking its body: what an idle
/// connection costs on a namespace with more handlers (`idle-ten-*`).
#[injectable]
pub struct TenGateway;

#[web_socket_gateway(namespace = "/ten")]
impl TenGateway {
    /// Acks the payload.
    #[subscribe_message("e0")]
    async fn e0(&self, #[message_body] body: Value) -> Value {
        body
    }

    /// Acks the payload.
    #[subscribe_message("e1")]
    async fn e1(&self, #[message_body] body: Value) -> Value {
        body
    }

    /// Acks the payload.
    #[subscribe_message("e2")]
    async fn e2(&self, #[message_body] body: Value) -> Value {
        body
    }

    /// Acks the payload.
    #[subscribe_message("e3")]
    async fn e3(&self, #[message_body] body: Value) -> Value {
        body
    }

    /// Acks the payload.
    #[subscribe_message("e4")]
    async fn e4(&self, #[message_body] body: Value) -> Value {
        body
    }

    /// Acks the payload.
    #[subscribe_message("e5")]
    async fn e5(&self, #[message_body] body: Value) -> Value {
        body
    }

    /// Acks the payload.
    #[subscribe_message("e6")]
    async fn e6(&self, #[message_body] body: Value) -> Value {
        body
    }

    /// Acks the payload.
    #[subscribe_message("e7")]
    async fn e7(&self, #[message_body] body: Value) -> Value {
        body
    }

    /// Acks the payload.
    #[subscribe_message("e8")]
    async fn e8(&self, #[message_body] body: Value) -> Value {
        body
    }

    /// Acks the payload.
    #[subscribe_message("e9")]
    async fn e9(&self, #[message_body] body: Value) -> Value {
        body
    }
}

/// An `ordered` gateway on `/ordered`: each socket's messages are handled one at a time, in
/// arrival order (`ordered-burst`).
#[injectable]
pub struct OrderedGateway;

#[web_socket_gateway(namespace = "/ordered", ordered)]
impl OrderedGateway {
    /// Acks the payload.
    #[subscribe_message("echo-ack")]
    async fn echo_ack(&self, #[message_body] body: Value) -> Value {
        body
    }

    /// Waits once (as a handler doing any I/O would), then acks the payload: the messages
    /// behind it in the burst wait for their turn (`ordered-burst-yield`).
    #[subscribe_message("echo-ack-yield")]
    async fn echo_ack_yield(&self, #[message_body] body: Value) -> Value {
        tokio::task::yield_now().await;
        body
    }
}

/// The application's module.
#[module(providers = [BenchGateway, TenGateway, OrderedGateway])]
pub struct BenchModule;

/// With this variable set, the node uses the Redis adapter on that URL (the two-node scenario).
pub const REDIS_URL_ENV: &str = "BENCH_REDIS_URL";

/// With this variable set, the node uses the PostgreSQL adapter on that URL (the two-node
/// scenario on PostgreSQL).
pub const DATABASE_URL_ENV: &str = "BENCH_DATABASE_URL";

/// Serves the gateway on `127.0.0.1`, any free port; prints `PORT=<n>`; runs until killed.
pub async fn run() -> Result<(), BoxError> {
    if let Ok(url) = std::env::var(REDIS_URL_ENV) {
        return serve(GatewayApplication::create_with_redis::<BenchModule>(&url).await?).await;
    }
    if let Ok(url) = std::env::var(DATABASE_URL_ENV) {
        return serve(GatewayApplication::create_with_postgres::<BenchModule>(&url).await?).await;
    }
    serve(GatewayApplication::create::<BenchModule>().await?).await
}

/// The application serves an HTTP route too, as real ones do (a health check injecting a
/// provider): socket.io traffic must cost the same beside it.
async fn serve<A: gateway_core::AppAdapter>(app: GatewayApplication<A>) -> Result<(), BoxError> {
    let health = axum::routing::get(|_: gateway_core::Inject<BenchGateway>| async { "ok" });
    let app = app
        .with_routes(axum::Router::new().route("/health", health))
        .start("127.0.0.1:0")
        .await?;
    super::announce(app.addr().port());
    std::future::pending::<()>().await;
    Ok(())
}

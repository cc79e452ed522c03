//! HTTP beside the gateways: routes on the main listener with `Inject<T>`, a service that
//! holds the socket.io server and emits into a room, a type that is no provider (500), and the
//! application turned into a `Router` mounted in an axum server of the test's own.

use axum::Router;
use axum::extract::Path;
use axum::routing::{get, post};
use gateway_core::prelude::*;
use gateway_core::testing::TestClient;
use gateway_core::{GatewayApplication, Inject};

mod common;
use common::request;

#[injectable]
struct Counter {
    hits: std::sync::atomic::AtomicUsize,
}

/// Emits into rooms of `/room`: a provider that is not a gateway, holding the server.
#[injectable]
struct Announcer {
    #[web_socket_server]
    server: WsServer,
}

#[injectable]
struct RoomGateway;

#[web_socket_gateway(namespace = "/room")]
impl RoomGateway {
    #[subscribe_message("join")]
    fn join(&self, #[connected_socket] socket: SocketRef, #[message_body] room: String) -> bool {
        socket.join(room);
        true
    }
}

#[module(providers = [Counter, Announcer, RoomGateway])]
struct AppModule;

/// Not listed in any module.
#[injectable]
struct Stranger;

async fn hit(Inject(counter): Inject<Counter>) -> String {
    let n = counter
        .hits
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    (n + 1).to_string()
}

async fn announce(Inject(announcer): Inject<Announcer>, Path(room): Path<String>) -> String {
    let Some(ns) = announcer.server.of("/room") else {
        return "no /room".to_owned();
    };
    match ns.to(room).emit("announcement", &"hello").await {
        Ok(()) => "sent".to_owned(),
        Err(e) => e.to_string(),
    }
}

fn routes() -> Router {
    Router::new()
        .route("/hit", get(hit))
        .route("/announce/{room}", post(announce))
        .route("/stranger", get(|_: Inject<Stranger>| async { "never" }))
}

#[tokio::test]
async fn routes_share_the_port_and_the_providers() -> Result<(), BoxError> {
    let app = GatewayApplication::create::<AppModule>()
        .await?
        .with_routes(routes())
        .start("127.0.0.1:0")
        .await?;
    assert_eq!(
        request(app.addr(), "GET", "/hit").await,
        (200, "1".to_owned())
    );
    assert_eq!(
        request(app.addr(), "GET", "/hit").await,
        (200, "2".to_owned())
    );
    let counter = app.get::<Counter>().expect("the same singleton");
    assert_eq!(counter.hits.load(std::sync::atomic::Ordering::SeqCst), 2);

    let (status, _) = request(app.addr(), "GET", "/stranger").await;
    assert_eq!(status, 500, "a type that is no provider is the route's bug");
    assert_eq!(request(app.addr(), "GET", "/nothing").await.0, 404);

    // A service emits into a room of a gateway's namespace.
    let client = TestClient::connect(app.addr(), "/room").await?;
    let joined: bool = client.emit_with_ack("join", &"r1").await?;
    assert!(joined);
    assert_eq!(
        request(app.addr(), "POST", "/announce/r1").await,
        (200, "sent".to_owned())
    );
    assert_eq!(client.expect::<String>("announcement").await?, "hello");
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_application_mounts_in_an_axum_server_of_ones_own() -> Result<(), BoxError> {
    let (gateways, app) = GatewayApplication::create::<AppModule>()
        .await?
        .with_routes(routes())
        .into_router()
        .await?;
    let mine = Router::new()
        .route("/version", get(|| async { "1.0" }))
        .merge(gateways);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let stop = tokio_util::sync::CancellationToken::new();
    let server = tokio::spawn({
        let stop = stop.clone();
        async move {
            axum::serve(listener, mine)
                .with_graceful_shutdown(async move { stop.cancelled().await })
                .await
        }
    });

    assert_eq!(
        request(addr, "GET", "/version").await,
        (200, "1.0".to_owned())
    );
    assert_eq!(request(addr, "GET", "/hit").await, (200, "1".to_owned()));
    let client = TestClient::connect(addr, "/room").await?;
    let joined: bool = client.emit_with_ack("join", &"r2").await?;
    assert!(joined, "socket.io is served by the mounted router");

    client.disconnect().await?;
    app.shutdown().await;
    stop.cancel();
    server.await??;
    Ok(())
}

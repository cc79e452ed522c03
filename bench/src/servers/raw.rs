//! `socketioxide`: the same handlers written by hand on socketioxide, served by axum with
//! TCP_NODELAY: the floor for the framework's overhead. Namespaces `/` (the main handlers),
//! `/ten` (ten handlers) and `/ordered` (the burst's handler, unordered).

use axum::serve::ListenerExt;
use serde_json::Value;
use socketioxide::SocketIo;
use socketioxide::extract::{AckSender, Data, SocketRef};
use tokio::net::TcpListener;
use validator::Validate;

use super::dto::EchoDto;

/// Serves on `127.0.0.1`, any free port; prints `PORT=<n>`; runs until killed.
pub async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let (layer, io) = SocketIo::new_layer();
    io.ns("/", async |s: SocketRef| {
        s.on("echo", async |s: SocketRef, Data::<Value>(d)| {
            s.emit("echo", &d).ok();
        });
        s.on("echo-ack", async |Data::<Value>(d), ack: AckSender| {
            ack.send(&d).ok();
        });
        s.on(
            "echo-validated",
            async |s: SocketRef, Data::<EchoDto>(d)| match d.validate() {
                Ok(()) => {
                    s.emit("echo", &d).ok();
                }
                Err(e) => {
                    let error = serde_json::json!({"status": "error", "message": e.to_string()});
                    s.emit("exception", &error).ok();
                }
            },
        );
        s.on(
            "join",
            async |s: SocketRef, Data::<String>(room), ack: AckSender| {
                s.join(room);
                ack.send(&true).ok();
            },
        );
        s.on("fanout", async |s: SocketRef, Data::<Value>(d)| {
            s.to("fanout").emit("fanout", &d).await.ok();
        });
    });
    // Ten handlers, `e0` to `e9`, each acking its body (`idle-ten-*`).
    io.ns("/ten", async |s: SocketRef| {
        for event in ["e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9"] {
            s.on(event, async |Data::<Value>(d), ack: AckSender| {
                ack.send(&d).ok();
            });
        }
    });
    // `ordered-burst`: the framework's `ordered` handler, here unordered (the reference).
    io.ns("/ordered", async |s: SocketRef| {
        s.on("echo-ack", async |Data::<Value>(d), ack: AckSender| {
            ack.send(&d).ok();
        });
        s.on(
            "echo-ack-yield",
            async |Data::<Value>(d), ack: AckSender| {
                tokio::task::yield_now().await;
                ack.send(&d).ok();
            },
        );
    });
    let app = axum::Router::new().layer(layer);
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    super::announce(listener.local_addr()?.port());
    let listener = listener.tap_io(|tcp| {
        tcp.set_nodelay(true).ok();
    });
    axum::serve(listener, app).await?;
    Ok(())
}

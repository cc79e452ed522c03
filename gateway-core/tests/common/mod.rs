//! What several test files use: a plain HTTP/1.1 exchange over TCP, and a raw websocket
//! client that reads only when the test says so.

// Not every test file uses every helper.
#![allow(dead_code)]

use futures_util::{SinkExt, StreamExt};
use gateway_core::BoxError;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

/// A websocket as `tokio-tungstenite` connects it.
pub type RawSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

/// A raw websocket joined to namespace `ns` at `addr` (engine.io's open packet read, the
/// CONNECT answered, the first ping ponged): from then on, the test decides when it reads.
pub async fn raw_socket(addr: std::net::SocketAddr, ns: &str) -> Result<RawSocket, BoxError> {
    let url = format!("ws://{addr}/socket.io/?EIO=4&transport=websocket");
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await?;
    let open = ws.next().await.ok_or("no open packet")??;
    if !open.to_text()?.starts_with('0') {
        return Err(format!("expected an open packet, got {open:?}").into());
    }
    let joined = format!("40{ns},");
    ws.send(Message::text(joined.clone())).await?;
    loop {
        // engine.io pings once at once: pong it.
        let answer = ws.next().await.ok_or("no CONNECT answer")??;
        match answer.to_text()? {
            "2" => ws.send(Message::text("3")).await?,
            connected if connected.starts_with(&joined) => return Ok(ws),
            other => return Err(format!("expected the CONNECT answer, got {other:?}").into()),
        }
    }
}

/// A plain HTTP/1.1 request; returns the status code and the body.
pub async fn request(addr: std::net::SocketAddr, method: &str, path: &str) -> (u16, String) {
    let exchange = async {
        let mut tcp = tokio::net::TcpStream::connect(addr).await?;
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        tcp.write_all(head.as_bytes()).await?;
        let mut response = String::new();
        tcp.read_to_string(&mut response).await?;
        Ok::<_, std::io::Error>(response)
    };
    let response = tokio::time::timeout(std::time::Duration::from_secs(5), exchange)
        .await
        .expect("the server answers within 5 s")
        .expect("an HTTP exchange");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

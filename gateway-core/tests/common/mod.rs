//! What several test files use: a plain HTTP/1.1 exchange over TCP.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

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

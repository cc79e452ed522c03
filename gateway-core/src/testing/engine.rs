//! engine.io v4 under the socket.io packets: the handshake, pings answered with pongs, and
//! messages carried over a WebSocket or over HTTP long-polling.
//!
//! Each transport runs as tasks that end when the server closes the session or when the
//! [`Engine`]'s sender is dropped (the client then says goodbye with a close packet).

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use futures_util::{SinkExt as _, StreamExt as _};
use http_body_util::{BodyExt as _, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use super::Transport;

/// The separator of packets in a long-polling body.
const RECORD_SEPARATOR: char = '\u{1e}';

/// An engine.io message: the payload of a `4` packet, or a binary one.
#[derive(Debug)]
pub(crate) enum Frame {
    Text(String),
    Binary(Bytes),
}

/// What the transport tasks report.
#[derive(Debug)]
pub(crate) enum Incoming {
    Frame(Frame),
    /// The session is over; `Some` says what failed when it was not a clean close.
    Closed(Option<String>),
}

/// An open engine.io session.
pub(crate) struct Engine {
    pub incoming: mpsc::UnboundedReceiver<Incoming>,
    pub outgoing: mpsc::UnboundedSender<Frame>,
}

/// Where to connect: `host:port`, the engine.io path and the extra query of every request.
pub(crate) struct Endpoint {
    pub authority: String,
    pub path: String,
    pub query: String,
}

impl Endpoint {
    fn uri(&self, transport: &str, sid: Option<&str>) -> String {
        let mut uri = format!("{}?EIO=4&transport={transport}", self.path);
        if let Some(sid) = sid {
            uri.push_str("&sid=");
            uri.push_str(sid);
        }
        if !self.query.is_empty() {
            uri.push('&');
            uri.push_str(&self.query);
        }
        uri
    }
}

/// The open packet's fields this client needs.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Handshake {
    sid: String,
    ping_interval: u64,
    ping_timeout: u64,
}

fn handshake(packet: &str) -> Result<Handshake, String> {
    packet
        .strip_prefix('0')
        .and_then(|json| serde_json::from_str(json).ok())
        .ok_or_else(|| format!("expected an engine.io open packet, got {packet:?}"))
}

/// A session with a server in the same process: socketioxide's test harness hands engine.io
/// packets over channels, so no socket, HTTP or WebSocket is involved. The harness has
/// already sent the CONNECT packet.
pub(crate) fn in_process(pipe: super::InProcessPipe) -> Engine {
    use engineioxide::Packet;
    let (to_server, mut from_server) = pipe;
    let (in_tx, incoming) = mpsc::unbounded_channel();
    let (outgoing, mut out_rx) = mpsc::unbounded_channel::<Frame>();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                frame = out_rx.recv() => {
                    let packet = match frame {
                        Some(Frame::Text(text)) => Packet::Message(text.into()),
                        Some(Frame::Binary(data)) => Packet::Binary(data),
                        // The client is gone: the server sees the transport close. What it still
                        // sends is read for a moment (the harness panics on a closed channel).
                        None => {
                            let _ = to_server.send(Packet::Close).await;
                            let drain = async { while from_server.recv().await.is_some() {} };
                            let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
                            break;
                        }
                    };
                    if to_server.send(packet).await.is_err() {
                        let _ = in_tx.send(Incoming::Closed(None));
                        break;
                    }
                }
                packet = from_server.recv() => {
                    let frame = match packet {
                        Some(Packet::Message(text)) => Frame::Text(text.to_string()),
                        Some(Packet::Binary(data)) => Frame::Binary(data),
                        Some(Packet::Close) | None => {
                            let _ = in_tx.send(Incoming::Closed(None));
                            break;
                        }
                        Some(_) => continue,
                    };
                    // Keep draining the server's packets while the client lives, so that the
                    // harness never blocks on a full channel.
                    let _ = in_tx.send(Incoming::Frame(frame));
                }
            }
        }
    });
    Engine { incoming, outgoing }
}

/// Opens a session over `transport`.
pub(crate) async fn open(endpoint: Endpoint, transport: Transport) -> Result<Engine, String> {
    match transport {
        Transport::WebSocket => websocket(endpoint).await,
        Transport::Polling => polling(endpoint).await,
        Transport::InProcess => Err("an in-process session is opened by `in_process`".to_owned()),
    }
}

async fn websocket(endpoint: Endpoint) -> Result<Engine, String> {
    let url = format!(
        "ws://{}{}",
        endpoint.authority,
        endpoint.uri("websocket", None)
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .map_err(|e| format!("WebSocket handshake with {url} failed: {e}"))?;
    match ws.next().await {
        Some(Ok(Message::Text(open))) => handshake(&open)?,
        other => return Err(format!("expected an engine.io open packet, got {other:?}")),
    };

    let (in_tx, incoming) = mpsc::unbounded_channel();
    let (outgoing, mut out_rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let failure = loop {
            tokio::select! {
                () = in_tx.closed() => {
                    let _ = ws.send(Message::text("1")).await;
                    let _ = ws.close(None).await;
                    break None;
                }
                message = ws.next() => {
                    let message = match message {
                        Some(Ok(message)) => message,
                        Some(Err(e)) => break Some(e.to_string()),
                        None => break None,
                    };
                    let frame = match message {
                        Message::Text(text) => match text.as_str().split_at_checked(1) {
                            Some(("4", payload)) => Frame::Text(payload.to_owned()),
                            Some(("2", _)) => {
                                if let Err(e) = ws.send(Message::text("3")).await {
                                    break Some(e.to_string());
                                }
                                continue;
                            }
                            Some(("1", _)) => break None,
                            _ => continue,
                        },
                        Message::Binary(data) => Frame::Binary(data),
                        Message::Close(_) => break None,
                        _ => continue,
                    };
                    if in_tx.send(Incoming::Frame(frame)).is_err() {
                        break None;
                    }
                }
                frame = out_rx.recv() => {
                    let message = match frame {
                        Some(Frame::Text(text)) => Message::text(format!("4{text}")),
                        Some(Frame::Binary(data)) => Message::Binary(data),
                        None => {
                            let _ = ws.send(Message::text("1")).await;
                            let _ = ws.close(None).await;
                            break None;
                        }
                    };
                    if let Err(e) = ws.send(message).await {
                        break Some(e.to_string());
                    }
                }
            }
        };
        let _ = in_tx.send(Incoming::Closed(failure));
    });
    Ok(Engine { incoming, outgoing })
}

/// One keep-alive HTTP/1.1 connection to the server, closed when dropped (even with a poll
/// in flight).
struct Http {
    authority: String,
    sender: SendRequest<Full<Bytes>>,
    connection: JoinHandle<()>,
}

impl Drop for Http {
    fn drop(&mut self) {
        self.connection.abort();
    }
}

impl Http {
    async fn connect(authority: &str) -> Result<Self, String> {
        let stream = TcpStream::connect(authority)
            .await
            .map_err(|e| format!("cannot connect to {authority}: {e}"))?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("HTTP handshake with {authority} failed: {e}"))?;
        let connection = tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Self {
            authority: authority.to_owned(),
            sender,
            connection,
        })
    }

    /// Sends a request and reads the whole body; a status other than 200 is an error.
    async fn request(
        &mut self,
        method: http::Method,
        uri: &str,
        body: String,
    ) -> Result<String, String> {
        let request = http::Request::builder()
            .method(method)
            .uri(uri)
            .header(http::header::HOST, &self.authority)
            .header(http::header::CONTENT_TYPE, "text/plain; charset=UTF-8")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(|e| format!("{uri}: {e}"))?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("{uri}: {e}"))?
            .to_bytes();
        let body = String::from_utf8(body.to_vec()).map_err(|e| format!("{uri}: {e}"))?;
        if status != http::StatusCode::OK {
            return Err(format!("{uri} answered {status}: {body}"));
        }
        Ok(body)
    }
}

/// What the long-polling poller asks its writer to send.
enum Post {
    /// An engine.io packet, already encoded.
    Packet(String),
    /// The close packet, as the client stopped listening.
    Close,
}

async fn polling(endpoint: Endpoint) -> Result<Engine, String> {
    let mut poller = Http::connect(&endpoint.authority).await?;
    let body = poller
        .request(
            http::Method::GET,
            &endpoint.uri("polling", None),
            String::new(),
        )
        .await?;
    let mut packets = body.split(RECORD_SEPARATOR);
    let open = handshake(packets.next().unwrap_or_default())?;
    // The server answers a poll at least once per ping interval (with a ping); a poll that
    // takes longer than that plus the ping timeout means the server is gone.
    let poll_bound =
        Duration::from_millis(open.ping_interval + open.ping_timeout) + Duration::from_secs(1);
    let uri = endpoint.uri("polling", Some(&open.sid));

    let (in_tx, incoming) = mpsc::unbounded_channel();
    let (outgoing, mut out_rx) = mpsc::unbounded_channel::<Frame>();
    let (post_tx, mut post_rx) = mpsc::unbounded_channel::<Post>();
    // The writer's end, and its failure if it failed: the poller then stops too.
    let (writer_done, mut writer_end) = oneshot::channel::<Option<String>>();

    // The writer: one POST at a time, with every packet queued meanwhile; a close packet when
    // the client is dropped.
    let mut writer = Http::connect(&endpoint.authority).await?;
    let writer_uri = uri.clone();
    tokio::spawn(async move {
        let failure = loop {
            let mut batch = Vec::new();
            let closing = tokio::select! {
                frame = out_rx.recv() => match frame {
                    Some(frame) => { batch.push(encode_polling(frame)); false }
                    None => true,
                },
                Some(post) = post_rx.recv() => match post {
                    Post::Packet(packet) => { batch.push(packet); false }
                    Post::Close => true,
                },
            };
            while let Ok(frame) = out_rx.try_recv() {
                batch.push(encode_polling(frame));
            }
            if closing {
                batch.push("1".to_owned());
            }
            let body = batch.join(&RECORD_SEPARATOR.to_string());
            match writer.request(http::Method::POST, &writer_uri, body).await {
                Err(e) => break Some(e),
                Ok(_) if closing => break None,
                Ok(_) => {}
            }
        };
        let _ = writer_done.send(failure);
    });

    // The poller: decodes what the server queued, answers pings through the writer.
    let leftover: Vec<String> = packets.map(str::to_owned).collect();
    tokio::spawn(async move {
        let mut pending = leftover;
        let failure = 'session: loop {
            for packet in pending.drain(..) {
                let frame = match packet.split_at_checked(1) {
                    Some(("4", payload)) => Frame::Text(payload.to_owned()),
                    Some(("b", base64)) => match BASE64.decode(base64) {
                        Ok(data) => Frame::Binary(Bytes::from(data)),
                        Err(e) => break 'session Some(format!("bad base64 in a poll: {e}")),
                    },
                    Some(("2", _)) => {
                        let _ = post_tx.send(Post::Packet("3".to_owned()));
                        continue;
                    }
                    Some(("1", _)) => break 'session None,
                    _ => continue,
                };
                if in_tx.send(Incoming::Frame(frame)).is_err() {
                    break 'session None;
                }
            }
            let poll = tokio::time::timeout(
                poll_bound,
                poller.request(http::Method::GET, &uri, String::new()),
            );
            let polled = tokio::select! {
                polled = poll => polled,
                // The client stopped listening (a DISCONNECT or a refusal ended it).
                () = in_tx.closed() => {
                    let _ = post_tx.send(Post::Close);
                    break None;
                }
                // The client closed the session, or could not write to it: the poll in
                // flight will not be answered.
                failure = &mut writer_end => break failure.ok().flatten(),
            };
            match polled {
                Ok(Ok(body)) => pending = body.split(RECORD_SEPARATOR).map(str::to_owned).collect(),
                // After the client's own close packet, the server ends the session this way.
                Ok(Err(_)) if in_tx.is_closed() => break None,
                Ok(Err(e)) => break Some(e),
                Err(_) => break Some(format!("no answer to a poll within {poll_bound:?}")),
            }
        };
        let _ = in_tx.send(Incoming::Closed(failure));
    });
    Ok(Engine { incoming, outgoing })
}

fn encode_polling(frame: Frame) -> String {
    match frame {
        Frame::Text(text) => format!("4{text}"),
        Frame::Binary(data) => format!("b{}", BASE64.encode(data)),
    }
}

//! One socket.io client connection of the load generator, over a raw TCP stream: the WebSocket
//! upgrade, engine.io's open packet, socket.io's CONNECT, then pre-encoded frames out and
//! byte-prefix matching in. Engine.io pings (`2`) and WebSocket pings are answered inside
//! [`Conn::next`], so every caller keeps the connection alive just by reading. Dropping a
//! connection resets it.

use std::io;
use std::net::SocketAddr;
use std::sync::LazyLock;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::wire::{self, FrameError};

/// The first read buffer of a connection; it grows for larger messages.
const BUF: usize = 16 * 1024;

/// How long a connection may take to be established (TCP, upgrade, open, CONNECT).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// The engine.io pong, as a client frame.
static PONG: LazyLock<Vec<u8>> = LazyLock::new(|| wire::text_frame(wire::EIO_PONG));

/// The socket.io CONNECT to `/`, as a client frame.
static CONNECT: LazyLock<Vec<u8>> = LazyLock::new(|| wire::text_frame(&wire::sio_connect("/")));

/// Where the last message read is.
#[derive(Debug, Clone, Copy)]
enum Current {
    /// In the read buffer, at this range.
    Buf(usize, usize),
    /// Reassembled from fragments.
    Fragments,
}

/// A connected socket.io client on one namespace (`/` unless connected with
/// [`Conn::connect_ns`]).
pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    fragments: Vec<u8>,
    fragmented: bool,
    current: Current,
}

fn invalid(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

impl Conn {
    /// Connects to `addr` and joins namespace `/`: TCP (with TCP_NODELAY), the WebSocket
    /// upgrade, engine.io's open packet, `40`, and the server's `40{"sid":...}`.
    pub async fn connect(addr: SocketAddr) -> io::Result<Conn> {
        Self::connect_ns(addr, "/").await
    }

    /// [`connect`](Self::connect), joining namespace `ns` instead: `40/ten,` answered by
    /// `40/ten,{"sid":...}`. The client joins `ns` only, not `/` as well.
    pub async fn connect_ns(addr: SocketAddr, ns: &str) -> io::Result<Conn> {
        match tokio::time::timeout(CONNECT_TIMEOUT, Self::connect_inner(addr, ns)).await {
            Ok(r) => r,
            Err(_) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "connection not established in time",
            )),
        }
    }

    async fn connect_inner(addr: SocketAddr, ns: &str) -> io::Result<Conn> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        // Closing sends a reset (`SO_LINGER` 0): no TIME_WAIT is left on the generator's
        // ports, which matters when tens of thousands of connections are opened and closed.
        stream.set_zero_linger()?;
        let mut conn = Conn {
            stream,
            buf: vec![0; BUF],
            start: 0,
            end: 0,
            fragments: Vec::new(),
            fragmented: false,
            current: Current::Buf(0, 0),
        };
        conn.stream
            .write_all(&wire::upgrade_request(&addr.to_string()))
            .await?;
        let head_end = loop {
            if let Some(end) = wire::http_head_end(&conn.buf[..conn.end]) {
                break end;
            }
            if conn.end == conn.buf.len() {
                return Err(invalid("HTTP response head too long"));
            }
            let n = conn.stream.read(&mut conn.buf[conn.end..]).await?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            conn.end += n;
        };
        if !conn.buf.starts_with(b"HTTP/1.1 101") {
            let head = String::from_utf8_lossy(&conn.buf[..head_end]).into_owned();
            return Err(invalid(format!("upgrade refused: {head}")));
        }
        conn.start = head_end;
        // Engine.io's open packet: `0{"sid":...,"pingInterval":...}`.
        conn.next().await?;
        if !conn.message().starts_with(b"0") {
            return Err(invalid("expected engine.io's open packet"));
        }
        if ns == "/" {
            conn.send(&CONNECT).await?;
        } else {
            conn.send(&wire::text_frame(&wire::sio_connect(ns))).await?;
        }
        loop {
            conn.next().await?;
            match wire::sio_connect_reply(ns, conn.message()) {
                Ok(true) => return Ok(conn),
                Ok(false) => continue,
                Err(e) => return Err(invalid(e)),
            }
        }
    }

    /// Writes a pre-encoded client frame.
    pub async fn send(&mut self, frame: &[u8]) -> io::Result<()> {
        self.stream.write_all(frame).await
    }

    /// The payload of the message [`next`](Self::next) last returned.
    pub fn message(&self) -> &[u8] {
        match self.current {
            Current::Buf(a, b) => &self.buf[a..b],
            Current::Fragments => &self.fragments,
        }
    }

    /// Waits for the next text or binary message (read it with [`message`](Self::message)),
    /// answering pings on the way. A close frame or the end of the stream is an error.
    pub async fn next(&mut self) -> io::Result<()> {
        loop {
            let header = match wire::parse_server_frame(&self.buf[self.start..self.end]) {
                Ok(Some(h)) => h,
                Ok(None) => {
                    self.fill().await?;
                    continue;
                }
                Err(FrameError::Masked) => return Err(invalid("the server masked a frame")),
                Err(FrameError::TooLong) => return Err(invalid("frame too long")),
            };
            let p0 = self.start + header.header_len;
            let p1 = p0 + header.payload_len;
            self.start = p1;
            match header.opcode {
                wire::OP_TEXT | wire::OP_BINARY if header.fin && !self.fragmented => {
                    if &self.buf[p0..p1] == wire::EIO_PING {
                        self.stream.write_all(&PONG).await?;
                        continue;
                    }
                    self.current = Current::Buf(p0, p1);
                    return Ok(());
                }
                wire::OP_TEXT | wire::OP_BINARY | wire::OP_CONTINUATION => {
                    if !self.fragmented {
                        self.fragments.clear();
                        self.fragmented = true;
                    }
                    self.fragments.extend_from_slice(&self.buf[p0..p1]);
                    if header.fin {
                        self.fragmented = false;
                        if self.fragments == wire::EIO_PING {
                            self.stream.write_all(&PONG).await?;
                            continue;
                        }
                        self.current = Current::Fragments;
                        return Ok(());
                    }
                }
                wire::OP_PING => {
                    let pong = wire::client_frame(wire::OP_PONG, &self.buf[p0..p1]);
                    self.stream.write_all(&pong).await?;
                }
                wire::OP_PONG => {}
                wire::OP_CLOSE => {
                    return Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "the server closed the WebSocket",
                    ));
                }
                op => return Err(invalid(format!("unknown opcode {op}"))),
            }
        }
    }

    /// Reads more bytes, making room first.
    async fn fill(&mut self) -> io::Result<()> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.end == self.buf.len() {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            } else {
                // One frame larger than the buffer.
                let len = self.buf.len();
                self.buf.resize(len * 2, 0);
            }
        }
        let n = self.stream.read(&mut self.buf[self.end..]).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.end += n;
        Ok(())
    }
}

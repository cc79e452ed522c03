//! [`Conn`]: one accepted TCP connection as hyper, and after an upgrade the websocket, read and
//! write it. It holds its listener's admission slot while the socket is open, and it bounds in
//! bytes what waits for a client that does not read.
//!
//! Why here: socketioxide queues a socket's packets in a channel counted in packets (128), and
//! its websocket writer stops taking from that channel as soon as the kernel's send buffer is
//! full, so what a non-reading client costs is 128 packets of any size. Below the websocket,
//! every byte for the client passes through this type: when the kernel takes no more, the bytes
//! are kept in a spill of our own (which lets the writer keep emptying the channel) and a task
//! sends them as the client reads. The spill is counted in bytes, and past the bound the
//! connection is closed.

use std::io::{self, IoSlice};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker, ready};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

use super::limits::Admitted;
use crate::error::LogEvery;

/// How long the spill waits for the client to read one more byte before the connection is
/// closed. socket.io's heartbeat (25 s + 20 s) closes such a socket first in most cases.
const STALL: Duration = Duration::from_secs(45);

/// An accepted connection, shared with the task that sends its spill.
pub(crate) struct Conn {
    read: OwnedReadHalf,
    shared: Arc<Shared>,
}

struct Shared {
    /// Writes go through `&TcpStream` (`try_write`), so that the spill's task can write too.
    write: OwnedWriteHalf,
    peer: SocketAddr,
    /// Released when the socket is closed, which may be after [`Conn`] is dropped (its spill
    /// is still being sent).
    _admitted: Admitted,
    /// `None` when the bound is off: every write goes to the kernel, as `TcpStream`'s do.
    spill: Option<Spill>,
}

struct Spill {
    max_bytes: usize,
    /// Bytes are waiting: a write joins the queue rather than pass them.
    active: AtomicBool,
    state: Mutex<SpillState>,
}

#[derive(Default)]
struct SpillState {
    bytes: std::collections::VecDeque<u8>,
    /// Shut the writing side once the spill is sent.
    shutdown: bool,
    /// The connection was closed for its client; every later write fails.
    failed: bool,
    /// A task waiting for the spill to be sent (its `poll_shutdown`).
    flushed: Option<Waker>,
}

impl Conn {
    /// `max_bytes`: how much may wait for the client beyond the kernel's send buffer; `None`
    /// for no bound of our own (then socketioxide's 128 packets are the only one).
    pub(crate) fn new(
        tcp: TcpStream,
        peer: SocketAddr,
        admitted: Admitted,
        max_bytes: Option<usize>,
    ) -> Self {
        let (read, write) = tcp.into_split();
        Conn {
            read,
            shared: Arc::new(Shared {
                write,
                peer,
                _admitted: admitted,
                spill: max_bytes.map(|max_bytes| Spill {
                    max_bytes,
                    active: AtomicBool::new(false),
                    state: Mutex::default(),
                }),
            }),
        }
    }

    /// Writes `bufs` to the kernel, or keeps what it does not take.
    fn write(&self, cx: &mut Context<'_>, bufs: &[IoSlice<'_>]) -> Poll<io::Result<usize>> {
        let tcp = self.shared.tcp();
        let Some(spill) = &self.shared.spill else {
            return write_now(tcp, cx, bufs);
        };
        let tried = !spill.active.load(Ordering::Acquire);
        if tried {
            match write_now(tcp, cx, bufs) {
                Poll::Pending => {}
                done => return done,
            }
        }
        let mut state = spill.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.failed {
            return Poll::Ready(Err(slow_client_error()));
        }
        if state.bytes.is_empty() && !tried {
            // The sender finished between the check and the lock: write in order, directly.
            match write_now(tcp, cx, bufs) {
                Poll::Pending => {}
                done => return done,
            }
        }
        let len: usize = bufs.iter().map(|b| b.len()).sum();
        // One write larger than the bound alone (a big message to a client that reads) is let
        // through; more bytes on top of a backlog past the bound are not.
        if !state.bytes.is_empty() && state.bytes.len() + len > spill.max_bytes {
            state.failed = true;
            let waiting = state.bytes.len() + len;
            state.bytes = Default::default();
            drop(state);
            self.shared.close(waiting, spill.max_bytes);
            return Poll::Ready(Err(slow_client_error()));
        }
        let first = state.bytes.is_empty();
        for b in bufs {
            state.bytes.extend(b.iter());
        }
        if first {
            spill.active.store(true, Ordering::Release);
            tokio::spawn(send_spill(self.shared.clone()));
        }
        Poll::Ready(Ok(len))
    }
}

/// One non-blocking write: `Pending` when the kernel takes nothing now (the caller is woken
/// when it will).
fn write_now(
    tcp: &TcpStream,
    cx: &mut Context<'_>,
    bufs: &[IoSlice<'_>],
) -> Poll<io::Result<usize>> {
    loop {
        ready!(tcp.poll_write_ready(cx))?;
        let written = match bufs {
            [one] => tcp.try_write(one),
            _ => tcp.try_write_vectored(bufs),
        };
        match written {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            done => return Poll::Ready(done),
        }
    }
}

fn slow_client_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "closed: the client does not read what is sent to it",
    )
}

impl Shared {
    fn tcp(&self) -> &TcpStream {
        self.write.as_ref()
    }

    /// Closes the connection for a client that does not read: both ways, so that the reading
    /// side (hyper, the websocket) sees its end and socket.io disconnects the socket.
    fn close(&self, waiting: usize, max: usize) {
        let _ = socket2::SockRef::from(self.tcp()).shutdown(std::net::Shutdown::Both);
        crate::metrics::slow_client_closed();
        SLOW_CLIENTS.note(&format_args!(
            "{}: {waiting} bytes waiting, bound {max}",
            self.peer
        ));
    }
}

/// Sends a connection's spill as its client reads, then hands writing back to the connection.
async fn send_spill(shared: Arc<Shared>) {
    let Some(spill) = &shared.spill else { return };
    loop {
        match tokio::time::timeout(STALL, shared.tcp().writable()).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return fail(&shared, spill, 0),
            Err(_) => {
                let waiting = spill.state.lock().map(|s| s.bytes.len()).unwrap_or(0);
                return fail(&shared, spill, waiting);
            }
        }
        let mut state = spill.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.failed {
            return;
        }
        while !state.bytes.is_empty() {
            let (front, _) = state.bytes.as_slices();
            match shared.tcp().try_write(front) {
                Ok(n) => drop(state.bytes.drain(..n)),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(_) => {
                    drop(state);
                    return fail(&shared, spill, 0);
                }
            }
        }
        if state.bytes.is_empty() {
            state.bytes = Default::default();
            spill.active.store(false, Ordering::Release);
            if state.shutdown {
                let _ = socket2::SockRef::from(shared.tcp()).shutdown(std::net::Shutdown::Write);
            }
            if let Some(w) = state.flushed.take() {
                w.wake();
            }
            return;
        }
    }
}

/// The spill cannot be sent: the connection is closed.
fn fail(shared: &Shared, spill: &Spill, waiting: usize) {
    let mut state = spill.state.lock().unwrap_or_else(|e| e.into_inner());
    state.failed = true;
    state.bytes = Default::default();
    if let Some(w) = state.flushed.take() {
        w.wake();
    }
    drop(state);
    if waiting > 0 {
        shared.close(waiting, spill.max_bytes);
    } else {
        let _ = socket2::SockRef::from(shared.tcp()).shutdown(std::net::Shutdown::Both);
    }
}

impl AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.read).poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.write(cx, &[IoSlice::new(buf)])
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.write(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    /// The kernel has what was written, or the spill does and its task sends it.
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// Shuts the writing side once the spill, if any, is sent.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let shared = &self.shared;
        if let Some(spill) = &shared.spill {
            let mut state = spill.state.lock().unwrap_or_else(|e| e.into_inner());
            if state.failed {
                return Poll::Ready(Ok(()));
            }
            if !state.bytes.is_empty() {
                state.shutdown = true;
                state.flushed = Some(cx.waker().clone());
                return Poll::Pending;
            }
        }
        Poll::Ready(
            socket2::SockRef::from(shared.tcp())
                .shutdown(std::net::Shutdown::Write)
                .or_else(|e| match e.kind() {
                    io::ErrorKind::NotConnected => Ok(()),
                    _ => Err(e),
                }),
        )
    }
}

/// Connections closed because their client did not read, logged at most once a second.
static SLOW_CLIENTS: LogEvery =
    LogEvery::new("connections closed because their client does not read (outgoing bound reached)");

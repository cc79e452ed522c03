//! The client socket as handlers see it: [`SocketRef`], adapter-independent, and what hangs
//! off it: [`Broadcast`] to many sockets, the gateway's [`WsServer`], the namespace a socket
//! connected to and its parameters.
//!
//! socketioxide's own `SocketRef<A>` is generic over the adapter and defaults to the in-memory one,
//! so user code that names it could never run on Redis. These handles erase the adapter behind a
//! trait object; the framework builds them, and user code never names an adapter.

mod ack;
mod broadcast;
mod event;
pub(crate) mod namespace;
mod server;

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use socketioxide::adapter::{Adapter, LocalAdapter};
use socketioxide::socket::Socket;
use socketioxide::{SendError, SocketError};

pub use ack::AckResponse;
pub(crate) use ack::{AnswerFuture, AnswerStream, EmitFlags, RawAnswer};
pub use broadcast::{Broadcast, RemoteSocket};
pub use event::Event;
pub(crate) use namespace::{Matcher, NamespaceParams, NamespaceSpec};
pub use server::WsServer;
/// Values stored on a socket for its lifetime, by type.
pub use socketioxide::extensions::Extensions;
/// A socket id, as the client sees it in `socket.id`.
pub use socketioxide::socket::Sid;

/// A room name.
pub type Room = Cow<'static, str>;

/// Serializable data handed across the adapter-erased boundary (sync emits serialize at once).
pub(crate) type DynData<'a> = &'a (dyn erased_serde::Serialize + 'a);

/// Serializable data held across an `.await` (broadcasts through a remote adapter).
pub(crate) type DynSyncData<'a> = &'a (dyn erased_serde::Serialize + Sync + 'a);

/// Why an emit (to one socket, a broadcast, an ack) or a disconnect did not go through. The one
/// error type of every sending operation; `Send + Sync`, so `?` turns it into a
/// [`BoxError`](crate::BoxError).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EmitError {
    /// The socket is closed: the client left.
    #[error("the socket is closed")]
    Closed,
    /// The client does not read fast enough: its outgoing buffer is full.
    #[error("the socket's outgoing buffer is full")]
    BufferFull,
    /// The data could not be serialized.
    #[error("the data could not be serialized: {0}")]
    Serialize(String),
    /// The adapter (another node, Redis) failed or did not answer.
    #[error("broadcast failed: {0}")]
    Adapter(String),
    /// The client did not answer the ack before the timeout (`emit_with_ack`).
    #[error("the client did not answer the ack in time")]
    AckTimeout,
    /// The client's answer to the ack does not fit the expected type.
    #[error("the client's answer to the ack does not fit: {0}")]
    AckDecode(String),
}

impl From<SendError> for EmitError {
    fn from(e: SendError) -> Self {
        match e {
            SendError::Socket(e) => e.into(),
            SendError::Serialize(e) => EmitError::Serialize(e.to_string()),
        }
    }
}

impl From<SocketError> for EmitError {
    fn from(e: SocketError) -> Self {
        match e {
            SocketError::Closed => EmitError::Closed,
            SocketError::InternalChannelFull => EmitError::BufferFull,
        }
    }
}

impl From<socketioxide::BroadcastError> for EmitError {
    fn from(e: socketioxide::BroadcastError) -> Self {
        EmitError::Adapter(e.to_string())
    }
}

/// The object-safe face of `socketioxide::extract::SocketRef<A>`.
trait ErasedSocket: Send + Sync + 'static {
    fn id(&self) -> Sid;
    fn ns(&self) -> &str;
    fn emit(&self, event: &str, data: DynData<'_>) -> Result<(), SendError>;
    fn emit_flagged(
        &self,
        event: &str,
        data: DynData<'_>,
        flags: EmitFlags,
    ) -> Result<(), SendError>;
    fn emit_with_ack(
        &self,
        event: &str,
        data: DynData<'_>,
        flags: EmitFlags,
    ) -> Result<AnswerFuture, SendError>;
    fn join(&self, rooms: Vec<Room>);
    fn leave(&self, rooms: Vec<Room>);
    fn leave_all(&self);
    fn rooms(&self) -> Vec<Room>;
    fn connected(&self) -> bool;
    fn broadcast(&self) -> Broadcast;
    fn to(&self, rooms: Vec<Room>) -> Broadcast;
    fn within(&self, rooms: Vec<Room>) -> Broadcast;
    fn disconnect(&self) -> Result<(), SocketError>;
    fn extensions(&self) -> &Extensions;
    fn req_parts(&self) -> &http::request::Parts;
}

impl<A: Adapter> ErasedSocket for socketioxide::extract::SocketRef<A> {
    fn id(&self) -> Sid {
        self.id
    }
    fn ns(&self) -> &str {
        Socket::ns(&**self)
    }
    fn emit(&self, event: &str, data: DynData<'_>) -> Result<(), SendError> {
        Socket::emit(&**self, event, data)
    }
    fn emit_flagged(
        &self,
        event: &str,
        data: DynData<'_>,
        flags: EmitFlags,
    ) -> Result<(), SendError> {
        match flags.volatile {
            true => Socket::volatile(&**self).emit(event, data),
            false => Socket::emit(&**self, event, data),
        }
    }
    fn emit_with_ack(
        &self,
        event: &str,
        data: DynData<'_>,
        flags: EmitFlags,
    ) -> Result<AnswerFuture, SendError> {
        let answer = match flags.timeout {
            Some(timeout) => {
                Socket::timeout(&**self, timeout).emit_with_ack::<_, RawAnswer>(event, data)?
            }
            None => Socket::emit_with_ack::<_, RawAnswer>(&**self, event, data)?,
        };
        Ok(Box::pin(answer))
    }
    fn join(&self, rooms: Vec<Room>) {
        Socket::join(&**self, rooms)
    }
    fn leave(&self, rooms: Vec<Room>) {
        Socket::leave(&**self, rooms)
    }
    fn leave_all(&self) {
        Socket::leave_all(&**self)
    }
    fn rooms(&self) -> Vec<Room> {
        Socket::rooms(&**self)
    }
    fn connected(&self) -> bool {
        Socket::connected(&**self)
    }
    fn broadcast(&self) -> Broadcast {
        Broadcast::new(Socket::broadcast(&**self))
    }
    fn to(&self, rooms: Vec<Room>) -> Broadcast {
        Broadcast::new(Socket::to(&**self, rooms))
    }
    fn within(&self, rooms: Vec<Room>) -> Broadcast {
        Broadcast::new(Socket::within(&**self, rooms))
    }
    fn disconnect(&self) -> Result<(), SocketError> {
        socketioxide::extract::SocketRef::disconnect(self.clone())
    }
    fn extensions(&self) -> &Extensions {
        &self.extensions
    }
    fn req_parts(&self) -> &http::request::Parts {
        Socket::req_parts(&**self)
    }
}

/// A connected client socket, whatever adapter the application runs on.
///
/// Cheap to clone. Take it in a handler with `#[connected_socket] socket: SocketRef`.
#[derive(Clone)]
pub struct SocketRef(Held);

/// How the socket is held. A handle is made for every message, so the in-memory adapter's
/// socket (the common case) is held as it is: no allocation, and emits serialize with serde
/// directly rather than through `erased_serde`. Sockets of other adapters (Redis) are erased.
#[derive(Clone)]
enum Held {
    Local(socketioxide::extract::SocketRef<LocalAdapter>),
    Erased(Arc<dyn ErasedSocket>),
}

impl SocketRef {
    /// Wraps a socketioxide socket.
    pub(crate) fn new<A: Adapter>(socket: socketioxide::extract::SocketRef<A>) -> Self {
        match downcast(socket) {
            Ok(local) => SocketRef(Held::Local(local)),
            Err(other) => SocketRef(Held::Erased(Arc::new(other))),
        }
    }

    fn erased(&self) -> &dyn ErasedSocket {
        match &self.0 {
            Held::Local(s) => s,
            Held::Erased(s) => &**s,
        }
    }

    /// The socket id (`socket.id` on the client).
    pub fn id(&self) -> Sid {
        self.erased().id()
    }

    /// The namespace path this socket is connected to, e.g. `/teams/red`.
    pub fn ns(&self) -> &str {
        self.erased().ns()
    }

    /// Emits `event` with `data` to this client. A tuple is sent as several arguments.
    pub fn emit<T: Serialize + ?Sized>(&self, event: &str, data: &T) -> Result<(), EmitError> {
        let sent = match &self.0 {
            Held::Local(s) => Socket::emit(&**s, event, data),
            Held::Erased(s) => s.emit(event, &data),
        };
        sent.map_err(EmitError::from)
    }

    /// Emits a typed event to this client: `socket.emit_event(&Welcome { id })` is
    /// `socket.emit(Welcome::NAME, &welcome)`.
    pub fn emit_event<E: Event>(&self, event: &E) -> Result<(), EmitError> {
        self.emit(E::NAME, event)
    }

    /// Emits `event` with `data` and waits for the client's answer (its ack callback's first
    /// argument), decoded as `T`: socket.io's `socket.emitWithAck`. The client has
    /// socketioxide's ack timeout (5 s) to answer; [`timeout`](Self::timeout) sets another.
    ///
    /// Fails with [`EmitError::AckTimeout`] when no answer comes in time,
    /// [`EmitError::AckDecode`] when the answer does not fit `T`, [`EmitError::Closed`] when
    /// the client leaves first. The event is sent when the future is first polled.
    ///
    /// ```
    /// # use gateway_core::prelude::*;
    /// # async fn f(socket: SocketRef) -> Result<(), EmitError> {
    /// let sure: bool = socket.timeout(std::time::Duration::from_secs(2)).emit_with_ack("sure?", &"delete").await?;
    /// # Ok(()) }
    /// ```
    pub async fn emit_with_ack<T: DeserializeOwned, D: Serialize + ?Sized>(
        &self,
        event: &str,
        data: &D,
    ) -> Result<T, EmitError> {
        self.emit_options().emit_with_ack(event, data).await
    }

    /// Sets how long the client has to answer the next [`emit_with_ack`](SocketEmit::emit_with_ack):
    /// socket.io's `socket.timeout(ms).emitWithAck(...)`.
    pub fn timeout(&self, timeout: Duration) -> SocketEmit {
        self.emit_options().timeout(timeout)
    }

    /// Makes the next emit volatile: dropped, not queued, when the client is not ready to
    /// receive it (socket.io's `socket.volatile.emit`), for data that is stale soon (typing
    /// notices, positions).
    pub fn volatile(&self) -> SocketEmit {
        self.emit_options().volatile()
    }

    fn emit_options(&self) -> SocketEmit {
        SocketEmit {
            socket: self.clone(),
            flags: EmitFlags::default(),
        }
    }

    /// Joins one or more rooms: `socket.join("a")`, `socket.join(["a", "b"])`.
    pub fn join(&self, rooms: impl IntoRooms) {
        self.erased().join(rooms.into_rooms())
    }

    /// Leaves one or more rooms.
    pub fn leave(&self, rooms: impl IntoRooms) {
        self.erased().leave(rooms.into_rooms())
    }

    /// Leaves every room.
    pub fn leave_all(&self) {
        self.erased().leave_all()
    }

    /// The rooms this socket has joined.
    pub fn rooms(&self) -> Vec<Room> {
        self.erased().rooms()
    }

    /// Whether the socket is still connected.
    pub fn connected(&self) -> bool {
        self.erased().connected()
    }

    /// Every other socket of the namespace (not this one): `socket.broadcast.emit` in socket.io.
    pub fn broadcast(&self) -> Broadcast {
        self.erased().broadcast()
    }

    /// The sockets in these rooms, except this one: `socket.to(room).emit` in socket.io.
    pub fn to(&self, rooms: impl IntoRooms) -> Broadcast {
        self.erased().to(rooms.into_rooms())
    }

    /// The sockets in these rooms, this one included when it is in them: `io.in(room)`.
    pub fn within(&self, rooms: impl IntoRooms) -> Broadcast {
        self.erased().within(rooms.into_rooms())
    }

    /// Disconnects this socket (reason `server namespace disconnect` on the client).
    pub fn disconnect(&self) -> Result<(), EmitError> {
        self.erased().disconnect().map_err(EmitError::from)
    }

    /// Values stored on this socket for its lifetime (by connection hooks, guards...).
    pub fn extensions(&self) -> &Extensions {
        self.erased().extensions()
    }

    /// A parameter of the namespace this socket connected to, for a pattern gateway
    /// (`"/teams/{team}"`: `socket.ns_param("team")`).
    pub fn ns_param(&self, name: &str) -> Option<String> {
        let params = self.extensions().get::<NamespaceParams>()?;
        params.get(name).map(str::to_owned)
    }

    /// The HTTP request that opened the connection (headers, URI with its query).
    pub fn req_parts(&self) -> &http::request::Parts {
        self.erased().req_parts()
    }

    /// The client's address: the TCP peer of the request that opened the connection (behind a
    /// reverse proxy, the proxy's). `None` when the server was not told: an in-process test
    /// client, or the router of
    /// [`into_router`](crate::GatewayApplication::into_router) served without
    /// `into_make_service_with_connect_info::<SocketAddr>()`.
    pub fn remote_addr(&self) -> Option<std::net::SocketAddr> {
        let parts = self.req_parts();
        let info = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()?;
        Some(info.0)
    }
}

/// An emit to one socket being configured: [`SocketRef::timeout`], [`SocketRef::volatile`],
/// then [`emit`](Self::emit) or [`emit_with_ack`](Self::emit_with_ack).
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until `emit` or `emit_with_ack`"]
pub struct SocketEmit {
    socket: SocketRef,
    flags: EmitFlags,
}

impl SocketEmit {
    /// Sets how long the client has to answer [`emit_with_ack`](Self::emit_with_ack).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.flags.timeout = Some(timeout);
        self
    }

    /// Drops the message, rather than queue it, when the client is not ready to receive it.
    pub fn volatile(mut self) -> Self {
        self.flags.volatile = true;
        self
    }

    /// Emits `event` with `data`. A tuple is sent as several arguments.
    pub fn emit<T: Serialize + ?Sized>(&self, event: &str, data: &T) -> Result<(), EmitError> {
        let data: DynData<'_> = &data;
        let sent = self.socket.erased().emit_flagged(event, data, self.flags);
        sent.map_err(EmitError::from)
    }

    /// Emits `event` with `data` and waits for the client's answer, decoded as `T`; see
    /// [`SocketRef::emit_with_ack`].
    pub async fn emit_with_ack<T: DeserializeOwned, D: Serialize + ?Sized>(
        &self,
        event: &str,
        data: &D,
    ) -> Result<T, EmitError> {
        let data: DynData<'_> = &data;
        let answer = self
            .socket
            .erased()
            .emit_with_ack(event, data, self.flags)?;
        ack::typed(answer.await)
    }
}

/// `value` as a `U`, when `T` is `U`: how the types of the in-memory adapter are recognised
/// (a type id comparison, no allocation).
pub(crate) fn downcast<T: 'static, U: 'static>(value: T) -> Result<U, T> {
    let mut slot = Some(value);
    match (&mut slot as &mut dyn std::any::Any).downcast_mut::<Option<U>>() {
        Some(u) => Ok(u.take().expect("the slot was just filled")),
        None => Err(slot.expect("the slot is untouched")),
    }
}

impl fmt::Debug for SocketRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SocketRef")
            .field("id", &self.id())
            .field("ns", &self.ns())
            .finish()
    }
}

/// Something that names rooms: a `&str`, a `String`, or a list of them.
pub trait IntoRooms {
    /// The rooms.
    fn into_rooms(self) -> Vec<Room>;
}

impl IntoRooms for &str {
    fn into_rooms(self) -> Vec<Room> {
        vec![Cow::Owned(self.to_owned())]
    }
}
impl IntoRooms for String {
    fn into_rooms(self) -> Vec<Room> {
        vec![Cow::Owned(self)]
    }
}
impl IntoRooms for &String {
    fn into_rooms(self) -> Vec<Room> {
        vec![Cow::Owned(self.clone())]
    }
}
impl IntoRooms for Room {
    fn into_rooms(self) -> Vec<Room> {
        vec![self]
    }
}
impl<T: IntoRooms> IntoRooms for Vec<T> {
    fn into_rooms(self) -> Vec<Room> {
        self.into_iter().flat_map(IntoRooms::into_rooms).collect()
    }
}
impl<T: IntoRooms, const N: usize> IntoRooms for [T; N] {
    fn into_rooms(self) -> Vec<Room> {
        self.into_iter().flat_map(IntoRooms::into_rooms).collect()
    }
}

/// Why a socket disconnected, with socket.io's reason string (`Display` and [`as_str`](Self::as_str)
/// give `"client namespace disconnect"`, `"transport close"`, `"ping timeout"`, ...), as NestJS 12
/// passes it to `handleDisconnect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisconnectReason(pub(crate) socketioxide::socket::DisconnectReason);

impl DisconnectReason {
    /// socket.io's reason string.
    pub fn as_str(&self) -> &'static str {
        use socketioxide::socket::DisconnectReason as R;
        match self.0 {
            R::TransportClose => "transport close",
            R::MultipleHttpPollingError | R::TransportError => "transport error",
            R::PacketParsingError => "parse error",
            R::HeartbeatTimeout => "ping timeout",
            R::ClientNSDisconnect => "client namespace disconnect",
            R::ServerNSDisconnect => "server namespace disconnect",
            R::ClosingServer => "server shutting down",
        }
    }
}

impl fmt::Display for DisconnectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for DisconnectReason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

//! The client socket as handlers see it: [`SocketRef`], adapter-independent.
//!
//! socketioxide's own `SocketRef<A>` is generic over the adapter and defaults to the in-memory one,
//! so user code that names it could never run on Redis. These handles erase the adapter behind a
//! trait object; the generated code builds them, and user code never names an adapter.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde::Serialize;
use socketioxide::adapter::{Adapter, LocalAdapter};
use socketioxide::extensions::Extensions;
use socketioxide::operators::BroadcastOperators;
use socketioxide::socket::{Sid, Socket};
use socketioxide::{SendError, SocketError};

/// A room name.
pub type Room = Cow<'static, str>;

/// Serializable data handed across the adapter-erased boundary (sync emits serialize at once).
pub type DynData<'a> = &'a (dyn erased_serde::Serialize + 'a);

/// Serializable data held across an `.await` (broadcasts through a remote adapter).
pub type DynSyncData<'a> = &'a (dyn erased_serde::Serialize + Sync + 'a);

/// The object-safe face of `socketioxide::extract::SocketRef<A>`.
trait ErasedSocket: Send + Sync + 'static {
    fn id(&self) -> Sid;
    fn ns(&self) -> &str;
    fn emit(&self, event: &str, data: DynData<'_>) -> Result<(), SendError>;
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
    /// Wraps a socketioxide socket. Called by the generated code.
    pub fn new<A: Adapter>(socket: socketioxide::extract::SocketRef<A>) -> Self {
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
    pub fn emit<T: Serialize + ?Sized>(&self, event: &str, data: &T) -> Result<(), SendError> {
        match &self.0 {
            Held::Local(s) => Socket::emit(&**s, event, data),
            Held::Erased(s) => s.emit(event, &data),
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
    pub fn disconnect(&self) -> Result<(), SocketError> {
        self.erased().disconnect()
    }

    /// Values stored on this socket for its lifetime (by connection hooks, guards...).
    pub fn extensions(&self) -> &Extensions {
        self.erased().extensions()
    }

    /// A parameter of the namespace this socket connected to, for a pattern gateway
    /// (`"/teams/{team}"`: `socket.ns_param("team")`).
    pub fn ns_param(&self, name: &str) -> Option<String> {
        let params = self
            .extensions()
            .get::<crate::handler::extract::NamespaceParams>()?;
        params.get(name).map(str::to_owned)
    }

    /// The HTTP request that opened the connection (headers, URI with its query).
    pub fn req_parts(&self) -> &http::request::Parts {
        self.erased().req_parts()
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

/// The object-safe face of `BroadcastOperators<A>`.
trait ErasedBroadcast: Send + 'static {
    fn to(self: Box<Self>, rooms: Vec<Room>) -> Box<dyn ErasedBroadcast>;
    fn within(self: Box<Self>, rooms: Vec<Room>) -> Box<dyn ErasedBroadcast>;
    fn except(self: Box<Self>, rooms: Vec<Room>) -> Box<dyn ErasedBroadcast>;
    fn local(self: Box<Self>) -> Box<dyn ErasedBroadcast>;
    fn emit<'a>(
        self: Box<Self>,
        event: &'a str,
        data: DynSyncData<'a>,
    ) -> BoxFuture<'a, Result<(), socketioxide::BroadcastError>>;
    fn sockets(self: Box<Self>) -> Vec<SocketRef>;
    fn fetch_sockets(self: Box<Self>) -> BoxFuture<'static, Result<Vec<RemoteSocket>, EmitError>>;
    fn disconnect(self: Box<Self>) -> BoxFuture<'static, Result<(), socketioxide::BroadcastError>>;
}

impl<A: Adapter> ErasedBroadcast for BroadcastOperators<A> {
    fn to(self: Box<Self>, rooms: Vec<Room>) -> Box<dyn ErasedBroadcast> {
        Box::new(BroadcastOperators::to(*self, rooms))
    }
    fn within(self: Box<Self>, rooms: Vec<Room>) -> Box<dyn ErasedBroadcast> {
        Box::new(BroadcastOperators::within(*self, rooms))
    }
    fn except(self: Box<Self>, rooms: Vec<Room>) -> Box<dyn ErasedBroadcast> {
        Box::new(BroadcastOperators::except(*self, rooms))
    }
    fn local(self: Box<Self>) -> Box<dyn ErasedBroadcast> {
        Box::new(BroadcastOperators::local(*self))
    }
    fn emit<'a>(
        self: Box<Self>,
        event: &'a str,
        data: DynSyncData<'a>,
    ) -> BoxFuture<'a, Result<(), socketioxide::BroadcastError>> {
        Box::pin(BroadcastOperators::emit(*self, event, data))
    }
    fn sockets(self: Box<Self>) -> Vec<SocketRef> {
        BroadcastOperators::sockets(*self)
            .into_iter()
            .map(SocketRef::new)
            .collect()
    }
    fn fetch_sockets(self: Box<Self>) -> BoxFuture<'static, Result<Vec<RemoteSocket>, EmitError>> {
        Box::pin(async move {
            let sockets = BroadcastOperators::fetch_sockets(*self)
                .await
                .map_err(|e| EmitError(e.to_string()))?;
            Ok(sockets
                .into_iter()
                .map(|s| RemoteSocket(Arc::new(s)))
                .collect())
        })
    }
    fn disconnect(self: Box<Self>) -> BoxFuture<'static, Result<(), socketioxide::BroadcastError>> {
        Box::pin(BroadcastOperators::disconnect(*self))
    }
}

/// The object-safe face of `socketioxide::socket::RemoteSocket<A>`.
trait ErasedRemote: Send + Sync + 'static {
    fn id(&self) -> Sid;
    fn ns(&self) -> &str;
    fn rooms(&self) -> BoxFuture<'_, Result<Vec<Room>, EmitError>>;
    fn emit<'a>(
        &'a self,
        event: &'a str,
        data: DynSyncData<'a>,
    ) -> BoxFuture<'a, Result<(), EmitError>>;
    fn disconnect(&self) -> BoxFuture<'static, Result<(), EmitError>>;
}

impl<A: Adapter> ErasedRemote for socketioxide::socket::RemoteSocket<A> {
    fn id(&self) -> Sid {
        self.data().id
    }
    fn ns(&self) -> &str {
        self.data().ns.as_str()
    }
    fn rooms(&self) -> BoxFuture<'_, Result<Vec<Room>, EmitError>> {
        Box::pin(async move {
            socketioxide::socket::RemoteSocket::rooms(self)
                .await
                .map_err(|e| EmitError(e.to_string()))
        })
    }
    fn emit<'a>(
        &'a self,
        event: &'a str,
        data: DynSyncData<'a>,
    ) -> BoxFuture<'a, Result<(), EmitError>> {
        Box::pin(async move {
            socketioxide::socket::RemoteSocket::emit(self, event, data)
                .await
                .map_err(|e| EmitError(e.to_string()))
        })
    }
    fn disconnect(&self) -> BoxFuture<'static, Result<(), EmitError>> {
        let this = self.clone();
        Box::pin(async move {
            this.disconnect()
                .await
                .map_err(|e| EmitError(e.to_string()))
        })
    }
}

/// A socket that may be connected to another node (with a remote adapter), as
/// [`Broadcast::fetch_sockets`] finds it: its id, namespace and rooms; it can be sent to and
/// disconnected from any node.
#[derive(Clone)]
pub struct RemoteSocket(Arc<dyn ErasedRemote>);

impl RemoteSocket {
    /// The socket id.
    pub fn id(&self) -> Sid {
        self.0.id()
    }
    /// Its namespace.
    pub fn ns(&self) -> &str {
        self.0.ns()
    }
    /// Its rooms (asked of the node it is on).
    pub async fn rooms(&self) -> Result<Vec<Room>, EmitError> {
        self.0.rooms().await
    }
    /// Emits to it.
    pub async fn emit<T: Serialize + Sync + ?Sized>(
        &self,
        event: &str,
        data: &T,
    ) -> Result<(), EmitError> {
        let data: DynSyncData<'_> = &data;
        self.0.emit(event, data).await
    }
    /// Disconnects it, wherever it is.
    pub async fn disconnect(&self) -> Result<(), EmitError> {
        self.0.disconnect().await
    }
}

impl fmt::Debug for RemoteSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteSocket")
            .field("id", &self.id())
            .field("ns", &self.ns())
            .finish()
    }
}

/// A set of target sockets being narrowed down, then emitted to: `to`, `except`, `emit`.
///
/// Obtained from [`SocketRef::broadcast`], [`SocketRef::to`] or [`WsServer`](crate::WsServer)
/// (which may span several namespaces of a dynamic gateway). With a remote adapter, it reaches
/// the sockets of every node.
pub struct Broadcast(Vec<Box<dyn ErasedBroadcast>>);

impl Broadcast {
    pub(crate) fn new<A: Adapter>(ops: BroadcastOperators<A>) -> Self {
        Broadcast(vec![Box::new(ops)])
    }

    pub(crate) fn merge(parts: impl IntoIterator<Item = Broadcast>) -> Self {
        Broadcast(parts.into_iter().flat_map(|b| b.0).collect())
    }

    fn map(self, f: impl Fn(Box<dyn ErasedBroadcast>) -> Box<dyn ErasedBroadcast>) -> Self {
        Broadcast(self.0.into_iter().map(f).collect())
    }

    /// Narrows to the sockets in these rooms (the sender excluded when it came from a socket).
    pub fn to(self, rooms: impl IntoRooms) -> Self {
        let rooms = rooms.into_rooms();
        self.map(|b| b.to(rooms.clone()))
    }

    /// Narrows to the sockets in these rooms, the sender included.
    pub fn within(self, rooms: impl IntoRooms) -> Self {
        let rooms = rooms.into_rooms();
        self.map(|b| b.within(rooms.clone()))
    }

    /// Leaves out the sockets in these rooms.
    pub fn except(self, rooms: impl IntoRooms) -> Self {
        let rooms = rooms.into_rooms();
        self.map(|b| b.except(rooms.clone()))
    }

    /// Only the sockets of this node, with a remote adapter.
    pub fn local(self) -> Self {
        self.map(|b| b.local())
    }

    /// Emits `event` with `data` to every target socket. A tuple is sent as several arguments.
    pub async fn emit<T: Serialize + Sync + ?Sized>(
        self,
        event: &str,
        data: &T,
    ) -> Result<(), EmitError> {
        let data: DynSyncData<'_> = &data;
        for target in self.0 {
            target.emit(event, data).await.map_err(EmitError::from)?;
        }
        Ok(())
    }

    /// The target sockets of this node.
    pub fn sockets(self) -> Vec<SocketRef> {
        self.0.into_iter().flat_map(|b| b.sockets()).collect()
    }

    /// The target sockets of every node (with a remote adapter; this node's otherwise).
    pub async fn fetch_sockets(self) -> Result<Vec<RemoteSocket>, EmitError> {
        let mut all = Vec::new();
        for target in self.0 {
            all.extend(target.fetch_sockets().await?);
        }
        Ok(all)
    }

    /// Disconnects every target socket, on every node.
    pub async fn disconnect(self) -> Result<(), EmitError> {
        for target in self.0 {
            target.disconnect().await.map_err(EmitError::from)?;
        }
        Ok(())
    }
}

/// A broadcast that did not reach every target (an adapter failure, or sockets that could not
/// be sent to). Unlike socketioxide's error it is `Send + Sync`, so `?` turns it into a
/// [`BoxError`](crate::BoxError).
#[derive(Debug, thiserror::Error)]
#[error("broadcast failed: {0}")]
pub struct EmitError(pub(crate) String);

impl From<socketioxide::BroadcastError> for EmitError {
    fn from(e: socketioxide::BroadcastError) -> Self {
        EmitError(e.to_string())
    }
}

impl fmt::Debug for Broadcast {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Broadcast")
    }
}

/// Why a socket disconnected, with socket.io's reason string (`Display` and [`as_str`](Self::as_str)
/// give `"client namespace disconnect"`, `"transport close"`, `"ping timeout"`, ...), as NestJS 12
/// passes it to `handleDisconnect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisconnectReason(pub socketioxide::socket::DisconnectReason);

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

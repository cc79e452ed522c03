//! Emitting to many sockets: [`Broadcast`] (rooms, the whole namespace, every node) and
//! [`RemoteSocket`], a socket that may live on another node.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;
use socketioxide::adapter::Adapter;
use socketioxide::operators::BroadcastOperators;

use super::{
    AckResponse, AnswerStream, DynSyncData, EmitError, Event, IntoRooms, RawAnswer, Room, Sid,
    SocketRef,
};

/// The object-safe face of `BroadcastOperators<A>`.
trait ErasedBroadcast: Send + 'static {
    fn to(self: Box<Self>, rooms: Vec<Room>) -> Box<dyn ErasedBroadcast>;
    fn within(self: Box<Self>, rooms: Vec<Room>) -> Box<dyn ErasedBroadcast>;
    fn except(self: Box<Self>, rooms: Vec<Room>) -> Box<dyn ErasedBroadcast>;
    fn local(self: Box<Self>) -> Box<dyn ErasedBroadcast>;
    fn timeout(self: Box<Self>, timeout: Duration) -> Box<dyn ErasedBroadcast>;
    fn volatile(self: Box<Self>) -> Box<dyn ErasedBroadcast>;
    fn emit_with_ack<'a>(
        self: Box<Self>,
        event: &'a str,
        data: DynSyncData<'a>,
    ) -> BoxFuture<'a, Result<AnswerStream, EmitError>>;
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
    fn timeout(self: Box<Self>, timeout: Duration) -> Box<dyn ErasedBroadcast> {
        Box::new(BroadcastOperators::timeout(*self, timeout))
    }
    fn volatile(self: Box<Self>) -> Box<dyn ErasedBroadcast> {
        Box::new(BroadcastOperators::volatile(*self))
    }
    fn emit_with_ack<'a>(
        self: Box<Self>,
        event: &'a str,
        data: DynSyncData<'a>,
    ) -> BoxFuture<'a, Result<AnswerStream, EmitError>> {
        let sent = BroadcastOperators::emit_with_ack::<_, RawAnswer>(*self, event, data);
        Box::pin(async move {
            let answers: AnswerStream = Box::pin(sent.await?);
            Ok(answers)
        })
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
                .map_err(|e| EmitError::Adapter(e.to_string()))?;
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
                .map_err(|e| EmitError::Adapter(e.to_string()))
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
                .map_err(|e| EmitError::Adapter(e.to_string()))
        })
    }
    fn disconnect(&self) -> BoxFuture<'static, Result<(), EmitError>> {
        let this = self.clone();
        Box::pin(async move {
            this.disconnect()
                .await
                .map_err(|e| EmitError::Adapter(e.to_string()))
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
    /// Emits a typed event to it.
    pub async fn emit_event<E: Event + Sync>(&self, event: &E) -> Result<(), EmitError> {
        self.emit(E::NAME, event).await
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

    /// Emits a typed event to every target socket, as [`Event::NAME`].
    pub async fn emit_event<E: Event + Sync>(self, event: &E) -> Result<(), EmitError> {
        self.emit(E::NAME, event).await
    }

    /// Sets how long the sockets have to answer [`emit_with_ack`](Self::emit_with_ack)
    /// (socketioxide's `ack_timeout`, 5 s, otherwise): socket.io's `io.timeout(ms)`.
    pub fn timeout(self, timeout: Duration) -> Self {
        self.map(|b| b.timeout(timeout))
    }

    /// Makes the emit volatile: each socket that is not ready to receive it does without,
    /// rather than queue it (socket.io's `io.volatile.emit`).
    pub fn volatile(self) -> Self {
        self.map(|b| b.volatile())
    }

    /// Emits `event` with `data` to every target socket, of every node with a remote adapter,
    /// and collects their answers (the first argument of each client's ack callback), decoded
    /// as `T`: socket.io's `io.timeout(ms).emitWithAck(...)`, which gives every answer.
    ///
    /// Each targeted socket gets one [`AckResponse`], in the order the answers come: its
    /// answer, or [`EmitError::AckTimeout`] when it did not answer before the
    /// [`timeout`](Self::timeout), [`EmitError::AckDecode`] when its answer does not fit `T`.
    /// The whole call fails only when nothing could be sent (serialization, the adapter).
    ///
    /// ```
    /// # use gateway_core::prelude::*;
    /// # async fn f(socket: SocketRef) -> Result<(), EmitError> {
    /// let answers: Vec<AckResponse<bool>> = socket
    ///     .within("room-1")
    ///     .timeout(std::time::Duration::from_secs(2))
    ///     .emit_with_ack("ready?", &())
    ///     .await?;
    /// let late = answers.iter().filter(|a| a.timed_out()).count();
    /// # Ok(()) }
    /// ```
    pub async fn emit_with_ack<T: DeserializeOwned, D: Serialize + Sync + ?Sized>(
        self,
        event: &str,
        data: &D,
    ) -> Result<Vec<AckResponse<T>>, EmitError> {
        let data: DynSyncData<'_> = &data;
        let mut streams = Vec::with_capacity(self.0.len());
        for target in self.0 {
            streams.push(target.emit_with_ack(event, data).await?);
        }
        let answers =
            futures_util::stream::select_all(streams).map(|(socket, answer)| AckResponse {
                socket,
                result: super::ack::typed(answer),
            });
        Ok(answers.collect().await)
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

impl fmt::Debug for Broadcast {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Broadcast")
    }
}

//! [`WsServer`]: NestJS's `@WebSocketServer()`, the namespace (or, for a dynamic gateway, the
//! set of namespaces) a gateway serves.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use socketioxide::SocketIo;
use socketioxide::adapter::Adapter;

use super::namespace::Matcher;
use crate::socket::{AckResponse, Broadcast, EmitError, IntoRooms, SocketRef};

trait ErasedIo: Send + Sync + 'static {
    fn of(&self, path: &str) -> Option<Broadcast>;
    fn namespaces(&self) -> Vec<(String, Broadcast)>;
}

impl<A: Adapter> ErasedIo for SocketIo<A> {
    fn of(&self, path: &str) -> Option<Broadcast> {
        SocketIo::of(self, path).map(Broadcast::new)
    }
    fn namespaces(&self) -> Vec<(String, Broadcast)> {
        self.nsps()
            .into_iter()
            .map(|ops| (ops.ns_path().to_owned(), Broadcast::new(ops)))
            .collect()
    }
}

struct Scope {
    io: Box<dyn ErasedIo>,
    /// The gateway's namespace(s); `None` for a provider that is not a gateway: every
    /// namespace of the server.
    matcher: Option<Matcher>,
}

/// The server side of a gateway: emit to every client of its namespace, to rooms, list sockets.
///
/// Put it in a gateway field marked `#[web_socket_server]`; it is set before `after_init` runs.
/// For a pattern or regex gateway it spans every namespace the gateway serves. In any other
/// provider (a service, what an HTTP route injects), the field gets the main listener's server,
/// every namespace of it: `server.of("/chat")` reaches the chat's clients.
///
/// ```
/// # use gateway_core::prelude::*;
/// # async fn f(server: WsServer) {
/// server.to("room-1").emit("news", &"hello").await.ok();
/// # }
/// ```
#[derive(Clone, Default)]
pub struct WsServer(Arc<OnceLock<Scope>>);

impl WsServer {
    /// A handle that is set when the gateway is mounted (what `#[injectable]` puts in the field).
    pub fn unset() -> Self {
        WsServer::default()
    }

    pub(crate) fn set<A: Adapter>(&self, io: SocketIo<A>, matcher: Option<Matcher>) {
        if self
            .0
            .set(Scope {
                io: Box::new(io),
                matcher,
            })
            .is_err()
        {
            tracing::warn!("a WsServer was set twice; the first server is kept");
        }
    }

    /// Whether the gateway has been mounted.
    pub fn is_ready(&self) -> bool {
        self.0.get().is_some()
    }

    /// Every socket of the gateway's namespace(s). Empty before the gateway is mounted.
    pub fn all(&self) -> Broadcast {
        let Some(scope) = self.0.get() else {
            return Broadcast::merge([]);
        };
        match &scope.matcher {
            Some(Matcher::Static(path)) => Broadcast::merge(scope.io.of(path)),
            None => Broadcast::merge(scope.io.namespaces().into_iter().map(|(_, b)| b)),
            Some(dynamic) => Broadcast::merge(
                scope
                    .io
                    .namespaces()
                    .into_iter()
                    .filter(|(path, _)| dynamic.matches(path).is_some())
                    .map(|(_, b)| b),
            ),
        }
    }

    /// One concrete namespace, e.g. `/teams/red` of a `/teams/{team}` gateway.
    pub fn of(&self, path: &str) -> Option<Broadcast> {
        let scope = self.0.get()?;
        if let Some(matcher) = &scope.matcher {
            matcher.matches(path)?;
        }
        scope.io.of(path)
    }

    /// Emits to every client: `server.emit(event, data)`.
    pub async fn emit<T: Serialize + Sync + ?Sized>(
        &self,
        event: &str,
        data: &T,
    ) -> Result<(), crate::socket::EmitError> {
        self.all().emit(event, data).await
    }

    /// Emits a typed event to every client, as [`Event::NAME`](crate::Event::NAME).
    pub async fn emit_event<E: crate::Event + Sync>(
        &self,
        event: &E,
    ) -> Result<(), crate::socket::EmitError> {
        self.all().emit_event(event).await
    }

    /// Emits to every client and collects every answer, decoded as `T`; see
    /// [`Broadcast::emit_with_ack`] (a socket that does not answer in time is reported with
    /// [`EmitError::AckTimeout`]).
    pub async fn emit_with_ack<T: DeserializeOwned, D: Serialize + Sync + ?Sized>(
        &self,
        event: &str,
        data: &D,
    ) -> Result<Vec<AckResponse<T>>, EmitError> {
        self.all().emit_with_ack(event, data).await
    }

    /// Every client, with this deadline for [`Broadcast::emit_with_ack`]: `io.timeout(ms)`.
    pub fn timeout(&self, timeout: Duration) -> Broadcast {
        self.all().timeout(timeout)
    }

    /// Every client, for a volatile emit: `io.volatile.emit(...)`.
    pub fn volatile(&self) -> Broadcast {
        self.all().volatile()
    }

    /// The clients in these rooms.
    pub fn to(&self, rooms: impl IntoRooms) -> Broadcast {
        self.all().within(rooms)
    }

    /// Every client except those in these rooms.
    pub fn except(&self, rooms: impl IntoRooms) -> Broadcast {
        self.all().except(rooms)
    }

    /// The connected sockets of this node.
    pub fn sockets(&self) -> Vec<SocketRef> {
        self.all().sockets()
    }
}

impl std::fmt::Debug for WsServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WsServer")
            .field("ready", &self.is_ready())
            .finish()
    }
}

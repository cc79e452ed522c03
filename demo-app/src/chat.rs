//! Namespace `/chat`: rooms, typing notices and each room's history.

use std::collections::VecDeque;
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::Duration;

use gateway_core::prelude::*;
use lru::LruCache;
use tokio_util::sync::CancellationToken;
use validator::Validate;

use crate::auth::{JwtGuard, RolesGuard, TokenExpiry, User};
use crate::http::Announcement;
use crate::{Clock, now_ms};

/// How many messages a room keeps.
pub const HISTORY: usize = 50;

/// `{"roomId"}`: 1 to 64 characters.
#[derive(Debug, Deserialize, Validate, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoomDto {
    /// The room.
    #[validate(length(min = 1, max = 64))]
    pub room_id: String,
}

/// `{"roomId", "message"}`: 1 to 64 and 1 to 2000 characters.
#[derive(Debug, Deserialize, Validate, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SendDto {
    /// The room.
    #[validate(length(min = 1, max = 64))]
    pub room_id: String,
    /// The text.
    #[validate(length(min = 1, max = 2000))]
    pub message: String,
}

/// A `chat/receive` payload: a message sent to a room.
#[derive(Debug, Clone, Serialize, JsonSchema, Event)]
#[event("chat/receive")]
#[serde(rename_all = "camelCase")]
pub struct ChatMessage {
    /// The room.
    pub room_id: String,
    /// The text.
    pub message: String,
    /// The sender's name.
    pub from: String,
    /// Unix milliseconds.
    pub at: u64,
}

/// The ack of `chat/send`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Ack {
    /// Always `true`.
    pub ok: bool,
}

/// `welcome`, to a client that just connected: its socket id.
#[derive(Debug, Serialize, JsonSchema, Event)]
#[event("welcome")]
pub struct Welcome {
    /// The client's socket id.
    pub id: String,
}

/// `user-joined`, to the others when a client connects.
#[derive(Debug, Serialize, JsonSchema, Event)]
#[event("user-joined")]
pub struct UserJoined {
    /// The newcomer's socket id.
    pub id: String,
}

/// `user-left`, to the others when a client disconnects.
#[derive(Debug, Serialize, JsonSchema, Event)]
#[event("user-left")]
pub struct UserLeft {
    /// Its socket id.
    pub id: String,
    /// socket.io's disconnect reason (`client namespace disconnect`, `transport close`...).
    pub reason: String,
}

/// `joined`, the answer to `join`: the room.
#[derive(Debug, Serialize, JsonSchema, Event)]
#[event("joined")]
#[serde(transparent)]
pub struct Joined(pub String);

/// `left`, the answer to `leave`: the room.
#[derive(Debug, Serialize, JsonSchema, Event)]
#[event("left")]
#[serde(transparent)]
pub struct Left(pub String);

/// `typing`, to the others in the room.
#[derive(Debug, Serialize, JsonSchema, Event)]
#[event("typing")]
#[serde(rename_all = "camelCase")]
pub struct Typing {
    /// The room.
    pub room_id: String,
    /// Who is typing.
    pub from: String,
}

/// `cleared`, to the room whose history an admin emptied.
#[derive(Debug, Serialize, JsonSchema, Event)]
#[event("cleared")]
#[serde(rename_all = "camelCase")]
pub struct Cleared {
    /// The room.
    pub room_id: String,
}

/// `confirm-clear`, asked of every client of a room an admin cleared, with an ack: any answer
/// confirms.
#[derive(Debug, Serialize, JsonSchema, Event)]
#[event("confirm-clear")]
#[serde(rename_all = "camelCase")]
pub struct ConfirmClear {
    /// The room.
    pub room_id: String,
}

/// How long the clients of a room have to confirm a `chat/clear` (`confirm-clear`).
pub const CONFIRM_CLEAR_TIMEOUT: Duration = Duration::from_secs(2);

/// The ack of `chat/clear`: what was cleared, and how many of the room's clients confirmed it
/// in time.
#[derive(Debug, Serialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClearAck {
    /// How many messages the room's history held.
    pub cleared: usize,
    /// How many clients of the room answered `confirm-clear` in time.
    pub confirmed: usize,
    /// How many did not answer within [`CONFIRM_CLEAR_TIMEOUT`].
    pub timed_out: usize,
}

/// How many rooms keep a history; past it, the least recently used room's goes first. With
/// every message at its 2,000-character limit that is at most about 100 MB (1,000 rooms × 50
/// messages × 2 KB); a chat of short messages keeps a few MB.
pub const ROOMS: usize = 1_000;

/// Each room's history, the rooms bounded by [`ROOMS`].
#[derive(Debug)]
struct Rooms(LruCache<String, VecDeque<ChatMessage>>);

impl Rooms {
    fn bounded(rooms: usize) -> Self {
        Rooms(LruCache::new(
            NonZeroUsize::new(rooms).unwrap_or(NonZeroUsize::MIN),
        ))
    }
}

impl Default for Rooms {
    fn default() -> Self {
        Rooms::bounded(ROOMS)
    }
}

/// Keeps the last [`HISTORY`] messages of each of the last [`ROOMS`] rooms used, in memory.
#[injectable]
#[derive(Debug)]
pub struct ChatService {
    rooms: Mutex<Rooms>,
}

impl ChatService {
    /// A history of the last `rooms` rooms used (at least one) instead of [`ROOMS`]: for tests
    /// that override the provider.
    pub fn with_rooms(rooms: usize) -> Self {
        ChatService {
            rooms: Mutex::new(Rooms::bounded(rooms)),
        }
    }

    fn rooms(&self) -> std::sync::MutexGuard<'_, Rooms> {
        self.rooms.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Empties the room's history; returns how many messages it held.
    pub fn clear(&self, room: &str) -> usize {
        self.rooms().0.pop(room).map_or(0, |history| history.len())
    }

    /// Appends a message to its room's history.
    pub fn record(&self, msg: ChatMessage) {
        let mut rooms = self.rooms();
        let history = rooms
            .0
            .get_or_insert_mut(msg.room_id.clone(), VecDeque::new);
        if history.len() == HISTORY {
            history.pop_front();
        }
        history.push_back(msg);
    }

    /// The room's history, oldest first.
    pub fn history(&self, room: &str) -> Vec<ChatMessage> {
        let mut rooms = self.rooms();
        rooms
            .0
            .get(room)
            .map(|h| h.iter().cloned().collect())
            .unwrap_or_default()
    }
}

impl OnModuleInit for ChatService {
    async fn on_module_init(&self) -> Result<(), BoxError> {
        tracing::info!(
            "chat history kept in memory: {HISTORY} messages per room, the {ROOMS} rooms used last"
        );
        Ok(())
    }
}

/// The chat gateway.
#[injectable]
pub struct ChatGateway {
    chat: Arc<ChatService>,
    clock: Arc<Clock>,
    #[web_socket_server]
    server: WsServer,
}

/// Connections need a valid token (`auth: {token}`); every body is validated; each socket's
/// messages are handled in the order they were sent.
#[web_socket_gateway(
    namespace = "/chat",
    cors(origin = "*"),
    ordered,
    emits = [Welcome, UserJoined, UserLeft, Joined, Left, ChatMessage, Typing, Cleared, ConfirmClear, Announcement]
)]
#[use_connection_guards(JwtGuard)]
#[use_pipes(ValidationPipe)]
impl ChatGateway {
    async fn handle_connection(&self, socket: SocketRef) {
        if let Some(expiry) = socket.extensions().get::<TokenExpiry>() {
            self.disconnect_at(&socket, expiry);
        }
        let id = socket.id().to_string();
        socket.emit_event(&Welcome { id: id.clone() }).ok();
        socket.broadcast().emit_event(&UserJoined { id }).await.ok();
    }

    /// Disconnects `socket` when its token expires. The timer holds no reference to the
    /// socket, and stops when the socket is gone (the guard stored on it cancels it).
    fn disconnect_at(&self, socket: &SocketRef, TokenExpiry(exp): TokenExpiry) {
        let cancel = CancellationToken::new();
        socket
            .extensions()
            .insert(Arc::new(cancel.clone().drop_guard()));
        let left = Duration::from_millis((exp * 1000).saturating_sub(now_ms()));
        let (server, ns, id) = (self.server.clone(), socket.ns().to_owned(), socket.id());
        tokio::spawn(async move {
            tokio::select! {
                _ = cancel.cancelled() => {}
                _ = tokio::time::sleep(left) => {
                    let socket = server.of(&ns).and_then(|b| b.sockets().into_iter().find(|s| s.id() == id));
                    if let Some(socket) = socket {
                        tracing::info!(%id, "token expired: disconnecting");
                        socket.disconnect().ok();
                    }
                }
            }
        });
    }

    async fn handle_disconnect(&self, socket: SocketRef, reason: DisconnectReason) {
        let payload = UserLeft {
            id: socket.id().to_string(),
            reason: reason.as_str().to_owned(),
        };
        socket.broadcast().emit_event(&payload).await.ok();
    }

    /// Joins the room; answers `joined`.
    #[subscribe_message("join")]
    pub fn join(
        &self,
        #[connected_socket] socket: SocketRef,
        #[message_body] dto: RoomDto,
    ) -> WsResponse<Joined> {
        socket.join(dto.room_id.clone());
        WsResponse::event(Joined(dto.room_id))
    }

    /// Leaves the room; answers `left`.
    #[subscribe_message("leave")]
    fn leave(
        &self,
        #[connected_socket] socket: SocketRef,
        #[message_body] dto: RoomDto,
    ) -> WsResponse<Left> {
        socket.leave(dto.room_id.clone());
        WsResponse::event(Left(dto.room_id))
    }

    /// Sends to everyone in the room, the sender too; acks `{"ok": true}`. At most 120 per
    /// socket at once, then 12 a second (past it: "ThrottlerException: Too Many Requests").
    #[subscribe_message("chat/send")]
    #[throttle(limit = 120, ttl_ms = 10_000)]
    async fn send(
        &self,
        #[connected_socket] socket: SocketRef,
        Extension(user): Extension<User>,
        #[message_body] dto: SendDto,
    ) -> WsResult<Ack, BoxError> {
        let msg = ChatMessage {
            room_id: dto.room_id,
            message: dto.message,
            from: user.name,
            at: self.clock.now_ms(),
        };
        self.chat.record(msg.clone());
        socket.within(msg.room_id.clone()).emit_event(&msg).await?;
        Ok(Ack { ok: true })
    }

    /// Tells the others in the room that the sender is typing: a volatile emit, dropped for
    /// a client that is not ready to receive it (a stale notice is worth nothing).
    #[subscribe_message("typing")]
    async fn typing(
        &self,
        #[connected_socket] socket: SocketRef,
        Extension(user): Extension<User>,
        #[message_body] dto: RoomDto,
    ) -> WsResult<(), BoxError> {
        let payload = Typing {
            room_id: dto.room_id.clone(),
            from: user.name,
        };
        socket
            .to(dto.room_id)
            .volatile()
            .emit_event(&payload)
            .await?;
        Ok(())
    }

    /// Admins only: empties the room's history; the room gets `cleared`, then every client of
    /// the room (the admin too, if it joined) is asked to confirm with an ack
    /// (`confirm-clear {roomId}`, [`CONFIRM_CLEAR_TIMEOUT`]). Acks
    /// `{cleared, confirmed, timedOut}` once every client answered or timed out.
    #[subscribe_message("chat/clear")]
    #[use_guards(RolesGuard)]
    #[roles("admin")]
    async fn clear(
        &self,
        #[connected_socket] socket: SocketRef,
        #[message_body] dto: RoomDto,
    ) -> WsResult<ClearAck, BoxError> {
        let cleared = self.chat.clear(&dto.room_id);
        socket
            .within(dto.room_id.clone())
            .emit_event(&Cleared {
                room_id: dto.room_id.clone(),
            })
            .await?;
        let answers = socket
            .within(dto.room_id.clone())
            .timeout(CONFIRM_CLEAR_TIMEOUT)
            .emit_with_ack::<serde_json::Value, _>(
                ConfirmClear::NAME,
                &ConfirmClear {
                    room_id: dto.room_id,
                },
            )
            .await?;
        Ok(ClearAck {
            cleared,
            confirmed: answers.iter().filter(|a| a.result.is_ok()).count(),
            timed_out: answers.iter().filter(|a| a.timed_out()).count(),
        })
    }

    /// Acks the room's last messages, oldest first.
    #[subscribe_message("history")]
    pub fn history(&self, #[message_body] dto: RoomDto) -> Vec<ChatMessage> {
        self.chat.history(&dto.room_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(room: &str) -> ChatMessage {
        ChatMessage {
            room_id: room.to_owned(),
            message: "hi".to_owned(),
            from: "test".to_owned(),
            at: 0,
        }
    }

    #[test]
    fn history_keeps_the_rooms_used_last() {
        let chat = ChatService::with_rooms(ROOMS);
        chat.record(message("first"));
        chat.record(message("kept"));
        for i in 0..ROOMS - 2 {
            chat.record(message(&format!("room-{i}")));
        }
        // Reading a room uses it: `kept` is now more recent than `first`.
        assert_eq!(chat.history("kept").len(), 1);
        chat.record(message("one-too-many"));
        assert!(
            chat.history("first").is_empty(),
            "the least recently used room goes"
        );
        assert_eq!(chat.history("kept").len(), 1);
        assert_eq!(chat.history("one-too-many").len(), 1);
        assert_eq!(chat.rooms().0.len(), ROOMS);
    }
}

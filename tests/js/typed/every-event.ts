// Every event of the demo, both ways, typed by the generated maps in ../api: checked with
// `tsc --noEmit` (describe.test.mjs), never run.
import { io, type Socket } from "socket.io-client";
import type * as Main from "../api/main.js";
import type * as Chat from "../api/chat.js";
import type * as Teams from "../api/teams-team.js";
import type * as Notifications from "../api/notifications.js";

const url = "http://127.0.0.1:3000";

// `/`: login, the NestJS sample's events.
const main: Socket<Main.ServerToClientEvents, Main.ClientToServerEvents> = io(url);
main.emit("login", { name: "alice" }, (reply) => {
  const token: string = reply.token;
  void token;
});
main.emit("identity", 42, (n) => {
  const same: number = n;
  void same;
});
main.emit("events");
main.emit("message", { anything: ["goes", 1] });
main.on("events", (n) => {
  const count: number = n;
  void count;
});
main.on("message-back", (data) => void data);
main.on("exception", (e) => {
  const message: string | undefined = e.message;
  const pattern: string | undefined = e.cause?.pattern;
  void [message, pattern, e.errors?.[0]?.field];
});
const login: Main.TokenDto = await main.emitWithAck("login", { name: "bob" });

// `/chat`: the token in the handshake's auth.
const auth: Chat.Auth = { token: login.token };
const chat: Socket<Chat.ServerToClientEvents, Chat.ClientToServerEvents> = io(`${url}/chat`, { auth });
chat.emit("join", { roomId: "r1" });
chat.emit("leave", { roomId: "r1" });
chat.emit("typing", { roomId: "r1" });
chat.emit("chat/clear", { roomId: "r1" }, (ack) => void [ack.cleared, ack.confirmed, ack.timedOut]);
chat.emit("chat/send", { roomId: "r1", message: "hi" }, (ack) => {
  const ok: boolean = ack.ok;
  void ok;
});
const history: Chat.ChatMessage[] = await chat.emitWithAck("history", { roomId: "r1" });
const acked: Chat.Ack = await chat.timeout(1000).emitWithAck("chat/send", { roomId: "r1", message: "again" });
void [history, acked];
chat.on("welcome", ({ id }) => void id.length);
chat.on("confirm-clear", ({ roomId }) => void roomId.length);
chat.on("user-joined", ({ id }) => void id.length);
chat.on("user-left", ({ id, reason }) => void [id, reason]);
chat.on("joined", (room) => void room.toUpperCase());
chat.on("left", (room) => void room.toUpperCase());
chat.on("chat/receive", (m) => {
  const at: number = m.at;
  const text: string = m.message;
  void [at, text, m.from, m.roomId];
});
chat.on("typing", ({ roomId, from }) => void [roomId, from]);
chat.on("cleared", ({ roomId }) => void roomId);
chat.on("announcement", ({ roomId, message, from }) => void [roomId, message, from]);
chat.on("exception", (e) => void e.status);

// `/teams/{team}`.
const team: Socket<Teams.ServerToClientEvents, Teams.ClientToServerEvents> = io(`${url}/teams/red`);
team.emit("shout", "hello team");
team.on("team", ({ team }) => void team.length);
team.on("shout", ({ from, text }) => void [from, text]);
team.on("exception", (e) => void e);

// `/notifications`, on its own port.
const notifications: Socket<Notifications.ServerToClientEvents, Notifications.ClientToServerEvents> =
  io("http://127.0.0.1:3001/notifications");
notifications.emit("subscribe", "news", ({ subscribed }) => void subscribed.length);
notifications.on("tick", ({ at }) => void (at + 1));
notifications.on("exception", (e) => void e);

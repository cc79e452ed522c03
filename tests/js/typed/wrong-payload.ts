// Must NOT type-check: a `chat/send` payload with `text` instead of `message`, and a
// `chat/receive` listener expecting a number (describe.test.mjs asserts on tsc's errors).
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "../api/chat.js";

const chat: Socket<ServerToClientEvents, ClientToServerEvents> = io("http://127.0.0.1:3000/chat", {
  auth: { token: "t" },
});
chat.emit("chat/send", { roomId: "r1", text: "hi" }, () => {});
chat.on("chat/receive", (at: number) => void at);

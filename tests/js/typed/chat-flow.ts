// The demo's chat flow, typed by the generated maps: compiled with tsc, then run with node
// against a running demo (DEMO_URL) by describe.test.mjs. Prints one JSON line of what it saw.
import { io, type Socket } from "socket.io-client";
import type * as Main from "../api/main.js";
import type * as Chat from "../api/chat.js";

declare const process: {
  env: Record<string, string | undefined>;
  exitCode: number | undefined;
};

const url = process.env.DEMO_URL ?? "http://127.0.0.1:3000";
const room = "typed-room";

const main: Socket<Main.ServerToClientEvents, Main.ClientToServerEvents> = io(url, {
  transports: ["websocket"],
});
const { token } = await main.timeout(10_000).emitWithAck("login", { name: "typed" });

const chat: Socket<Chat.ServerToClientEvents, Chat.ClientToServerEvents> = io(`${url}/chat`, {
  auth: { token } satisfies Chat.Auth,
  transports: ["websocket"],
});
try {
  const welcome = await new Promise<Chat.Welcome>((resolve) => chat.once("welcome", resolve));
  const joined = new Promise<string>((resolve) => chat.once("joined", resolve));
  chat.emit("join", { roomId: room });
  const room_joined = await joined;
  const received = new Promise<Chat.ChatMessage>((resolve) => chat.once("chat/receive", resolve));
  const ack = await chat.timeout(10_000).emitWithAck("chat/send", { roomId: room, message: "hello from TypeScript" });
  const message = await received;
  const history = await chat.timeout(10_000).emitWithAck("history", { roomId: room });
  console.log(JSON.stringify({ welcome, joined: room_joined, ack, message, history }));
} finally {
  // Both at the end: they share one connection (the Manager of `url`).
  chat.disconnect();
  main.disconnect();
}

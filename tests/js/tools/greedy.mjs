// Clients that ask for much and never read (issue 16's "50 sockets asked for 2000 large acks
// each and never read"): the server's RSS meanwhile, whether it closes them, and the round trip
// of a well-behaved client during the attack (a measurement, not a test):
//
//   node tests/js/tools/greedy.mjs http://127.0.0.1:3000 <server pid> [clients=50] [messages=2000] [kb=64]
//
// Each greedy client is a raw websocket on `/` that stops reading its TCP socket once joined,
// then sends `messages` `message` events of `kb` KiB, which the demo sends back as
// `message-back`. The RSS is printed every second for 20 s, with the peak; then the greedy
// clients read again, and the script counts those the server had closed.
import { io } from "socket.io-client";
import WebSocket from "ws";
import { readFileSync } from "node:fs";

const [url, pid] = [process.argv[2], Number(process.argv[3])];
const [clients, messages, kb] = [50, 2000, 64].map((d, i) => Number(process.argv[4 + i] || d));
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024;
const wsUrl = url.replace(/^http/, "ws") + "/socket.io/?EIO=4&transport=websocket";

console.log(`before: rss ${rss().toFixed(1)} MB`);
const payload = JSON.stringify("x".repeat(kb * 1024));
const greedy = [];
for (let i = 0; i < clients; i++) {
  const ws = new WebSocket(wsUrl);
  const state = { ws, closed: false };
  ws.on("close", () => { state.closed = true; });
  ws.on("error", () => { state.closed = true; });
  await new Promise((resolve, reject) => {
    ws.on("message", (data) => {
      const text = data.toString();
      if (text.startsWith("0")) ws.send("40");
      else if (text === "2") ws.send("3");
      else if (text.startsWith("40")) resolve();
    });
    ws.on("error", reject);
  });
  // Stop reading: what the server sends piles up in its buffers and ours.
  ws._socket.pause();
  greedy.push(state);
}
console.log(`${clients} greedy clients joined: rss ${rss().toFixed(1)} MB`);

const good = io(url, { transports: ["websocket"], forceNew: true, reconnection: false });
await new Promise((r, e) => { good.on("connect", r); good.on("connect_error", e); });

for (const { ws } of greedy) {
  for (let m = 0; m < messages; m++) {
    if (ws.readyState !== WebSocket.OPEN) break;
    ws.send(`42["message",${payload}]`);
  }
}
console.log(`sent ${clients} x ${messages} messages of ${kb} KiB`);

let peak = 0;
const rtts = [];
for (let s = 1; s <= 20; s++) {
  const t = performance.now();
  const n = await Promise.race([
    good.timeout(5000).emitWithAck("identity", s).catch(() => null),
    new Promise((r) => setTimeout(() => r(null), 5000)),
  ]);
  rtts.push(n === s ? performance.now() - t : Infinity);
  await new Promise((r) => setTimeout(r, 1000));
  const now = rss();
  peak = Math.max(peak, now);
  console.log(`+${s}s rss ${now.toFixed(1)} MB, well-behaved client's round trip ${rtts.at(-1).toFixed(1)} ms`);
}
for (const { ws } of greedy) ws._socket.resume();
await new Promise((r) => setTimeout(r, 2000));
const closed = greedy.filter((g) => g.closed).length;
rtts.sort((a, b) => a - b);
console.log(`peak rss ${peak.toFixed(1)} MB; closed by the server: ${closed} of ${clients}; ` +
  `round trip median ${rtts[10].toFixed(1)} ms, max ${rtts.at(-1).toFixed(1)} ms`);
process.exit(0);

// The server's memory across a spike of connections, or its exit time under SIGTERM with them
// connected (the README's "Memory that comes back" figures; a measurement, not a test):
//
//   node tests/js/tools/spike.mjs http://127.0.0.1:3000 <server pid> [n=10000] [term]
//
// Opens n websocket clients (socket.io-client) 200 at a time, prints the server's RSS, then
// either closes them all and prints its RSS every 5 s for 35 s, or (`term`) sends SIGTERM to
// the server and prints how long it took to exit.
import { io } from "socket.io-client";
import { readFileSync } from "node:fs";
const [url, pid, n] = [process.argv[2], process.argv[3], Number(process.argv[4] || 10000)];
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024;
const t0 = Date.now();
console.log("before", rss().toFixed(1), "MB");
const socks = [];
for (let i = 0; i < n; i += 200) {
  const batch = [];
  for (let j = i; j < Math.min(n, i + 200); j++) {
    const s = io(url, { transports: ["websocket"], forceNew: true, reconnection: false });
    socks.push(s);
    batch.push(new Promise((r, e) => { s.on("connect", r); s.on("connect_error", e); }));
  }
  await Promise.all(batch);
}
console.log("connected", n, "in", Date.now() - t0, "ms; rss", rss().toFixed(1), "MB");
if (process.argv[5] === "term") {
  const t = Date.now();
  process.kill(Number(pid), "SIGTERM");
  const { existsSync } = await import("node:fs");
  while (existsSync(`/proc/${pid}/status`) && !/State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, "utf8"))) {
    await new Promise(r => setTimeout(r, 20));
  }
  console.log("exited", Date.now() - t, "ms after SIGTERM with", n, "clients");
  process.exit(0);
}
for (const s of socks) s.disconnect();
const t1 = Date.now();
for (let k = 0; k <= 6; k++) {
  await new Promise(r => setTimeout(r, 5000));
  console.log(`+${((Date.now() - t1) / 1000).toFixed(0)}s rss`, rss().toFixed(1), "MB");
}
process.exit(0);

// The plain socket.io 4.8 server of the benchmark: the same handlers as the other servers, on `/`
// and, ten of them, on `/ten` (the ordered burst is measured on the Rust servers only).
// Prints `PORT=<n>` once listening on 127.0.0.1 (port 0: any free one).
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const http = createServer({ noDelay: true });
const io = new Server(http, { serveClient: false });

io.on('connection', (socket) => {
  socket.on('echo', (body) => {
    socket.emit('echo', body);
  });
  socket.on('echo-ack', (body, ack) => {
    if (typeof ack === 'function') ack(body);
  });
  // The rules of the Rust servers' `EchoDto`, checked by hand.
  socket.on('echo-validated', (body) => {
    const valid =
      body !== null &&
      typeof body === 'object' &&
      Number.isInteger(body.n) &&
      body.n >= 0 &&
      body.n <= 1_000_000 &&
      typeof body.text === 'string' &&
      body.text.length >= 1 &&
      body.text.length <= 200;
    if (valid) socket.emit('echo', { n: body.n, text: body.text });
    else socket.emit('exception', { status: 'error', message: 'Bad Request' });
  });
  socket.on('join', (room, ack) => {
    socket.join(room);
    if (typeof ack === 'function') ack(true);
  });
  socket.on('fanout', (body) => {
    socket.to('fanout').emit('fanout', body);
  });
});

// `idle-ten-*`: ten handlers on namespace `/ten`, `e0` to `e9`, each acking its body.
io.of('/ten').on('connection', (socket) => {
  for (const event of ['e0', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'e9']) {
    socket.on(event, (body, ack) => {
      if (typeof ack === 'function') ack(body);
    });
  }
});

const shutdown = () => io.close(() => process.exit(0));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

http.listen(0, '127.0.0.1', () => {
  console.log(`PORT=${http.address().port}`);
});

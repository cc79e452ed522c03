// The plain socket.io 4.8 server of the benchmark: the same handlers as the other servers.
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

const shutdown = () => io.close(() => process.exit(0));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

http.listen(0, '127.0.0.1', () => {
  console.log(`PORT=${http.address().port}`);
});

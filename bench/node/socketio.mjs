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

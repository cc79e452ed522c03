// Replies keep their shape on the wire, with or without interceptors: binary data arrives as a
// Buffer (a binary attachment), object keys in the handler's order. Run by tests/wire_e2e.rs,
// which starts the same gateway three times: no interceptor, the global LoggingInterceptor, and
// one that reads every reply.

import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';

import { closeAll, collect, connect, emitWithAck, once } from './lib/client.mjs';

const servers = {
  'no interceptor': process.env.PLAIN_URL,
  'the global LoggingInterceptor': process.env.LOGGED_URL,
  'an interceptor that reads the reply': process.env.INSPECTED_URL,
};

afterEach(closeAll);

for (const [name, url] of Object.entries(servers)) {
  describe(`through ${name}`, () => {
    test('a Bytes ack arrives as binary', async () => {
      const s = await connect(url, '/wire');
      const data = await emitWithAck(s, 'bytes-ack', 7);
      assert.ok(Buffer.isBuffer(data), `expected a Buffer, got ${JSON.stringify(data)}`);
      assert.deepEqual([...data], [7, 1, 2, 255]);
    });

    test('a WsResponse of Bytes is emitted as binary', async () => {
      const s = await connect(url, '/wire');
      s.emit('bytes-emit');
      const [data] = await once(s, 'bytes');
      assert.ok(Buffer.isBuffer(data), `expected a Buffer, got ${JSON.stringify(data)}`);
      assert.deepEqual([...data], [9, 8, 7]);
    });

    test('stream items of Bytes are emitted as binary, in order', async () => {
      const s = await connect(url, '/wire');
      s.emit('bytes-stream');
      const chunks = await collect(s, 'chunk', 2);
      assert.ok(chunks.every(([d]) => Buffer.isBuffer(d)), 'every chunk is a Buffer');
      assert.deepEqual(chunks.map(([d]) => [...d]), [[1], [2, 3]]);
    });

    test('a struct with a Bytes field keeps the field binary', async () => {
      const s = await connect(url, '/wire');
      const file = await emitWithAck(s, 'file');
      assert.equal(file.name, 'a.bin');
      assert.ok(Buffer.isBuffer(file.data), `expected a Buffer, got ${JSON.stringify(file.data)}`);
      assert.deepEqual([...file.data], [0, 42]);
    });

    test('object keys keep the order of the handler type', async () => {
      const s = await connect(url, '/wire');
      const keys = await emitWithAck(s, 'keys');
      assert.deepEqual(Object.keys(keys), ['zeta', 'alpha', 'mid']);
    });

    test("cause.data keeps the client's key order", async () => {
      const s = await connect(url, '/wire');
      s.emit('named', { zeta: 1, name: 'x', alpha: 2 });
      const [exception] = await once(s, 'exception');
      assert.equal(exception.message, 'Validation failed');
      assert.deepEqual(Object.keys(exception.cause.data), ['zeta', 'name', 'alpha']);
    });
  });
}

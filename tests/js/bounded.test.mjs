// A pattern gateway's child namespace lives as long as it has sockets. Run by
// tests/bounded_state_e2e.rs.

import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';

import { closeAll, connect, emitWithAck, uniqueSuffix } from './lib/client.mjs';

const url = process.env.URL;

afterEach(closeAll);

/** Asks the server whether each namespace exists, until `want` holds (bounded: 3 s). */
async function until(probe, paths, want) {
  const deadline = Date.now() + 3000;
  for (;;) {
    const exists = await emitWithAck(probe, 'exists', paths);
    if (want(exists)) return exists;
    if (Date.now() > deadline) {
      assert.fail(`namespaces ${JSON.stringify(paths)} still ${JSON.stringify(exists)} after 3 s`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('the namespace stays while a socket is in it, and goes with the last one', async () => {
  const probe = await connect(url, '/probe');
  const path = `/rooms/${uniqueSuffix()}`;
  const a = await connect(url, path);
  const b = await connect(url, path);
  assert.equal(await emitWithAck(a, 'ping'), 'pong');
  assert.deepEqual(await emitWithAck(probe, 'exists', [path]), [true]);

  a.disconnect();
  // b is still there: the namespace must stay, and b must still be served.
  assert.equal(await emitWithAck(b, 'ping'), 'pong');
  assert.deepEqual(await emitWithAck(probe, 'exists', [path]), [true]);

  b.disconnect();
  await until(probe, [path], (e) => e[0] === false);

  // Coming back to the same path works: the namespace is made again.
  const c = await connect(url, path);
  assert.equal(await emitWithAck(c, 'ping'), 'pong');
});

test('200 distinct paths visited and left leave no namespace behind', async () => {
  const probe = await connect(url, '/probe');
  const paths = Array.from({ length: 200 }, (_, i) => `/rooms/${uniqueSuffix()}-${i}`);
  const sockets = await Promise.all(paths.map((p) => connect(url, p)));
  assert.ok((await emitWithAck(probe, 'exists', paths)).every(Boolean), 'all exist while connected');
  for (const s of sockets) s.disconnect();
  await until(probe, paths, (e) => e.every((x) => x === false));
});

// Releasing the latches of the test gateways (gateway_tests::latch in tests/src/latch.rs).
//
// A fixture hook or handler that must still be in progress while the client sends more waits
// on a latch named by the id of the socket under test. `openLatch` opens one engine.io
// connection (a socket.io Manager) with the `/latch` namespace on it; open the socket under
// test on the same Manager (`{ manager }` to `connect` or `openLogged`), send what must arrive
// while the fixture waits, then `release(socket)`. socket.io handles the packets of one
// connection in order, so everything sent before the release has reached the server when the
// latch opens: the test cannot pass by the messages arriving late.

import assert from 'node:assert/strict';

import { Manager } from 'socket.io-client';

import { CONNECT_TIMEOUT_MS, connect, emitWithAck } from './client.mjs';

/**
 * Opens the `/latch` namespace of the server at `url` on a new Manager. `opts` are the
 * Manager's options (default: websocket only, no reconnection), e.g. `{ transports: ['polling'] }`.
 * Resolves `{ manager, release }`; `release(socket)` opens the latch of `socket` (by its id)
 * and resolves once the server has acked it.
 *
 * @param {string} url
 * @param {Record<string, unknown>} [opts]
 */
export async function openLatch(url, opts = {}) {
  const base = String(url).replace(/\/+$/, '');
  const manager = new Manager(base, {
    transports: ['websocket'],
    reconnection: false,
    timeout: CONNECT_TIMEOUT_MS,
    ...opts,
    autoConnect: false,
  });
  const control = await connect(base, '/latch', { manager });
  return {
    manager,
    async release(socket) {
      assert.ok(socket.id, `release: ${socket.nsp} has no id (not connected)`);
      assert.equal(await emitWithAck(control, 'release', socket.id), true, `release ${socket.nsp}`);
    },
  };
}

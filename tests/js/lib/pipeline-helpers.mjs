// Helpers for pipeline.test.mjs, on top of lib/client.mjs. Every wait is bounded.

import assert from 'node:assert/strict';

import { connect, once } from './client.mjs';

/** How long to wait for an ack that must NOT come (the client's own timeout). */
export const NO_ACK_MS = 500;

/**
 * Emits `event` with `args` and an ack callback through `socket.timeout(ms)`, and resolves if
 * the ack is NOT called within `ms` (socket.io-client calls it with a timeout error); rejects
 * with what was acked otherwise.
 */
export function expectNoAck(socket, event, args = [], ms = NO_ACK_MS) {
  return new Promise((resolve, reject) => {
    socket.timeout(ms).emit(event, ...args, (err, ...acked) => {
      if (err) resolve();
      else reject(new Error(`expected no ack for "${event}", got ${JSON.stringify(acked)}`));
    });
  });
}

/**
 * Connects to `nsp`, expecting a refusal; resolves with the `connect_error` error. Fails if the
 * connection succeeds, or if nothing answers within `connectTimeoutMs` (a timeout is not a
 * refusal).
 */
export async function refusal(url, nsp, opts = {}) {
  let socket;
  try {
    socket = await connect(url, nsp, { connectTimeoutMs: 3000, ...opts });
  } catch (err) {
    assert.ok(
      !String(err?.message).startsWith('timed out'),
      `${nsp} should refuse the handshake with connect_error, but nothing answered: ${err?.message}`,
    );
    return err;
  }
  socket.disconnect();
  throw new Error(`${nsp} should have refused the connection, but it connected`);
}

/**
 * The exception payload `{status, message, cause: {pattern, data}}`. With `data` undefined (the
 * client sent no argument), `cause` has no `data` key, as NestJS's `undefined` serializes.
 */
export function errorPayload(message, pattern, data) {
  return { status: 'error', message, cause: data === undefined ? { pattern } : { pattern, data } };
}

/** Waits for the next `exception` and checks it is exactly `expected`. */
export async function expectException(socket, expected, what = '') {
  const args = await once(socket, 'exception');
  assert.deepEqual(args, [expected], `exception ${what}`);
  return args[0];
}

/**
 * Records the names of the events `socket` receives from now on, in order (in addition to the
 * inbox kept by client.mjs).
 */
export function eventLog(socket) {
  const names = [];
  socket.onAny((event) => names.push(event));
  return names;
}

/**
 * Emits `n` messages back to back (without waiting for acks): message `i` is
 * `event, payload(i)`. Resolves with the acks' first arguments in the order they ARRIVED;
 * rejects if they have not all arrived within `timeoutMs`.
 */
export function emitBurst(socket, event, n, payload, timeoutMs = 8000) {
  return new Promise((resolve, reject) => {
    const arrived = [];
    const timer = setTimeout(
      () =>
        reject(
          new Error(`only ${arrived.length} of ${n} "${event}" acks within ${timeoutMs} ms: ${JSON.stringify(arrived)}`),
        ),
      timeoutMs,
    );
    for (let i = 0; i < n; i++) {
      socket.emit(event, payload(i), (ack) => {
        arrived.push(ack);
        if (arrived.length === n) {
          clearTimeout(timer);
          resolve(arrived);
        }
      });
    }
  });
}

/** Sorts field errors by field, to compare them whatever order the server lists them in. */
export function byField(errors) {
  return [...errors].sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
}

/**
 * Checks a "Validation failed" exception: exactly these `[field, code]` pairs, each message a
 * non-empty string naming the field as on the wire, and the cause.
 */
export function assertValidation(ex, pattern, data, fields) {
  assert.equal(ex.status, 'error', JSON.stringify(ex));
  assert.equal(ex.message, 'Validation failed', JSON.stringify(ex));
  assert.deepEqual(ex.cause, { pattern, data }, `cause: ${JSON.stringify(ex)}`);
  assert.deepEqual(Object.keys(ex).sort(), ['cause', 'errors', 'message', 'status'], JSON.stringify(ex));
  assert.ok(Array.isArray(ex.errors), JSON.stringify(ex));
  assert.deepEqual(
    byField(ex.errors).map((e) => [e.field, e.code]),
    byField(fields.map(([field, code]) => ({ field, code }))).map((e) => [e.field, e.code]),
    `errors: ${JSON.stringify(ex.errors)}`,
  );
  for (const e of ex.errors) {
    assert.deepEqual(Object.keys(e).sort(), ['code', 'field', 'message'], JSON.stringify(e));
    assert.equal(typeof e.message, 'string', JSON.stringify(e));
    assert.ok(e.message.length > 0, JSON.stringify(e));
    // The message names the field as the client spelled it, never the Rust name.
    const leaf = e.field.split('.').pop().replace(/\[\d+\]$/, '');
    assert.ok(e.message.includes(leaf), `message should name ${leaf}: ${JSON.stringify(e)}`);
    assert.ok(!/[a-z]_[a-z]/.test(e.message), `message should not use snake_case names: ${JSON.stringify(e)}`);
  }
}

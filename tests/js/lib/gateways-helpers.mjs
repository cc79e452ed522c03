// Helpers for gateways.test.mjs, on top of lib/client.mjs (used as is).
//
// - `expectNoAck`: asserts that the server does NOT call an ack callback.
// - `openLogged`: a socket that logs events AND acks in one ordered list, from its creation,
//   to assert the order in which things arrive on the wire.
// - `rawPolling`: plain engine.io long-polling over fetch(), for CORS headers and for sending
//   bytes no socket.io client would send.
//
// Every wait is bounded.

import assert from 'node:assert/strict';
import { io } from 'socket.io-client';

import { ACK_TIMEOUT_MS, CONNECT_TIMEOUT_MS, EVENT_TIMEOUT_MS, NOTHING_MS } from './client.mjs';

/**
 * Emits `event` with `args` and an ack callback, and resolves if the callback is NOT called
 * within `ms` (socket.io-client reports its own timeout error); rejects with what was acked
 * otherwise.
 *
 * @param {import('socket.io-client').Socket} socket
 * @param {number} ms
 * @param {string} event
 * @param {...unknown} args
 */
export function expectNoAckWithin(socket, ms, event, ...args) {
  return new Promise((resolve, reject) => {
    socket.timeout(ms).emit(event, ...args, (err, ...acked) => {
      if (err) {
        // socket.io-client's timeout error: the server did not ack.
        if (/timed out/i.test(String(err?.message ?? err))) resolve();
        else reject(new Error(`unexpected ack error for "${event}": ${err?.message ?? err}`));
        return;
      }
      reject(new Error(`expected no ack for "${event}" on ${socket.nsp}, got ${JSON.stringify(acked)}`));
    });
  });
}

/** `expectNoAckWithin` with the default short window. */
export function expectNoAck(socket, event, ...args) {
  return expectNoAckWithin(socket, NOTHING_MS, event, ...args);
}

/** Asserts an argument list is exactly one `exception` payload deep-equal to `expected`. */
export function assertExceptionIs(args, expected, what = 'exception') {
  assert.deepEqual(args, [expected], `${what}: got ${JSON.stringify(args)}`);
}

const logged = new Set();

/**
 * Opens a socket whose every received event and every ack, from its creation, goes into one
 * ordered `log` of `{ kind: 'event' | 'ack', name, args }`. `onConnect(socket)` runs
 * synchronously in the `connect` listener (to emit "right after connect").
 * Resolves `{ socket, log, waitFor }` once connected; `waitFor(pred)` resolves with the log
 * index of the first entry matching `pred`, waiting up to `timeoutMs`.
 *
 * @param {string} url
 * @param {string} nsp
 * @param {(s: { socket: import('socket.io-client').Socket, emitLogged: Function, log: object[] }) => void} [onConnect]
 * @param {Record<string, unknown>} [opts] socket.io-client options; `manager` opens the socket on
 *   that Manager instead of a new one (as `connect` in lib/client.mjs)
 */
export function openLogged(url, nsp, onConnect = () => {}, opts = {}) {
  const base = String(url).replace(/\/+$/, '');
  const { manager, ...ioOpts } = opts;
  const socket = manager
    ? manager.socket(nsp, ioOpts)
    : io(`${base}${nsp}`, {
        forceNew: true,
        transports: ['websocket'],
        reconnection: false,
        timeout: CONNECT_TIMEOUT_MS,
        ...ioOpts,
        autoConnect: false,
      });
  logged.add(socket);
  const log = [];
  const waiters = new Set();
  const push = (entry) => {
    log.push(entry);
    for (const w of [...waiters]) w();
  };
  socket.onAny((name, ...args) => push({ kind: 'event', name, args }));
  /** Emits with an ack callback that logs the ack as `{ kind: 'ack', name: event }`. */
  const emitLogged = (event, ...args) =>
    socket.emit(event, ...args, (...acked) => push({ kind: 'ack', name: event, args: acked }));
  const waitFor = (pred, timeoutMs = EVENT_TIMEOUT_MS) => {
    const find = () => log.findIndex(pred);
    if (find() !== -1) return Promise.resolve(find());
    return new Promise((resolve, reject) => {
      const wake = () => {
        const i = find();
        if (i !== -1) {
          waiters.delete(wake);
          clearTimeout(timer);
          resolve(i);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`timed out after ${timeoutMs} ms on ${nsp}; log: ${JSON.stringify(log).slice(0, 500)}`));
      }, timeoutMs);
      waiters.add(wake);
    });
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.disconnect();
      reject(new Error(`timed out after ${CONNECT_TIMEOUT_MS} ms connecting to ${base}${nsp}`));
    }, CONNECT_TIMEOUT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      onConnect({ socket, emitLogged, log });
      resolve({ socket, log, waitFor, emitLogged });
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      socket.disconnect();
      reject(err);
    });
    socket.connect();
  });
}

/** Closes every socket made by `openLogged`. Use with `afterEach`. */
export function closeLogged() {
  for (const socket of logged) {
    socket.offAny();
    socket.disconnect();
    socket.io.engine?.close();
  }
  logged.clear();
}

/** `fetch` with an overall time limit. */
export async function fetchBounded(url, init = {}, timeoutMs = ACK_TIMEOUT_MS) {
  return fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
}

/**
 * A raw engine.io v4 long-polling session over fetch(). `open(headers)` performs the handshake
 * and returns the HTTP response (the session id is kept when it succeeds).
 */
export class RawPolling {
  constructor(url) {
    this.base = `${String(url).replace(/\/+$/, '')}/socket.io/?EIO=4&transport=polling`;
    this.sid = undefined;
  }

  async open(headers = {}) {
    const res = await fetchBounded(this.base, { headers });
    const body = await res.text();
    if (res.ok && body.startsWith('0')) {
      this.handshake = JSON.parse(body.slice(1));
      this.sid = this.handshake.sid;
    }
    return { res, body };
  }

  /** POSTs one engine.io payload (packets joined by \x1e), returns `{status, body}`. */
  async send(payload) {
    const res = await fetchBounded(`${this.base}&sid=${this.sid}`, {
      method: 'POST',
      body: payload,
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
    });
    return { status: res.status, body: await res.text() };
  }

  /**
   * Long-polls (at most `polls` GETs) until a packet matching `pred` arrives; resolves with it,
   * or `undefined` if none did. Packets of one payload are separated by \x1e.
   */
  async receive(pred, polls = 3) {
    for (let i = 0; i < polls; i++) {
      const { status, body } = await this.poll();
      if (status !== 200) return undefined;
      const hit = body.split('\x1e').find(pred);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  /** One long-poll GET, bounded (the server answers within its ping interval at worst). */
  async poll(timeoutMs = EVENT_TIMEOUT_MS) {
    const res = await fetchBounded(`${this.base}&sid=${this.sid}`, {}, timeoutMs);
    return { status: res.status, body: await res.text() };
  }
}

// Small helpers around the official socket.io-client for the end-to-end suites.
//
// Every socket made by `connect` records every event it receives from the
// moment it is created (before the handshake completes), in an inbox. `once`,
// `collect` and `expectNothing` read from that inbox, so an event that the
// server emits right on connection (or in the same polling batch as another
// one) is never missed because a listener was attached too late. Reading an
// event consumes it: `once(s, 'x')` twice returns the first and then the
// second `x` event.
//
// Every wait is bounded: a server that misbehaves fails the test with a
// message listing what the socket did receive, instead of hanging.
//
// Call `closeAll` after each test (`afterEach(closeAll)`) so that no socket
// outlives its test.

import { io } from 'socket.io-client';
import msgpackParser from 'socket.io-msgpack-parser';

/**
 * The socket.io parser of every socket `connect` opens: socket.io's default (JSON), or
 * msgpack (`socket.io-msgpack-parser`) when `SOCKETIO_PARSER=msgpack`, to run a whole suite
 * against a server that speaks msgpack. An explicit `parser` option still wins.
 */
export const PARSER = process.env.SOCKETIO_PARSER === 'msgpack' ? 'msgpack' : 'default';
const parserOpts = PARSER === 'msgpack' ? { parser: msgpackParser } : {};

/** Bound on the handshake (engine.io open + namespace CONNECT). */
export const CONNECT_TIMEOUT_MS = 5000;
/** Default bound on waiting for one event. */
export const EVENT_TIMEOUT_MS = 3000;
/** Default bound on waiting for an acknowledgement. */
export const ACK_TIMEOUT_MS = 3000;
/** Default time to watch for an event that must NOT arrive. */
export const NOTHING_MS = 300;

/** @type {Set<import('socket.io-client').Socket>} */
const live = new Set();

/**
 * Per-socket state: `inbox` holds `{ event, args }` records not consumed yet;
 * `waiters` are pending `once`/`collect` calls; `initialTransport` is the
 * engine.io transport the connection was opened with.
 * @type {WeakMap<object, { inbox: {event: string, args: unknown[]}[], waiters: Set<() => void>, initialTransport?: string }>}
 */
const state = new WeakMap();

function stateOf(socket) {
  const s = state.get(socket);
  if (!s) {
    throw new Error('socket was not created by connect() from lib/client.mjs');
  }
  return s;
}

function describeInbox(socket) {
  const { inbox } = stateOf(socket);
  if (inbox.length === 0) return 'nothing unread';
  const names = inbox.map((r) => r.event);
  return `unread: ${JSON.stringify(names.slice(0, 20))}${names.length > 20 ? ` (+${names.length - 20} more)` : ''}`;
}

/** A random lowercase alphanumeric suffix for unique room or team names. */
export function uniqueSuffix() {
  return Math.random().toString(36).slice(2, 10);
}

/** Promise that resolves after `ms` milliseconds. */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Opens a socket to namespace `nsp` of the server at `url` and resolves once
 * it is connected. Rejects with the `connect_error` error (e.g. message
 * "Invalid namespace") or on timeout.
 *
 * Defaults: `forceNew: true` (an independent connection per socket),
 * `transports: ['websocket']`, no reconnection. Pass
 * `{ transports: ['polling', 'websocket'] }` for socket.io's default
 * polling-then-upgrade behaviour. Any other socket.io-client option is passed
 * through (`auth`, `query`, ...). The extra option `connectTimeoutMs` bounds
 * the wait; the extra option `manager` opens the socket on that socket.io
 * Manager (one engine.io connection shared with its other sockets, see
 * `lib/latch.mjs`) instead of a new one.
 *
 * @param {string} url base URL of the listener, e.g. http://127.0.0.1:41234
 * @param {string} nsp namespace, e.g. '/' or '/chat'
 * @param {Record<string, unknown>} [opts]
 * @returns {Promise<import('socket.io-client').Socket>}
 */
export function connect(url, nsp = '/', opts = {}) {
  const { connectTimeoutMs = CONNECT_TIMEOUT_MS, manager, ...ioOpts } = opts;
  const base = String(url).replace(/\/+$/, '');
  const path = nsp.startsWith('/') ? nsp : `/${nsp}`;
  const socket = manager
    ? manager.socket(path, ioOpts)
    : io(`${base}${path}`, {
        forceNew: true,
        transports: ['websocket'],
        reconnection: false,
        timeout: connectTimeoutMs,
        ...parserOpts,
        ...ioOpts,
        autoConnect: false,
      });
  live.add(socket);

  const st = { inbox: [], waiters: new Set(), initialTransport: undefined };
  state.set(socket, st);
  socket.onAny((event, ...args) => {
    st.inbox.push({ event, args });
    for (const wake of [...st.waiters]) wake();
  });
  socket.io.once('open', () => {
    st.initialTransport = socket.io.engine?.transport?.name;
  });

  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('connect_error', onError);
    };
    const onConnect = () => {
      cleanup();
      resolve(socket);
    };
    const onError = (err) => {
      cleanup();
      socket.disconnect();
      reject(err);
    };
    const timer = setTimeout(() => {
      cleanup();
      socket.disconnect();
      reject(new Error(`timed out after ${connectTimeoutMs} ms connecting to ${base}${path}`));
    }, connectTimeoutMs);
    socket.on('connect', onConnect);
    socket.on('connect_error', onError);
    socket.connect();
  });
}

/**
 * The engine.io transport name ('polling' or 'websocket') that the socket's
 * connection was first opened with.
 * @param {import('socket.io-client').Socket} socket
 */
export function initialTransport(socket) {
  return stateOf(socket).initialTransport;
}

/**
 * Resolves with the argument list of the next unread `event` received by
 * `socket` (which may already have arrived) for which `predicate(args)` is
 * true, and marks it read. Non-matching events stay unread. Rejects after
 * `timeoutMs`.
 *
 * @param {import('socket.io-client').Socket} socket
 * @param {string} event
 * @param {(args: unknown[]) => boolean} predicate
 * @param {number} [timeoutMs]
 * @returns {Promise<unknown[]>}
 */
export function onceMatching(socket, event, predicate, timeoutMs = EVENT_TIMEOUT_MS) {
  const st = stateOf(socket);
  const take = () => {
    const i = st.inbox.findIndex((r) => r.event === event && predicate(r.args));
    if (i === -1) return undefined;
    return st.inbox.splice(i, 1)[0].args;
  };
  const now = take();
  if (now) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const wake = () => {
      const got = take();
      if (got) {
        st.waiters.delete(wake);
        clearTimeout(timer);
        resolve(got);
      }
    };
    const timer = setTimeout(() => {
      st.waiters.delete(wake);
      reject(
        new Error(
          `timed out after ${timeoutMs} ms waiting for "${event}" on ${socket.nsp} ` +
            `(connected: ${socket.connected}; ${describeInbox(socket)})`,
        ),
      );
    }, timeoutMs);
    st.waiters.add(wake);
  });
}

/**
 * Resolves with the argument list of the next unread `event` received by
 * `socket`, e.g. `const [data] = await once(s, 'welcome')`. Rejects after
 * `timeoutMs`.
 *
 * @param {import('socket.io-client').Socket} socket
 * @param {string} event
 * @param {number} [timeoutMs]
 * @returns {Promise<unknown[]>}
 */
export function once(socket, event, timeoutMs = EVENT_TIMEOUT_MS) {
  return onceMatching(socket, event, () => true, timeoutMs);
}

/**
 * Resolves with the argument lists of the next `n` unread `event`s, in the
 * order received. Rejects if they have not all arrived within `timeoutMs`
 * (counted for the whole batch).
 *
 * @param {import('socket.io-client').Socket} socket
 * @param {string} event
 * @param {number} n
 * @param {number} [timeoutMs]
 * @returns {Promise<unknown[][]>}
 */
export function collect(socket, event, n, timeoutMs = EVENT_TIMEOUT_MS) {
  const st = stateOf(socket);
  const count = () => st.inbox.filter((r) => r.event === event).length;
  const take = () => {
    const out = [];
    st.inbox = st.inbox.filter((r) => {
      if (out.length < n && r.event === event) {
        out.push(r.args);
        return false;
      }
      return true;
    });
    return out;
  };
  if (count() >= n) return Promise.resolve(take());
  return new Promise((resolve, reject) => {
    const wake = () => {
      if (count() >= n) {
        st.waiters.delete(wake);
        clearTimeout(timer);
        resolve(take());
      }
    };
    const timer = setTimeout(() => {
      st.waiters.delete(wake);
      reject(
        new Error(
          `timed out after ${timeoutMs} ms waiting for ${n} "${event}" on ${socket.nsp}: ` +
            `got ${count()} (connected: ${socket.connected}; ${describeInbox(socket)})`,
        ),
      );
    }, timeoutMs);
    st.waiters.add(wake);
  });
}

/**
 * Resolves if no unread `event` (matching `predicate`, if given) has been
 * received by `socket` after waiting `ms`; rejects with what arrived
 * otherwise. This is the only fixed wait in the helpers: it asserts an
 * absence, so keep `ms` short.
 *
 * @param {import('socket.io-client').Socket} socket
 * @param {string} event
 * @param {number} [ms]
 * @param {(args: unknown[]) => boolean} [predicate]
 */
export async function expectNothing(socket, event, ms = NOTHING_MS, predicate = () => true) {
  const st = stateOf(socket);
  const unwanted = () => st.inbox.filter((r) => r.event === event && predicate(r.args));
  if (unwanted().length === 0) await sleep(ms);
  const got = unwanted();
  if (got.length > 0) {
    throw new Error(
      `expected no "${event}" on ${socket.nsp}, got ${got.length}: ` +
        JSON.stringify(got.map((r) => r.args)).slice(0, 500),
    );
  }
}

/**
 * Emits `event` with `args` and resolves with the server's acknowledgement
 * (its first argument), via `socket.timeout(ms).emitWithAck`. Rejects if no
 * ack arrives within `ACK_TIMEOUT_MS`.
 *
 * @param {import('socket.io-client').Socket} socket
 * @param {string} event
 * @param {...unknown} args
 */
export function emitWithAck(socket, event, ...args) {
  return emitWithAckTimeout(socket, ACK_TIMEOUT_MS, event, ...args);
}

/**
 * Like `emitWithAck`, with an explicit ack timeout in milliseconds.
 *
 * @param {import('socket.io-client').Socket} socket
 * @param {number} timeoutMs
 * @param {string} event
 * @param {...unknown} args
 */
export async function emitWithAckTimeout(socket, timeoutMs, event, ...args) {
  try {
    return await socket.timeout(timeoutMs).emitWithAck(event, ...args);
  } catch (err) {
    throw new Error(
      `no ack for "${event}" on ${socket.nsp} within ${timeoutMs} ms (connected: ${socket.connected}): ${err?.message ?? err}`,
    );
  }
}

/**
 * Resolves with the disconnect reason when `socket` disconnects; rejects
 * after `timeoutMs`.
 *
 * @param {import('socket.io-client').Socket} socket
 * @param {number} [timeoutMs]
 * @returns {Promise<string>}
 */
export function onceDisconnected(socket, timeoutMs = EVENT_TIMEOUT_MS) {
  if (!socket.connected && !socket.active) return Promise.resolve('already disconnected');
  return new Promise((resolve, reject) => {
    const onDisconnect = (reason) => {
      clearTimeout(timer);
      resolve(reason);
    };
    const timer = setTimeout(() => {
      socket.off('disconnect', onDisconnect);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${socket.nsp} to disconnect`));
    }, timeoutMs);
    socket.once('disconnect', onDisconnect);
  });
}

/**
 * Resolves with the engine.io transport name once the socket's connection
 * runs over websocket (immediately if it already does), waiting for the
 * polling-to-websocket upgrade otherwise. Rejects after `timeoutMs`.
 *
 * @param {import('socket.io-client').Socket} socket
 * @param {number} [timeoutMs]
 */
export function upgraded(socket, timeoutMs = EVENT_TIMEOUT_MS) {
  const engine = socket.io.engine;
  if (engine.transport.name === 'websocket') return Promise.resolve('websocket');
  return new Promise((resolve, reject) => {
    const onUpgrade = (transport) => {
      clearTimeout(timer);
      resolve(transport.name);
    };
    const timer = setTimeout(() => {
      engine.off('upgrade', onUpgrade);
      reject(
        new Error(
          `timed out after ${timeoutMs} ms waiting for the websocket upgrade (still on ${engine.transport.name})`,
        ),
      );
    }, timeoutMs);
    engine.once('upgrade', onUpgrade);
  });
}

/** Disconnects every socket made by `connect`. Use as `afterEach(closeAll)`. */
export function closeAll() {
  for (const socket of live) {
    socket.offAny();
    socket.disconnect();
    // With forceNew each socket owns its Manager; make sure its engine is gone.
    socket.io.engine?.close();
  }
  live.clear();
}

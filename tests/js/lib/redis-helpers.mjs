// Helpers for redis.test.mjs (scale-out across nodes on one Redis), on top of lib/client.mjs.
//
// - `redisControl`: asks the Rust test (tests/tests/redis_e2e.rs, `Control`) to stop or start
//   the Redis server, and waits until it is done.
// - `watchDisconnects`: records every `disconnect` of a socket, to assert none happened.
// - `pollUntil`: bounded retries (send a probe, look for it) instead of fixed sleeps.
// - `chatClient`: a `/chat` socket with a token from `login` on `/`.
//
// Every wait is bounded.

import net from 'node:net';

import { connect, emitWithAck } from './client.mjs';

/** Bound on one control command (killing or starting redis-server and waiting for PING). */
export const CONTROL_TIMEOUT_MS = 20_000;

/**
 * Sends `command` ('stop' or 'start') to the control port at `addr` ('127.0.0.1:PORT') and
 * resolves once the Rust side answers `ok`; rejects with its error or after the timeout.
 *
 * @param {string} addr
 * @param {'stop' | 'start'} command
 */
export function redisControl(addr, command, timeoutMs = CONTROL_TIMEOUT_MS) {
  const [host, port] = addr.split(':');
  return new Promise((resolve, reject) => {
    const sock = net.createConnection({ host, port: Number(port) });
    let buf = '';
    const done = (err, value) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(value);
    };
    const timer = setTimeout(
      () => done(new Error(`redis control "${command}" not answered within ${timeoutMs} ms`)),
      timeoutMs,
    );
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${command}\n`));
    sock.on('data', (chunk) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl === -1) return;
      const line = buf.slice(0, nl).trim();
      if (line === 'ok') done(null, line);
      else done(new Error(`redis control "${command}": ${line}`));
    });
    sock.on('error', (err) => done(new Error(`redis control "${command}": ${err.message}`)));
    sock.on('close', () => done(new Error(`redis control "${command}": connection closed without an answer`)));
  });
}

/**
 * Records the reasons of every `disconnect` of each socket from now on. `check()` throws
 * naming every socket that disconnected or is no longer connected.
 *
 * @param {Record<string, import('socket.io-client').Socket>} sockets by name
 */
export function watchDisconnects(sockets) {
  const seen = [];
  for (const [name, socket] of Object.entries(sockets)) {
    socket.on('disconnect', (reason) => seen.push(`${name}: ${reason}`));
  }
  return {
    check() {
      const down = Object.entries(sockets)
        .filter(([, s]) => !s.connected)
        .map(([name]) => name);
      if (seen.length > 0 || down.length > 0) {
        throw new Error(`clients were disconnected: ${JSON.stringify({ disconnects: seen, notConnected: down })}`);
      }
    },
  };
}

/**
 * Calls `attempt(i)` (i = 0, 1, ...) every `everyMs` until it resolves to a truthy value,
 * and resolves with that value and the time it took; rejects after `timeoutMs` with `what`.
 * An attempt that throws counts as a falsy one (its error is reported at the end).
 *
 * @template T
 * @param {(i: number) => Promise<T>} attempt
 * @param {{ timeoutMs?: number, everyMs?: number, what: string }} opts
 * @returns {Promise<{ value: T, ms: number, attempts: number }>}
 */
export async function pollUntil(attempt, { timeoutMs = 10_000, everyMs = 250, what }) {
  const began = Date.now();
  let lastError;
  for (let i = 0; ; i++) {
    try {
      const value = await attempt(i);
      if (value) return { value, ms: Date.now() - began, attempts: i + 1 };
    } catch (err) {
      lastError = err;
    }
    if (Date.now() - began >= timeoutMs) {
      throw new Error(
        `${what}: not within ${timeoutMs} ms (${i + 1} attempts)` +
          (lastError ? `; last error: ${lastError.message ?? lastError}` : ''),
      );
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A JWT for `name` from the `login` event on `/` of the node at `url`. */
export async function login(url, name) {
  const root = await connect(url, '/');
  const answer = await emitWithAck(root, 'login', { name });
  root.disconnect();
  if (typeof answer?.token !== 'string') {
    throw new Error(`login on ${url} did not ack a token: ${JSON.stringify(answer)}`);
  }
  return answer.token;
}

/** A `/chat` socket of the node at `url`, logged in as `name` (token from `tokenUrl`). */
export async function chatClient(url, name, tokenUrl = url) {
  const token = await login(tokenUrl, name);
  return connect(url, '/chat', { auth: { token } });
}

// End-to-end wire-contract tests of the demo app, from outside, with the
// official socket.io-client.
//
//   DEMO_URL=http://127.0.0.1:PORT NOTIFY_URL=http://127.0.0.1:PORT2 \
//     node --test --test-reporter=spec demo.test.mjs
//
// DEMO_URL is the main listener (namespaces '/', '/chat', '/teams/{team}'),
// NOTIFY_URL the notifications listener (namespace '/notifications').

import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';

import {
  closeAll,
  collect,
  connect,
  emitWithAck,
  emitWithAckTimeout,
  expectNothing,
  initialTransport,
  once,
  onceDisconnected,
  onceMatching,
  uniqueSuffix,
  upgraded,
} from './lib/client.mjs';

const DEMO_URL = process.env.DEMO_URL;
const NOTIFY_URL = process.env.NOTIFY_URL;
if (!DEMO_URL || !NOTIFY_URL) {
  throw new Error(
    'set DEMO_URL (main listener) and NOTIFY_URL (notifications listener), e.g. DEMO_URL=http://127.0.0.1:41234',
  );
}

/** Backstop per test; every wait inside is bounded far below this. */
const SUITE = { timeout: 20_000 };

afterEach(closeAll);

const room = (tag = 'room') => `${tag}-${uniqueSuffix()}`;

/** Asserts `at` is a Unix timestamp in milliseconds close to now. */
function assertUnixMs(at, what = 'at') {
  assert.equal(typeof at, 'number', `${what} should be a number, got ${JSON.stringify(at)}`);
  assert.ok(Number.isSafeInteger(at), `${what} should be an integer number of ms, got ${at}`);
  const drift = Math.abs(Date.now() - at);
  assert.ok(drift < 60_000, `${what} (${at}) should be Unix ms near now (${Date.now()}), off by ${drift} ms`);
}

/** Asserts `id` is a non-empty string (a socket id). */
function assertSocketId(id, what = 'id') {
  assert.equal(typeof id, 'string', `${what} should be a string, got ${JSON.stringify(id)}`);
  assert.ok(id.length > 0, `${what} should not be empty`);
}

/** Asserts an `exception` event's argument list per the contract. */
function assertException(args) {
  assert.equal(args.length, 1, `exception should carry one argument, got ${JSON.stringify(args)}`);
  const [ex] = args;
  assert.ok(ex !== null && typeof ex === 'object' && !Array.isArray(ex), `exception should be an object, got ${JSON.stringify(ex)}`);
  assert.equal(ex.status, 'error', `exception.status: ${JSON.stringify(ex)}`);
  assert.equal(typeof ex.message, 'string', `exception.message should be a string: ${JSON.stringify(ex)}`);
  assert.ok(ex.message.trim().length > 0, `exception.message should not be empty: ${JSON.stringify(ex)}`);
  return ex;
}

/**
 * A payload that does not fit gives "Validation failed" with every field error named
 * (NEST-SEMANTICS.md, "We go further"), and the cause (pattern and data).
 */
function assertNamesField(ex, field, code, pattern) {
  assert.equal(ex.message, 'Validation failed', JSON.stringify(ex));
  assert.ok(Array.isArray(ex.errors), `exception.errors should be an array: ${JSON.stringify(ex)}`);
  const e = ex.errors.find((e) => e.field === field);
  assert.ok(e, `exception.errors should name ${field}: ${JSON.stringify(ex)}`);
  assert.equal(e.code, code, JSON.stringify(e));
  assert.match(e.message, new RegExp(field), JSON.stringify(e));
  assert.equal(ex.cause?.pattern, pattern, JSON.stringify(ex));
  assert.ok('data' in ex.cause, JSON.stringify(ex));
}

/** Logs in on `/` as `name` and returns the token. */
async function login(name) {
  const root = await connect(DEMO_URL, '/');
  const answer = await emitWithAck(root, 'login', { name });
  root.close();
  assert.equal(typeof answer?.token, 'string', JSON.stringify(answer));
  return answer.token;
}

/** Connects to /chat as a fresh user (`s.userName`), with a token in the handshake auth. */
async function chatConnect(opts = {}, name = `user-${uniqueSuffix()}`) {
  const token = await login(name);
  const s = await connect(DEMO_URL, '/chat', { ...opts, auth: { token } });
  s.userName = name;
  return s;
}

/** Connects to /chat (as a fresh user) and consumes the socket's own `welcome`. */
async function chatClient(opts, name) {
  const s = await chatConnect(opts, name);
  await once(s, 'welcome');
  return s;
}

/** Joins `roomId` and waits for the `joined` confirmation. */
async function join(s, roomId) {
  s.emit('join', { roomId });
  assert.deepEqual(await once(s, 'joined'), [roomId]);
}

// ---------------------------------------------------------------------------

describe('namespace / (EventsGateway)', SUITE, () => {
  test('events: receives events 1, 2, 3 in order', async () => {
    const s = await connect(DEMO_URL, '/');
    s.emit('events', { any: 'payload' });
    const got = await collect(s, 'events', 3);
    assert.deepEqual(got, [[1], [2], [3]]);
    await expectNothing(s, 'events');
  });

  test('events: works for another payload shape too', async () => {
    const s = await connect(DEMO_URL, '/');
    s.emit('events', 'hello');
    assert.deepEqual(await collect(s, 'events', 3), [[1], [2], [3]]);
  });

  test('identity: acks the same number, 0 included', async () => {
    const s = await connect(DEMO_URL, '/');
    for (const n of [0, 1, 42, 123456]) {
      const ack = await emitWithAck(s, 'identity', n);
      assert.equal(ack, n, `identity(${n})`);
    }
  });

  test('message: replies message-back with the same payload', async () => {
    const s = await connect(DEMO_URL, '/');
    const payloads = [
      { text: 'hello', n: 1, nested: { list: [1, 'two', { three: 3 }], ok: true } },
      'plain string',
      7,
      ['a', 1, { b: 2 }],
      true,
    ];
    for (const p of payloads) {
      s.emit('message', p);
      assert.deepEqual(await once(s, 'message-back'), [p], `echo of ${JSON.stringify(p)}`);
    }
    await expectNothing(s, 'message-back');
  });

  test('default transport: polling, then upgrade to websocket, contract holds on both', async () => {
    const s = await connect(DEMO_URL, '/', { transports: ['polling', 'websocket'], upgrade: true });
    assert.equal(initialTransport(s), 'polling');
    // Right after connecting (most likely still over polling).
    assert.equal(await emitWithAck(s, 'identity', 5), 5);
    s.emit('message', { over: 'whatever transport' });
    assert.deepEqual(await once(s, 'message-back'), [{ over: 'whatever transport' }]);

    assert.equal(await upgraded(s), 'websocket');
    assert.equal(s.io.engine.transport.name, 'websocket');
    assert.equal(await emitWithAck(s, 'identity', 0), 0);
    s.emit('events', {});
    assert.deepEqual(await collect(s, 'events', 3), [[1], [2], [3]]);
  });

  test('polling only: contract holds without websocket', async () => {
    const s = await connect(DEMO_URL, '/', { transports: ['polling'] });
    assert.equal(s.io.engine.transport.name, 'polling');
    assert.equal(await emitWithAck(s, 'identity', 9), 9);
    s.emit('events', 1);
    assert.deepEqual(await collect(s, 'events', 3), [[1], [2], [3]]);
  });
});

// ---------------------------------------------------------------------------

describe('namespace /chat (ChatGateway)', SUITE, () => {
  test('welcome carries the client its own socket id', async () => {
    const s = await chatConnect();
    assertSocketId(s.id, 'socket.id');
    assert.deepEqual(await once(s, 'welcome'), [{ id: s.id }]);
    await expectNothing(s, 'welcome');
  });

  test('welcome also arrives over the default polling transport', async () => {
    const s = await chatConnect({ transports: ['polling', 'websocket'] });
    assert.deepEqual(await once(s, 'welcome'), [{ id: s.id }]);
  });

  test('user-joined goes to the clients already connected, not to the newcomer', async () => {
    const a = await chatClient();
    const b = await chatClient();
    const joined = await onceMatching(a, 'user-joined', ([d]) => d?.id === b.id);
    assert.deepEqual(joined, [{ id: b.id }]);
    await expectNothing(b, 'user-joined', undefined, ([d]) => d?.id === b.id);

    const c = await chatClient();
    assert.deepEqual(await onceMatching(a, 'user-joined', ([d]) => d?.id === c.id), [{ id: c.id }]);
    assert.deepEqual(await onceMatching(b, 'user-joined', ([d]) => d?.id === c.id), [{ id: c.id }]);
  });

  test('user-left goes to the others with the socket.io reason', async () => {
    const a = await chatClient();
    const b = await chatClient();
    const bId = b.id;
    assertSocketId(bId);
    await onceMatching(a, 'user-joined', ([d]) => d?.id === bId);

    b.disconnect();
    const left = await onceMatching(a, 'user-left', ([d]) => d?.id === bId);
    assert.deepEqual(left, [{ id: bId, reason: 'client namespace disconnect' }]);
    assert.ok(a.connected);
  });

  test('join acks with joined <roomId>, leave with left <roomId>', async () => {
    const s = await chatClient();
    const r = room();
    s.emit('join', { roomId: r });
    assert.deepEqual(await once(s, 'joined'), [r]);
    s.emit('leave', { roomId: r });
    assert.deepEqual(await once(s, 'left'), [r]);
  });

  test('chat/send reaches everyone in the room, sender included, and acks {ok: true}', async () => {
    const r = room();
    const a = await chatClient();
    const b = await chatClient();
    const outsider = await chatClient();
    await join(a, r);
    await join(b, r);

    const before = Date.now();
    const ack = await emitWithAck(a, 'chat/send', { roomId: r, message: 'hello room' });
    assert.deepEqual(ack, { ok: true });

    for (const [who, s] of [['sender', a], ['member', b]]) {
      const args = await once(s, 'chat/receive');
      assert.equal(args.length, 1, `${who}: one argument`);
      const [msg] = args;
      assertUnixMs(msg.at);
      assert.ok(msg.at >= before - 5_000, `${who}: at (${msg.at}) should not predate the send (${before})`);
      assert.deepEqual(msg, { roomId: r, message: 'hello room', from: a.userName, at: msg.at }, who);
    }
    await expectNothing(outsider, 'chat/receive');
    await expectNothing(a, 'chat/receive');
    await expectNothing(b, 'chat/receive');
  });

  test('chat/send without an ack callback is still delivered', async () => {
    const r = room();
    const a = await chatClient();
    const b = await chatClient();
    await join(a, r);
    await join(b, r);

    a.emit('chat/send', { roomId: r, message: 'no ack wanted' });
    for (const s of [a, b]) {
      const [msg] = await once(s, 'chat/receive');
      assertUnixMs(msg.at);
      assert.deepEqual(msg, { roomId: r, message: 'no ack wanted', from: a.userName, at: msg.at });
    }
  });

  test('chat/send from a socket not in the room reaches the members only', async () => {
    const r = room();
    const member = await chatClient();
    const sender = await chatClient();
    await join(member, r);

    assert.deepEqual(await emitWithAck(sender, 'chat/send', { roomId: r, message: 'from outside' }), { ok: true });
    const [msg] = await once(member, 'chat/receive');
    assertUnixMs(msg.at);
    assert.deepEqual(msg, { roomId: r, message: 'from outside', from: sender.userName, at: msg.at });
    await expectNothing(sender, 'chat/receive');
  });

  test('a client that left the room receives nothing more from it', async () => {
    const r = room();
    const a = await chatClient();
    const b = await chatClient();
    await join(a, r);
    await join(b, r);
    b.emit('leave', { roomId: r });
    assert.deepEqual(await once(b, 'left'), [r]);

    assert.deepEqual(await emitWithAck(a, 'chat/send', { roomId: r, message: 'after leave' }), { ok: true });
    const [msg] = await once(a, 'chat/receive');
    assert.equal(msg.message, 'after leave');
    await expectNothing(b, 'chat/receive');
  });

  test('messages do not cross rooms', async () => {
    const r1 = room('one');
    const r2 = room('two');
    const a = await chatClient();
    const b = await chatClient();
    await join(a, r1);
    await join(b, r2);

    assert.deepEqual(await emitWithAck(a, 'chat/send', { roomId: r1, message: 'only r1' }), { ok: true });
    const [msg] = await once(a, 'chat/receive');
    assert.equal(msg.roomId, r1);
    await expectNothing(b, 'chat/receive');
  });

  test('typing goes to the others in the room, not to the sender', async () => {
    const r = room();
    const a = await chatClient();
    const b = await chatClient();
    const outsider = await chatClient();
    await join(a, r);
    await join(b, r);

    a.emit('typing', { roomId: r });
    assert.deepEqual(await once(b, 'typing'), [{ roomId: r, from: a.userName }]);
    await expectNothing(a, 'typing');
    await expectNothing(outsider, 'typing');
  });

  test('history of an unused room is empty', async () => {
    const s = await chatClient();
    assert.deepEqual(await emitWithAck(s, 'history', { roomId: room('empty') }), []);
  });

  test('history returns the chat/receive payloads, oldest first', async () => {
    const r = room();
    const s = await chatClient();
    await join(s, r);
    for (const message of ['first', 'second', 'third']) {
      assert.deepEqual(await emitWithAck(s, 'chat/send', { roomId: r, message }), { ok: true });
    }
    const received = (await collect(s, 'chat/receive', 3)).map(([m]) => m);
    assert.deepEqual(
      received.map((m) => m.message),
      ['first', 'second', 'third'],
    );
    assert.deepEqual(await emitWithAck(s, 'history', { roomId: r }), received);
  });

  test('history keeps the last 50 of 55, oldest first, per room', async () => {
    const r = room();
    const other = room('other');
    const s = await chatClient();
    await join(s, r);
    await join(s, other);
    assert.deepEqual(await emitWithAck(s, 'chat/send', { roomId: other, message: 'elsewhere' }), { ok: true });
    const [otherMsg] = await once(s, 'chat/receive');

    for (let i = 1; i <= 55; i++) {
      assert.deepEqual(await emitWithAck(s, 'chat/send', { roomId: r, message: `msg-${i}` }), { ok: true });
    }
    const received = (await collect(s, 'chat/receive', 55, 10_000)).map(([m]) => m);
    assert.deepEqual(
      received.map((m) => m.message),
      Array.from({ length: 55 }, (_, i) => `msg-${i + 1}`),
    );

    const history = await emitWithAck(s, 'history', { roomId: r });
    assert.ok(Array.isArray(history), `history should be an array, got ${JSON.stringify(history)?.slice(0, 200)}`);
    assert.equal(history.length, 50);
    assert.deepEqual(history, received.slice(5));
    assert.equal(history[0].message, 'msg-6');
    assert.equal(history[49].message, 'msg-55');

    assert.deepEqual(await emitWithAck(s, 'history', { roomId: other }), [otherMsg]);
  });

  test('chat/send with a number: exception, socket stays usable, others unaffected', async () => {
    const r = room();
    const a = await chatClient();
    const b = await chatClient();
    await join(a, r);
    await join(b, r);

    a.emit('chat/send', 42);
    assertException(await once(a, 'exception'));
    await expectNothing(b, 'exception');
    assert.ok(a.connected, 'sender stays connected');
    assert.ok(b.connected, 'other client stays connected');

    assert.deepEqual(await emitWithAck(a, 'chat/send', { roomId: r, message: 'still works' }), { ok: true });
    for (const s of [a, b]) {
      const [msg] = await once(s, 'chat/receive');
      assert.deepEqual(msg, { roomId: r, message: 'still works', from: a.userName, at: msg.at });
    }
    await expectNothing(a, 'exception');
  });

  test('chat/send missing message: exception naming the field, nothing broadcast', async () => {
    const r = room();
    const a = await chatClient();
    const b = await chatClient();
    await join(a, r);
    await join(b, r);

    a.emit('chat/send', { roomId: r });
    const ex = assertException(await once(a, 'exception'));
    assertNamesField(ex, 'message', 'required', 'chat/send');
    await expectNothing(b, 'chat/receive');
    await expectNothing(a, 'chat/receive');
    assert.ok(a.connected && b.connected);

    assert.deepEqual(await emitWithAck(a, 'chat/send', { roomId: r, message: 'valid again' }), { ok: true });
    const [msg] = await once(b, 'chat/receive');
    assert.equal(msg.message, 'valid again');
  });

  test('chat/send missing roomId: exception naming the field', async () => {
    const a = await chatClient();
    a.emit('chat/send', { message: 'where to?' });
    const ex = assertException(await once(a, 'exception'));
    assertNamesField(ex, 'roomId', 'required', 'chat/send');
    assert.ok(a.connected);
  });

  test('chat/send with a mistyped field: exception, still connected', async () => {
    const a = await chatClient();
    a.emit('chat/send', { roomId: 5, message: 'x' });
    assertNamesField(assertException(await once(a, 'exception')), 'roomId', 'type', 'chat/send');
    assert.ok(a.connected);
    await expectNothing(a, 'chat/receive');
  });

  test('join missing roomId: exception naming the field, no joined', async () => {
    const a = await chatClient();
    a.emit('join', {});
    const ex = assertException(await once(a, 'exception'));
    assertNamesField(ex, 'roomId', 'required', 'join');
    await expectNothing(a, 'joined');
    assert.ok(a.connected);
  });
});

// ---------------------------------------------------------------------------

describe('login, tokens and guards', SUITE, () => {
  const decode = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
  const sign = (claims, secret) => {
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
    return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
  };

  test('login acks a one-hour HS256 token with sub and role', async () => {
    const token = await login('alice');
    const [header] = token.split('.').map((p, i) => (i === 0 ? JSON.parse(Buffer.from(p, 'base64url')) : p));
    assert.equal(header.alg, 'HS256');
    const claims = decode(token);
    assert.equal(claims.sub, 'alice');
    assert.equal(claims.role, 'user');
    const ttl = claims.exp - Date.now() / 1000;
    assert.ok(ttl > 3500 && ttl <= 3601, `exp should be one hour ahead, is ${ttl}s`);
    assert.equal(decode(await login('admin')).role, 'admin');
  });

  test('login with an empty or too long name: Validation failed naming name', async () => {
    const root = await connect(DEMO_URL, '/');
    for (const name of ['', 'x'.repeat(33)]) {
      root.emit('login', { name });
      const ex = assertException(await once(root, 'exception'));
      assertNamesField(ex, 'name', 'length', 'login');
      assert.deepEqual(ex.cause.data, { name });
    }
    assert.ok(root.connected);
  });

  test('/chat without a token, with a forged one or an expired one: connect_error Unauthorized', async () => {
    const secret = process.env.JWT_SECRET;
    assert.ok(secret, 'the test harness passes the demo\'s JWT_SECRET');
    const expired = sign({ sub: 'old', role: 'user', exp: Math.floor(Date.now() / 1000) - 60 }, secret);
    const forged = sign({ sub: 'admin', role: 'admin', exp: Math.floor(Date.now() / 1000) + 3600 }, 'not-the-secret');
    for (const auth of [undefined, { token: 'garbage' }, { token: forged }, { token: expired }, { nope: 1 }]) {
      await assert.rejects(connect(DEMO_URL, '/chat', auth ? { auth } : {}), (err) => {
        assert.equal(err.message, 'Unauthorized', JSON.stringify(auth));
        return true;
      });
    }
    // A token signed with the right secret works.
    const valid = sign({ sub: 'carol', role: 'user', exp: Math.floor(Date.now() / 1000) + 60 }, secret);
    const s = await connect(DEMO_URL, '/chat', { auth: { token: valid } });
    assert.ok(s.connected);
  });

  test('a /chat socket is disconnected when its token expires; others stay', async () => {
    const secret = process.env.JWT_SECRET;
    const now = Math.floor(Date.now() / 1000);
    const short = sign({ sub: 'dave', role: 'user', exp: now + 2 }, secret);
    const long = sign({ sub: 'erin', role: 'user', exp: now + 3600 }, secret);
    const s = await connect(DEMO_URL, '/chat', { auth: { token: short } });
    const other = await connect(DEMO_URL, '/chat', { auth: { token: long } });
    const started = Date.now();
    // The token's exp is whole seconds: between 1 and 2 s from now, plus scheduling.
    assert.equal(await onceDisconnected(s, 8000), 'io server disconnect');
    assert.ok(Date.now() - started >= 500, 'not before the token expires');
    assert.ok(other.connected, 'a socket with a valid token stays connected');
    const r = room();
    other.emit('join', { roomId: r });
    await once(other, 'joined');
  });

  test('DTO violations name every failing field, with the cause; the socket stays usable', async () => {
    const a = await chatClient();
    const r = room();
    a.emit('chat/send', { roomId: 'x'.repeat(65), message: 'y'.repeat(2001) });
    const ex = assertException(await once(a, 'exception'));
    assert.equal(ex.message, 'Validation failed');
    assert.deepEqual(ex.errors.map((e) => [e.field, e.code]), [['message', 'length'], ['roomId', 'length']]);
    assert.deepEqual(ex.cause, { pattern: 'chat/send', data: { roomId: 'x'.repeat(65), message: 'y'.repeat(2001) } });
    for (const [event, payload] of [['join', { roomId: '' }], ['leave', { roomId: '' }], ['typing', { roomId: 'z'.repeat(65) }], ['history', { roomId: '' }]]) {
      a.emit(event, payload);
      assertNamesField(assertException(await once(a, 'exception')), 'roomId', 'length', event);
    }
    await join(a, r);
    assert.deepEqual(await emitWithAck(a, 'chat/send', { roomId: r, message: 'ok' }), { ok: true });
  });

  test('chat/clear: admin empties the history and the room gets cleared; others get Forbidden resource', async () => {
    const r = room();
    const admin = await chatClient(undefined, 'admin');
    const user = await chatClient();
    await join(admin, r);
    await join(user, r);
    assert.deepEqual(await emitWithAck(user, 'chat/send', { roomId: r, message: 'keep me?' }), { ok: true });

    user.emit('chat/clear', { roomId: r });
    const ex = assertException(await once(user, 'exception'));
    assert.equal(ex.message, 'Forbidden resource');
    assert.equal(ex.cause.pattern, 'chat/clear');
    assert.equal((await emitWithAck(user, 'history', { roomId: r })).length, 1);

    admin.emit('chat/clear', { roomId: r });
    assert.deepEqual(await once(user, 'cleared'), [{ roomId: r }]);
    assert.deepEqual(await once(admin, 'cleared'), [{ roomId: r }]);
    assert.deepEqual(await emitWithAck(user, 'history', { roomId: r }), []);
  });

  test('chat/clear asks every client of the room to confirm (2 s) and acks {cleared, confirmed, timedOut}', async () => {
    const r = room();
    const admin = await chatClient(undefined, 'admin');
    const answers = await chatClient();
    const silent = await chatClient();
    const outsider = await chatClient();
    for (const s of [admin, answers, silent]) await join(s, r);
    for (const message of ['one', 'two']) {
      assert.deepEqual(await emitWithAck(answers, 'chat/send', { roomId: r, message }), { ok: true });
    }

    const cleared = emitWithAckTimeout(admin, 6000, 'chat/clear', { roomId: r });
    // The admin and `answers` confirm at once; `silent` takes the question and never answers.
    for (const s of [admin, answers]) {
      const args = await once(s, 'confirm-clear');
      const ack = args.pop();
      assert.equal(typeof ack, 'function', 'confirm-clear asks for an ack');
      assert.deepEqual(args, [{ roomId: r }]);
      ack(true);
    }
    const args = await once(silent, 'confirm-clear');
    assert.equal(typeof args.pop(), 'function', 'confirm-clear asks for an ack');
    assert.deepEqual(await cleared, { cleared: 2, confirmed: 2, timedOut: 1 });
    await expectNothing(outsider, 'confirm-clear', 0);
    assert.deepEqual(await emitWithAck(answers, 'history', { roomId: r }), []);
  });

  test('100 chat/send emitted back to back reach the room in the order sent', async () => {
    const r = room();
    const a = await chatClient();
    const b = await chatClient();
    await join(a, r);
    await join(b, r);
    const n = 100;
    for (let i = 0; i < n; i++) a.emit('chat/send', { roomId: r, message: `m${i}` });
    const got = (await collect(b, 'chat/receive', n, 10_000)).map(([m]) => m.message);
    assert.deepEqual(got, Array.from({ length: n }, (_, i) => `m${i}`));
  });
});

describe('namespaces /teams/{team} (TeamGateway)', SUITE, () => {
  test('connecting to /teams/red greets with team red', async () => {
    const s = await connect(DEMO_URL, '/teams/red');
    assert.deepEqual(await once(s, 'team'), [{ team: 'red' }]);
  });

  test('team name comes from the namespace', async () => {
    const name = `t${uniqueSuffix()}`;
    const s = await connect(DEMO_URL, `/teams/${name}`);
    assert.deepEqual(await once(s, 'team'), [{ team: name }]);
  });

  test('shout reaches the whole team namespace, sender included, and no other team', async () => {
    const red = `red${uniqueSuffix()}`;
    const blue = `blue${uniqueSuffix()}`;
    const a = await connect(DEMO_URL, `/teams/${red}`);
    const b = await connect(DEMO_URL, `/teams/${red}`);
    const c = await connect(DEMO_URL, `/teams/${blue}`);
    for (const [s, team] of [[a, red], [b, red], [c, blue]]) {
      assert.deepEqual(await once(s, 'team'), [{ team }]);
    }

    a.emit('shout', 'go red');
    for (const s of [a, b]) {
      assert.deepEqual(await once(s, 'shout'), [{ from: a.id, text: 'go red' }]);
    }
    await expectNothing(c, 'shout');

    c.emit('shout', 'go blue');
    assert.deepEqual(await once(c, 'shout'), [{ from: c.id, text: 'go blue' }]);
    await expectNothing(a, 'shout');
    await expectNothing(b, 'shout');
  });

  test('literal red and blue teams are isolated', async () => {
    const a = await connect(DEMO_URL, '/teams/red');
    const c = await connect(DEMO_URL, '/teams/blue');
    assert.deepEqual(await once(c, 'team'), [{ team: 'blue' }]);
    a.emit('shout', 'red only');
    assert.deepEqual(await once(a, 'shout'), [{ from: a.id, text: 'red only' }]);
    await expectNothing(c, 'shout');
  });
});

// ---------------------------------------------------------------------------

describe('notifications listener, namespace /notifications', SUITE, () => {
  test('tick arrives about once a second with {at}', async () => {
    const s = await connect(NOTIFY_URL, '/notifications');
    const [first] = await once(s, 'tick', 2500);
    assert.deepEqual(Object.keys(first ?? {}), ['at'], `tick payload: ${JSON.stringify(first)}`);
    assertUnixMs(first.at, 'tick.at');
    const [second] = await once(s, 'tick', 2500);
    assert.deepEqual(Object.keys(second ?? {}), ['at']);
    assertUnixMs(second.at, 'tick.at');
    assert.ok(second.at > first.at, `ticks should move forward: ${first.at} then ${second.at}`);
  });

  test('every client gets ticks', async () => {
    const a = await connect(NOTIFY_URL, '/notifications');
    const b = await connect(NOTIFY_URL, '/notifications');
    const [[ta], [tb]] = await Promise.all([once(a, 'tick', 2500), once(b, 'tick', 2500)]);
    assertUnixMs(ta.at);
    assertUnixMs(tb.at);
  });

  test('subscribe acks {subscribed: topic}', async () => {
    const s = await connect(NOTIFY_URL, '/notifications');
    for (const topic of ['news', `topic-${uniqueSuffix()}`]) {
      assert.deepEqual(await emitWithAck(s, 'subscribe', topic), { subscribed: topic });
    }
  });
});

// ---------------------------------------------------------------------------

describe('unknown namespaces', SUITE, () => {
  test('/nope is refused with "Invalid namespace"', async () => {
    await assert.rejects(connect(DEMO_URL, '/nope'), (err) => {
      assert.ok(err instanceof Error, `expected an Error, got ${err}`);
      assert.equal(err.message, 'Invalid namespace');
      return true;
    });
  });

  test('/nope is refused over polling too', async () => {
    await assert.rejects(connect(DEMO_URL, '/nope', { transports: ['polling'] }), {
      message: 'Invalid namespace',
    });
  });
});

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

import {
  closeAll,
  collect,
  connect,
  emitWithAck,
  expectNothing,
  initialTransport,
  once,
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

/** Connects to /chat and consumes the socket's own `welcome`. */
async function chatClient(opts) {
  const s = await connect(DEMO_URL, '/chat', opts);
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
    const s = await connect(DEMO_URL, '/chat');
    assertSocketId(s.id, 'socket.id');
    assert.deepEqual(await once(s, 'welcome'), [{ id: s.id }]);
    await expectNothing(s, 'welcome');
  });

  test('welcome also arrives over the default polling transport', async () => {
    const s = await connect(DEMO_URL, '/chat', { transports: ['polling', 'websocket'] });
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
      assert.deepEqual(msg, { roomId: r, message: 'hello room', from: a.id, at: msg.at }, who);
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
      assert.deepEqual(msg, { roomId: r, message: 'no ack wanted', from: a.id, at: msg.at });
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
    assert.deepEqual(msg, { roomId: r, message: 'from outside', from: sender.id, at: msg.at });
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
    assert.deepEqual(await once(b, 'typing'), [{ roomId: r, from: a.id }]);
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
      assert.deepEqual(msg, { roomId: r, message: 'still works', from: a.id, at: msg.at });
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

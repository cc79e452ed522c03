// End-to-end tests of the purpose-built test gateways of tests/tests/gateways_e2e.rs, from
// outside, with the official socket.io-client. Run by `cargo test -p gateway-tests --test
// gateways_e2e`, which starts the applications in-process and sets:
//
//   MAIN_URL     the E2eModule application's main listener (/returns, /errors, /params, /chat,
//                /rooms/{room}, regex ^/dyn-\d+$, /slow, /strict)
//   SHARED_URL   its declared port 4101 (/alpha and /beta, two gateways sharing one server)
//   OTHER_URL    its declared port 4102 (/other)
//   CORS_URL     its declared port 4103 (/cors, cors(origin = ["http://allowed.test"], credentials))
//   SEED_URL     its declared port 4104 (NestJS's seed regex /\/*.+/, every path and `/` too)
//   OPTIONS_URL  its declared port 4105 (/options: path /custom-io, websocket only, pings every
//                300 ms, max_payload 2000 bytes)
//   LIFECYCLE_URL  the LifecycleModule application (/lifecycle); the Rust side checks the hooks
//
// The sections of the application that is not given are skipped.
//
// Expected wire behaviour: NEST-SEMANTICS.md. Tests marked "FRAMEWORK BUG" or "NEST MISMATCH"
// check NestJS's behaviour where the framework was found to differ.

import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  closeAll,
  collect,
  connect,
  emitWithAck,
  emitWithAckTimeout,
  expectNothing,
  NOTHING_MS,
  once,
  onceDisconnected,
  onceMatching,
  uniqueSuffix,
} from './lib/client.mjs';
import {
  assertExceptionIs,
  closeLogged,
  expectNoAck,
  expectNoAckWithin,
  fetchBounded,
  openLogged,
  RawPolling,
} from './lib/gateways-helpers.mjs';
import { openLatch } from './lib/latch.mjs';

const { MAIN_URL, SHARED_URL, OTHER_URL, CORS_URL, SEED_URL, OPTIONS_URL, LIFECYCLE_URL } = process.env;
if (!MAIN_URL && !LIFECYCLE_URL) {
  throw new Error('set MAIN_URL (+ SHARED_URL, OTHER_URL, CORS_URL) or LIFECYCLE_URL: run it from cargo test --test gateways_e2e');
}
if (MAIN_URL && !(SHARED_URL && OTHER_URL && CORS_URL && SEED_URL && OPTIONS_URL)) {
  throw new Error('MAIN_URL needs SHARED_URL, OTHER_URL, CORS_URL, SEED_URL and OPTIONS_URL too');
}

/** Backstop per section; every wait inside is bounded far below this. */
const MAIN = { timeout: 30_000, skip: MAIN_URL ? false : 'MAIN_URL not set (lifecycle run)' };
const LIFECYCLE = { timeout: 30_000, skip: LIFECYCLE_URL ? false : 'LIFECYCLE_URL not set (main run)' };

afterEach(() => {
  closeAll();
  closeLogged();
});

/** The exact `exception` payload of a message exception (NEST-SEMANTICS.md). */
const wsError = (message, pattern, data) => ({ status: 'error', message, cause: { pattern, data } });
/** NestJS's `cause` when the client sent no payload: `data` is undefined, so absent in JSON. */
const wsErrorNoData = (message, pattern) => ({ status: 'error', message, cause: { pattern } });
const internal = (pattern, data) => wsError('Internal server error', pattern, data);

/**
 * Asserts that, after `ms`, nothing at all (no event of any name) has reached the logged
 * socket beyond `log[from..]`.
 */
async function expectSilence(logged, from = 0, ms = NOTHING_MS) {
  await new Promise((r) => setTimeout(r, ms));
  assert.deepEqual(logged.log.slice(from), [], 'nothing should have arrived');
}

/** Asserts a "Validation failed" exception for `pattern` naming `field` with `code`. */
function assertValidation(args, pattern, field, code) {
  assert.equal(args.length, 1, JSON.stringify(args));
  const [ex] = args;
  assert.equal(ex?.status, 'error', JSON.stringify(ex));
  assert.equal(ex.message, 'Validation failed', JSON.stringify(ex));
  assert.equal(ex.cause?.pattern, pattern, JSON.stringify(ex));
  assert.ok(Array.isArray(ex.errors) && ex.errors.length > 0, JSON.stringify(ex));
  if (field !== undefined) {
    const e = ex.errors.find((e) => e.field === field);
    assert.ok(e, `errors should name ${JSON.stringify(field)}: ${JSON.stringify(ex)}`);
    if (code) assert.equal(e.code, code, JSON.stringify(e));
  }
  return ex;
}

/** connect() must be refused with socket.io's "Invalid namespace". */
async function assertInvalidNamespace(url, nsp, opts) {
  await assert.rejects(connect(url, nsp, opts), (err) => {
    assert.equal(err?.message, 'Invalid namespace', `${url}${nsp}: ${err?.message ?? err}`);
    return true;
  });
}

// =============================================================================================

describe('return forms (/returns)', MAIN, () => {
  test('a plain value is acked as it is: 0, false and "" included', async () => {
    const s = await connect(MAIN_URL, '/returns');
    const values = [0, false, '', 'text', 42, -1.5, true, { a: [1, { b: null }] }, ['x', 2], []];
    for (const v of values) {
      assert.deepEqual(await emitWithAck(s, 'echo', v), v, `echo(${JSON.stringify(v)})`);
    }
    assert.strictEqual(await emitWithAck(s, 'zero'), 0);
    assert.strictEqual(await emitWithAck(s, 'false'), false);
    assert.strictEqual(await emitWithAck(s, 'empty-string'), '');
    assert.deepEqual(await emitWithAck(s, 'summary'), { name: 'summary', count: 3, tags: ['a', 'b'] });
    await expectNothing(s, 'exception');
  });

  test('a plain value without an ack callback: nothing arrives', async () => {
    const l = await openLogged(MAIN_URL, '/returns');
    l.socket.emit('echo', 'no ack wanted');
    l.socket.emit('zero');
    l.socket.emit('summary', {});
    await expectSilence(l);
  });

  test('() sends nothing, with or without an ack callback', async () => {
    const l = await openLogged(MAIN_URL, '/returns');
    l.socket.emit('unit', { a: 1 });
    await expectNoAck(l.socket, 'unit', { a: 2 });
    await expectSilence(l);
  });

  test('Option: Some is acked (Some(0) too), None sends nothing', async () => {
    const l = await openLogged(MAIN_URL, '/returns');
    assert.strictEqual(await emitWithAck(l.socket, 'option', 5), 5);
    assert.strictEqual(await emitWithAck(l.socket, 'option', 0), 0);
    await expectNoAck(l.socket, 'option', -1);
    await expectSilence(l);
  });

  test('WsResponse: emitted as its event, the ack callback is NOT called', async () => {
    const s = await connect(MAIN_URL, '/returns');
    await expectNoAckWithin(s, 300, 'response', { x: 1 });
    assert.deepEqual(await once(s, 'response-event'), [{ got: { x: 1 } }]);
    s.emit('response', 2);
    assert.deepEqual(await once(s, 'response-event'), [{ got: 2 }]);
    await expectNothing(s, 'response-event');
    await expectNothing(s, 'exception');
  });

  test('a Stream of WsResponse: every item, in order, no ack', async () => {
    const l = await openLogged(MAIN_URL, '/returns');
    l.emitLogged('stream', 6);
    await l.waitFor((e) => e.kind === 'event' && e.args[0] === 6);
    await expectSilence(l, 6);
    assert.deepEqual(
      l.log.map((e) => [e.kind, e.name, ...e.args]),
      [
        ['event', 'item-odd', 1],
        ['event', 'item-even', 2],
        ['event', 'item-odd', 3],
        ['event', 'item-even', 4],
        ['event', 'item-odd', 5],
        ['event', 'item-even', 6],
      ],
    );
  });

  test('an empty stream sends nothing', async () => {
    const l = await openLogged(MAIN_URL, '/returns');
    l.emitLogged('empty-stream');
    await expectSilence(l);
  });

  test('sync handlers: value, 0, (), Option, WsResponse, stream', async () => {
    const s = await connect(MAIN_URL, '/returns');
    assert.equal(await emitWithAck(s, 'sync-value', 'x'), 'sync:x');
    assert.strictEqual(await emitWithAck(s, 'sync-zero'), 0);
    await expectNoAck(s, 'sync-unit');
    assert.strictEqual(await emitWithAck(s, 'sync-option', true), false);
    await expectNoAck(s, 'sync-option', false);
    await expectNoAck(s, 'sync-response');
    assert.deepEqual(await once(s, 'sync-response-event'), ['from sync']);
    s.emit('sync-stream');
    assert.deepEqual(await collect(s, 'sync-item', 3), [[1], [2], [3]]);
    await expectNothing(s, 'sync-item');
    await expectNothing(s, 'exception');
  });
});

// =============================================================================================

describe('errors (/errors)', MAIN, () => {
  test('WsException("test") on "push" with {test:"test"}: NestJS error-gateway payload exactly', async () => {
    const s = await connect(MAIN_URL, '/errors');
    s.emit('push', { test: 'test' });
    assertExceptionIs(await once(s, 'exception'), {
      status: 'error',
      message: 'test',
      cause: { pattern: 'push', data: { test: 'test' } },
    });
    await expectNothing(s, 'exception');
    assert.ok(s.connected);
  });

  test('on error the ack callback is never called', async () => {
    const s = await connect(MAIN_URL, '/errors');
    await expectNoAckWithin(s, 300, 'push', { test: 'test' });
    assertExceptionIs(await once(s, 'exception'), wsError('test', 'push', { test: 'test' }));
    await expectNoAck(s, 'boom', 1);
    assertExceptionIs(await once(s, 'exception'), internal('boom', 1));
    await expectNoAck(s, 'panic', 1);
    assertExceptionIs(await once(s, 'exception'), internal('panic', 1));
  });

  test('several arguments: cause.data is the array of them', async () => {
    const s = await connect(MAIN_URL, '/errors');
    s.emit('push', 1, 'two', { three: 3 });
    assertExceptionIs(await once(s, 'exception'), wsError('test', 'push', [1, 'two', { three: 3 }]));
  });

  test('WsException::object({code:42}): the object as it is', async () => {
    const s = await connect(MAIN_URL, '/errors');
    s.emit('object', { any: 'thing' });
    assertExceptionIs(await once(s, 'exception'), { code: 42 });
  });

  test('any other error: "Internal server error" with the cause', async () => {
    const s = await connect(MAIN_URL, '/errors');
    s.emit('boom', { a: 1 });
    assertExceptionIs(await once(s, 'exception'), internal('boom', { a: 1 }));
    s.emit('io-error', 'x');
    assertExceptionIs(await once(s, 'exception'), internal('io-error', 'x'));
  });

  test('a WsException boxed into a BoxError is still sent as a WsException', async () => {
    const s = await connect(MAIN_URL, '/errors');
    s.emit('boxed-exception', 7);
    assertExceptionIs(await once(s, 'exception'), wsError('boxed', 'boxed-exception', 7));
  });

  test('a panicking handler: "Internal server error", the socket stays connected and usable', async () => {
    const s = await connect(MAIN_URL, '/errors');
    for (let i = 0; i < 3; i++) {
      s.emit('panic', { round: i });
      assertExceptionIs(await once(s, 'exception'), internal('panic', { round: i }));
      assert.ok(s.connected, 'still connected after a panic');
      assert.deepEqual(await emitWithAck(s, 'ok', i), { ok: i }, 'still answering after a panic');
    }
    s.emit('sync-panic', 'p');
    assertExceptionIs(await once(s, 'exception'), internal('sync-panic', 'p'));
    assert.ok(s.connected);
    assert.strictEqual(await emitWithAck(s, 'ok-zero'), 0);
  });

  test('Result Ok: as the value (Ok(0) acked, Ok(WsResponse) emitted, Ok(None) / Ok(()) nothing)', async () => {
    const l = await openLogged(MAIN_URL, '/errors');
    const s = l.socket;
    assert.deepEqual(await emitWithAck(s, 'ok', { v: 1 }), { ok: { v: 1 } });
    assert.strictEqual(await emitWithAck(s, 'ok-zero'), 0);
    assert.strictEqual(await emitWithAck(s, 'sync-ok'), false);
    const before = l.log.length;
    await expectNoAckWithin(s, 300, 'ok-response');
    await expectNoAck(s, 'ok-none');
    await expectNoAck(s, 'ok-unit');
    assert.deepEqual(l.log.slice(before), [{ kind: 'event', name: 'ok-response-event', args: [{ ok: true }] }]);
  });

  test('sync handlers: WsException and other errors', async () => {
    const s = await connect(MAIN_URL, '/errors');
    s.emit('sync-push', 'p');
    assertExceptionIs(await once(s, 'exception'), wsError('sync test', 'sync-push', 'p'));
    s.emit('sync-boom', ['a']);
    assertExceptionIs(await once(s, 'exception'), internal('sync-boom', ['a']));
    assert.ok(s.connected);
  });

  // NEST MISMATCH (if it fails): with no payload, NestJS's data is `undefined` (rxjs fromEvent
  // gives args[0]), which JSON drops: cause is {"pattern":"push"} with no "data" key.
  test('no payload: cause has the pattern and no data, as NestJS sends it', async () => {
    const s = await connect(MAIN_URL, '/errors');
    s.emit('push');
    assertExceptionIs(await once(s, 'exception'), wsErrorNoData('test', 'push'));
    s.emit('boom', () => {});
    assertExceptionIs(await once(s, 'exception'), wsErrorNoData('Internal server error', 'boom'));
  });
});

// =============================================================================================

describe('parameters (/params)', MAIN, () => {
  test('#[message_body] struct', async () => {
    const s = await connect(MAIN_URL, '/params');
    assert.deepEqual(await emitWithAck(s, 'point', { x: 2, y: 3 }), { x: 2, y: 3, sum: 5 });
    assert.deepEqual(await emitWithAck(s, 'point', { y: -1, x: 1, extra: 'ignored' }), { x: 1, y: -1, sum: 0 });
  });

  test('a tuple body takes several client arguments: emit("tuple", 1, "a", cb)', async () => {
    const s = await connect(MAIN_URL, '/params');
    assert.deepEqual(await emitWithAck(s, 'tuple', 1, 'a'), { n: 1, s: 'a' });
    assert.deepEqual(await emitWithAck(s, 'tuple', -7, ''), { n: -7, s: '' });
    s.emit('tuple', 'a', 1);
    assertValidation(await once(s, 'exception'), 'tuple');
  });

  test('#[message_body("name")] picks one property', async () => {
    const s = await connect(MAIN_URL, '/params');
    assert.equal(await emitWithAck(s, 'prop', { name: 'ann', other: 1 }), 'ann');
    assert.deepEqual(await emitWithAck(s, 'prop-opt', { name: 'bob' }), { name: 'bob' });
    assert.deepEqual(await emitWithAck(s, 'prop-opt', { other: 1 }), { name: null });
    s.emit('prop', { other: 'no name' });
    assertValidation(await once(s, 'exception'), 'prop', 'name', 'required');
  });

  test('AckSender: the manual value is acked, the return value is not', async () => {
    const s = await connect(MAIN_URL, '/params');
    assert.deepEqual(await emitWithAck(s, 'manual', 7), { manual: 7 });
    assert.deepEqual(await once(s, 'manual-requested'), [true]);
  });

  test('AckSender sent after the handler returned: the client gets the manual value', async () => {
    const s = await connect(MAIN_URL, '/params');
    assert.deepEqual(await emitWithAckTimeout(s, 2000, 'manual-later', 'v'), { later: 'v' });
  });

  test('AckSender taken and never used: no ack, even though the handler returns a value', async () => {
    const s = await connect(MAIN_URL, '/params');
    await expectNoAckWithin(s, 500, 'manual-never');
    await expectNothing(s, 'exception');
  });

  test('AckSender without an ack callback: requested() is false, nothing is sent', async () => {
    const l = await openLogged(MAIN_URL, '/params');
    l.socket.emit('manual', 1);
    await l.waitFor((e) => e.name === 'manual-requested');
    await expectSilence(l, 1);
    assert.deepEqual(l.log, [{ kind: 'event', name: 'manual-requested', args: [false] }]);
  });

  test('a handler with no body: called with no payload, a payload, several arguments', async () => {
    const s = await connect(MAIN_URL, '/params');
    assert.equal(await emitWithAck(s, 'nobody'), 'no body needed');
    assert.equal(await emitWithAck(s, 'nobody', { any: 'payload' }), 'no body needed');
    assert.equal(await emitWithAck(s, 'nobody', null), 'no body needed');
    assert.equal(await emitWithAck(s, 'nobody', 1, 'two', [3]), 'no body needed');
    await expectNothing(s, 'exception');
  });

  test('#[connected_socket]: the client socket', async () => {
    const s = await connect(MAIN_URL, '/params');
    assert.deepEqual(await emitWithAck(s, 'socket'), { id: s.id, ns: '/params' });
  });
});

// =============================================================================================

describe('namespaces', MAIN, () => {
  test('namespace = "chat" (no slash) is served at /chat', async () => {
    const s = await connect(MAIN_URL, '/chat');
    assert.equal(await emitWithAck(s, 'where'), '/chat');
    await assertInvalidNamespace(MAIN_URL, '/chat/x');
  });

  test('pattern /rooms/{room}: NsParams and socket.ns_param', async () => {
    const room = `r${uniqueSuffix()}`;
    const s = await connect(MAIN_URL, `/rooms/${room}`);
    assert.deepEqual(await once(s, 'room'), [{ room }]);
    assert.deepEqual(await emitWithAck(s, 'which'), { room, ns: `/rooms/${room}`, param: room });
    const t = await connect(MAIN_URL, '/rooms/other', { transports: ['polling'] });
    assert.deepEqual(await once(t, 'room'), [{ room: 'other' }]);
    assert.deepEqual(await emitWithAck(t, 'which'), { room: 'other', ns: '/rooms/other', param: 'other' });
  });

  test('pattern: paths that do not fit are refused', async () => {
    await assertInvalidNamespace(MAIN_URL, '/rooms');
    await assertInvalidNamespace(MAIN_URL, '/rooms/a/b');
  });

  test('regex ^/dyn-\\d+$: /dyn-1 and /dyn-22 connect, /dyn-x is refused', async () => {
    const one = await connect(MAIN_URL, '/dyn-1');
    assert.equal(await emitWithAck(one, 'where'), '/dyn-1');
    const two = await connect(MAIN_URL, '/dyn-22', { transports: ['polling'] });
    assert.equal(await emitWithAck(two, 'where'), '/dyn-22');
    await assertInvalidNamespace(MAIN_URL, '/dyn-x');
    await assertInvalidNamespace(MAIN_URL, '/dyn-x', { transports: ['polling'] });
    await assertInvalidNamespace(MAIN_URL, '/dyn-1/more');
    await assertInvalidNamespace(MAIN_URL, '/dyn-');
  });

  test('WsServer of a regex gateway: emit reaches every matching namespace, no other', async () => {
    const d1 = await connect(MAIN_URL, '/dyn-31');
    const d2 = await connect(MAIN_URL, '/dyn-32');
    const d2b = await connect(MAIN_URL, '/dyn-32', { transports: ['polling'] });
    const room = await connect(MAIN_URL, `/rooms/r${uniqueSuffix()}`);
    const chat = await connect(MAIN_URL, '/chat');
    await assertInvalidNamespace(MAIN_URL, '/dyn-nope');
    assert.equal(await emitWithAck(d1, 'to-all', 'dyn news'), true);
    for (const s of [d1, d2, d2b]) assert.deepEqual(await once(s, 'dyn-all'), ['dyn news']);
    await expectNothing(room, 'dyn-all');
    await expectNothing(chat, 'dyn-all');
    await expectNothing(d1, 'dyn-all');
  });

  test('server options: path, transports, ping_interval and max_payload reach socket.io', async () => {
    const opts = { path: '/custom-io' };
    const s = await connect(OPTIONS_URL, '/options', opts);
    assert.equal(await emitWithAck(s, 'size', 'x'.repeat(100)), 100);
    // Pings every 300 ms (socket.io's default is 25 s): three arrive well within 3 s.
    let pings = 0;
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${pings} pings in 3 s`)), 3000);
      s.io.engine.on('ping', () => {
        if (++pings === 3) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    // Not on the default path, and not over polling.
    await assert.rejects(connect(OPTIONS_URL, '/options', { connectTimeoutMs: 2000 }));
    await assert.rejects(connect(OPTIONS_URL, '/options', { ...opts, transports: ['polling'], connectTimeoutMs: 2000 }));
    // A packet over max_payload closes that client's connection, and no other's.
    const other = await connect(OPTIONS_URL, '/options', opts);
    const gone = onceDisconnected(s);
    s.emit('size', 'x'.repeat(5000));
    assert.equal(await gone, 'transport close');
    assert.equal(await emitWithAck(other, 'size', 'still here'), 10);
  });

  test("NestJS's seed regex /\\/*.+/ serves every namespace, / included", async () => {
    for (const ns of ['/', '/anything', '/a/b']) {
      const s = await connect(SEED_URL, ns);
      assert.equal(await emitWithAck(s, 'where'), ns, `connected to ${ns}`);
    }
    const polling = await connect(SEED_URL, '/', { transports: ['polling'] });
    assert.equal(await emitWithAck(polling, 'where'), '/');
  });

  // The Rust side checks that the held `echo` messages were never handled. The hook waits on
  // its latch, released only after the messages were sent: they reach it while it runs.
  test('a failing or panicking handle_connection: exception, then disconnected; messages sent meanwhile are not handled', async () => {
    for (const how of ['error', 'panic']) {
      const latch = await openLatch(MAIN_URL);
      const s = await connect(MAIN_URL, `/hook-fails/${how}`, { manager: latch.manager });
      const gone = onceDisconnected(s);
      for (let i = 0; i < 3; i++) s.emit('echo', `too early ${i}`);
      await latch.release(s);
      const [payload] = await once(s, 'exception');
      const message = how === 'error' ? 'not today' : 'Internal server error';
      assert.deepEqual(payload, wsErrorNoData(message, 'connection'), how);
      assert.equal(await gone, 'io server disconnect', how);
    }
  });

  test('an unknown namespace is refused with "Invalid namespace"', async () => {
    await assertInvalidNamespace(MAIN_URL, '/nope');
    await assertInvalidNamespace(MAIN_URL, '/nope', { transports: ['polling'] });
  });

  test('WsServer of a pattern gateway: emit reaches every /rooms/*, of(path) only that one', async () => {
    const a = `a${uniqueSuffix()}`;
    const b = `b${uniqueSuffix()}`;
    const a1 = await connect(MAIN_URL, `/rooms/${a}`);
    const a2 = await connect(MAIN_URL, `/rooms/${a}`);
    const b1 = await connect(MAIN_URL, `/rooms/${b}`);
    const chat = await connect(MAIN_URL, '/chat');
    const dyn = await connect(MAIN_URL, '/dyn-7');
    for (const s of [a1, a2, b1]) await once(s, 'room');

    assert.equal(await emitWithAck(a1, 'to-all', 'hello all'), true);
    for (const s of [a1, a2, b1]) assert.deepEqual(await once(s, 'all'), ['hello all']);
    await expectNothing(chat, 'all');
    await expectNothing(dyn, 'all');

    assert.equal(await emitWithAck(a1, 'to-room', b, 'psst'), true);
    assert.deepEqual(await once(b1, 'only'), ['psst']);
    await expectNothing(a1, 'only');
    await expectNothing(a2, 'only');

    assert.equal(await emitWithAck(b1, 'to-room', a, 'back'), true);
    assert.deepEqual(await once(a1, 'only'), ['back']);
    assert.deepEqual(await once(a2, 'only'), ['back']);
    await expectNothing(b1, 'only');

    assert.equal(await emitWithAck(a1, 'has', `/rooms/${a}`), true);
    assert.equal(await emitWithAck(a1, 'has', '/chat'), false, 'server.of() of another gateway');
    assert.equal(await emitWithAck(a1, 'has', '/dyn-7'), false, 'server.of() of another gateway');
    assert.equal(await emitWithAck(a1, 'to-room', 'no/such', 'x'), false);
  });
});

// =============================================================================================

describe('handle_connection before messages (/slow)', MAIN, () => {
  for (const transports of [['websocket'], ['polling']]) {
    test(`a message sent right on connect is handled after handle_connection (${transports})`, async () => {
      // handle_connection waits on its latch: the ping reaches the server while it runs.
      const latch = await openLatch(MAIN_URL, { transports });
      const l = await openLogged(MAIN_URL, '/slow', ({ emitLogged }) => emitLogged('ping', 1), {
        manager: latch.manager,
      });
      assert.deepEqual(l.log, [], 'nothing before the hook is released');
      await latch.release(l.socket);
      const ack = await l.waitFor((e) => e.kind === 'ack' && e.name === 'ping');
      const ready = await l.waitFor((e) => e.kind === 'event' && e.name === 'ready');
      assert.ok(ready < ack, `"ready" should arrive before the reply: ${JSON.stringify(l.log)}`);
      assert.deepEqual(l.log[ack].args, [{ pong: 1, connectionDone: true }]);
      assert.deepEqual(l.log[ready].args, [{ ready: true }]);
    });
  }
});

// =============================================================================================

describe('ports', MAIN, () => {
  test('two gateways on one declared port share one server', async () => {
    const alpha = await connect(SHARED_URL, '/alpha');
    const beta = await connect(SHARED_URL, '/beta');
    assert.equal(await emitWithAck(alpha, 'who'), 'alpha');
    assert.equal(await emitWithAck(beta, 'who'), 'beta');
  });

  test('both namespaces over one engine.io connection (one socket.io server)', async () => {
    const alpha = await connect(SHARED_URL, '/alpha', { forceNew: false });
    const beta = await connect(SHARED_URL, '/beta', { forceNew: false });
    assert.equal(alpha.io, beta.io, 'one Manager, multiplexed');
    assert.equal(await emitWithAck(alpha, 'who'), 'alpha');
    assert.equal(await emitWithAck(beta, 'who'), 'beta');
  });

  test('a gateway on another port is reachable only there', async () => {
    const other = await connect(OTHER_URL, '/other');
    assert.equal(await emitWithAck(other, 'who'), 'other');
    await assertInvalidNamespace(MAIN_URL, '/other');
    await assertInvalidNamespace(SHARED_URL, '/other');
    await assertInvalidNamespace(CORS_URL, '/other');
  });

  test('each listener serves only its own gateways', async () => {
    for (const nsp of ['/alpha', '/beta']) {
      await assertInvalidNamespace(MAIN_URL, nsp);
      await assertInvalidNamespace(OTHER_URL, nsp);
    }
    for (const nsp of ['/chat', '/returns', '/rooms/x', '/dyn-1']) {
      await assertInvalidNamespace(SHARED_URL, nsp);
      await assertInvalidNamespace(OTHER_URL, nsp);
    }
    await assertInvalidNamespace(MAIN_URL, '/cors');
  });
});

// =============================================================================================

const ALLOWED = 'http://allowed.test';
const EVIL = 'http://evil.test';
const HANDSHAKE = '/socket.io/?EIO=4&transport=polling';

describe('CORS', MAIN, () => {
  test('raw polling handshake: allowed origin gets 200 and the CORS headers', async () => {
    const res = await fetchBounded(`${CORS_URL}${HANDSHAKE}`, { headers: { Origin: ALLOWED } });
    const body = await res.text();
    assert.equal(res.status, 200, body);
    assert.match(body, /^0\{/, 'an engine.io open packet');
    assert.equal(res.headers.get('access-control-allow-origin'), ALLOWED);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
  });

  test('raw polling handshake: another origin gets 403', async () => {
    const res = await fetchBounded(`${CORS_URL}${HANDSHAKE}`, { headers: { Origin: EVIL } });
    const body = await res.text();
    assert.equal(res.status, 403, body);
    assert.doesNotMatch(body, /^0\{/);
    assert.notEqual(res.headers.get('access-control-allow-origin'), EVIL);
  });

  test('raw polling handshake without an Origin (not a browser) is served', async () => {
    const res = await fetchBounded(`${CORS_URL}${HANDSHAKE}`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^0\{/);
  });

  test('preflight from the allowed origin is answered with the CORS headers', async () => {
    const res = await fetchBounded(`${CORS_URL}${HANDSHAKE}`, {
      method: 'OPTIONS',
      headers: { Origin: ALLOWED, 'Access-Control-Request-Method': 'POST' },
    });
    await res.arrayBuffer();
    assert.ok(res.status >= 200 && res.status < 300, `status ${res.status}`);
    assert.equal(res.headers.get('access-control-allow-origin'), ALLOWED);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
  });

  for (const transports of [['polling'], ['websocket']]) {
    test(`socket.io-client (${transports}) with Origin ${ALLOWED}: connects`, async () => {
      const s = await connect(CORS_URL, '/cors', { transports, extraHeaders: { Origin: ALLOWED } });
      assert.equal(s.io.engine.transport.name, transports[0]);
      assert.equal(await emitWithAck(s, 'who'), 'cors');
    });

    test(`socket.io-client (${transports}) with Origin ${EVIL}: refused`, async () => {
      await assert.rejects(
        connect(CORS_URL, '/cors', { transports, extraHeaders: { Origin: EVIL } }),
        (err) => {
          assert.ok(err instanceof Error, String(err));
          assert.match(err.message, transports[0] === 'polling' ? /xhr poll error/ : /websocket error/);
          if (transports[0] === 'polling') assert.equal(err.description, 403, 'the HTTP status');
          return true;
        },
      );
    });
  }

  test('listeners without a cors option refuse no origin', async () => {
    for (const url of [MAIN_URL, SHARED_URL, OTHER_URL]) {
      const res = await fetchBounded(`${url}${HANDSHAKE}`, { headers: { Origin: EVIL } });
      assert.equal(res.status, 200, url);
      assert.match(await res.text(), /^0\{/);
    }
    for (const transports of [['polling'], ['websocket']]) {
      const s = await connect(MAIN_URL, '/chat', { transports, extraHeaders: { Origin: EVIL } });
      assert.equal(await emitWithAck(s, 'where'), '/chat');
      const o = await connect(OTHER_URL, '/other', { transports, extraHeaders: { Origin: EVIL } });
      assert.equal(await emitWithAck(o, 'who'), 'other');
    }
  });
});

// =============================================================================================

describe('bad input never disconnects other clients (/strict)', MAIN, () => {
  /** `bystander` answers, and is still connected. */
  async function stillServes(bystander, n) {
    assert.ok(bystander.connected, 'the other client is still connected');
    assert.strictEqual(await emitWithAck(bystander, 'ping', n), n);
  }

  test('wrong types, missing payloads, odd shapes: an exception each, both stay connected', async () => {
    const bad = await connect(MAIN_URL, '/strict');
    const good = await connect(MAIN_URL, '/strict');
    const cases = [
      ['point', 42],
      ['point', 'a string'],
      ['point'],
      ['point', null],
      ['point', { x: 'one', y: 2 }],
      ['point', { x: 1 }],
      // (A full array [1, 2] is a valid Point for serde: structs deserialize from sequences.)
      ['point', [1]],
      ['point', 1, 2, 3, 4],
      ['point', Buffer.from([1, 2, 3])],
      ['len', { not: 'a string' }],
      ['len', 12],
      ['ping', -1],
      ['ping', 'NaN'],
    ];
    let n = 0;
    for (const [event, ...args] of cases) {
      const what = `${event} ${JSON.stringify(args)}`;
      bad.emit(event, ...args);
      const ex = await once(bad, 'exception').catch((e) => {
        throw new Error(`${what}: ${e.message}`);
      });
      assertValidation(ex, event);
      await stillServes(good, n++);
    }
    assert.ok(bad.connected, 'the sender of bad input is still connected too');
    assert.strictEqual(await emitWithAck(bad, 'point', { x: 1, y: 2 }), 3);
    await expectNothing(good, 'exception');
  });

  test('an event no handler subscribes to: nothing, still connected', async () => {
    const l = await openLogged(MAIN_URL, '/strict');
    l.socket.emit('no-such-event', { a: 1 });
    await expectNoAck(l.socket, 'no-such-event', 1);
    await expectSilence(l);
    assert.strictEqual(await emitWithAck(l.socket, 'ping', 5), 5);
  });

  test('a 50 kB string is handled', async () => {
    const s = await connect(MAIN_URL, '/strict');
    assert.strictEqual(await emitWithAck(s, 'len', 'x'.repeat(50_000)), 50_000);
  });

  // NEST MISMATCH (if it fails): socket.io's default maxHttpBufferSize is 1e6 bytes, so NestJS
  // accepts a 500 kB message; socketioxide's default max_payload is 1e5.
  test('a 500 kB string is accepted, as under socket.io\'s default 1 MB limit', async () => {
    for (const transports of [['websocket'], ['polling']]) {
      const s = await connect(MAIN_URL, '/strict', { transports });
      assert.strictEqual(
        await emitWithAckTimeout(s, 5000, 'len', 'x'.repeat(500_000)),
        500_000,
        `over ${transports}`,
      );
    }
  });

  test('a 2 MB message may cost its sender the connection, never the others', async () => {
    const good = await connect(MAIN_URL, '/strict');
    for (const transports of [['websocket'], ['polling']]) {
      const bad = await connect(MAIN_URL, '/strict', { transports });
      bad.emit('len', 'y'.repeat(2_000_000));
      bad.emit('point', 'garbage');
      for (let i = 0; i < 5; i++) await stillServes(good, i);
    }
    const fresh = await connect(MAIN_URL, '/strict');
    assert.strictEqual(await emitWithAck(fresh, 'ping', 9), 9);
  });

  test('malformed socket.io packets on a raw session: the others are unaffected', async () => {
    const good = await connect(MAIN_URL, '/strict');
    const raw = new RawPolling(MAIN_URL);
    const { res } = await raw.open();
    assert.equal(res.status, 200);
    assert.equal((await raw.send('40/strict,')).status, 200);
    assert.ok(await raw.receive((p) => p.startsWith('40/strict,{')), 'the raw session joined /strict');
    // Broken JSON, an unknown packet type, an ack for nothing, a binary event with no attachment.
    for (const garbage of ['42/strict,[', '9', '43/strict,999[1]', '451-/strict,["point",{"_placeholder":true,"num":0}]']) {
      await raw.send(garbage).catch(() => {});
      await stillServes(good, garbage.length);
    }
    await raw.send('\u0000\u0001garbage\u001ebinary?').catch(() => {});
    await stillServes(good, 1);
    const fresh = await connect(MAIN_URL, '/strict');
    assert.strictEqual(await emitWithAck(fresh, 'ping', 2), 2);
  });
});

// =============================================================================================

describe('lifecycle (/lifecycle)', LIFECYCLE, () => {
  // One scenario, in one test, so that the Rust side can check the exact order of the hooks:
  // A connects; B connects, sends "work", disconnects; A asks for a shutdown while connected.
  test('hooks, disconnect reasons, and a shutdown with a client still connected', async () => {
    const a = await connect(LIFECYCLE_URL, '/lifecycle');
    assert.deepEqual(await once(a, 'hello'), [a.id], 'handle_connection ran for A');

    const b = await connect(LIFECYCLE_URL, '/lifecycle');
    assert.deepEqual(await once(b, 'hello'), [b.id]);
    assert.strictEqual(await emitWithAck(b, 'work', 21), 42);
    const bId = b.id;
    b.disconnect();
    assert.deepEqual(
      await onceMatching(a, 'peer-left', ([d]) => d?.id === bId),
      [{ id: bId, reason: 'client namespace disconnect' }],
    );

    const disconnected = onceDisconnected(a, 8000);
    assert.strictEqual(await emitWithAck(a, 'request-shutdown'), true);
    // socket.io's close() ends every engine.io connection: "transport close" on the client.
    assert.equal(await disconnected, 'transport close');
  });
});

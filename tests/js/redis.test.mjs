// Scale-out across nodes on one Redis (issue 5), from outside, with the official
// socket.io-client. Run by `cargo test -p gateway-tests --test redis_e2e`, which starts a
// redis-server on a free port and the nodes in-process, and sets:
//
//   DEMO_A_URL, DEMO_B_URL     two demo nodes (demo_app::start_with(.., Some(redis_url)))
//   SCALE_A_URL, SCALE_B_URL   two ScaleModule nodes (test gateways: /scale and /)
//   SIDE_A_URL, SIDE_B_URL     their second listener (SideGateway's own port, /side)
//   SCALE_URLS, SIDE_URLS      the main and side listeners of all six ScaleModule nodes (A, B, ...)
//   ROOT_A_URL, ROOT_B_URL     two RootOnlyModule nodes (/ only: one socket.io server each)
//   CONTROL_ADDR               127.0.0.1:PORT: `stop` / `start` Redis (lib/redis-helpers.mjs)
//
// or, for the Redis Cluster run, only:
//
//   CLUSTER_A_URL, CLUSTER_B_URL   two ScaleModule nodes on a three-master Redis Cluster
//
// or, for two `demo-app` processes started as a user starts them (`REDIS_URL`, `PORT`,
// `NOTIFY_PORT`; demo-app/tests/redis_processes.rs), only DEMO_A_URL and DEMO_B_URL: the
// demo's chat section runs.
//
// The same suite runs on PostgreSQL (tests/tests/postgres_e2e.rs and
// demo-app/tests/postgres_processes.rs set ENGINE=PostgreSQL, and the same variables but the
// cluster's): every scenario, the engine's restarts included, holds on both engines.
//
// Sections whose variables are not set are skipped. Tests run one after the other (node:test's
// default): the restart tests, which kill Redis, come last.
//
// Exactly once: after the expected events are collected, a short `expectNothing` window
// checks that no duplicate follows.

import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  closeAll,
  collect,
  connect,
  emitWithAck,
  emitWithAckTimeout,
  expectNothing,
  once,
  onceDisconnected,
  onceMatching,
  sleep,
  uniqueSuffix,
} from './lib/client.mjs';
import { chatClient, pollUntil, redisControl, watchDisconnects } from './lib/redis-helpers.mjs';

const {
  DEMO_A_URL,
  DEMO_B_URL,
  SCALE_A_URL,
  SCALE_B_URL,
  SIDE_A_URL,
  SIDE_B_URL,
  SCALE_URLS,
  SIDE_URLS,
  ROOT_A_URL,
  ROOT_B_URL,
  CONTROL_ADDR,
  CLUSTER_A_URL,
  CLUSTER_B_URL,
} = process.env;

/** The engine the nodes meet on, in the tests' names: `Redis` (default) or `PostgreSQL`. */
const ENGINE = process.env.ENGINE ?? 'Redis';

const DEMOS = DEMO_A_URL && DEMO_B_URL;
const NODES = DEMOS && SCALE_A_URL && SCALE_B_URL && SIDE_A_URL && SIDE_B_URL && ROOT_A_URL && ROOT_B_URL && SCALE_URLS && SIDE_URLS;
if (!DEMOS && !(CLUSTER_A_URL && CLUSTER_B_URL)) {
  throw new Error(
    'set DEMO_A_URL, DEMO_B_URL, SCALE_A_URL, SCALE_B_URL, SIDE_A_URL, SIDE_B_URL, ROOT_A_URL, ' +
      'ROOT_B_URL, SCALE_URLS, SIDE_URLS (+ CONTROL_ADDR), or DEMO_A_URL and DEMO_B_URL alone, ' +
      'or CLUSTER_A_URL and CLUSTER_B_URL: run it from cargo test --test redis_e2e',
  );
}

/** Backstop per section; every wait inside is bounded far below it. */
const ON_DEMOS = { timeout: 60_000, skip: DEMOS ? false : 'demo URLs not set (cluster run)' };
const ON_NODES = { timeout: 60_000, skip: NODES ? false : 'test-gateway node URLs not set' };
const ON_RESTART = {
  timeout: 90_000,
  skip: NODES && CONTROL_ADDR ? false : 'CONTROL_ADDR not set',
};
const ON_CLUSTER = {
  timeout: 60_000,
  skip: CLUSTER_A_URL && CLUSTER_B_URL ? false : 'CLUSTER_A_URL / CLUSTER_B_URL not set',
};

/** How long an event that crosses Redis may take. */
const CROSS_MS = 5000;
/** How long Redis stays away in the idle-node scenario. */
const OUTAGE_MS = 2000;
/** The window in which a duplicate (or a message that must not come) would show up. */
const DUP_MS = 400;

afterEach(closeAll);

const room = (tag = 'room') => `${tag}-${uniqueSuffix()}`;

// ---------------------------------------------------------------------------------------------
// The demo's chat on two nodes.

/** A /chat client on `url` named `name`, its own `welcome` consumed. */
async function chat(url, name) {
  const s = await chatClient(url, name);
  s.userName = name;
  const [welcome] = await once(s, 'welcome');
  assert.equal(welcome?.id, s.id, JSON.stringify(welcome));
  return s;
}

async function joinRoom(s, roomId) {
  s.emit('join', { roomId });
  assert.deepEqual(await once(s, 'joined'), [roomId], `${s.userName} joins ${roomId}`);
}

async function leaveRoom(s, roomId) {
  s.emit('leave', { roomId });
  assert.deepEqual(await once(s, 'left'), [roomId], `${s.userName} leaves ${roomId}`);
}

async function send(s, roomId, message) {
  assert.deepEqual(await emitWithAck(s, 'chat/send', { roomId, message }), { ok: true }, `${s.userName} sends ${message}`);
}

/**
 * Asserts `s` receives `message` in `roomId` from `from` (the caller checks, with
 * `expectNothing`, that no second copy follows).
 */
async function receivesOnce(s, roomId, message, from) {
  const [msg] = await onceMatching(s, 'chat/receive', ([m]) => m?.message === message, CROSS_MS).catch((e) => {
    throw new Error(`${s.userName} should receive "${message}": ${e.message}`);
  });
  assert.equal(msg.roomId, roomId, `${s.userName}: ${JSON.stringify(msg)}`);
  assert.equal(msg.from, from, `${s.userName}: ${JSON.stringify(msg)}`);
  assert.equal(typeof msg.at, 'number', JSON.stringify(msg));
}

/** Two clients on each demo node, all in one room, and one outsider on each node. */
async function chatRoomOnTwoNodes() {
  const r = room('x-node');
  const [a1, a2, b1, b2, outA, outB] = await Promise.all([
    chat(DEMO_A_URL, `a1-${uniqueSuffix()}`),
    chat(DEMO_A_URL, `a2-${uniqueSuffix()}`),
    chat(DEMO_B_URL, `b1-${uniqueSuffix()}`),
    chat(DEMO_B_URL, `b2-${uniqueSuffix()}`),
    chat(DEMO_A_URL, `outA-${uniqueSuffix()}`),
    chat(DEMO_B_URL, `outB-${uniqueSuffix()}`),
  ]);
  for (const s of [a1, a2, b1, b2]) await joinRoom(s, r);
  return { r, a1, a2, b1, b2, outA, outB, members: [a1, a2, b1, b2], outsiders: [outA, outB] };
}

describe(`demo chat on two nodes, one ${ENGINE}`, ON_DEMOS, () => {
  test('a token from one node opens /chat on the other (one JWT_SECRET)', async () => {
    const name = `cross-${uniqueSuffix()}`;
    const s = await chatClient(DEMO_A_URL, name, DEMO_B_URL);
    const [welcome] = await once(s, 'welcome');
    assert.equal(welcome?.id, s.id);
    const r = room('token');
    await joinRoom(s, r);
    s.userName = name;
    await send(s, r, 'hello');
    await receivesOnce(s, r, 'hello', name);
  });

  test('a message reaches every member on both nodes exactly once, from either node', async () => {
    const { r, a1, b1, members, outsiders } = await chatRoomOnTwoNodes();
    for (const [sender, text] of [
      [a1, 'from node A'],
      [b1, 'from node B'],
    ]) {
      await send(sender, r, text);
      await Promise.all(members.map((s) => receivesOnce(s, r, text, sender.userName)));
      await Promise.all([
        ...members.map((s) => expectNothing(s, 'chat/receive', DUP_MS)),
        ...outsiders.map((s) => expectNothing(s, 'chat/receive', 0)),
      ]);
    }
  });

  test('user-joined of a client on one node reaches the clients of the other node', async () => {
    const a = await chat(DEMO_A_URL, `a-${uniqueSuffix()}`);
    const b = await chat(DEMO_B_URL, `b-${uniqueSuffix()}`);
    const [joined] = await onceMatching(a, 'user-joined', ([d]) => d?.id === b.id, CROSS_MS);
    assert.deepEqual(joined, { id: b.id });
    await expectNothing(a, 'user-joined', DUP_MS, ([d]) => d?.id === b.id);
  });

  test('typing reaches the others on both nodes, not the sender', async () => {
    const { r, a1, a2, b1, b2, outsiders } = await chatRoomOnTwoNodes();
    for (const [sender, others] of [
      [a1, [a2, b1, b2]],
      [b2, [a1, a2, b1]],
    ]) {
      sender.emit('typing', { roomId: r });
      for (const s of others) {
        const got = await collect(s, 'typing', 1, CROSS_MS);
        assert.deepEqual(got, [[{ roomId: r, from: sender.userName }]], `${s.userName} sees ${sender.userName} typing`);
      }
      await Promise.all([
        expectNothing(sender, 'typing', DUP_MS),
        ...others.map((s) => expectNothing(s, 'typing', 0)),
        ...outsiders.map((s) => expectNothing(s, 'typing', 0)),
      ]);
    }
  });

  test('100 messages from one sender arrive in order, once, on every node', async () => {
    const { r, a1, members } = await chatRoomOnTwoNodes();
    const N = 100;
    const texts = Array.from({ length: N }, (_, i) => `seq-${i}`);
    // Sent back to back (the gateway is `ordered`), acks awaited together.
    const acks = await Promise.all(texts.map((message) => emitWithAck(a1, 'chat/send', { roomId: r, message })));
    assert.ok(acks.every((a) => a?.ok === true), JSON.stringify(acks.slice(0, 3)));
    for (const s of members) {
      const got = await collect(s, 'chat/receive', N, 15_000).catch((e) => {
        throw new Error(`${s.userName}: ${e.message}`);
      });
      assert.deepEqual(
        got.map(([m]) => m.message),
        texts,
        `${s.userName} receives the ${N} messages in the order sent`,
      );
      assert.ok(got.every(([m]) => m.from === a1.userName && m.roomId === r));
    }
    await Promise.all(members.map((s) => expectNothing(s, 'chat/receive', DUP_MS)));
  });

  test('leaving a room on one node stops delivery from the other node', async () => {
    const { r, a1, a2, b1, b2 } = await chatRoomOnTwoNodes();
    await leaveRoom(b1, r);
    await send(a1, r, 'after b1 left');
    await Promise.all([a1, a2, b2].map((s) => receivesOnce(s, r, 'after b1 left', a1.userName)));
    // b2, on b1's node, got it: b1 would have by now.
    await expectNothing(b1, 'chat/receive', DUP_MS);

    // And the other way round: a member leaves on node A, node B sends.
    await leaveRoom(a2, r);
    await send(b2, r, 'after a2 left');
    await Promise.all([a1, b2].map((s) => receivesOnce(s, r, 'after a2 left', b2.userName)));
    await Promise.all([expectNothing(a2, 'chat/receive', DUP_MS), expectNothing(b1, 'chat/receive', 0)]);

    // Joining again on node B: delivery from node A comes back.
    await joinRoom(b1, r);
    await send(a1, r, 'b1 is back');
    await Promise.all([a1, b1, b2].map((s) => receivesOnce(s, r, 'b1 is back', a1.userName)));
    await Promise.all([expectNothing(a2, 'chat/receive', DUP_MS), expectNothing(b1, 'chat/receive', 0)]);
  });
});

// ---------------------------------------------------------------------------------------------
// Test gateways on two nodes: server-wide emits, broadcast, fetch_sockets, remote sockets.

/** A /scale client of the node at `url`, with its id and the node it is on. */
async function scale(url, name) {
  const s = await connect(url, '/scale');
  s.name = name;
  const who = await emitWithAck(s, 'whoami');
  assert.equal(who.id, s.id, JSON.stringify(who));
  assert.equal(`http://${who.host}`, url, `${name} is served by ${url}: ${JSON.stringify(who)}`);
  return s;
}

/** Asserts `s` receives `event` with exactly `args`, once. */
async function getsOnce(s, event, args, ms = CROSS_MS) {
  const got = await collect(s, event, 1, ms).catch((e) => {
    throw new Error(`${s.name} should receive ${event} ${JSON.stringify(args)}: ${e.message}`);
  });
  assert.deepEqual(got, [args], `${s.name}: ${event}`);
}

async function scaleTrio(urlA = SCALE_A_URL, urlB = SCALE_B_URL) {
  const [a1, b1, b2] = await Promise.all([scale(urlA, 'a1'), scale(urlB, 'b1'), scale(urlB, 'b2')]);
  return { a1, b1, b2, all: [a1, b1, b2] };
}

/** The cross-node operations, on the two nodes at `urlA` and `urlB`. */
function crossNodeOperations(urlA, urlB) {
  test('WsServer::emit reaches every client of every node, the sender too, once', async () => {
    const { a1, b1, all } = await scaleTrio(urlA, urlB);
    assert.equal(await emitWithAck(a1, 'server-emit', 'hello from A'), true);
    await Promise.all(all.map((s) => getsOnce(s, 'server-wide', ['hello from A'])));
    assert.equal(await emitWithAck(b1, 'server-emit', 'hello from B'), true);
    await Promise.all(all.map((s) => getsOnce(s, 'server-wide', ['hello from B'])));
    await Promise.all(all.map((s) => expectNothing(s, 'server-wide', DUP_MS)));
  });

  test('a 20 kB message crosses nodes once (over the 8000 bytes a PostgreSQL NOTIFY carries)', async () => {
    const { a1, b1, all } = await scaleTrio(urlA, urlB);
    const big = `${'x'.repeat(20_000)}-from-${b1.id}`;
    assert.equal(await emitWithAck(b1, 'server-emit', big), true);
    await Promise.all(all.map((s) => getsOnce(s, 'server-wide', [big])));
    await Promise.all(all.map((s) => expectNothing(s, 'server-wide', DUP_MS)));
    assert.ok(a1.connected);
  });

  test('socket.broadcast() reaches everyone but the sender, on every node, once', async () => {
    const { a1, b1, b2 } = await scaleTrio(urlA, urlB);
    assert.equal(await emitWithAck(b1, 'broadcast', 'not for b1'), true);
    const payload = { from: b1.id, text: 'not for b1' };
    await Promise.all([getsOnce(a1, 'broadcast', [payload]), getsOnce(b2, 'broadcast', [payload])]);
    await Promise.all([a1, b1, b2].map((s) => expectNothing(s, 'broadcast', DUP_MS)));

    assert.equal(await emitWithAck(a1, 'broadcast', 'not for a1'), true);
    const back = { from: a1.id, text: 'not for a1' };
    await Promise.all([getsOnce(b1, 'broadcast', [back]), getsOnce(b2, 'broadcast', [back])]);
    await Promise.all([a1, b1, b2].map((s) => expectNothing(s, 'broadcast', DUP_MS)));
  });

  test('server.to(room) and server.except(room) span the nodes', async () => {
    const { a1, b1, b2 } = await scaleTrio(urlA, urlB);
    const r = room('srv');
    assert.equal(await emitWithAck(a1, 'join', r), r);
    assert.equal(await emitWithAck(b1, 'join', r), r);
    assert.equal(await emitWithAck(b2, 'server-to', r, 'to the room'), true);
    await Promise.all([getsOnce(a1, 'room-message', ['to the room']), getsOnce(b1, 'room-message', ['to the room'])]);
    await Promise.all([a1, b1, b2].map((s) => expectNothing(s, 'room-message', DUP_MS)));

    assert.equal(await emitWithAck(a1, 'server-except', r, 'not the room'), true);
    await getsOnce(b2, 'except-message', ['not the room']);
    await Promise.all([a1, b1, b2].map((s) => expectNothing(s, 'except-message', DUP_MS)));
  });

  test('fetch_sockets of a room returns its sockets on both nodes, asked from either', async () => {
    const { a1, b1, b2 } = await scaleTrio(urlA, urlB);
    const r = room('fetch');
    assert.equal(await emitWithAck(a1, 'join', r), r);
    assert.equal(await emitWithAck(b1, 'join', r), r);
    const want = [a1.id, b1.id].sort();
    assert.deepEqual(await emitWithAck(a1, 'fetch', r), want, 'asked on node A');
    assert.deepEqual(await emitWithAck(b2, 'fetch', r), want, 'asked on node B');
    // sockets() stays local: one each.
    assert.deepEqual(await emitWithAck(a1, 'local', r), [a1.id]);
    assert.deepEqual(await emitWithAck(b2, 'local', r), [b1.id]);
    assert.deepEqual(await emitWithAck(a1, 'fetch', room('empty')), []);
  });

  test('a remote socket: its rooms, an emit to it, from the other node', async () => {
    const { a1, b1, b2 } = await scaleTrio(urlA, urlB);
    const r = room('remote');
    assert.equal(await emitWithAck(b1, 'join', r), r);
    // The rooms node A reads of b1 (on node B) are the rooms b1's own node knows of.
    const own = await emitWithAck(b1, 'my-rooms');
    assert.ok(own.includes(r), `SocketRef::rooms of b1: ${JSON.stringify(own)}`);
    const roomsOf = (asker, id, what) =>
      emitWithAck(asker, 'rooms-of', id).catch((e) => {
        throw new Error(`${what}: ${e.message}`);
      });
    assert.deepEqual(await roomsOf(a1, b1.id, 'b1 (node B) asked from node A'), own);
    assert.deepEqual(await roomsOf(b2, b1.id, 'b1 (node B) asked from node B'), own);
    assert.equal(await emitWithAck(a1, 'rooms-of', 'no-such-socket'), null);
    assert.equal(await emitWithAck(a1, 'emit-to', b1.id, 'just you'), true);
    await getsOnce(b1, 'direct', ['just you']);
    await Promise.all([a1, b1, b2].map((s) => expectNothing(s, 'direct', DUP_MS)));
  });

  test('RemoteSocket::disconnect disconnects a socket of the other node, only it', async () => {
    const { a1, b1, b2 } = await scaleTrio(urlA, urlB);
    const r = room('kick');
    for (const s of [a1, b1, b2]) assert.equal(await emitWithAck(s, 'join', r), r);
    const gone = onceDisconnected(b1, CROSS_MS);
    assert.equal(await emitWithAck(a1, 'kick', b1.id), true, 'found on node B');
    assert.equal(await gone, 'io server disconnect');
    assert.deepEqual(await emitWithAck(a1, 'fetch', r), [a1.id, b2.id].sort());
    assert.ok(a1.connected && b2.connected);
    // And the other way round.
    const gone2 = onceDisconnected(a1, CROSS_MS);
    assert.equal(await emitWithAck(b2, 'kick', a1.id), true, 'found on node A');
    assert.equal(await gone2, 'io server disconnect');
    assert.deepEqual(await emitWithAck(b2, 'fetch', r), [b2.id]);
  });

  test('emit_with_ack to a room collects the answers of both nodes; a silent socket of the other node times out', async () => {
    const { a1, b1, b2 } = await scaleTrio(urlA, urlB);
    const r = room('acks');
    for (const s of [a1, b1, b2]) assert.equal(await emitWithAck(s, 'join', r), r);
    const result = emitWithAckTimeout(a1, 8000, 'ask-room', r, 1500);
    const answer = async (s, n) => {
      const args = await once(s, 'count?', CROSS_MS);
      const ack = args.pop();
      assert.equal(typeof ack, 'function', `${s.name}: count? asks for an ack`);
      if (n !== undefined) ack(n);
    };
    await Promise.all([answer(a1, 1), answer(b1, 2), answer(b2)]); // b2 never answers
    assert.deepEqual(await result, {
      [a1.id]: { answered: 1 },
      [b1.id]: { answered: 2 },
      [b2.id]: 'timed out',
    });
  });

  test('server.to(room).disconnect() disconnects the room on both nodes', async () => {
    const { a1, b1, b2 } = await scaleTrio(urlA, urlB);
    const r = room('kick-room');
    assert.equal(await emitWithAck(a1, 'join', r), r);
    assert.equal(await emitWithAck(b1, 'join', r), r);
    const gone = [onceDisconnected(a1, CROSS_MS), onceDisconnected(b1, CROSS_MS)];
    assert.equal(await emitWithAck(b2, 'kick-room', r), true);
    assert.deepEqual(await Promise.all(gone), ['io server disconnect', 'io server disconnect']);
    assert.ok(b2.connected, 'b2 was not in the room');
    assert.deepEqual(await emitWithAck(b2, 'fetch', r), []);
  });
}

describe(`test gateways on two nodes, one ${ENGINE}`, ON_NODES, () => {
  crossNodeOperations(SCALE_A_URL, SCALE_B_URL);

  test('a broadcast on / crosses nodes (each node one socket.io server)', async () => {
    const [a, b] = await Promise.all([connect(ROOT_A_URL, '/'), connect(ROOT_B_URL, '/')]);
    a.name = 'a (/ on root-only node A)';
    b.name = 'b (/ on root-only node B)';
    assert.equal(await emitWithAck(a, 'shout', 'root-only A->B'), true);
    await getsOnce(b, 'shout', ['root-only A->B']);
    assert.equal(await emitWithAck(b, 'shout', 'root-only B->A'), true);
    await getsOnce(a, 'shout', ['root-only B->A']);
    await Promise.all([a, b].map((s) => expectNothing(s, 'shout', DUP_MS)));
  });

  test('a broadcast on / crosses nodes when the app also has a gateway on its own port', async () => {
    // Each ScaleModule node has two socket.io servers (main listener: RootGateway on /;
    // SideGateway's port: /side and socket.io's own /), both on the node's one Redis
    // connection. Six nodes: which of a node's two / gets the messages of the others may vary.
    const urls = SCALE_URLS.split(',');
    const clients = await Promise.all(urls.map((u) => connect(u, '/')));
    clients.forEach((c, i) => (c.name = `/ on ScaleModule node ${i} (${urls[i]})`));
    // Every node shouts once; then every client waits (in parallel, bounded) for the others'.
    for (const [i, sender] of clients.entries()) {
      assert.equal(await emitWithAck(sender, 'shout', `root from node ${i}`), true);
    }
    const missing = [];
    await Promise.all(
      clients.flatMap((s, j) =>
        [...clients.keys()]
          .filter((i) => i !== j)
          .map(async (i) => {
            const got = await onceMatching(s, 'shout', ([t]) => t === `root from node ${i}`, CROSS_MS).catch(() => null);
            if (!got) missing.push(`node ${j} missed node ${i}'s`);
          }),
      ),
    );
    missing.sort();
    const deaf = [...new Set(missing.map((m) => m.split(' missed')[0]))];
    assert.deepEqual(
      missing,
      [],
      `every node's / receives every other node's broadcast on /; ${missing.length} of ` +
        `${clients.length * (clients.length - 1)} missed; deaf: ${deaf.join(', ')}`,
    );
    await Promise.all(clients.map((s) => expectNothing(s, 'shout', DUP_MS)));
  });

  test(`on ${ENGINE} as in memory, / of a gateway port gets nothing of the main listener's /`, async () => {
    // With the in-memory adapter each port is its own socket.io server: a broadcast on the
    // main listener's / never reaches clients of socket.io's / on SideGateway's port.
    const urls = SCALE_URLS.split(',');
    const sides = SIDE_URLS.split(',');
    const sender = await connect(urls[0], '/');
    const sideRoots = await Promise.all(sides.map((u) => connect(u, '/')));
    const others = await Promise.all(urls.slice(1).map((u) => connect(u, '/')));
    assert.equal(await emitWithAck(sender, 'shout', 'main / only'), true);
    // Wait until the mains that do receive have it (up to one per node), then look at the sides.
    await Promise.all(others.map((s) => onceMatching(s, 'shout', () => true, 1000).catch(() => null)));
    const leaked = [];
    for (const [i, s] of sideRoots.entries()) {
      const got = await expectNothing(s, 'shout', i === 0 ? DUP_MS : 0).then(() => null, (e) => e.message);
      if (got) leaked.push(`side port of node ${i} (${sides[i]}): ${got}`);
    }
    assert.deepEqual(leaked, [], 'a broadcast on the main listener\'s / reached / on gateway ports');
  });

  test('a broadcast on a gateway on its own port crosses nodes', async () => {
    const [a, b] = await Promise.all([connect(SIDE_A_URL, '/side'), connect(SIDE_B_URL, '/side')]);
    a.name = 'a (/side on node A)';
    b.name = 'b (/side on node B)';
    assert.equal(await emitWithAck(a, 'shout', 'side A->B'), true);
    await getsOnce(b, 'shout', ['side A->B']);
    await expectNothing(a, 'shout', DUP_MS);
  });
});

// ---------------------------------------------------------------------------------------------
// Redis killed and restarted in the middle of a test.

describe(`${ENGINE} restarted in the middle`, ON_RESTART, () => {
  test(`a node that only receives while ${ENGINE} is away receives again once it is back`, async () => {
    // The ScaleModule nodes have no timer of their own: while Redis is away nothing on them
    // talks to Redis, unlike the demo's (its notifications ticker publishes every second).
    const [a, b] = await Promise.all([scale(SCALE_A_URL, 'a'), scale(SCALE_B_URL, 'b')]);
    const watch = watchDisconnects({ a, b });
    assert.equal(await emitWithAck(a, 'server-emit', 'before'), true);
    await getsOnce(b, 'server-wide', ['before']);
    await getsOnce(a, 'server-wide', ['before']);

    await redisControl(CONTROL_ADDR, 'stop');
    // Local delivery goes on.
    assert.equal(await emitWithAck(a, 'server-emit', 'while away'), true);
    await getsOnce(a, 'server-wide', ['while away'], 3000);
    // The scenario, not a synchronisation: the outage lasts OUTAGE_MS, longer than the
    // reconnection attempts a Redis client makes by itself right after losing the server.
    await sleep(OUTAGE_MS);
    await redisControl(CONTROL_ADDR, 'start');

    // Node A sends until node B gets one (node B itself sends nothing).
    const probe = (from, to, tag, what, timeoutMs = 10_000) =>
      pollUntil(
        async (i) => {
          await emitWithAck(from, 'server-emit', `${tag}-${i}`);
          return onceMatching(to, 'server-wide', ([t]) => String(t).startsWith(tag), 250).then(
            () => true,
            () => false,
          );
        },
        { timeoutMs, everyMs: 50, what },
      );
    let failure;
    try {
      const { ms, attempts } = await probe(a, b, 'probe', `node B (idle while ${ENGINE} was away) receiving from node A again`);
      console.log(`idle node receives again ${ms} ms after ${ENGINE} is back (${attempts} probes)`);
    } catch (err) {
      failure = err;
    }
    if (failure) {
      // Diagnosis: does node B come back once it sends something itself?
      let after;
      try {
        await emitWithAck(b, 'server-emit', 'b speaks');
        const { ms } = await probe(a, b, 'again', 'node B receiving after sending itself', 5000);
        after = `it does once it sends something itself (then ${ms} ms)`;
      } catch (err) {
        after = `not even after sending itself (${err.message})`;
      }
      throw new Error(`${failure.message}; ${after}`);
    }
    watch.check();
  });

  test(`chat: local delivery while ${ENGINE} is down, across nodes again once it is back, nobody disconnected`, async () => {
    const { r, a1, a2, b1, b2 } = await chatRoomOnTwoNodes();
    // Test-gateway clients too, for the server-wide requests while Redis is away.
    const { a1: sa, b1: sb } = await scaleTrio();
    const fetched = room('fetch-down');
    assert.equal(await emitWithAck(sa, 'join', fetched), fetched);
    assert.equal(await emitWithAck(sb, 'join', fetched), fetched);
    assert.deepEqual(await emitWithAck(sa, 'fetch', fetched), [sa.id, sb.id].sort());
    const watch = watchDisconnects({ a1, a2, b1, b2, sa, sb });
    await send(a1, r, 'before');
    await Promise.all([a1, a2, b1, b2].map((s) => receivesOnce(s, r, 'before', a1.userName)));

    await redisControl(CONTROL_ADDR, 'stop');
    const isText = (t) => ([m]) => m?.message === t;

    // Each node keeps serving its own clients: sends are acked, the node's members get them.
    await send(a1, r, 'down: from A');
    for (const s of [a1, a2]) {
      await onceMatching(s, 'chat/receive', isText('down: from A'), 3000).catch((e) => {
        throw new Error(`${s.userName} (node A) while Redis is down: ${e.message}`);
      });
    }
    await send(b1, r, 'down: from B');
    for (const s of [b1, b2]) {
      await onceMatching(s, 'chat/receive', isText('down: from B'), 3000).catch((e) => {
        throw new Error(`${s.userName} (node B) while Redis is down: ${e.message}`);
      });
    }
    // What crosses nodes while Redis is away is lost (documented): a late copy must not come.
    await Promise.all([
      expectNothing(b1, 'chat/receive', DUP_MS, isText('down: from A')),
      expectNothing(a1, 'chat/receive', 0, isText('down: from B')),
    ]);
    // A client connecting meanwhile is served too (the namespace exists on its node).
    const late = await chat(DEMO_A_URL, `late-${uniqueSuffix()}`);
    await joinRoom(late, r);
    await send(a2, r, 'down: to late');
    for (const s of [late, a1, a2]) await onceMatching(s, 'chat/receive', isText('down: to late'), 3000);
    late.disconnect();
    // A server-wide request is answered by the node's own sockets (not an error, not a hang).
    assert.deepEqual(await emitWithAck(sa, 'fetch', fetched), [sa.id], `fetch_sockets on A while ${ENGINE} is down`);
    assert.deepEqual(await emitWithAck(sb, 'fetch', fetched), [sb.id], `fetch_sockets on B while ${ENGINE} is down`);
    // Typing, locally.
    a1.emit('typing', { roomId: r });
    assert.deepEqual(await onceMatching(a2, 'typing', ([t]) => t?.from === a1.userName, 3000), [
      { roomId: r, from: a1.userName },
    ]);

    await redisControl(CONTROL_ADDR, 'start');
    const isProbe = ([m]) => typeof m?.message === 'string' && m.message.startsWith('probe');
    for (const [from, to] of [
      [a1, b1],
      [b2, a2],
    ]) {
      const { ms, attempts } = await pollUntil(
        async (i) => {
          await send(from, r, `probe ${from.userName} ${i}`);
          return onceMatching(to, 'chat/receive', ([m]) => m?.message?.startsWith(`probe ${from.userName}`), 250).then(
            () => true,
            () => false,
          );
        },
        { timeoutMs: 10_000, everyMs: 50, what: `${to.userName} receiving from ${from.userName} (other node) after Redis is back` },
      );
      console.log(`${from.userName} -> ${to.userName}: across nodes again ${ms} ms after ${ENGINE} is back (${attempts} probes)`);
    }
    // Server-wide requests span the nodes again (each node finds Redis back on its own).
    await pollUntil(
      async () => JSON.stringify(await emitWithAck(sa, 'fetch', fetched)) === JSON.stringify([sa.id, sb.id].sort()),
      { timeoutMs: 10_000, everyMs: 50, what: `fetch_sockets across nodes after ${ENGINE} is back` },
    );
    // Drain the probes, then: exactly once, everywhere, as before.
    for (const s of [a1, a2, b1, b2]) {
      for (;;) {
        const more = await onceMatching(s, 'chat/receive', isProbe, 300).catch(() => null);
        if (!more) break;
      }
    }
    for (const sender of [a1, b2]) {
      const text = `after, from ${sender.userName}`;
      await send(sender, r, text);
      await Promise.all([a1, a2, b1, b2].map((s) => receivesOnce(s, r, text, sender.userName)));
      await Promise.all([a1, a2, b1, b2].map((s) => expectNothing(s, 'chat/receive', DUP_MS, ([m]) => !isProbe([m]))));
    }
    watch.check();
  });
});

describe(`${ENGINE} down: new namespaces`, ON_RESTART, () => {
  test(`while ${ENGINE} is down, a client can open a dynamic namespace its node has not created yet`, async () => {
    // /teams/{team}: socketioxide creates /teams/<team> on its first client, and its Redis
    // adapter subscribes to the namespace's channels first.
    const team = `down-${uniqueSuffix()}`;
    await redisControl(CONTROL_ADDR, 'stop');
    let during;
    try {
      const s = await connect(DEMO_A_URL, `/teams/${team}`);
      assert.deepEqual(await once(s, 'team'), [{ team }]);
      s.disconnect();
    } catch (err) {
      during = err;
    } finally {
      await redisControl(CONTROL_ADDR, 'start');
    }
    if (during) {
      // Diagnosis: once Redis is back, can it be opened?
      const after = await pollUntil(
        () => connect(DEMO_A_URL, `/teams/${team}`, { connectTimeoutMs: 1000 }).then((s) => (s.disconnect(), true)),
        { timeoutMs: 10_000, everyMs: 100, what: `opening it after ${ENGINE} is back` },
      ).then(
        ({ ms }) => `it opens ${ms} ms after Redis is back`,
        (e) => e.message,
      );
      throw new Error(`/teams/${team} on demo node A while Redis is down: ${during.message}; ${after}`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Redis Cluster.

describe('test gateways on two nodes, one Redis Cluster', ON_CLUSTER, () => {
  crossNodeOperations(CLUSTER_A_URL, CLUSTER_B_URL);
});

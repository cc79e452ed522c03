// Acks the server asks of its clients, volatile emits, binary data and the error path, against
// tests/tests/acks_e2e.rs, which runs this file twice: with socket.io's default parser, and
// with socket.io-msgpack-parser (SOCKETIO_PARSER=msgpack, which lib/client.mjs reads) against
// a server on msgpack. A client that never answers is reported as timed out: the answering
// clients answer as soon as they are asked, the silent one never does.

import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';

import msgpackParser from 'socket.io-msgpack-parser';

import {
  PARSER,
  closeAll,
  connect,
  emitWithAck,
  emitWithAckTimeout,
  expectNothing,
  once,
} from './lib/client.mjs';

const URL = process.env.ACKS_URL;
const PACKED_URL = process.env.PACKED_URL;
if (!URL || !PACKED_URL) throw new Error('ACKS_URL and PACKED_URL must be set');

afterEach(closeAll);

/** The next `event` that asked for an ack: its data and the ack callback. */
async function asked(socket, event) {
  const args = await once(socket, event);
  const ack = args.pop();
  assert.equal(typeof ack, 'function', `\`${event}\` should come with an ack to answer`);
  return { args, ack };
}

async function member(room) {
  const s = await connect(URL, '/acks');
  assert.equal(await emitWithAck(s, 'join', room), true);
  return s;
}

describe(`server acks (${PARSER} parser)`, () => {
  test('a socket answers the server, and the server gets the answer', async () => {
    const s = await connect(URL, '/acks');
    const answer = emitWithAck(s, 'ask-me', 5000);
    const { args, ack } = await asked(s, 'question');
    assert.deepEqual(args, ['who are you?']);
    ack({ name: 'ada', langs: ['rust', 'js'] });
    assert.deepEqual(await answer, { answered: { name: 'ada', langs: ['rust', 'js'] } });
  });

  test('a socket that never answers is reported as timed out', async () => {
    const s = await connect(URL, '/acks');
    const answer = emitWithAck(s, 'ask-me', 50);
    await asked(s, 'question'); // and never answered
    assert.equal(await answer, 'timed out');
  });

  test('a binary answer reaches the server as binary', async () => {
    const s = await connect(URL, '/acks');
    const answer = emitWithAck(s, 'ask-file');
    const { ack } = await asked(s, 'send-file');
    ack({ name: 'a.bin', data: Buffer.from([0, 1, 2, 255]) });
    const file = await answer;
    assert.equal(file.name, 'a.bin');
    assert.ok(Buffer.isBuffer(file.data), `expected a Buffer, got ${JSON.stringify(file.data)}`);
    assert.deepEqual([...file.data], [0, 1, 2, 255]);
  });

  test('every socket of a room is reported: answered, bad answer, timed out', async () => {
    const room = `r-${Math.random().toString(36).slice(2, 8)}`;
    const asker = await member(room);
    const answers = await member(room);
    const wrong = await member(room);
    const silent = await member(room);
    const result = emitWithAckTimeout(asker, 5000, 'ask-room', room, 2000);
    (await asked(answers, 'count?')).ack(7);
    (await asked(wrong, 'count?')).ack('seven');
    await asked(silent, 'count?'); // never answered
    await expectNothing(asker, 'count?', 0); // `to` leaves the asker out
    assert.deepEqual(await result, {
      [answers.id]: { answered: 7 },
      [wrong.id]: 'bad answer',
      [silent.id]: 'timed out',
    });
  });

  test('the server asks every client and collects every answer', async () => {
    const a = await connect(URL, '/acks');
    const b = await connect(URL, '/acks');
    const result = emitWithAckTimeout(a, 5000, 'ask-all', 2000);
    (await asked(a, 'count?')).ack(1);
    (await asked(b, 'count?')).ack(2);
    const answers = await result;
    assert.deepEqual(answers[a.id], { answered: 1 });
    assert.deepEqual(answers[b.id], { answered: 2 });
  });

  test('a volatile emit reaches the ready sockets of the room, not the sender', async () => {
    const room = `v-${Math.random().toString(36).slice(2, 8)}`;
    const a = await member(room);
    const b = await member(room);
    a.emit('typing', room);
    assert.deepEqual(await once(b, 'typing'), [room]);
    await expectNothing(a, 'typing');
  });
});

describe(`binary data and errors (${PARSER} parser)`, () => {
  test('binary data travels both ways', async () => {
    const s = await connect(URL, '/acks');
    const file = await emitWithAck(s, 'upload', { name: 'b.bin', data: Buffer.from([9, 8, 7]) });
    assert.equal(file.name, 'b.bin');
    assert.ok(Buffer.isBuffer(file.data), `expected a Buffer, got ${JSON.stringify(file.data)}`);
    assert.deepEqual([...file.data], [9, 8, 7]);
  });

  test('"Validation failed" names every field, and cause.data is what the client sent', async () => {
    const s = await connect(URL, '/acks');
    const sent = { roomId: '', points: 11 };
    s.emit('score', sent);
    const [ex] = await once(s, 'exception');
    assert.equal(ex.message, 'Validation failed');
    assert.deepEqual(ex.errors.map((e) => e.field).sort(), ['points', 'roomId']);
    assert.deepEqual(ex.cause, { pattern: 'score', data: sent });
  });

  test('a payload of the wrong type names the field, with the client data in cause', async () => {
    const s = await connect(URL, '/acks');
    const sent = { roomId: 'r', points: 'many' };
    s.emit('score', sent);
    const [ex] = await once(s, 'exception');
    assert.equal(ex.message, 'Validation failed');
    assert.deepEqual(ex.errors.map((e) => e.field), ['points']);
    assert.deepEqual(ex.cause, { pattern: 'score', data: sent });
  });

  test('a valid payload after the errors is answered: the socket stayed connected', async () => {
    const s = await connect(URL, '/acks');
    s.emit('score', { roomId: '', points: 0 });
    await once(s, 'exception');
    assert.equal(await emitWithAck(s, 'score', { roomId: 'r', points: 3 }), 3);
  });
});

describe('a gateway with parser = "msgpack"', () => {
  test('speaks msgpack to a msgpack client, binary included', async () => {
    const s = await connect(PACKED_URL, '/packed', { parser: msgpackParser });
    const file = await emitWithAck(s, 'echo', { name: 'c.bin', data: Buffer.from([1, 2]) });
    assert.equal(file.name, 'c.bin');
    assert.ok(Buffer.isBuffer(file.data), `expected a Buffer, got ${JSON.stringify(file.data)}`);
    assert.deepEqual([...file.data], [1, 2]);
  });
});

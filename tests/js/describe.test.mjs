// The demo's API description, checked by the official tools:
// - its AsyncAPI 3.0 document (ASYNCAPI_DOC, a file the Rust test wrote, and the one the
//   running demo serves at DEMO_URL/asyncapi.json) passes @asyncapi/parser's validation;
// - the TypeScript maps it generates (api/*.d.ts, kept equal to the generated ones by the Rust
//   test) type-check a client using every event, reject a wrong payload, and type a client
//   program that tsc compiles and node runs through the chat flow against DEMO_URL.
//
//   DEMO_URL=http://127.0.0.1:PORT ASYNCAPI_DOC=/tmp/asyncapi.json \
//     node --test --test-reporter=spec describe.test.mjs

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { Parser } from '@asyncapi/parser';

const DEMO_URL = process.env.DEMO_URL;
const ASYNCAPI_DOC = process.env.ASYNCAPI_DOC;
if (!DEMO_URL || !ASYNCAPI_DOC) {
  throw new Error('set DEMO_URL (a running demo) and ASYNCAPI_DOC (the generated document)');
}

const here = dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);
/** Backstop per test; every child process inside is bounded below it. */
const SUITE = { timeout: 90_000 };
const CHILD = { cwd: here, timeout: 80_000, maxBuffer: 8 * 1024 * 1024 };

const parser = new Parser();

/** Spectral's severities: 0 error, 1 warning, 2 information, 3 hint. */
async function validate(text) {
  const { document, diagnostics } = await parser.parse(text);
  const problems = diagnostics
    .filter((d) => d.severity <= 1)
    .map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`);
  return { document, problems };
}

const TSC = [
  join(here, 'node_modules', 'typescript', 'bin', 'tsc'),
  '--strict',
  '--target', 'es2022',
  '--module', 'nodenext',
  '--moduleResolution', 'nodenext',
  '--skipLibCheck',
];

/** Runs tsc; resolves with its output and whether it succeeded. */
async function tsc(...args) {
  try {
    const { stdout, stderr } = await run(process.execPath, [...TSC, ...args], CHILD);
    return { ok: true, output: stdout + stderr };
  } catch (e) {
    if (e.killed) throw new Error(`tsc timed out: ${e.message}`);
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('the AsyncAPI document', SUITE, () => {
  test('passes @asyncapi/parser with no error or warning', SUITE, async () => {
    const { document, problems } = await validate(readFileSync(ASYNCAPI_DOC, 'utf8'));
    assert.deepEqual(problems, []);
    assert.ok(document, 'the parser returns a document');
    assert.equal(document.version(), '3.0.0');
    const addresses = document.channels().all().map((c) => c.address()).sort();
    assert.deepEqual(addresses, ['/', '/chat', '/notifications', '/teams/{team}']);
    const chat = document.channels().get('chat');
    const send = document.operations().get('chat.chat.send');
    assert.equal(send.action(), 'receive');
    assert.equal(send.channels().all()[0].id(), chat.id());
    const ack = send.reply().messages().all()[0];
    assert.deepEqual(ack.payload().required(), ['ok']);
    const body = send.messages().all()[0].payload();
    assert.equal(body.properties().message.maxLength(), 2000, 'validator rules are in the schema');
    assert.equal(document.operations().get('chat.chat.receive.send').action(), 'send');
    assert.equal(document.servers().get('port3001').host(), '127.0.0.1:3001');
  });

  test('a broken copy is refused, so the check can fail', SUITE, async () => {
    const doc = JSON.parse(readFileSync(ASYNCAPI_DOC, 'utf8'));
    delete doc.channels['teams-team'].parameters;
    doc.operations['chat.chat.send'].channel = { $ref: '#/channels/nowhere' };
    const { problems } = await validate(JSON.stringify(doc));
    assert.ok(problems.length >= 2, `expected errors, got ${JSON.stringify(problems)}`);
  });

  test('is served by the running demo at /asyncapi.json, valid too', SUITE, async () => {
    const res = await fetch(`${DEMO_URL}/asyncapi.json`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /application\/json/);
    const { document, problems } = await validate(await res.text());
    assert.deepEqual(problems, []);
    assert.equal(document.channels().all().length, 4);
  });
});

describe('the TypeScript event maps', SUITE, () => {
  const out = mkdtempSync(join(here, '.typed-out-'));
  after(() => rmSync(out, { recursive: true, force: true }));

  test('type a client that uses every event, and a chat flow that runs', SUITE, async () => {
    const compiled = await tsc('--outDir', out, 'typed/every-event.ts', 'typed/chat-flow.ts');
    assert.ok(compiled.ok, `tsc failed:\n${compiled.output}`);
    const { stdout } = await run(process.execPath, [join(out, 'chat-flow.js')], {
      ...CHILD,
      env: { ...process.env, DEMO_URL },
    });
    const seen = JSON.parse(stdout.trim().split('\n').pop());
    assert.equal(typeof seen.welcome.id, 'string');
    assert.equal(seen.joined, 'typed-room');
    assert.deepEqual(seen.ack, { ok: true });
    assert.equal(seen.message.message, 'hello from TypeScript');
    assert.equal(seen.message.from, 'typed');
    assert.equal(seen.message.roomId, 'typed-room');
    assert.deepEqual(
      seen.history.map((m) => m.message),
      ['hello from TypeScript'],
    );
  });

  test('refuse a wrong payload and a wrong listener', SUITE, async () => {
    const { ok, output } = await tsc('--noEmit', 'typed/wrong-payload.ts');
    assert.equal(ok, false, 'tsc accepted a wrong payload');
    assert.match(output, /error TS2353: Object literal may only specify known properties, and 'text' does not exist in type 'SendDto'/);
    assert.match(output, /Type 'ChatMessage' is not assignable to type 'number'/);
  });
});

// The demo's web client (GET /) in a real browser: headless Chromium from Debian's `chromium`
// package, driven by playwright-core (no browser download). Two people log in, join one room,
// chat both ways and see each other typing; a third person joining later sees the history.
// Controls are found by their accessible names only ("Name", "Log in", "Room", "Join",
// "Message", "Send"), and the messages in the `log` role, so the page's accessibility is
// tested with its behaviour.
//
//   DEMO_URL=http://127.0.0.1:PORT [SCREENSHOT_DIR=dir] [CHROMIUM_PATH=/usr/bin/chromium] \
//     node --test --test-reporter=spec browser.test.mjs
//
// Run by `cargo test -p gateway-tests --test browser_e2e`, which starts the demo in-process.
// One screenshot per step goes to SCREENSHOT_DIR (default: target/browser-screenshots at the
// workspace root), emptied at the start of a run. Every wait is bounded.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { uniqueSuffix } from './lib/client.mjs';

const DEMO_URL = process.env.DEMO_URL;
if (!DEMO_URL) {
  throw new Error('set DEMO_URL to the demo\'s main listener, e.g. DEMO_URL=http://127.0.0.1:3000');
}
const ORIGIN = new URL(DEMO_URL).origin;
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS =
  process.env.SCREENSHOT_DIR ||
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'target', 'browser-screenshots');

/** Bound on one action or wait in the page (Playwright's own default is 30 s). */
const STEP_MS = 10_000;
/** Bound on a whole test. */
const TEST = { timeout: 60_000 };

/** @type {import('playwright-core').Browser} */
let browser;
let shot = 0;

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: run scripts/install-test-deps.sh (Debian's chromium) or set CHROMIUM_PATH`);
  }
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    // As root in a container: no sandbox; /dev/shm may be tiny.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
});

after(async () => {
  await browser?.close();
});

/**
 * A person at their own browser window (a context of their own: no shared storage), with
 * everything the page does wrong recorded: errors thrown, console errors, requests to
 * another origin.
 */
async function person(who) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.setDefaultNavigationTimeout(STEP_MS);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`${who}: uncaught ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${who}: console error ${m.text()}`);
  });
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(ORIGIN) && !url.startsWith('data:') && !url.startsWith('ws://' + new URL(ORIGIN).host)) {
      problems.push(`${who}: request to another origin: ${url}`);
    }
  });
  return { who, page, context, problems };
}

/** Saves a screenshot of the step: `NN-<who>-<step>.png`. */
async function snap(p, step) {
  shot += 1;
  const file = path.join(SHOTS, `${String(shot).padStart(2, '0')}-${p.who}-${step}.png`);
  await p.page.screenshot({ path: file, fullPage: true, timeout: STEP_MS });
}

// The controls, by their accessible names (exact).
const nameBox = (page) => page.getByLabel('Name', { exact: true });
const loginButton = (page) => page.getByRole('button', { name: 'Log in', exact: true });
const roomBox = (page) => page.getByLabel('Room', { exact: true });
const joinButton = (page) => page.getByRole('button', { name: 'Join', exact: true });
const messageBox = (page) => page.getByLabel('Message', { exact: true });
const sendButton = (page) => page.getByRole('button', { name: 'Send', exact: true });
const log = (page) => page.getByRole('log');

/** The chat line by `author` saying `text`: both in the same item of the log. */
function line(page, author, text) {
  return log(page)
    .getByRole('listitem')
    .filter({ has: page.getByText(author, { exact: true }) })
    .filter({ hasText: text });
}

async function expectLine(p, author, text) {
  const l = line(p.page, author, text);
  try {
    await l.waitFor({ state: 'visible', timeout: STEP_MS });
  } catch {
    const shown = await log(p.page).innerText({ timeout: 1000 }).catch(() => '(no log)');
    assert.fail(`${p.who} should see "${author}: ${text}" in the log; it shows:\n${shown}`);
  }
  assert.equal(await l.count(), 1, `${p.who} should see "${author}: ${text}" once`);
}

/** The log's chat lines, as `author: text`, in order. */
async function chatLines(page) {
  return log(page)
    .getByRole('listitem')
    .evaluateAll((items) =>
      items
        .filter((li) => li.querySelector('time'))
        .map((li) => `${li.querySelector('.author')?.textContent}: ${li.querySelector('.text')?.textContent}`),
    );
}

async function open(p) {
  const res = await p.page.goto(DEMO_URL);
  assert.equal(res?.status(), 200, 'GET / should answer 200');
  await nameBox(p.page).waitFor({ state: 'visible' });
}

/** Logs in with the mouse: fill "Name", click "Log in". */
async function logIn(p, name) {
  await nameBox(p.page).fill(name);
  await loginButton(p.page).click();
  await roomBox(p.page).waitFor({ state: 'visible' });
}

/** Joins with the mouse: fill "Room", click "Join"; the room's heading shows. */
async function joinRoom(p, room) {
  await roomBox(p.page).fill(room);
  await joinButton(p.page).click();
  await p.page.getByRole('heading', { name: `# ${room}`, exact: true }).waitFor({ state: 'visible' });
}

function assertNoProblems(...people) {
  const problems = people.flatMap((p) => p.problems);
  assert.deepEqual(problems, [], 'the page should run without errors and load nothing from elsewhere');
}

describe('the demo web client in Chromium', () => {
  test('two people chat both ways in one room, see each other typing; a newcomer sees the history', TEST, async () => {
    const room = `lobby-${uniqueSuffix()}`;
    const alice = await person('alice');
    const bob = await person('bob');
    const carol = await person('carol');
    try {
      // Alice uses the mouse.
      await open(alice);
      await snap(alice, 'opened');
      await logIn(alice, 'alice');
      await snap(alice, 'logged-in');
      await joinRoom(alice, room);
      await snap(alice, 'joined');

      // Bob uses only the keyboard: the page puts the focus where the next step is, and Enter
      // submits each form.
      await open(bob);
      await bob.page.keyboard.type('bob');
      await bob.page.keyboard.press('Enter');
      await roomBox(bob.page).waitFor({ state: 'visible' });
      await bob.page.waitForFunction(() => !document.getElementById('room').disabled, null, { timeout: STEP_MS });
      await bob.page.keyboard.press('Control+A');
      await bob.page.keyboard.type(room);
      await bob.page.keyboard.press('Enter');
      await bob.page.getByRole('heading', { name: `# ${room}`, exact: true }).waitFor({ state: 'visible' });
      await snap(bob, 'joined-by-keyboard');

      // Alice types: Bob sees her typing.
      await messageBox(alice.page).pressSequentially('Hello Bob', { delay: 20 });
      await bob.page.getByText('alice is typing…').waitFor({ state: 'visible' });
      await snap(bob, 'sees-alice-typing');

      // Alice sends with the button: both see her line, with author and text.
      await sendButton(alice.page).click();
      await expectLine(alice, 'alice', 'Hello Bob');
      await expectLine(bob, 'alice', 'Hello Bob');
      await bob.page.getByText('alice is typing…').waitFor({ state: 'hidden' });
      assert.equal(await messageBox(alice.page).inputValue(), '', 'the message box is emptied once sent');
      await snap(alice, 'sent');
      await snap(bob, 'received');

      // Bob answers from the keyboard (the focus is on "Message" since he joined).
      await bob.page.keyboard.type('Hi Alice, good to see you');
      await alice.page.getByText('bob is typing…').waitFor({ state: 'visible' });
      await snap(alice, 'sees-bob-typing');
      await bob.page.keyboard.press('Enter');
      await expectLine(bob, 'bob', 'Hi Alice, good to see you');
      await expectLine(alice, 'bob', 'Hi Alice, good to see you');
      await snap(alice, 'received-reply');
      await snap(bob, 'sent-reply');

      // Carol comes later: the room's history shows, in order, each line once.
      await open(carol);
      await logIn(carol, 'carol');
      await joinRoom(carol, room);
      await expectLine(carol, 'alice', 'Hello Bob');
      await expectLine(carol, 'bob', 'Hi Alice, good to see you');
      assert.deepEqual(await chatLines(carol.page), ['alice: Hello Bob', 'bob: Hi Alice, good to see you']);
      await snap(carol, 'history');

      // ...and chats live with the others.
      await messageBox(carol.page).fill('Hello both');
      await sendButton(carol.page).click();
      for (const p of [alice, bob, carol]) await expectLine(p, 'carol', 'Hello both');
      assert.deepEqual(await chatLines(alice.page), [
        'alice: Hello Bob',
        'bob: Hi Alice, good to see you',
        'carol: Hello both',
      ]);
      await snap(bob, 'three-people');

      // Each accessible name belongs to exactly one control, even matched loosely.
      for (const label of ['Name', 'Room', 'Message']) {
        assert.equal(await alice.page.getByLabel(label).count(), 1, `one control labelled ${label}`);
      }
      for (const name of ['Log in', 'Join', 'Send']) {
        assert.equal(
          await alice.page.getByRole('button', { name, includeHidden: true }).count(),
          1,
          `one button named ${name}`,
        );
      }
      assertNoProblems(alice, bob, carol);
    } finally {
      await Promise.all([alice, bob, carol].map((p) => p.context.close()));
    }
  });

  test('announcements and exceptions show as lines of their own', TEST, async () => {
    const room = `news-${uniqueSuffix()}`;
    const dana = await person('dana');
    try {
      await open(dana);
      await logIn(dana, 'dana');
      await joinRoom(dana, room);

      // An admin announces into the room over HTTP.
      const login = await fetch(`${DEMO_URL}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'admin' }),
        signal: AbortSignal.timeout(STEP_MS),
      });
      const { token } = await login.json();
      const announce = await fetch(`${DEMO_URL}/rooms/${room}/announce`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ message: 'Maintenance at noon' }),
        signal: AbortSignal.timeout(STEP_MS),
      });
      assert.equal(announce.status, 204);
      await log(dana.page)
        .getByRole('listitem')
        .filter({ hasText: 'Announcement from admin:' })
        .filter({ hasText: 'Maintenance at noon' })
        .waitFor({ state: 'visible' });
      await snap(dana, 'announcement');

      // A message the server refuses (over 2000 characters; the box stops at 2000, so the test
      // lifts that limit): the `exception` shows as an error line.
      await messageBox(dana.page).evaluate((input) => input.removeAttribute('maxlength'));
      await messageBox(dana.page).fill('x'.repeat(2001));
      await sendButton(dana.page).click();
      await log(dana.page)
        .getByRole('listitem')
        .filter({ hasText: 'Error:' })
        .filter({ hasText: 'Validation failed' })
        .first()
        .waitFor({ state: 'visible' });
      await snap(dana, 'exception');
      assert.deepEqual(await chatLines(dana.page), [], 'the refused message is not shown as sent');
      assertNoProblems(dana);
    } finally {
      await dana.context.close();
    }
  });
});

// Gateway Chat: the demo's web client, plain JavaScript on the socket.io client this app serves
// (/socket.io.min.js). Log in over HTTP (POST /auth/login), then namespace /chat with the token:
// join a room, read its history, chat, see who is typing, announcements and errors.
'use strict';

(() => {
  /** How long an acknowledgement may take before the page says so. */
  const ACK_TIMEOUT_MS = 5000;
  /** At most one `typing` event per this many ms while the user types. */
  const TYPING_THROTTLE_MS = 1500;
  /** How long a typing notice stays after the last `typing` event. */
  const TYPING_SHOWN_MS = 3000;

  const $ = (id) => document.getElementById(id);
  const el = {
    status: $('status'),
    whoami: $('whoami'),
    loginView: $('login-view'),
    loginForm: $('login-form'),
    name: $('name'),
    loginButton: $('login-button'),
    loginError: $('login-error'),
    chatView: $('chat-view'),
    roomForm: $('room-form'),
    room: $('room'),
    joinButton: $('join-button'),
    roomError: $('room-error'),
    roomTitle: $('room-title'),
    roomSubtitle: $('room-subtitle'),
    scroller: $('scroller'),
    empty: $('empty'),
    log: $('log'),
    typing: $('typing'),
    sendForm: $('send-form'),
    message: $('message'),
    sendButton: $('send-button'),
  };

  const state = {
    /** @type {string | null} who is logged in */
    me: null,
    /** @type {any} the /chat socket */
    socket: null,
    /** @type {string | null} the room joined */
    room: null,
    /** @type {string | null} the room asked for, until `joined` */
    joining: null,
    /** live messages that arrive while the history is on its way */
    pending: null,
    /** keys of the messages shown, so that one in both the history and live is shown once */
    seen: new Set(),
    lastTypingSent: 0,
    /** when the last `exception` arrived (ms) */
    lastException: 0,
    /** @type {Map<string, number>} who is typing → timer */
    typers: new Map(),
  };

  // --- small helpers ---------------------------------------------------------

  function setStatus(kind, text) {
    el.status.dataset.state = kind;
    el.status.textContent = text;
  }

  function formatTime(ms) {
    const d = new Date(ms);
    const sameDay = d.toDateString() === new Date().toDateString();
    const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    return sameDay ? time : `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time}`;
  }

  function nearBottom() {
    const s = el.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 80;
  }

  function append(li, { forceScroll = false } = {}) {
    const stick = forceScroll || nearBottom();
    el.log.append(li);
    el.empty.hidden = true;
    if (stick) el.scroller.scrollTop = el.scroller.scrollHeight;
  }

  function clearLog() {
    el.log.replaceChildren();
    el.empty.hidden = false;
    state.seen.clear();
  }

  const keyOf = (m) => `${m.at}\u0000${m.from}\u0000${m.message}`;

  /** One chat line: its author, its time and its text. */
  function chatLine(m) {
    const li = document.createElement('li');
    li.className = 'line chat-line';
    if (m.from === state.me) li.classList.add('mine');
    const meta = document.createElement('div');
    meta.className = 'line-meta';
    const author = document.createElement('span');
    author.className = 'author';
    author.textContent = m.from;
    const time = document.createElement('time');
    time.dateTime = new Date(m.at).toISOString();
    time.textContent = formatTime(m.at);
    meta.append(author, time);
    const text = document.createElement('p');
    text.className = 'text';
    text.textContent = m.message;
    li.append(meta, text);
    return li;
  }

  function showMessage(m, opts) {
    const key = keyOf(m);
    if (state.seen.has(key)) return;
    state.seen.add(key);
    append(chatLine(m), opts);
  }

  /** An announcement, an error or a notice from the page itself. */
  function noticeLine(kind, label, text) {
    const li = document.createElement('li');
    li.className = `line ${kind}`;
    if (label) {
      const k = document.createElement('span');
      k.className = 'kind';
      k.textContent = `${label} `;
      li.append(k);
    }
    const t = document.createElement('span');
    t.className = 'text';
    t.textContent = text;
    li.append(t);
    append(li, { forceScroll: true });
  }

  function showError(text) {
    noticeLine('error', 'Error:', text);
  }

  function describeException(ex) {
    if (!ex || typeof ex !== 'object') return String(ex);
    let text = typeof ex.message === 'string' ? ex.message : JSON.stringify(ex);
    if (Array.isArray(ex.errors) && ex.errors.length > 0) {
      const fields = ex.errors.map((e) => e.field).filter(Boolean);
      if (fields.length > 0) text += ` (${[...new Set(fields)].join(', ')})`;
    }
    return text;
  }

  function setRoomControls(enabled) {
    el.room.disabled = !enabled;
    el.joinButton.disabled = !enabled;
  }

  function setComposer(enabled) {
    el.message.disabled = !enabled;
    el.sendButton.disabled = !enabled;
  }

  // --- typing notices --------------------------------------------------------

  function renderTyping() {
    const names = [...state.typers.keys()];
    if (names.length === 0) el.typing.textContent = '';
    else if (names.length === 1) el.typing.textContent = `${names[0]} is typing…`;
    else if (names.length === 2) el.typing.textContent = `${names[0]} and ${names[1]} are typing…`;
    else el.typing.textContent = 'Several people are typing…';
  }

  function someoneTyping(from) {
    clearTimeout(state.typers.get(from));
    state.typers.set(from, setTimeout(() => stoppedTyping(from), TYPING_SHOWN_MS));
    renderTyping();
  }

  function stoppedTyping(from) {
    if (!state.typers.has(from)) return;
    clearTimeout(state.typers.get(from));
    state.typers.delete(from);
    renderTyping();
  }

  function clearTyping() {
    for (const timer of state.typers.values()) clearTimeout(timer);
    state.typers.clear();
    renderTyping();
  }

  // --- logging in ------------------------------------------------------------

  async function login(name) {
    const res = await fetch('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    if (res.ok) return (await res.json()).token;
    if (res.status === 400) throw new Error('That name does not work: use 1 to 32 characters.');
    throw new Error(`The server refused to log you in (HTTP ${res.status}).`);
  }

  el.loginForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = el.name.value.trim();
    el.loginError.textContent = '';
    if (name.length === 0 || name.length > 32) {
      el.loginError.textContent = 'Enter a name of 1 to 32 characters.';
      el.name.focus();
      return;
    }
    el.loginButton.disabled = true;
    setStatus('connecting', 'Logging in…');
    try {
      const token = await login(name);
      state.me = name;
      connect(token);
      el.loginView.hidden = true;
      el.chatView.hidden = false;
      el.whoami.textContent = name;
      el.whoami.hidden = false;
    } catch (e) {
      setStatus('error', 'Offline');
      el.loginError.textContent = e instanceof Error ? e.message : String(e);
      el.name.focus();
    } finally {
      el.loginButton.disabled = false;
    }
  });

  // --- the /chat connection --------------------------------------------------

  function connect(token) {
    setStatus('connecting', 'Connecting…');
    // eslint-disable-next-line no-undef
    const socket = io('/chat', { auth: { token } });
    state.socket = socket;

    socket.on('connect', () => {
      setStatus('online', 'Connected');
      setRoomControls(true);
      // First connection: the next step is choosing a room.
      if (!state.room && !state.joining) el.room.focus();
      // After a reconnection the server has forgotten the socket's room: join it again.
      const again = state.room;
      if (again) join(again);
    });

    socket.on('connect_error', (err) => {
      setStatus('error', 'Cannot connect');
      el.roomError.textContent = `Cannot connect: ${err.message}`;
    });

    socket.on('disconnect', (reason) => {
      setRoomControls(false);
      setComposer(false);
      clearTyping();
      if (reason === 'io server disconnect') {
        // The server closed the connection: the token expired.
        setStatus('error', 'Signed out');
        noticeLine('system', '', 'Your session ended. Reload the page to log in again.');
      } else {
        setStatus('connecting', 'Reconnecting…');
      }
    });

    socket.on('joined', (roomId) => {
      if (roomId !== state.joining && roomId !== state.room) return;
      state.joining = null;
      enterRoom(roomId);
    });

    socket.on('chat/receive', (m) => {
      if (!m || m.roomId !== state.room) return;
      stoppedTyping(m.from);
      if (state.pending) state.pending.push(m);
      else showMessage(m, { forceScroll: m.from === state.me });
    });

    socket.on('typing', (t) => {
      if (!t || t.roomId !== state.room || t.from === state.me) return;
      someoneTyping(t.from);
    });

    socket.on('announcement', (a) => {
      if (!a || a.roomId !== state.room) return;
      noticeLine('announcement', `Announcement from ${a.from}:`, a.message);
    });

    socket.on('cleared', (c) => {
      if (!c || c.roomId !== state.room) return;
      clearLog();
      noticeLine('system', '', 'The history of this room was cleared.');
    });

    // The admin's chat/clear asks every client of the room to confirm, with an ack.
    socket.on('confirm-clear', (c, ack) => {
      if (typeof ack === 'function') ack(true);
    });

    socket.on('exception', (ex) => {
      state.lastException = Date.now();
      showError(describeException(ex));
    });
  }

  // --- rooms -----------------------------------------------------------------

  function join(roomId) {
    state.joining = roomId;
    el.roomError.textContent = '';
    state.socket.emit('join', { roomId });
  }

  async function enterRoom(roomId) {
    const previous = state.room;
    if (previous && previous !== roomId) state.socket.emit('leave', { roomId: previous });
    state.room = roomId;
    clearLog();
    clearTyping();
    el.roomTitle.textContent = `# ${roomId}`;
    el.roomSubtitle.textContent = `You are chatting as ${state.me}.`;
    document.title = `# ${roomId} · Gateway Chat`;
    setComposer(true);
    el.message.focus();

    // The history; live messages arriving meanwhile wait, and show after it (once).
    state.pending = [];
    try {
      const history = await state.socket.timeout(ACK_TIMEOUT_MS).emitWithAck('history', { roomId });
      if (state.room !== roomId) return;
      for (const m of Array.isArray(history) ? history : []) showMessage(m, { forceScroll: true });
    } catch {
      if (state.room === roomId) showError('The history did not arrive.');
    } finally {
      if (state.room === roomId) {
        const live = state.pending || [];
        state.pending = null;
        for (const m of live) showMessage(m, { forceScroll: true });
      }
    }
  }

  el.roomForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const roomId = el.room.value.trim();
    if (roomId.length === 0 || roomId.length > 64) {
      el.roomError.textContent = 'Enter a room name of 1 to 64 characters.';
      el.room.focus();
      return;
    }
    if (!state.socket || !state.socket.connected) {
      el.roomError.textContent = 'Not connected yet.';
      return;
    }
    if (roomId === state.room) {
      el.message.focus();
      return;
    }
    join(roomId);
  });

  // --- sending ---------------------------------------------------------------

  el.message.addEventListener('input', () => {
    if (!state.room || !state.socket || !state.socket.connected || el.message.value === '') return;
    const now = Date.now();
    if (now - state.lastTypingSent < TYPING_THROTTLE_MS) return;
    state.lastTypingSent = now;
    state.socket.emit('typing', { roomId: state.room });
  });

  el.sendForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const message = el.message.value;
    if (message.trim() === '' || !state.room || !state.socket) return;
    const roomId = state.room;
    const sentAt = Date.now();
    el.message.value = '';
    state.lastTypingSent = 0;
    try {
      const ack = await state.socket.timeout(ACK_TIMEOUT_MS).emitWithAck('chat/send', { roomId, message });
      if (!ack || ack.ok !== true) throw new Error('the server did not take it');
    } catch (e) {
      // A refused message gets its `exception` (already shown) and no ack: say it once.
      if (state.lastException < sentAt) {
        showError(`Your message was not sent (${e instanceof Error ? e.message : e}).`);
      }
      if (el.message.value === '') el.message.value = message;
    }
  });

  el.name.focus();
})();

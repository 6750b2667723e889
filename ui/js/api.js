// The only file that knows how the UI reaches the core.
//  - Desktop (Tauri): window.__TAURI__.core.invoke('call', {command, args, session, background})
//  - Browser door:    POST /api/<command> with header X-Desk-Session (and X-Desk-Background
//    on a screen's own polling, which does not keep an idle session alive)
// Either way call() resolves with the result JSON or rejects with {code, message, field?}.

const SESSION_KEY = 'desk.session';

function tauriInvoke() {
  const invoke = window.__TAURI__?.core?.invoke;
  return typeof invoke === 'function' ? invoke : null;
}

// The session this window logged in with (auth.login / auth.setup). Kept for this window
// only (sessionStorage), so closing it logs out. The UI tests may hand one over in the
// address (#session=…): taken only when the core says so (auth.status.session_handover,
// a debug build with the test hooks on); at a real desk a link carrying a session logs
// nobody in.
let memorySession = null;

function sessionInHash() {
  const match = /(?:^#|[#&])session=([^&]+)/.exec(location.hash);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}

const handedOver = sessionInHash();

/** The session of this window ('' before logging in). */
export function session() {
  try {
    return sessionStorage.getItem(SESSION_KEY) ?? memorySession ?? '';
  } catch {
    return memorySession ?? '';
  }
}

/** Remembers (or, with '', forgets) this window's session. */
export function setSession(value) {
  memorySession = value || null;
  try {
    if (value) sessionStorage.setItem(SESSION_KEY, value);
    else sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // Storage disabled: the session lasts as long as this page.
  }
}

/** True when this page load carried a session in the hash (the app then resets the hash). */
export const sessionArrived = handedOver !== null;

// Called when the core says the session has ended (expired, logged out elsewhere).
let onSignedOut = () => {};
export function whenSignedOut(handler) {
  onSignedOut = handler;
}

export function transport() {
  return tauriInvoke() ? 'desktop' : 'browser';
}

function asError(value, fallbackCode) {
  if (value && typeof value === 'object' && typeof value.code === 'string') {
    const error = { code: value.code, message: String(value.message ?? '') };
    if (value.field) error.field = value.field;
    if (Array.isArray(value.fields)) error.fields = value.fields;
    return error;
  }
  if (typeof value === 'string') {
    try {
      return asError(JSON.parse(value), fallbackCode);
    } catch {
      return { code: fallbackCode, message: value };
    }
  }
  return { code: fallbackCode, message: String(value ?? '') };
}

async function callHttp(command, args, background) {
  const headers = { 'X-Desk-Session': session(), 'Content-Type': 'application/json' };
  if (background) headers['X-Desk-Background'] = '1';
  let response;
  try {
    response = await fetch(`/api/${encodeURIComponent(command)}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(args),
    });
  } catch (cause) {
    throw { code: 'network', message: String(cause?.message ?? cause) };
  }
  let body = null;
  const text = await response.text();
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (!response.ok) throw asError(body, response.status === 401 ? 'unauthorized' : 'http');
  return body;
}

async function callTauri(invoke, command, args, background) {
  try {
    return await invoke('call', { command, args, session: session() || null, background });
  } catch (cause) {
    throw asError(cause, 'desktop');
  }
}

function send(command, args, background) {
  const invoke = tauriInvoke();
  return invoke ? callTauri(invoke, command, args, background) : callHttp(command, args, background);
}

// Settled once the handed-over session (if any) is taken or refused; every call waits for it.
const handover =
  handedOver === null
    ? Promise.resolve()
    : send('auth.status', {}, false)
        .then((status) => {
          if (status?.session_handover === true) setSession(handedOver);
        })
        .catch(() => {});

/**
 * Runs one core command. Rejects with {code, message, field?}. `background: true` marks a
 * screen's own refresh (polling), which does not count as the user being active.
 */
export async function call(command, args = {}, { background = false } = {}) {
  await handover;
  try {
    return await send(command, args, background);
  } catch (error) {
    if (error?.code === 'unauthorized' && !command.startsWith('auth.')) {
      setSession('');
      onSignedOut(error);
    }
    throw error;
  }
}

// ---- rings (来电弹屏, issue 20) ------------------------------------------------------------

/** One server-sent event block ("event: ring\nid: 7\ndata: {…}") as {event, data}. */
function sseEvent(block) {
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const at = line.indexOf(':');
    const name = at < 0 ? line : line.slice(0, at);
    const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '');
    if (name === 'event') event = value;
    else if (name === 'data') data.push(value);
  }
  return { event, data: data.join('\n') };
}

/**
 * Listens for the rings pushed to this desk: `handlers.ring(screen)` for each caller's
 * screen, `handlers.state('ready' | 'retrying' | 'refused')` as the stream goes. Desktop:
 * the `rings` command with this window's session and a channel the screens come down.
 * Browser: GET /api/events with this window's session (read
 * with fetch, which can send the session header; EventSource cannot), opened again two
 * seconds after it drops, given up when the door refuses the session. Returns stop().
 */
export function listenRings(handlers) {
  const invoke = tauriInvoke();
  const Channel = window.__TAURI__?.core?.Channel;
  if (invoke) {
    if (typeof Channel !== 'function') return () => {};
    let live = true;
    const channel = new Channel();
    channel.onmessage = (text) => {
      if (!live) return;
      try {
        handlers.ring(typeof text === 'string' ? JSON.parse(text) : text);
      } catch {
        // A malformed ring is dropped; the next one is shown.
      }
    };
    invoke('rings', { session: session() || null, onRing: channel }).then(
      () => live && handlers.state?.('ready'),
      () => live && handlers.state?.('refused'),
    );
    return () => {
      live = false;
    };
  }
  let stopped = false;
  let controller = null;
  (async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const response = await fetch('/api/events', {
          headers: { 'X-Desk-Session': session(), Accept: 'text/event-stream' },
          signal: controller.signal,
          cache: 'no-store',
        });
        if (response.status === 401 || response.status === 403) {
          handlers.state?.('refused');
          return;
        }
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replace(/\r\n?/g, '\n');
          let at;
          while ((at = buffer.indexOf('\n\n')) >= 0) {
            const { event, data } = sseEvent(buffer.slice(0, at));
            buffer = buffer.slice(at + 2);
            if (event === 'ready') handlers.state?.('ready');
            else if (event === 'signed_out') {
              handlers.state?.('refused');
              return;
            } else if (event === 'ring') {
              try {
                handlers.ring(JSON.parse(data));
              } catch {
                // A malformed event is dropped; the next ring is shown.
              }
            }
          }
        }
      } catch {
        if (stopped) return;
      }
      if (stopped) return;
      handlers.state?.('retrying');
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  })();
  return () => {
    stopped = true;
    controller?.abort();
  };
}

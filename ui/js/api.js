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

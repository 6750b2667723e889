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
// only (sessionStorage), so closing it logs out; a test may hand one over as #session=….
let memorySession = null;

function takeSessionFromHash() {
  const match = /(?:^#|[#&])session=([^&]+)/.exec(location.hash);
  if (!match) return false;
  setSession(decodeURIComponent(match[1]));
  return true;
}

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
export const sessionArrived = takeSessionFromHash();

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

/**
 * Runs one core command. Rejects with {code, message, field?}. `background: true` marks a
 * screen's own refresh (polling), which does not count as the user being active.
 */
export async function call(command, args = {}, { background = false } = {}) {
  const invoke = tauriInvoke();
  try {
    return await (invoke
      ? callTauri(invoke, command, args, background)
      : callHttp(command, args, background));
  } catch (error) {
    if (error?.code === 'unauthorized' && !command.startsWith('auth.')) {
      setSession('');
      onSignedOut(error);
    }
    throw error;
  }
}

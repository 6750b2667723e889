// The only file that knows how the UI reaches the core.
//  - Desktop (Tauri): window.__TAURI__.core.invoke('call', {command, args})
//  - Browser door:    POST /api/<command> with header X-Desk-Token
// Either way call() resolves with the result JSON or rejects with {code, message, field?}.

const TOKEN_KEY = 'desk.token';

function tauriInvoke() {
  const invoke = window.__TAURI__?.core?.invoke;
  return typeof invoke === 'function' ? invoke : null;
}

// The browser door opens the UI at #token=…; keep it for this tab and let the
// router replace the hash so the token does not stay in the address bar.
function takeTokenFromHash() {
  const match = /(?:^#|[#&])token=([^&]+)/.exec(location.hash);
  if (!match) return false;
  try {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
  } catch {
    memoryToken = decodeURIComponent(match[1]);
  }
  return true;
}

let memoryToken = null;
/** True when this page load carried a token in the hash (the app then resets the hash). */
export const tokenArrived = takeTokenFromHash();

function token() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? memoryToken ?? '';
  } catch {
    return memoryToken ?? '';
  }
}

export function transport() {
  return tauriInvoke() ? 'desktop' : 'browser';
}

function asError(value, fallbackCode) {
  if (value && typeof value === 'object' && typeof value.code === 'string') {
    const error = { code: value.code, message: String(value.message ?? '') };
    if (value.field) error.field = value.field;
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

async function callHttp(command, args) {
  let response;
  try {
    response = await fetch(`/api/${encodeURIComponent(command)}`, {
      method: 'POST',
      headers: { 'X-Desk-Token': token(), 'Content-Type': 'application/json' },
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

async function callTauri(invoke, command, args) {
  try {
    return await invoke('call', { command, args });
  } catch (cause) {
    throw asError(cause, 'desktop');
  }
}

/** Runs one core command. Rejects with {code, message, field?}. */
export function call(command, args = {}) {
  const invoke = tauriInvoke();
  return invoke ? callTauri(invoke, command, args) : callHttp(command, args);
}

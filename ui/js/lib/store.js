// What this browser remembers for the clerk: choices (language, slip and label settings) in
// localStorage, a half-counted stocktake sheet in this window's sessionStorage. Storage may be
// disabled (private mode, a locked-down browser): reads then give the fallback and writes do
// nothing, so a remembered choice is only ever a convenience.

function area(session) {
  return session ? sessionStorage : localStorage;
}

/** The text stored under `key`, or `fallback`. */
export function readText(key, fallback = null, { session = false } = {}) {
  try {
    return area(session).getItem(key) ?? fallback;
  } catch {
    return fallback;
  }
}

/** Stores `value` as text under `key`; null or undefined forgets it. */
export function writeText(key, value, { session = false } = {}) {
  try {
    if (value === null || value === undefined) area(session).removeItem(key);
    else area(session).setItem(key, String(value));
  } catch {
    // Storage disabled: the value lasts while the page is open.
  }
}

/** The JSON stored under `key`, or `fallback` when missing or unreadable. */
export function readJson(key, fallback = null, options = {}) {
  try {
    return JSON.parse(readText(key, 'null', options)) ?? fallback;
  } catch {
    return fallback;
  }
}

/** Stores `value` as JSON under `key`; null forgets it. */
export function writeJson(key, value, options = {}) {
  writeText(key, value === null ? null : JSON.stringify(value), options);
}

/** Forgets every draft this browser keeps (localStorage keys starting with `draft.`). */
export function clearDrafts() {
  try {
    const keys = [];
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i);
      if (key?.startsWith('draft.')) keys.push(key);
    }
    for (const key of keys) localStorage.removeItem(key);
    for (let i = sessionStorage.length - 1; i >= 0; i -= 1) {
      const key = sessionStorage.key(i);
      if (key?.startsWith('draft.')) sessionStorage.removeItem(key);
    }
  } catch {
    // Storage disabled: there are no drafts to forget.
  }
}

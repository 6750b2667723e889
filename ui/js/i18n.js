// Screen text. Every visible string comes from ui/i18n/<lang>/<area>.json.
// zh-CN is the default; the clerk's choice is kept in localStorage.

import { readText, writeText } from './lib/store.js';

export const LANGUAGES = ['zh-CN', 'en'];
const DEFAULT_LANG = 'zh-CN';
const STORAGE_KEY = 'desk.lang';

let lang = DEFAULT_LANG;
let strings = {};
let fallback = {};

// One file per area and language, i18n/<lang>/<area>.json, the areas named as in src/ and
// js/views/ (common: the frame). A key lives in exactly one area; the tables are merged.
const AREAS = ['common', 'people', 'archive', 'stock', 'orders', 'slips', 'claims', 'followup', 'calls', 'notify', 'reports'];

async function loadTable(code) {
  const tables = await Promise.all(
    AREAS.map(async (area) => {
      const response = await fetch(`i18n/${code}/${area}.json`);
      if (!response.ok) throw new Error(`i18n ${code}/${area}: HTTP ${response.status}`);
      return response.json();
    }),
  );
  return Object.assign({}, ...tables);
}

function storedLanguage() {
  const saved = readText(STORAGE_KEY);
  return LANGUAGES.includes(saved) ? saved : DEFAULT_LANG;
}

/** Loads the stored (or default) language. Call once before the first render. */
export async function initI18n() {
  fallback = await loadTable(DEFAULT_LANG);
  await setLanguage(storedLanguage(), false);
}

export async function setLanguage(code, remember = true) {
  if (!LANGUAGES.includes(code)) code = DEFAULT_LANG;
  strings = code === DEFAULT_LANG ? fallback : await loadTable(code);
  lang = code;
  document.documentElement.lang = code;
  if (remember) writeText(STORAGE_KEY, code);
}

export function language() {
  return lang;
}

/**
 * Text for `key`, with `{name}` placeholders filled from `params`; `otherwise` (if given)
 * when there is no such key, e.g. for codes read from data.
 */
export function t(key, params = {}, otherwise = undefined) {
  let text = strings[key] ?? fallback[key];
  if (text === undefined && otherwise !== undefined) return otherwise;
  if (text === undefined) {
    console.warn(`i18n: missing key ${key}`);
    text = key;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    params[name] === undefined ? whole : String(params[name]),
  );
}

/**
 * Fills static markup: data-i18n (text), data-i18n-placeholder, data-i18n-title,
 * data-i18n-aria-label.
 */
export function translateTree(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
  }
}

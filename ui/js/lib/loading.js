// Loading and error states: 「正在加载…」 while a part of a screen waits for the core, and an
// error panel with 重试 when it could not load.
import { h } from './dom.js';
import { t } from '../i18n.js';
import { errorText } from './form.js';

/** Waits this long before saying 「正在加载…」, so fast answers do not flicker. */
export const LOADING_DELAY_MS = 150;

/**
 * Marks `container` busy; after a moment a 「正在加载…」 note appears at its top. Returns
 * `done()`, which removes both.
 */
export function busy(container, { delay = LOADING_DELAY_MS } = {}) {
  container.setAttribute('aria-busy', 'true');
  let note = null;
  const timer = setTimeout(() => {
    note = h('p', { class: 'loading-note', role: 'status' }, t('common.loading'));
    container.prepend(note);
  }, delay);
  return () => {
    clearTimeout(timer);
    note?.remove();
    container.removeAttribute('aria-busy');
  };
}

/**
 * Runs `work()` with `container` marked busy (see `busy`); on a failure the container shows
 * an error panel whose 重试 runs `withLoading` again, and the promise resolves to undefined.
 */
export async function withLoading(container, work, options = {}) {
  const done = busy(container, options);
  try {
    return await work();
  } catch (error) {
    done();
    container.replaceChildren(errorPanel(error, () => withLoading(container, work, options)));
    return undefined;
  } finally {
    done();
  }
}

/**
 * A panel saying what went wrong (the core's Chinese message, or the network one) with a
 * 重试 button that calls `retry`, and a link `home` if given.
 */
export function errorPanel(error, retry, { id, home } = {}) {
  const button = h(
    'button',
    { type: 'button', class: 'btn btn-primary retry', onclick: () => retry() },
    t('common.retry'),
  );
  return h(
    'section',
    { class: 'page error-panel', id },
    h('p', { class: 'notice notice-error', role: 'alert' }, errorText(error)),
    h('p', { class: 'error-actions' }, button, home ? h('a', { href: home, class: 'btn btn-quiet' }, t('common.home')) : null),
  );
}

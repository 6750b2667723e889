// Nothing typed is lost: which screen has unsaved typing, and the question the frame asks
// before leaving it (保存 / 放弃 / 继续编辑).
//
// A screen is dirty when the clerk typed into one of its forms (a trusted input event
// inside a <form> of the view, not inside a dialog or a [data-no-dirty] part) since
// the screen opened or since its last successful write command. A view handle may answer
// for itself with `isDirty()` (or the older `hasDraft()`), and may offer `save()`.
import { h } from './dom.js';
import { t } from '../i18n.js';

// The last word of a command that only reads: a success of any other command from the view
// counts as a save ("since the last save").
const READS = new Set([
  'list',
  'get',
  'search',
  'duplicates',
  'timeline',
  'info',
  'status',
  'queue',
  'causes',
  'preview',
  'report',
  'alerts',
  'board',
  'caller',
  'faults',
  'receivables',
  'suggest',
  'labels',
  'ledger',
  'low',
  'slow',
  'calibration',
  'continuity',
  'template',
  'export',
  'count_file',
  'orders',
  'global',
]);

/** True when a successful `command` changed data (anything but a read). */
export function isWrite(command) {
  const last = String(command).split('.').pop();
  return !READS.has(last);
}

/**
 * Watches `root` (the view container) for typing. `active()` says whether a routed screen
 * is on show (the login form is not guarded).
 */
export function createDirtyTracker(root, active) {
  const state = { dirty: false, form: null, inflight: new Set() };

  function onTyped(event) {
    if (!event.isTrusted || !active()) return;
    const el = event.target;
    if (!(el instanceof Element)) return;
    const form = el.closest('form');
    if (!form || el.closest('dialog, [data-no-dirty]')) return;
    state.dirty = true;
    state.form = form;
  }
  // Only `input`: every control fires it on a user's edit, while a `change` can come late
  // (on blur) for a value the view itself reset after saving.
  root.addEventListener('input', onTyped, true);

  return {
    /** The screen changed: nothing typed yet. */
    reset() {
      state.dirty = false;
      state.form = null;
    },
    /** A write succeeded: what was typed is saved. */
    saved() {
      state.dirty = false;
    },
    typed: () => state.dirty,
    form: () => (state.form?.isConnected ? state.form : null),
    /**
     * Wraps `call` so the tracker knows a view's calls: which are running (to wait for a
     * save to finish) and when a write succeeded.
     */
    wrapCall(call, isCurrent) {
      return (command, args, options) => {
        const promise = call(command, args, options);
        state.inflight.add(promise);
        const done = () => state.inflight.delete(promise);
        promise.then(
          () => {
            done();
            if (isCurrent() && isWrite(command)) state.dirty = false;
          },
          done,
        );
        return promise;
      };
    },
    /** Resolves once no call of the view is running (after the ones a save starts). */
    async settle() {
      for (let round = 0; round < 100; round += 1) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (state.inflight.size === 0) {
          await new Promise((resolve) => setTimeout(resolve, 0));
          if (state.inflight.size === 0) return;
        }
        await Promise.allSettled([...state.inflight]);
      }
    },
  };
}

let open = null;

/** True while the leave question is on screen (the frame's keys wait). */
export function asking() {
  return open !== null;
}

/**
 * Asks what to do with the unsaved typing: resolves 'save', 'discard' or 'stay'.
 * Enter takes 保存 (the focused button), Esc 继续编辑.
 */
export function askLeave() {
  if (open) return open.promise;
  let resolve;
  const promise = new Promise((r) => {
    resolve = r;
  });
  const finish = (choice) => {
    if (!open) return;
    open = null;
    dialog.close();
    dialog.remove();
    resolve(choice);
  };
  const save = h('button', { type: 'button', class: 'btn btn-primary', id: 'leave-save', onclick: () => finish('save') }, t('leave.save'));
  const discard = h('button', { type: 'button', class: 'btn btn-danger', id: 'leave-discard', onclick: () => finish('discard') }, t('leave.discard'));
  const stay = h('button', { type: 'button', class: 'btn', id: 'leave-stay', onclick: () => finish('stay') }, t('leave.stay'));
  const dialog = h(
    'dialog',
    { id: 'leave-dialog', class: 'panel leave-dialog', 'aria-labelledby': 'leave-title', 'aria-describedby': 'leave-text' },
    h('h2', { id: 'leave-title' }, t('leave.title')),
    h('p', { id: 'leave-text' }, t('leave.text')),
    h('div', { class: 'leave-actions' }, save, discard, stay),
  );
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    finish('stay');
  });
  dialog.addEventListener('keydown', (event) => {
    // The screen's own keys (Esc = back, Ctrl+S) must not act behind the question.
    event.stopPropagation();
    if (event.key === 'Escape') {
      event.preventDefault();
      finish('stay');
    }
  });
  document.body.append(dialog);
  open = { promise };
  dialog.showModal();
  save.focus();
  return promise;
}

// 备份与恢复 — the backups in the backup folder (newest first, automatic ones rotated, the
// others kept), a backup now (to the backup folder, or a folder typed in: the
// administrator's alone), and a restore, from the list (by the backup's name) or from a
// backup file uploaded from this PC (never a path on the server), after a confirmation
// that says what will happen: the current data is backed up first, then replaced. Buttons
// are disabled and say what is running while it runs; the result stays on screen.
import { h, clear } from '../../lib/dom.js';
import { errorText, errorsFor, field } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { deskDateTime } from '../../lib/dates.js';

const KINDS = ['manual', 'close', 'daily', 'before_restore'];
/** The largest backup file taken as an upload (the core's `backup::UPLOAD_MAX_BYTES`). */
const UPLOAD_MAX_BYTES = 256 * 1024 * 1024;

/** The file's bytes as base64, which is how a file crosses either door. */
function readBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result ?? '');
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
}

/** Bytes as people read them: 340 KB, 12.5 MB. */
export function sizeText(bytes) {
  if (!Number.isFinite(bytes)) return '';
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024)).toLocaleString()} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export async function render(root, ctx) {
  const [first, status] = await Promise.all([ctx.call('backup.list', {}), ctx.call('auth.status', {})]);
  if (!ctx.isCurrent()) return null;
  // A folder of one's choice is the administrator's (the core refuses it to anyone else).
  const isAdmin = (status?.user?.roles ?? []).includes('admin');
  let listing = first;
  let busy = false;

  const result = h('p', { class: 'notice', id: 'backup-result', role: 'status', 'aria-live': 'polite', hidden: true });
  function showResult(text, isError = false) {
    result.textContent = text;
    result.className = isError ? 'notice notice-error' : 'notice notice-ok';
    result.hidden = false;
  }

  // ---- back up now ----
  const dir = h('input', { class: 'input input-wide', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: listing.folder });
  const now = h('button', { type: 'submit', class: 'btn btn-primary', id: 'backup-now' }, t('backup.now'));
  const nowError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const nowForm = h(
    'form',
    { class: 'settings-form', id: 'backup-form', novalidate: true, autocomplete: 'off' },
    nowError,
    field('backup', 'dir', dir, { label: t('backup.dir'), hint: t('backup.dir.hint', { folder: listing.folder }) }),
    h('div', { class: 'form-actions' }, now),
  );
  const nowErrors = errorsFor(nowForm, { dir }, nowError);
  if (!isAdmin) {
    dir.disabled = true;
    dir.placeholder = '';
    dir.closest('.control')?.append(h('div', { class: 'hint admin-only-note' }, t('settings.admin_only')));
  }

  function setBusy(on, button, runningKey, idleKey) {
    busy = on;
    for (const b of root.querySelectorAll('button')) b.disabled = on;
    button.textContent = t(on ? runningKey : idleKey);
    button.setAttribute('aria-busy', on ? 'true' : 'false');
  }

  nowForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    nowErrors.clearAll();
    result.hidden = true;
    setBusy(true, now, 'backup.now.running', 'backup.now');
    try {
      const made = await ctx.call('backup.now', isAdmin ? { dir: dir.value.trim() } : {});
      showResult(t('backup.now.done', { file: made.file, size: sizeText(made.size) }));
      ctx.toast(t('backup.now.toast'));
      await reload();
    } catch (error) {
      nowErrors.show(error);
    } finally {
      setBusy(false, now, 'backup.now.running', 'backup.now');
    }
  });

  // ---- the list ----
  const folderLine = h('p', { class: 'hint card-lead', id: 'backup-folder' });
  const listBox = h('div', { class: 'table-wrap' });
  function showList() {
    folderLine.textContent = t('backup.list.lead', { folder: listing.folder, keep: listing.keep });
    clear(listBox);
    const items = listing.items ?? [];
    if (items.length === 0) {
      listBox.append(h('p', { class: 'empty', id: 'backup-empty' }, t('backup.list.empty')));
      return;
    }
    listBox.append(
      h(
        'table',
        { class: 'grid grid-compact', id: 'backup-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, t('backup.col.at')),
            h('th', { scope: 'col' }, t('backup.col.kind')),
            h('th', { scope: 'col', class: 'num' }, t('backup.col.size')),
            h('th', { scope: 'col' }, t('backup.col.name')),
            h('th', { scope: 'col', class: 'col-act' }, h('span', { class: 'visually-hidden' }, t('backup.restore'))),
          ),
        ),
        h(
          'tbody',
          {},
          items.map((item) =>
            h(
              'tr',
              { dataset: { name: item.name, kind: item.kind } },
              h('td', { class: 'num' }, deskDateTime(item.at)),
              h('td', {}, h('span', { class: 'chip chip-kind' }, t(`backup.kind.${KINDS.includes(item.kind) ? item.kind : 'manual'}`))),
              h('td', { class: 'num' }, sizeText(item.size)),
              h('td', { class: 'path', title: item.file }, item.name),
              h(
                'td',
                { class: 'col-act' },
                h(
                  'button',
                  { type: 'button', class: 'btn btn-small backup-restore', dataset: { name: item.name }, onclick: () => confirmRestore({ name: item.name }, item.name, item) },
                  t('backup.restore'),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }
  async function reload() {
    try {
      listing = await ctx.call('backup.list', {});
      if (ctx.isCurrent()) showList();
    } catch (error) {
      showResult(errorText(error), true);
    }
  }

  // ---- restore from a backup file uploaded from this PC ----
  const file = h('input', { class: 'input input-wide', type: 'file', accept: '.db' });
  const open = h('button', { type: 'submit', class: 'btn', id: 'restore-open' }, t('backup.restore'));
  const fileError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const fileForm = h(
    'form',
    { class: 'settings-form', id: 'restore-form', novalidate: true, autocomplete: 'off' },
    fileError,
    field('restore', 'file', file, { label: t('backup.file'), hint: t('backup.file.hint', { max: sizeText(UPLOAD_MAX_BYTES) }) }),
    h('div', { class: 'form-actions' }, open),
  );
  const fileErrors = errorsFor(fileForm, { file }, fileError);
  file.addEventListener('change', () => fileErrors.clearAll());
  fileForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    fileErrors.clearAll();
    const chosen = file.files?.[0];
    if (!chosen) {
      fileErrors.show({ field: 'file', message: t('backup.file.required') });
      return;
    }
    if (chosen.size > UPLOAD_MAX_BYTES) {
      fileErrors.show({ field: 'file', message: t('backup.file.too_big', { size: sizeText(chosen.size), max: sizeText(UPLOAD_MAX_BYTES) }) });
      return;
    }
    let content;
    try {
      content = await readBase64(chosen);
    } catch (error) {
      fileErrors.show({ field: 'file', message: t('backup.file.unreadable', { name: chosen.name }) });
      return;
    }
    if (!ctx.isCurrent()) return;
    confirmRestore({ file_name: chosen.name, content_base64: content }, chosen.name, null);
  });

  // ---- the confirmation ----
  const dialogBody = h('div', { class: 'restore-body' });
  const dialog = h(
    'dialog',
    { id: 'restore-dialog', class: 'panel panel-wide', 'aria-labelledby': 'restore-title' },
    h('div', { class: 'panel-head' }, h('h2', { id: 'restore-title' }, t('backup.confirm.title'))),
    dialogBody,
  );
  /** `args` is what `backup.restore` takes (a name or an upload), `shown` the file's name. */
  function confirmRestore(args, shown, item) {
    if (busy) return;
    const error = h('p', { class: 'notice notice-error', role: 'alert', hidden: true });
    const confirm = h('button', { type: 'button', class: 'btn btn-danger', id: 'restore-confirm' }, t('backup.confirm.go'));
    const cancel = h('button', { type: 'button', class: 'btn', id: 'restore-cancel', onclick: () => dialog.close() }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
    const when = item ? t('backup.confirm.made', { at: deskDateTime(item.at) }) : '';
    clear(dialogBody);
    dialogBody.append(
      h('p', { id: 'restore-what' }, t('backup.confirm.what', { file: shown }), when ? ` ${when}` : ''),
      h(
        'ol',
        { class: 'merge-list', id: 'restore-steps' },
        h('li', {}, t('backup.confirm.step.check')),
        h('li', {}, t('backup.confirm.step.safety', { folder: listing.folder })),
        h('li', {}, t('backup.confirm.step.replace')),
      ),
      h('p', { class: 'merge-warning' }, t('backup.confirm.warning')),
      error,
      h('div', { class: 'panel-actions' }, confirm, cancel),
    );
    confirm.addEventListener('click', async () => {
      if (busy) return;
      error.hidden = true;
      busy = true;
      confirm.disabled = true;
      cancel.disabled = true;
      confirm.textContent = t('backup.confirm.running');
      confirm.setAttribute('aria-busy', 'true');
      try {
        const done = await ctx.call('backup.restore', args);
        dialog.close();
        // The accounts are now those of the backup: every session ended, log in again.
        ctx.signedOut(
          `${t('backup.restore.done', { from: done.restored_from, safety: done.safety.file })} ${t('backup.restore.relogin')}`,
        );
      } catch (e) {
        error.textContent = errorText(e);
        error.hidden = false;
        confirm.textContent = t('backup.confirm.go');
        confirm.removeAttribute('aria-busy');
        confirm.disabled = false;
        cancel.disabled = false;
      } finally {
        busy = false;
      }
    });
    // A restore in progress is not cancelled by Esc: it finishes or fails whole.
    dialog.addEventListener('cancel', (event) => {
      if (busy) event.preventDefault();
    });
    if (!dialog.open) dialog.showModal();
    cancel.focus();
  }

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-backup' },
      h(
        'div',
        { class: 'page-head' },
        h('h1', {}, t('backup.title')),
        h('a', { href: '#/settings', class: 'btn' }, '‹ ', t('nav.settings')),
      ),
      h('p', { class: 'hint' }, t('backup.lead')),
      result,
      h('div', { class: 'card', id: 'backup-now-card' }, h('h2', {}, t('backup.now.title')), nowForm),
      h('div', { class: 'card', id: 'backup-list-card' }, h('h2', {}, t('backup.list.title')), folderLine, listBox),
      h('div', { class: 'card', id: 'restore-file-card' }, h('h2', {}, t('backup.file.title')), h('p', { class: 'hint card-lead' }, t('backup.file.lead')), fileForm),
      dialog,
    ),
  );
  showList();
  now.focus();
  return {
    dispose() {
      if (dialog.open) dialog.close();
    },
  };
}

// 打印标签 — the small dialog that makes part or bin labels as a PDF for the label printer
// (or an A4 sheet for the office printer): label kind, code type, size, copies. Defaults:
// part label, barcode, 50×30, one copy; the kind, code and size last used on this desk
// are kept (one desk, one label printer). Enter makes the PDF from any field, Esc closes;
// the PDF arrives through the download helper. 打印 sends them to the label printer of the
// settings instead (`send`): an ESC/POS printer gets them in its own commands (issue 18).
import { h } from './dom.js';
import { download, unprintableText } from './download.js';
import { errorText, errorsFor, field } from './form.js';
import { t } from '../i18n.js';
import { parseQuantity } from './money.js';
import { readJson, writeJson } from './store.js';

const KINDS = ['part', 'bin'];
const CODES = ['barcode', 'qr'];
const SIZES = ['40x30', '50x30', '60x40', '100x50', 'a4-70x37'];
const DEFAULTS = { kind: 'part', code: 'barcode', size: '50x30' };
const STORAGE_KEY = 'desk.labels';
/** Codes named in the summary line before it says "…". */
const SUMMARY_CODES = 6;

function remembered() {
  const saved = readJson(STORAGE_KEY, {});
  return {
    kind: KINDS.includes(saved.kind) ? saved.kind : DEFAULTS.kind,
    code: CODES.includes(saved.code) ? saved.code : DEFAULTS.code,
    size: SIZES.includes(saved.size) ? saved.size : DEFAULTS.size,
  };
}

function remember(choice) {
  writeJson(STORAGE_KEY, choice);
}

function select(values, prefix, value) {
  return h(
    'select',
    { class: 'input', value },
    values.map((v) => h('option', { value: v }, t(`${prefix}.${v}`))),
  );
}

/**
 * The dialog, to append to the view: `open(parts, from)` shows it for `parts` (objects
 * with id, code, name); focus goes back to `from` when it closes.
 */
export function labelDialog(ctx) {
  const summary = h('p', { id: 'label-summary', class: 'label-summary' });
  const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const go = h(
    'button',
    { type: 'submit', id: 'label-print', class: 'btn btn-primary', title: t('labels.go.title') },
    t('labels.go'),
    ' ',
    h('kbd', {}, 'Enter'),
  );
  const send = h('button', { type: 'button', id: 'label-send', class: 'btn', title: t('labels.send.title') }, t('labels.send'));
  // 打印 sends to the label printer of the PC the core runs on: offered only there. A browser
  // on another PC, or the desktop as a LAN client, prints the downloaded PDF itself (issue 18).
  send.hidden = ctx.info?.()?.prints_here === false || Boolean(ctx.info?.()?.server);
  const cancel = h('button', { type: 'button', id: 'label-cancel', class: 'btn' }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
  const body = h('div', { class: 'label-fields' });
  const form = h(
    'form',
    { id: 'label-form', novalidate: true, autocomplete: 'off' },
    summary,
    formError,
    body,
    h('div', { class: 'panel-actions' }, go, send, cancel),
  );
  const dialog = h(
    'dialog',
    { id: 'label-dialog', class: 'panel', 'aria-labelledby': 'label-title', 'aria-describedby': 'label-summary' },
    h('div', { class: 'panel-head' }, h('h2', { id: 'label-title' }, t('labels.title'))),
    form,
  );

  let parts = [];
  let returnFocus = null;
  let controls = {};
  let errors = null;
  let busy = false;

  function open(chosen, from) {
    parts = chosen;
    returnFocus = from ?? null;
    const choice = remembered();
    controls = {
      kind: select(KINDS, 'labels.kind', choice.kind),
      code: select(CODES, 'labels.code', choice.code),
      size: select(SIZES, 'labels.size', choice.size),
      copies: h('input', { class: 'input input-qty num', type: 'text', inputmode: 'numeric', autocomplete: 'off', value: '1' }),
    };
    body.replaceChildren(
      field('label', 'kind', controls.kind, { label: t('labels.f.kind') }),
      field('label', 'code', controls.code, { label: t('labels.f.code'), hint: t('labels.f.code.hint') }),
      field('label', 'size', controls.size, { label: t('labels.f.size') }),
      field('label', 'copies', controls.copies, { label: t('labels.f.copies'), hint: t('labels.f.copies.hint') }),
    );
    errors = errorsFor(form, controls, formError);
    errors.clearAll();
    const codes = parts.map((p) => p.code);
    summary.textContent =
      parts.length === 1
        ? t('labels.summary.one', { code: parts[0].code, name: parts[0].name ?? '' })
        : t('labels.summary.many', {
            count: parts.length,
            codes: codes.slice(0, SUMMARY_CODES).join('、') + (codes.length > SUMMARY_CODES ? '…' : ''),
          });
    if (!dialog.open) dialog.showModal();
    controls.kind.focus();
  }

  function close() {
    if (dialog.open) dialog.close();
    if (returnFocus?.isConnected) returnFocus.focus();
    returnFocus = null;
  }

  async function submit(toPrinter = false) {
    if (busy) return;
    errors.clearAll();
    const copies = parseQuantity(controls.copies.value);
    if (copies === null || copies < 1 || copies > 100) {
      errors.show({ field: 'copies', message: t('labels.copies.invalid', { value: controls.copies.value }) });
      return;
    }
    const choice = { kind: controls.kind.value, code: controls.code.value, size: controls.size.value };
    busy = true;
    go.disabled = true;
    send.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      const out = await ctx.call('parts.labels', { part_ids: parts.map((p) => p.id), ...choice, copies, send: toPrinter });
      if (!ctx.isCurrent()) return;
      remember(choice);
      if (!toPrinter) download(out.file_name, out.content_base64);
      const notes = [
        toPrinter ? t('labels.sent', { count: out.rows, said: out.sent ?? '' }) : t('labels.done', { count: out.rows, pages: out.pages, file: out.file_name }),
      ];
      if (out.cut?.length) notes.push(t('labels.cut', { codes: out.cut.join('、') }));
      if (out.skipped?.length) notes.push(t('labels.skipped', { codes: out.skipped.join('、') }));
      if (out.unprintable?.length) notes.push(unprintableText(out));
      close();
      ctx.toast(notes.join('；'));
    } catch (error) {
      if (!ctx.isCurrent()) return;
      // Errors about a field of the dialog go under it; the others (a name the font
      // cannot print, a part gone) above the fields.
      if (error?.field && controls[error.field]) errors.show(error);
      else errors.show({ message: errorText(error) });
    } finally {
      busy = false;
      go.disabled = false;
      send.disabled = false;
      form.removeAttribute('aria-busy');
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  // Enter makes the PDF from a list too (an input submits the form by itself).
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.isComposing && event.target.tagName === 'SELECT') {
      event.preventDefault();
      submit();
    }
  });
  send.addEventListener('click', () => submit(true));
  cancel.addEventListener('click', close);
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    close();
  });
  return { dialog, open, close, isOpen: () => dialog.open };
}

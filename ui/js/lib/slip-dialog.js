// 打印服务单 — the small dialog on the order file that gets the slip out: the paper format
// (A4 by default; the one used last is kept per desk), one or three parts (三联, for laser
// printers: carbonless and continuous paper make their own copies), and three ways:
//  - 预览: `slips.preview`, the slip with 预览 across it; shown in an <iframe> where the
//    engine displays PDFs itself (Chromium, WebView2), else downloaded. Not a print: no
//    number, nothing counted, so the paper the customer takes home is never a 补打 of it;
//  - 下载PDF打印: a real print (`slips.print`), the PDF downloaded (and shown) to print
//    from the PDF viewer — the way to a printer the desk PC does not drive itself;
//  - 打印: where the clerk sits. On the PC whose core this is (the desktop window, a
//    browser on the server PC itself: `app.info.prints_here`) it is sent straight to the
//    printer set for that paper (`slips.print` with `send`; the desktop as a LAN client
//    does the same call and prints on its own printers, see src-tauri/src/remote/print.rs);
//    what the print system said is shown. A browser on another PC gets the paper rendered
//    for print (`slips.render`, number and 补打 decided, a print token, nothing recorded)
//    in its own print dialog, from a hidden frame holding the PDF; the browser does not say
//    whether the job was accepted, so the print is recorded (`slips.record`) when the
//    clerk answers 已打印 here, or recorded as not printed on 没有打印出来.
// The last two are prints to the core (the first gives the slip its number, the next ones
// are 补打), so the result line says which it was. `quick()` does the remembered way at
// once: one click from the order file.
import { h, clear } from './dom.js';
import { download, unprintableText } from './download.js';
import { errorText, errorsFor, field } from './form.js';
import { t } from '../i18n.js';
import { isCtrl, isSave } from './keys.js';
import { readJson, writeJson } from './store.js';

export const FORMATS = ['a4', 'a5', 'continuous', 'thermal', 'overlay'];
/** Formats printed on a laser printer: only these may print three labelled parts. */
const LASER = ['a4', 'a5'];
const WAYS = ['preview', 'download', 'print'];
const STORAGE_KEY = 'desk.slips';
const DEFAULTS = { format: 'a4', copies: 'one', way: 'preview' };

/** The paper whose printer a format uses (core `Format::paper`). */
export function paperOf(format) {
  return { a4: 'a4', a5: 'a5', continuous: 'continuous', overlay: 'continuous', thermal: 'thermal' }[format] ?? 'a4';
}

/** The format, copies and way last used on this desk. */
export function remembered() {
  const saved = readJson(STORAGE_KEY, {});
  return {
    format: FORMATS.includes(saved.format) ? saved.format : DEFAULTS.format,
    copies: saved.copies === 'three' ? 'three' : 'one',
    way: WAYS.includes(saved.way) ? saved.way : DEFAULTS.way,
  };
}

function remember(choice) {
  writeJson(STORAGE_KEY, choice);
}

/** "A4 · 一联" for a button or a toast. */
export function choiceText(choice) {
  const copies = LASER.includes(choice.format) ? choice.copies : 'one';
  return t('slips.choice', { format: t(`slips.format.${choice.format}.short`), copies: t(`slips.copies.${copies}`) });
}

/** Whether this engine shows a PDF in a frame by itself. */
function canShowPdf() {
  return navigator.pdfViewerEnabled === true;
}

function pdfUrl(base64) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }));
}

/**
 * The dialog, to append to the view. `onPrinted(result)` is called after every slip the
 * core made (the order file then reloads its slips and timeline).
 */
export function slipDialog(ctx, { onPrinted } = {}) {
  const format = h(
    'select',
    { class: 'input' },
    FORMATS.map((f) => h('option', { value: f }, t(`slips.format.${f}`))),
  );
  const copiesGroup = h('div', { class: 'segmented', id: 'slip-copies', role: 'radiogroup', 'aria-label': t('slips.f.copies'), tabIndex: -1 });
  for (const c of ['one', 'three']) {
    copiesGroup.append(
      h(
        'label',
        { class: 'segment', for: `slip-copies-${c}` },
        h('input', { type: 'radio', name: 'copies', value: c, id: `slip-copies-${c}` }),
        h('span', {}, t(`slips.copies.${c}`)),
      ),
    );
  }
  const copiesHint = h('div', { class: 'hint', id: 'slip-copies-hint' });
  const printerName = h('span', { id: 'slip-printer', class: 'slip-printer' });
  const printerHint = h('a', { href: '#/settings', class: 'hint slip-printer-link', id: 'slip-printer-settings' }, t('slips.printer.settings'));
  const title = h('h2', { id: 'slip-title' });
  const summary = h('p', { id: 'slip-summary', class: 'hint slip-summary' });
  const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const result = h('div', { id: 'slip-result', class: 'slip-result', 'aria-live': 'polite', hidden: true });
  const preview = h('button', { type: 'button', id: 'slip-preview', class: 'btn', title: t('slips.preview.title') }, t('slips.preview'));
  const downloadButton = h('button', { type: 'button', id: 'slip-download', class: 'btn', title: t('slips.download.title') }, t('slips.download'));
  const send = h('button', { type: 'button', id: 'slip-send', class: 'btn', title: t('slips.send.title') }, t('slips.send'));
  const wayButtons = { preview, download: downloadButton, print: send };
  const cancel = h('button', { type: 'button', id: 'slip-cancel', class: 'btn' }, t('slips.close'), ' ', h('kbd', {}, 'Esc'));
  const frameBox = h('div', { class: 'slip-frame-box', hidden: true });
  // The print's own refusals (the printer, a print token) show here, by the buttons, never
  // outlined on a field of the form.
  const printError = h('p', { id: 'slip-print-error', class: 'notice notice-error slip-print-error', role: 'alert', hidden: true });
  // The browser's print dialog: the question after it, and the frame that holds the PDF.
  const printed = h('button', { type: 'button', id: 'slip-printed', class: 'btn btn-primary' }, t('slips.browser.printed'));
  const notPrinted = h('button', { type: 'button', id: 'slip-not-printed', class: 'btn' }, t('slips.browser.not_printed'));
  const confirmBox = h(
    'div',
    { id: 'slip-browser-confirm', class: 'slip-browser-confirm', role: 'group', 'aria-labelledby': 'slip-browser-question', hidden: true },
    h('p', { id: 'slip-browser-question', class: 'slip-browser-question' }),
    h('p', { class: 'hint' }, t('slips.browser.scale')),
    h('div', { class: 'panel-actions' }, printed, notPrinted),
  );
  const printFrameBox = h('div', { class: 'slip-print-frame-box', 'aria-hidden': 'true' });

  const controls = { format, copies: copiesGroup };
  const form = h(
    'form',
    { id: 'slip-form', class: 'slip-form', novalidate: true, autocomplete: 'off' },
    summary,
    formError,
    field('slip', 'format', format, { label: t('slips.f.format') }),
    h(
      'div',
      { class: 'field field-copies' },
      h('span', { class: 'label' }, t('slips.f.copies')),
      h('div', { class: 'control' }, copiesGroup, h('div', { class: 'field-error', dataset: { for: 'copies' }, 'aria-live': 'polite' }), copiesHint),
    ),
    h(
      'div',
      { class: 'field field-printer' },
      h('span', { class: 'label' }, t('slips.f.printer')),
      h(
        'div',
        { class: 'control' },
        h('div', { class: 'slip-printer-line' }, printerName, printerHint),
        h('div', { class: 'field-error', dataset: { for: 'printer' }, 'aria-live': 'polite' }),
      ),
    ),
    h('div', { class: 'panel-actions slip-actions' }, preview, downloadButton, send, cancel),
    printError,
    confirmBox,
    h('p', { class: 'hint slip-count-hint' }, t('slips.count.hint')),
    result,
  );
  const dialog = h(
    'dialog',
    { id: 'slip-dialog', class: 'panel slip-dialog', 'aria-labelledby': 'slip-title', 'aria-describedby': 'slip-summary' },
    h('div', { class: 'panel-head' }, title),
    h('div', { class: 'slip-dialog-body' }, form, frameBox),
    printFrameBox,
  );
  const errors = errorsFor(form, controls, formError);

  let order = null;
  let settings = null;
  let returnFocus = null;
  let busy = false;
  let url = null;
  // The slip rendered for the browser's print dialog, waiting for 已打印 / 没有打印出来.
  let pending = null;
  let printUrl = null;

  /** Whether 打印 reaches a printer of this PC through the core (else: the browser's dialog). */
  const printsHere = () => ctx.info?.()?.prints_here !== false;

  const checkedCopies = () => copiesGroup.querySelector('input:checked')?.value ?? 'one';
  const choice = () => ({ format: format.value, copies: LASER.includes(format.value) ? checkedCopies() : 'one' });

  function showPrinter() {
    const paper = paperOf(format.value);
    const name = settings?.printers?.[paper];
    const browser = !printsHere();
    printerHint.hidden = browser;
    send.title = t(browser ? 'slips.send.title.browser' : 'slips.send.title');
    printerName.textContent = browser
      ? t('slips.printer.browser', { paper: t(`slips.paper.${paper}`) })
      : name
      ? t('slips.printer.named', { printer: name, paper: t(`slips.paper.${paper}`) })
      : t('slips.printer.default', { paper: t(`slips.paper.${paper}`) });
    printerName.classList.toggle('is-default', !name);
    const laser = LASER.includes(format.value);
    for (const input of copiesGroup.querySelectorAll('input')) input.disabled = !laser;
    if (!laser) copiesGroup.querySelector('#slip-copies-one').checked = true;
    copiesHint.textContent = t(laser ? 'slips.copies.hint.laser' : 'slips.copies.hint.carbon');
  }

  const wayLabels = { preview: 'slips.preview', download: 'slips.download', print: 'slips.send' };
  let primaryWay = 'preview';

  function showWay(way) {
    primaryWay = way;
    for (const [w, button] of Object.entries(wayButtons)) {
      button.classList.toggle('btn-primary', w === way);
      clear(button);
      button.append(t(wayLabels[w]), w === way ? ' ' : '', w === way ? h('kbd', {}, 'Enter') : '');
    }
  }

  function dropPreview() {
    if (url) URL.revokeObjectURL(url);
    url = null;
    clear(frameBox);
    frameBox.hidden = true;
    dialog.classList.remove('has-preview');
  }

  // A page whose content security policy forbids blob: frames (the desktop window until its
  // CSP allows them) would show a broken frame: drop it then; the download stays.
  function watchFrameBlocked() {
    const blocked = (event) => {
      if (String(event.blockedURI).startsWith('blob') && /frame|child|default/.test(event.effectiveDirective ?? '')) dropPreview();
    };
    document.addEventListener('securitypolicyviolation', blocked);
    setTimeout(() => document.removeEventListener('securitypolicyviolation', blocked), 5000);
  }

  async function loadSettings() {
    try {
      settings = await ctx.call('settings.get', {});
    } catch {
      settings = null; // the printer line says "default printer"; printing still works
    }
    if (dialog.isConnected) showPrinter();
  }

  function prepare(forOrder, from) {
    order = forOrder;
    returnFocus = from ?? null;
    const saved = remembered();
    format.value = saved.format;
    copiesGroup.querySelector(`#slip-copies-${saved.copies}`).checked = true;
    title.textContent = t('slips.dialog.title', { number: order.number });
    summary.textContent = t('slips.dialog.summary', { customer: order.customer?.name ?? '', status: order.status_label ?? '' });
    errors.clearAll();
    clearPrintError();
    dropPending();
    result.hidden = true;
    clear(result);
    dropPreview();
    showPrinter();
    showWay(saved.way);
    loadSettings();
    if (!dialog.open) dialog.showModal();
    return saved;
  }

  /** Opens the dialog for `order`; focus goes back to `from` when it closes. */
  function open(forOrder, from) {
    const saved = prepare(forOrder, from);
    wayButtons[saved.way].focus();
  }

  /** One click: the remembered way with the remembered paper, at once. */
  async function quick(forOrder, from) {
    const saved = remembered();
    if (saved.way === 'print' && printsHere()) {
      // Straight to the printer; the dialog opens only when the printer refuses.
      order = forOrder;
      const error = await run('print', { format: saved.format, copies: LASER.includes(saved.format) ? saved.copies : 'one' }, { quiet: true });
      if (error) {
        prepare(forOrder, from);
        showError(error, 'print');
      }
      return;
    }
    prepare(forOrder, from);
    await run(saved.way, choice());
  }

  function close() {
    if (dialog.open) dialog.close();
    dropPreview();
    dropPending();
    if (returnFocus?.isConnected) returnFocus.focus();
    returnFocus = null;
  }

  function resultLine(out) {
    if (out.slip === undefined) return t('slips.result.preview', { pages: out.pages });
    const what = out.reprint > 0 ? t('slips.result.reprint', { n: out.reprint }) : t('slips.result.first');
    return t('slips.result', { number: out.slip.number, what, pages: out.pages });
  }

  function clearPrintError() {
    printError.hidden = true;
    printError.textContent = '';
    send.removeAttribute('aria-describedby');
  }

  function showError(error, way) {
    // A paper or copies refusal goes under its field; the print's own (the printer, a
    // print token, the network) by the print buttons, the button that was used keeping
    // the focus; anything else (a character the font lacks, naming the field it is in)
    // above the fields, word for word.
    if (error?.field && controls[error.field]) {
      errors.show(error);
    } else if (way === 'print' || way === 'record' || ['printer', 'token'].includes(error?.field)) {
      printError.textContent = errorText(error);
      printError.hidden = false;
      send.setAttribute('aria-describedby', 'slip-print-error');
      (way === 'record' && !confirmBox.hidden ? printed : wayButtons.print).focus();
    } else errors.show({ message: errorText(error) });
  }

  function dropPending() {
    pending = null;
    confirmBox.hidden = true;
    if (printUrl) URL.revokeObjectURL(printUrl);
    printUrl = null;
    clear(printFrameBox);
  }

  /**
   * A browser on another PC: the slip rendered for print (`slips.render`), put in a hidden
   * frame whose print dialog opens (the PDF viewer's own: it prints the PDF's pages at
   * their size unless the clerk picks 适合页面), then the question 已打印? Nothing is
   * recorded until the answer. An engine that shows no PDF itself gets it as a download.
   */
  async function browserPrint(chosen) {
    const out = await ctx.call('slips.render', { order_id: order.id, format: chosen.format, copies: chosen.copies });
    remember({ ...chosen, way: 'print' });
    dropPending();
    result.hidden = true;
    clear(result);
    pending = out;
    const what = out.reprint > 0 ? t('slips.result.reprint', { n: out.reprint }) : t('slips.result.first');
    let dialogOpened = false;
    if (canShowPdf()) {
      printUrl = pdfUrl(out.content_base64);
      const frame = h('iframe', { id: 'slip-print-frame', class: 'slip-print-frame', src: printUrl, title: out.file_name, tabIndex: -1, dataset: { number: out.number, reprint: String(out.reprint) } });
      frame.addEventListener('load', () => {
        try {
          frame.contentWindow.focus();
          // Returns once the clerk closed the print dialog: then the question is next.
          frame.contentWindow.print();
          if (pending === out) printed.focus();
        } catch {
          // A frame the engine will not print from: the PDF is shown instead, to print from.
          showPdf(out);
        }
      });
      printFrameBox.append(frame);
      dialogOpened = true;
    } else {
      download(out.file_name, out.content_base64);
    }
    document.getElementById('slip-browser-question').textContent = t(dialogOpened ? 'slips.browser.question' : 'slips.browser.question.download', {
      number: out.number,
      what,
      file: out.file_name,
    });
    confirmBox.hidden = false;
    printed.focus();
  }

  /** 已打印, or 没有打印出来 (`refused`): the pending print recorded as such. */
  async function recordPending(refused) {
    if (busy || !pending) return;
    busy = true;
    printed.disabled = true;
    notPrinted.disabled = true;
    clearPrintError();
    const out = pending;
    try {
      const args = refused ? { token: out.token, refused: '' } : { token: out.token };
      const recorded = await ctx.call('slips.record', args);
      dropPending();
      const made = { ...out, slip: recorded.slip, reprint: recorded.reprint, sent: null };
      onPrinted?.(made);
      showResult(made, h('p', { id: 'slip-sent', class: 'slip-sent' }, t('slips.browser.recorded', { number: recorded.slip.number })));
      showWay('print');
      ctx.toast(resultLine(made));
    } catch (error) {
      if (refused && error?.field === 'printer') {
        // Recorded as not printed: that is the answer the clerk gave.
        dropPending();
        onPrinted?.({ ...out, slip: null });
        showError(error, 'print');
      } else {
        // A token the core will never take (used, expired, voided since): the question
        // goes, the message stays; anything else (the network) leaves it to answer again.
        if (error?.field === 'token') dropPending();
        showError(error, 'record');
      }
    } finally {
      busy = false;
      printed.disabled = false;
      notPrinted.disabled = false;
    }
  }

  /**
   * Makes the slip; resolves to null when the core made it, else to the error (shown in the
   * dialog unless `quiet`: the one click, with no dialog open).
   */
  async function run(way, chosen, { quiet = false } = {}) {
    if (busy || !order) return { code: 'busy', message: t('slips.busy') };
    busy = true;
    for (const button of Object.values(wayButtons)) button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    if (!quiet) {
      errors.clearAll();
      clearPrintError();
    }
    try {
      if (way === 'print' && !printsHere()) {
        await browserPrint(chosen);
        return null;
      }
      if (way === 'preview') {
        // Not a print: the core records nothing, so the order file has nothing to reload.
        const out = await ctx.call('slips.preview', { order_id: order.id, format: chosen.format, copies: chosen.copies });
        remember({ ...chosen, way });
        const shown = showPdf(out);
        if (!shown) download(out.file_name, out.content_base64);
        showResult(out, h('p', { class: 'slip-saved' }, t(shown ? 'slips.previewed' : 'slips.downloaded', { file: out.file_name })));
        showWay(way);
        return null;
      }
      const out = await ctx.call('slips.print', { order_id: order.id, format: chosen.format, copies: chosen.copies, send: way === 'print' });
      remember({ ...chosen, way });
      onPrinted?.(out);
      if (way === 'print') {
        const said = t('slips.sent', { number: out.slip.number, said: out.sent ?? '' });
        if (quiet) {
          ctx.toast(`${said}（${resultLine(out)}）`);
        } else {
          showResult(out, h('p', { id: 'slip-sent', class: 'slip-sent' }, said));
          showWay(way);
          ctx.toast(resultLine(out));
        }
        return null;
      }
      download(out.file_name, out.content_base64);
      showPdf(out);
      showResult(out, h('p', { class: 'slip-saved' }, t('slips.downloaded', { file: out.file_name })));
      showWay(way);
      ctx.toast(t('slips.downloaded', { file: out.file_name }));
      return null;
    } catch (error) {
      if (!quiet) showError(error, way);
      return error;
    } finally {
      busy = false;
      for (const button of Object.values(wayButtons)) button.disabled = false;
      form.removeAttribute('aria-busy');
    }
  }

  /** Shows the PDF in the dialog where the engine can; whether it did. */
  function showPdf(out) {
    dropPreview();
    if (!canShowPdf()) return false;
    url = pdfUrl(out.content_base64);
    watchFrameBlocked();
    frameBox.append(h('iframe', { id: 'slip-preview-frame', class: 'slip-frame', src: url, title: t('slips.preview.frame', { file: out.file_name }) }));
    frameBox.hidden = false;
    dialog.classList.add('has-preview');
    return true;
  }

  function showResult(out, extra) {
    clear(result);
    const previewed = out.slip === undefined;
    result.dataset.preview = String(previewed);
    result.dataset.number = previewed ? out.number : out.slip.number;
    result.dataset.reprint = previewed ? '' : String(out.reprint);
    const number = result.dataset.number || t('slips.result.unnumbered');
    result.append(h('p', { class: 'slip-result-line' }, h('strong', { class: 'num' }, number), ' ', resultLine(out)), extra);
    const missing = unprintableText(out);
    if (missing) result.append(h('p', { class: 'notice notice-warning', id: 'slip-unprintable', role: 'alert' }, missing));
    result.hidden = false;
  }

  format.addEventListener('change', showPrinter);
  printed.addEventListener('click', () => recordPending(false));
  notPrinted.addEventListener('click', () => recordPending(true));
  preview.addEventListener('click', () => run('preview', choice()));
  downloadButton.addEventListener('click', () => run('download', choice()));
  send.addEventListener('click', () => run('print', choice()));
  cancel.addEventListener('click', close);
  form.addEventListener('submit', (event) => event.preventDefault());
  // Enter from a field does the way used last (the button marked primary).
  form.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.isComposing || event.target.tagName === 'BUTTON' || event.target.tagName === 'A') return;
    event.preventDefault();
    run(primaryWay, choice());
  });
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    close();
  });
  // Keys pressed in the dialog are its own: the order file's letters (and its Esc, which
  // goes back to the board) must not act behind it. Esc still closes the dialog: that is
  // the browser's default action, not a listener up the tree.
  dialog.addEventListener('keydown', (event) => {
    if (event.key !== 'F1') event.stopPropagation();
    // Ctrl+P again, or Ctrl+S, never opens the browser's own print or save dialog here.
    if ((isCtrl(event, 'p') || isSave(event))) event.preventDefault();
  });
  return { dialog, open, quick, close, isOpen: () => dialog.open };
}

/**
 * 作废服务单: says what will happen, asks for the reason, and voids only on the red button.
 * `open(slip, from)`; `onVoided(slip)` after the core voided it.
 */
export function voidDialog(ctx, { onVoided } = {}) {
  const reason = h('input', { class: 'input input-wide', type: 'text', maxlength: '200', autocomplete: 'off', placeholder: t('slips.void.placeholder') });
  const title = h('h2', { id: 'slip-void-title' });
  const lead = h('p', { id: 'slip-void-lead', class: 'slip-void-lead' });
  const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const confirm = h('button', { type: 'submit', id: 'slip-void-confirm', class: 'btn btn-danger' }, t('slips.void.confirm'));
  const cancel = h('button', { type: 'button', id: 'slip-void-cancel', class: 'btn' }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
  const controls = { reason, number: reason };
  const form = h(
    'form',
    { id: 'slip-void-form', novalidate: true, autocomplete: 'off' },
    lead,
    formError,
    field('slip-void', 'reason', reason, { label: t('slips.void.reason'), required: true }),
    h('div', { class: 'panel-actions' }, confirm, cancel),
  );
  const dialog = h(
    'dialog',
    { id: 'slip-void-dialog', class: 'panel', 'aria-labelledby': 'slip-void-title', 'aria-describedby': 'slip-void-lead' },
    h('div', { class: 'panel-head' }, title),
    form,
  );
  const errors = errorsFor(form, controls, formError);
  let slip = null;
  let returnFocus = null;
  let busy = false;

  function open(which, from) {
    slip = which;
    returnFocus = from ?? null;
    title.textContent = t('slips.void.title', { number: slip.number });
    lead.textContent = t('slips.void.lead', { number: slip.number });
    reason.value = '';
    errors.clearAll();
    if (!dialog.open) dialog.showModal();
    reason.focus();
  }

  function close() {
    if (dialog.open) dialog.close();
    if (returnFocus?.isConnected) returnFocus.focus();
    returnFocus = null;
  }

  async function submit() {
    if (busy || !slip) return;
    errors.clearAll();
    if (!reason.value.trim()) {
      errors.show({ field: 'reason', message: t('slips.void.reason.missing') });
      return;
    }
    busy = true;
    confirm.disabled = true;
    try {
      const voided = await ctx.call('slips.void', { number: slip.number, reason: reason.value.trim() });
      returnFocus = null;
      close();
      ctx.toast(t('slips.void.done', { number: voided.number }));
      onVoided?.(voided);
    } catch (error) {
      errors.show(error);
    } finally {
      busy = false;
      confirm.disabled = false;
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  cancel.addEventListener('click', close);
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    close();
  });
  dialog.addEventListener('keydown', (event) => {
    if (event.key !== 'F1') event.stopPropagation();
    if (isSave(event)) {
      event.preventDefault();
      submit();
    }
  });
  return { dialog, open, close, isOpen: () => dialog.open };
}

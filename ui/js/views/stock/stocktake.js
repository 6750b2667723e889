// 盘点 — choose a store and freeze its expected quantities; count with the barcode
// scanner (scan → quantity → Enter, again and again) into a pending sheet; save the sheet
// (every error of it shown at once); see the variances; post all adjustments in one go.
import { h, clear, isTyping } from '../../lib/dom.js';
import { errorText } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { parseQuantity, signed } from '../../lib/money.js';
import { deskDateTime } from '../../lib/dates.js';
import { isSave } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';
import { readJson, writeJson } from '../../lib/store.js';

const RECENT_KEY = 'desk.stocktakes';
const sheetKey = (id) => `desk.stocktake.${id}.sheet`;


export async function render(root, ctx) {
  return ctx.params.id ? renderSheet(root, ctx) : renderStart(root, ctx);
}

function statusChip(take) {
  const posted = take.status === 'posted';
  return h('span', { class: `chip chip-take chip-take-${posted ? 'posted' : 'open'}`, id: 'stocktake-status' }, t(posted ? 'stocktake.posted' : 'stocktake.open'));
}

// ---- step 1: choose the store ---------------------------------------------------------------

async function renderStart(root, ctx) {
  const result = await ctx.call('stores.list', {});
  if (!ctx.isCurrent()) return null;
  const stores = result?.items ?? [];
  // Open stocktakes started here before (the core has no list of them yet).
  const recent = readJson(RECENT_KEY, []);
  const open = [];
  for (const id of recent) {
    try {
      const take = await ctx.call('stocktake.get', { id });
      if (take?.status === 'open') open.push(take);
    } catch {
      // Gone or from another data file: forget it below.
    }
  }
  if (!ctx.isCurrent()) return null;
  writeJson(RECENT_KEY, open.map((take) => take.id));

  const select = h(
    'select',
    { class: 'input', id: 'stocktake-store', name: 'store_id' },
    stores.map((s) => h('option', { value: String(s.id) }, `${s.name}（${s.code}）`)),
  );
  const start = h('button', { type: 'submit', id: 'stocktake-start', class: 'btn btn-primary', dataset: { needs: 'stocktake.start' } }, t('stocktake.start'));
  const error = h('p', { class: 'field-error', dataset: { for: 'store_id' }, 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'form stocktake-start', id: 'stocktake-start-form', novalidate: true },
    h('p', { class: 'hint stocktake-lead' }, t('stocktake.lead')),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'stocktake-store' }, t('stocktake.store')),
      h('div', { class: 'control' }, h('div', { class: 'inline' }, select, start), error),
    ),
  );
  clear(root);
  root.append(
    h(
      'section',
      { class: 'page' },
      h(
        'div',
        { class: 'page-head' },
        h('a', { href: '#/parts', class: 'crumb' }, t('parts.title')),
        h('span', { class: 'crumb-sep', 'aria-hidden': 'true' }, '›'),
        h('h1', { id: 'stocktake' }, t('stocktake.title')),
      ),
      form,
      open.length
        ? h(
            'section',
            { class: 'card file-section', id: 'stocktake-open' },
            h('h2', {}, t('stocktake.resume')),
            h(
              'ul',
              { class: 'plain-list' },
              open.map((take) =>
                h(
                  'li',
                  {},
                  h('a', { href: `#/stocktake/${take.id}` }, t('stocktake.resume.item', { store: take.store_name, at: deskDateTime(take.started_at), counted: take.counted ?? 0 })),
                ),
              ),
            ),
          )
        : null,
    ),
  );
  setTitle(t('stocktake.title'));

  // 开始盘点 freezes the store: first a summary of what that means, then 确认开始盘点.
  const summary = h('div', { id: 'stocktake-start-summary' });
  const startError = h('p', { class: 'notice notice-error', role: 'alert', hidden: true });
  const yes = h('button', { type: 'button', id: 'stocktake-start-confirm', class: 'btn btn-danger' }, t('stocktake.start.confirm'));
  const no = h('button', { type: 'button', id: 'stocktake-start-cancel', class: 'btn' }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
  const dialog = h(
    'dialog',
    { id: 'stocktake-start-dialog', class: 'panel', 'aria-labelledby': 'stocktake-start-title', 'aria-describedby': 'stocktake-start-summary' },
    h('div', { class: 'panel-head' }, h('h2', { id: 'stocktake-start-title' }, t('stocktake.start.title'))),
    summary,
    startError,
    h('div', { class: 'panel-actions' }, yes, no),
  );
  root.querySelector('section.page').append(dialog);
  const closeDialog = () => {
    if (dialog.open) dialog.close();
    select.focus();
  };
  no.addEventListener('click', closeDialog);
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    closeDialog();
  });

  let busy = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    error.textContent = '';
    select.removeAttribute('aria-invalid');
    const store = stores.find((s) => String(s.id) === select.value);
    if (!store) return;
    // An open stocktake of this store is resumed, nothing new is frozen.
    const resumed = open.find((take) => take.store_id === store.id);
    if (resumed) {
      ctx.navigate(`#/stocktake/${resumed.id}`);
      return;
    }
    busy = true;
    start.disabled = true;
    try {
      const report = await ctx.call('stock.report', { store_id: store.id });
      if (!ctx.isCurrent()) return;
      const items = report?.items ?? [];
      const units = items.reduce((sum, item) => sum + Number(item.on_hand ?? 0), 0);
      clear(summary);
      summary.append(
        h('p', { id: 'stocktake-start-what' }, t('stocktake.start.what', { store: `${store.name}（${store.code}）`, parts: items.length, units })),
        h('p', { class: 'merge-warning', id: 'stocktake-start-frozen' }, t('stocktake.start.frozen', { store: store.name })),
        h('p', { class: 'hint' }, t('stocktake.start.then')),
      );
      startError.hidden = true;
      if (!dialog.open) dialog.showModal();
      no.focus();
    } catch (e) {
      if (!ctx.isCurrent()) return;
      error.textContent = errorText(e);
      select.setAttribute('aria-invalid', 'true');
      select.focus();
    } finally {
      busy = false;
      start.disabled = false;
    }
  });

  yes.addEventListener('click', async () => {
    if (busy) return;
    busy = true;
    yes.disabled = true;
    startError.hidden = true;
    try {
      const take = await ctx.call('stocktake.start', { store_id: Number(select.value) });
      if (!ctx.isCurrent()) return;
      writeJson(RECENT_KEY, [take.id, ...open.map((o) => o.id).filter((x) => x !== take.id)].slice(0, 20));
      ctx.toast(t('stocktake.started', { store: take.store_name }));
      if (dialog.open) dialog.close();
      ctx.navigate(`#/stocktake/${take.id}`);
    } catch (e) {
      if (!ctx.isCurrent()) return;
      startError.textContent = errorText(e);
      startError.hidden = false;
    } finally {
      busy = false;
      yes.disabled = false;
    }
  });
  select.focus();
  return {
    dispose() {
      if (dialog.open) dialog.close();
      resetTitle();
    },
    onKey(event) {
      if (dialog.open) return;
      if (event.key === 'Escape' && !isTyping(event.target)) {
        event.preventDefault();
        ctx.navigate('#/parts');
      }
    },
  };
}

// ---- step 2: count, save, see variances, post -------------------------------------------------

async function renderSheet(root, ctx) {
  const { id } = ctx.params;
  let take = await ctx.call('stocktake.get', { id });
  if (!ctx.isCurrent()) return null;
  // The pending sheet: what was scanned but not saved yet; survives a reload of the page.
  let pending = readJson(sheetKey(id), [], { session: true });
  let sheetErrors = []; // [{line, message}] from the last save

  const scan = h('input', {
    id: 'scan',
    class: 'input input-scan num',
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: t('stocktake.scan.placeholder'),
  });
  const qty = h('input', { id: 'scan-qty', class: 'input input-qty num', type: 'text', inputmode: 'numeric', autocomplete: 'off' });
  const scanError = h('div', { class: 'field-error', id: 'scan-error', dataset: { for: 'counted' }, 'aria-live': 'polite' });
  const pendingBody = h('tbody');
  const pendingTable = h(
    'table',
    { id: 'stocktake-pending', class: 'grid grid-compact' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', class: 'col-line' }, t('stocktake.col.line')),
        h('th', { scope: 'col' }, t('stocktake.col.part')),
        h('th', { scope: 'col', class: 'col-qty' }, t('stocktake.col.counted')),
        h('th', { scope: 'col', class: 'col-act' }, h('span', { class: 'visually-hidden' }, t('stocktake.remove'))),
      ),
    ),
    pendingBody,
  );
  const pendingEmpty = h('p', { class: 'empty empty-small', id: 'stocktake-pending-empty' }, t('stocktake.pending.empty'));
  const errorsBox = h('div', { class: 'notice notice-error stocktake-errors', role: 'alert', hidden: true });
  const save = h('button', { type: 'button', id: 'stocktake-save', class: 'btn btn-primary', title: t('stocktake.save.title'), dataset: { needs: 'stocktake.count' } }, t('stocktake.save'), ' ', h('kbd', {}, 'Ctrl+S'));
  // Posting is the manager's approval: the storekeeper counts, the manager posts.
  const post = h('button', { type: 'button', id: 'stocktake-post', class: 'btn', title: t('stocktake.post.title'), dataset: { needs: 'stocktake.post' } }, t('stocktake.post'));
  const summary = h('span', { class: 'section-count muted', id: 'stocktake-summary' });
  const linesBody = h('tbody');
  const linesTable = h(
    'table',
    { id: 'stocktake-lines', class: 'grid grid-compact' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', class: 'col-pcode' }, t('parts.col.code')),
        h('th', { scope: 'col' }, t('parts.col.name')),
        h('th', { scope: 'col', class: 'col-bin' }, t('parts.col.bin')),
        h('th', { scope: 'col', class: 'col-qty' }, t('stocktake.col.expected')),
        h('th', { scope: 'col', class: 'col-qty' }, t('stocktake.col.counted')),
        h('th', { scope: 'col', class: 'col-variance' }, t('stocktake.col.variance')),
      ),
    ),
    linesBody,
  );
  const head = h('div', { class: 'page-head' });
  const countCard = h(
    'section',
    { class: 'card card-wide file-section', id: 'stocktake-count', dataset: { needs: 'stocktake.count' } },
    h('div', { class: 'section-head' }, h('h2', {}, t('stocktake.count'))),
    h(
      'div',
      { class: 'scan-row' },
      h('label', { for: 'scan' }, t('stocktake.scan')),
      scan,
      h('label', { for: 'scan-qty' }, t('stocktake.col.counted')),
      qty,
      h('span', { class: 'hint' }, t('stocktake.scan.hint')),
    ),
    scanError,
    errorsBox,
    h('div', { class: 'table-wrap table-wrap-inline pending-wrap' }, pendingTable, pendingEmpty),
    h('div', { class: 'form-actions form-actions-plain' }, save),
  );
  const linesCard = h(
    'section',
    { class: 'card card-wide file-section' },
    h('div', { class: 'section-head' }, h('h2', {}, t('stocktake.lines')), summary, h('div', { class: 'toolbar' }, post)),
    h('div', { class: 'table-wrap table-wrap-inline lines-wrap' }, linesTable),
  );
  const confirm = postDialog();

  clear(root);
  root.append(h('section', { class: 'page page-stocktake', id: 'stocktake', dataset: { id: String(id) } }, head, countCard, linesCard, confirm.dialog));

  function showHead() {
    clear(head);
    head.append(
      h('a', { href: '#/stocktake', class: 'crumb' }, t('stocktake.title')),
      h('span', { class: 'crumb-sep', 'aria-hidden': 'true' }, '›'),
      h('h1', {}, take.store_name),
      statusChip(take),
      h('span', { class: 'page-sub num' }, t('stocktake.started_at', { at: deskDateTime(take.started_at) })),
      take.posted_at ? h('span', { class: 'page-sub num' }, t('stocktake.posted_at', { at: deskDateTime(take.posted_at) })) : '',
    );
    setTitle(`${t('stocktake.title')} ${take.store_name}`);
  }

  function showLines() {
    clear(linesBody);
    for (const line of take.lines ?? []) {
      const counted = line.counted != null;
      const variance = Number(line.variance ?? 0);
      linesBody.append(
        h(
          'tr',
          { dataset: { part: String(line.part_id), code: line.code }, class: counted && variance !== 0 ? 'has-variance' : counted ? 'is-counted' : '' },
          h('td', { class: 'col-pcode num' }, h('a', { href: `#/parts/${line.part_id}` }, line.code)),
          h('td', { title: line.name }, line.name),
          h('td', { class: 'col-bin num' }, line.bin ?? ''),
          h('td', { class: 'qty' }, String(line.expected ?? 0)),
          h('td', { class: 'qty' }, counted ? String(line.counted) : t('stocktake.uncounted')),
          h(
            'td',
            { class: 'qty col-variance' },
            counted ? (variance === 0 ? h('span', { class: 'muted' }, '0') : h('span', { class: 'chip chip-variance' }, signed(variance))) : '',
          ),
        ),
      );
    }
    const adjustments = adjustmentsToPost();
    summary.textContent = t('stocktake.summary', { lines: (take.lines ?? []).length, counted: take.counted ?? 0, variances: adjustments });
    const posted = take.status === 'posted';
    countCard.hidden = posted;
    post.disabled = posted || (take.counted ?? 0) === 0;
  }
  function adjustmentsToPost() {
    return (take.lines ?? []).filter((l) => l.counted != null && Number(l.variance ?? 0) !== 0).length;
  }

  function keep() {
    writeJson(sheetKey(id), pending.length ? pending : null, { session: true });
  }
  function showPending() {
    clear(pendingBody);
    const bad = new Map(sheetErrors.map((e) => [Number(e.line), e.message]));
    pending.forEach((line, index) => {
      const n = index + 1;
      const code = h('input', { class: 'input pending-code num', type: 'text', value: line.part, autocomplete: 'off', spellcheck: 'false', 'aria-label': t('stocktake.col.part') });
      const counted = h('input', { class: 'input input-qty pending-qty num', type: 'text', inputmode: 'numeric', value: String(line.counted), 'aria-label': t('stocktake.col.counted') });
      const remove = h('button', { type: 'button', class: 'btn btn-quiet btn-small pending-remove', title: t('stocktake.remove') }, '✕');
      code.addEventListener('input', () => {
        line.part = code.value.trim();
        keep();
      });
      counted.addEventListener('change', () => {
        const value = parseQuantity(counted.value);
        if (value !== null) line.counted = value;
        else counted.value = String(line.counted);
        keep();
      });
      remove.addEventListener('click', () => {
        pending.splice(index, 1);
        sheetErrors = [];
        keep();
        showPending();
        showErrors();
        scan.focus();
      });
      const message = bad.get(n);
      if (message) code.setAttribute('aria-invalid', 'true');
      pendingBody.append(
        h(
          'tr',
          { dataset: { line: String(n) }, class: message ? 'has-error' : '' },
          h('td', { class: 'col-line qty' }, String(n)),
          h('td', {}, code, message ? h('div', { class: 'field-error' }, message) : null),
          h('td', { class: 'qty' }, counted),
          h('td', { class: 'col-act' }, remove),
        ),
      );
    });
    pendingEmpty.hidden = pending.length > 0;
    pendingTable.hidden = pending.length === 0;
    save.disabled = pending.length === 0;
  }
  function showErrors() {
    clear(errorsBox);
    errorsBox.hidden = sheetErrors.length === 0;
    if (!sheetErrors.length) return;
    errorsBox.append(
      h('p', {}, t('stocktake.errors', { count: sheetErrors.length })),
      h(
        'ul',
        { id: 'stocktake-errors' },
        sheetErrors.map((e) =>
          h(
            'li',
            { dataset: { line: String(e.line) } },
            // The core's message may already name the line (第2行：…).
            /^第\s*\d+\s*行/.test(e.message ?? '') ? e.message : t('stocktake.error.line', { line: e.line, message: e.message }),
          ),
        ),
      ),
    );
  }

  // ---- the scanner: code, Enter, quantity, Enter ----------------------------------------------
  function addLine() {
    const code = scan.value.trim();
    const counted = parseQuantity(qty.value);
    scanError.textContent = '';
    qty.removeAttribute('aria-invalid');
    if (!code) {
      scan.focus();
      return;
    }
    if (counted === null) {
      scanError.textContent = t('quantity.invalid', { value: qty.value });
      qty.setAttribute('aria-invalid', 'true');
      qty.select();
      return;
    }
    // A second count of the same code replaces the first.
    const same = pending.find((line) => line.part.toUpperCase() === code.toUpperCase());
    if (same) same.counted = counted;
    else pending.push({ part: code, counted });
    keep();
    showPending();
    scan.value = '';
    qty.value = '';
    scan.focus();
  }
  scan.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.isComposing) return;
    event.preventDefault();
    if (!scan.value.trim()) return;
    scanError.textContent = '';
    qty.focus();
    qty.select();
  });
  qty.addEventListener('keydown', (event) => {
    if (event.isComposing) return;
    if (event.key === 'Enter') {
      event.preventDefault();
      addLine();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      qty.value = '';
      scan.focus();
      scan.select();
    }
  });

  // ---- save the sheet -------------------------------------------------------------------------
  let busy = false;
  async function saveSheet() {
    if (busy || take.status !== 'open') return;
    if (!pending.length) {
      scan.focus();
      return;
    }
    busy = true;
    save.disabled = true;
    try {
      const result = await ctx.call('stocktake.count', { id: Number(id), lines: pending.map((l) => ({ part: l.part, counted: l.counted })) });
      if (!ctx.isCurrent()) return;
      sheetErrors = result?.errors ?? [];
      if (result?.stored) {
        const n = pending.length;
        pending = [];
        sheetErrors = [];
        keep();
        take = await ctx.call('stocktake.get', { id });
        if (!ctx.isCurrent()) return;
        ctx.toast(t('stocktake.saved', { count: n }));
        showLines();
      }
      showPending();
      showErrors();
      if (sheetErrors.length) {
        const first = pendingBody.querySelector(`tr[data-line="${sheetErrors[0].line}"] .pending-code`);
        (first ?? scan).focus();
      } else scan.focus();
    } catch (error) {
      if (!ctx.isCurrent()) return;
      sheetErrors = [];
      showErrors();
      errorsBox.hidden = false;
      errorsBox.textContent = errorText(error);
    } finally {
      busy = false;
      save.disabled = pending.length === 0;
    }
  }
  save.addEventListener('click', saveSheet);

  // ---- post -----------------------------------------------------------------------------------
  function postDialog() {
    const text = h('p', { id: 'post-what' });
    const error = h('p', { class: 'notice notice-error', role: 'alert', hidden: true });
    const yes = h('button', { type: 'button', id: 'post-confirm', class: 'btn btn-danger' }, t('stocktake.post.confirm'));
    const no = h('button', { type: 'button', id: 'post-cancel', class: 'btn' }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
    const dialog = h(
      'dialog',
      { id: 'post-dialog', class: 'panel', 'aria-labelledby': 'post-title' },
      h('div', { class: 'panel-head' }, h('h2', { id: 'post-title' }, t('stocktake.post.title.dialog'))),
      text,
      h('p', { class: 'merge-warning' }, t('stocktake.post.final')),
      error,
      h('div', { class: 'panel-actions' }, yes, no),
    );
    no.addEventListener('click', () => close());
    function close() {
      if (dialog.open) dialog.close();
      post.focus();
    }
    function open() {
      const uncounted = (take.lines ?? []).filter((l) => l.counted == null).length;
      text.textContent = t('stocktake.post.what', { count: adjustmentsToPost(), store: take.store_name, uncounted });
      error.hidden = true;
      if (!dialog.open) dialog.showModal();
      no.focus();
    }
    let posting = false;
    yes.addEventListener('click', async () => {
      if (posting) return;
      posting = true;
      yes.disabled = true;
      try {
        const count = adjustmentsToPost();
        take = await ctx.call('stocktake.post', { id: Number(id) });
        if (!ctx.isCurrent()) return;
        if (dialog.open) dialog.close();
        ctx.toast(t('stocktake.post.done', { count }));
        showHead();
        showLines();
        linesTable.querySelector('tbody a')?.focus();
      } catch (e) {
        error.textContent = errorText(e);
        error.hidden = false;
      } finally {
        posting = false;
        yes.disabled = false;
      }
    });
    return { dialog, open, close, isOpen: () => dialog.open };
  }
  post.addEventListener('click', () => {
    if (pending.length) {
      errorsBox.hidden = false;
      errorsBox.textContent = t('stocktake.post.pending', { count: pending.length });
      save.focus();
      return;
    }
    confirm.open();
  });

  showHead();
  showLines();
  showPending();
  if (take.status === 'open') scan.focus();
  else linesTable.querySelector('tbody a')?.focus();

  return {
    dispose() {
      if (confirm.isOpen()) confirm.dialog.close();
      resetTitle();
    },
    onKey(event) {
      if (confirm.isOpen()) return;
      if (isSave(event)) {
        event.preventDefault();
        if (!save.closest('.role-hidden')) saveSheet();
      } else if (event.key === 'Escape' && !isTyping(event.target)) {
        event.preventDefault();
        ctx.navigate('#/stocktake');
      }
    },
  };
}

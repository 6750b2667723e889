// 备件档案 — one part: its stock in every store, its full ledger with the running balance,
// and the storekeeper's moves (入库 · 出库 · 退料 · 调拨 · 返厂), each a new movement; a
// mistake is put right with 冲销 (a reversing movement), never an edit. 打印标签 makes the
// part's (or its bin's) labels as a PDF.
import { h, clear, isTyping } from '../../lib/dom.js';
import { enterMovesOn, errorText, errorsFor, field } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { labelDialog } from '../../lib/label-dialog.js';
import { parseQuantity, parseYuan, signed, yuan, yuanInput } from '../../lib/money.js';
import { lowChip } from './parts.js';
import { deskDateTime } from '../../lib/dates.js';
import { isSave, modified } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';

const MOVEMENT_KINDS = ['receipt', 'issue', 'return', 'transfer_out', 'transfer_in', 'defective', 'adjustment', 'reversal'];
const CLAIM_STATUSES = ['pending', 'sent', 'settled'];

/** The moves a button opens: the command and the fields of its small form, in order. */
const ACTIONS = {
  receive: { command: 'stock.receive', fields: ['store_id', 'quantity', 'unit_cost_fen', 'supplier', 'note'] },
  issue: { command: 'stock.issue', fields: ['store_id', 'quantity', 'work_order', 'note'] },
  return: { command: 'stock.return', fields: ['store_id', 'quantity', 'work_order', 'note'] },
  transfer: { command: 'stock.transfer', fields: ['from_store_id', 'to_store_id', 'quantity', 'note'] },
  defective: { command: 'stock.defective', fields: ['store_id', 'quantity', 'form_no', 'work_order', 'reason'] },
};

export function movementLabel(kind) {
  return t(`movement.${MOVEMENT_KINDS.includes(kind) ? kind : 'adjustment'}`);
}

function item(labelKey, value, extraClass = '') {
  const empty = value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
  return [
    h('dt', {}, t(labelKey)),
    h('dd', { class: `${extraClass}${empty ? ' is-empty' : ''}`.trim() }, empty ? t('file.empty') : value),
  ];
}

export async function render(root, ctx) {
  const { id } = ctx.params;
  const [part, storeList, ledger] = await Promise.all([
    ctx.call('parts.get', { id }),
    ctx.call('stores.list', {}),
    ctx.call('stock.ledger', { part_id: id }),
  ]);
  if (!ctx.isCurrent()) return null;
  const stores = storeList?.items ?? [];
  const movements = ledger?.items ?? [];
  const byId = new Map(movements.map((m) => [m.id, m]));
  const unit = part.unit || '';
  const goEdit = () => ctx.navigate(`#/parts/${part.id}/edit`);

  // ---- stock per store ------------------------------------------------------------------
  const stock = part.stock ?? [];
  const stockTable = h(
    'table',
    { id: 'part-stock', class: 'grid grid-compact stock-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, t('stock.col.store')),
        h('th', { scope: 'col', class: 'col-qty' }, t('stock.col.on_hand')),
        h('th', { scope: 'col', class: 'col-money' }, t('stock.col.value')),
      ),
    ),
    h(
      'tbody',
      {},
      stock.map((s) =>
        h(
          'tr',
          { dataset: { store: String(s.store_id) } },
          h('td', {}, s.store_name),
          h('td', { class: 'qty' }, `${s.on_hand} ${unit}`),
          h('td', { class: 'qty' }, yuan(s.value_fen)),
        ),
      ),
    ),
    h(
      'tfoot',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, t('stock.total')),
        h('td', { class: 'qty' }, `${part.on_hand ?? 0} ${unit}`),
        h('td', { class: 'qty' }, yuan(part.value_fen ?? 0)),
      ),
    ),
  );

  // ---- the ledger -----------------------------------------------------------------------
  function referenceCell(m) {
    const bits = [];
    if (m.reference) bits.push(h('span', { class: 'num' }, m.reference));
    if (m.claim?.form_no && m.claim.form_no !== m.reference) bits.push(h('span', { class: 'num' }, t('ledger.form_no', { form_no: m.claim.form_no })));
    if (m.claim?.work_order) bits.push(h('span', { class: 'num ledger-work-order' }, t('ledger.defective_order', { order: m.claim.work_order })));
    if (m.claim) {
      const status = CLAIM_STATUSES.includes(m.claim.status) ? m.claim.status : 'pending';
      bits.push(h('span', { class: `chip chip-claim chip-claim-${status}` }, t(`claim.${status}`)));
      const next = CLAIM_STATUSES[CLAIM_STATUSES.indexOf(status) + 1];
      if (next && m.reversed_by == null) {
        bits.push(
          h(
            'button',
            { type: 'button', class: 'btn btn-small claim-next', 'data-needs': 'stock.claim', dataset: { id: String(m.id), next }, title: t('claim.next.title') },
            t(`claim.next.${next}`),
          ),
        );
      }
    }
    if (m.reverses) bits.push(h('span', { class: 'muted' }, t('ledger.reverses', { id: m.reverses })));
    const why = m.note || m.claim?.reason;
    if (why) bits.push(h('span', { class: 'ledger-note' }, why));
    const text = [...new Set([m.reference, m.claim?.form_no, why].filter(Boolean))].join(' · ');
    return h('td', { class: 'col-ref', title: text }, bits.flatMap((b, i) => (i ? [' ', b] : [b])));
  }
  function ledgerRow(m) {
    const reversed = m.reversed_by != null;
    const canReverse = !reversed && m.kind !== 'reversal' && m.reverses == null;
    return h(
      'tr',
      { dataset: { id: String(m.id), kind: m.kind }, class: reversed ? 'is-reversed' : '' },
      h('td', { class: 'col-when num' }, deskDateTime(m.at)),
      h('td', { class: 'col-mkind' }, h('span', { class: `chip chip-move chip-move-${m.kind}` }, movementLabel(m.kind))),
      h('td', { class: 'col-store' }, m.store_name ?? ''),
      h('td', { class: 'col-qty qty' }, signed(m.quantity)),
      h('td', { class: 'col-money qty' }, yuan(m.value_fen)),
      h('td', { class: 'col-balance qty' }, String(m.balance ?? '')),
      referenceCell(m),
      h('td', { class: 'col-user' }, m.user ?? ''),
      h(
        'td',
        { class: 'col-act' },
        reversed
          ? h('span', { class: 'chip chip-reversed', title: t('ledger.reversed_by', { id: m.reversed_by }) }, t('ledger.reversed'))
          : canReverse
            ? h('button', { type: 'button', class: 'btn btn-small reverse', 'data-needs': 'stock.reverse', dataset: { id: String(m.id) }, title: t('ledger.reverse.title') }, t('ledger.reverse'))
            : null,
      ),
    );
  }
  const ledgerTable = h(
    'table',
    { id: 'part-ledger', class: 'grid grid-compact ledger', 'aria-describedby': 'ledger-lead' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', class: 'col-when' }, t('ledger.col.at')),
        h('th', { scope: 'col', class: 'col-mkind' }, t('ledger.col.kind')),
        h('th', { scope: 'col', class: 'col-store' }, t('ledger.col.store')),
        h('th', { scope: 'col', class: 'col-qty' }, t('ledger.col.quantity')),
        h('th', { scope: 'col', class: 'col-money' }, t('ledger.col.value')),
        h('th', { scope: 'col', class: 'col-balance' }, t('ledger.col.balance')),
        h('th', { scope: 'col', class: 'col-ref' }, t('ledger.col.reference')),
        h('th', { scope: 'col', class: 'col-user' }, t('ledger.col.user')),
        h('th', { scope: 'col', class: 'col-act' }, h('span', { class: 'visually-hidden' }, t('ledger.reverse'))),
      ),
    ),
    h('tbody', {}, movements.map(ledgerRow)),
  );

  // ---- the moves ------------------------------------------------------------------------
  const actionButton = (kind) =>
    h('button', { type: 'button', id: kind, class: 'btn', 'data-needs': ACTIONS[kind].command, dataset: { kind }, title: t(`move.${kind}.title`) }, t(`move.${kind}`));
  const buttons = Object.fromEntries(Object.keys(ACTIONS).map((kind) => [kind, actionButton(kind)]));
  const moveSlot = h('div', { class: 'move-slot' });
  const edit = h('button', { type: 'button', id: 'part-edit', 'data-needs': 'parts.save', class: 'btn', title: t('part.edit.title') }, t('file.edit'), ' ', h('kbd', {}, 'E'));
  edit.addEventListener('click', goEdit);
  const labelsButton = h(
    'button',
    { type: 'button', id: 'part-labels', 'data-needs': 'parts.labels', class: 'btn', title: t('part.labels.title') },
    t('part.labels'),
    ' ',
    h('kbd', {}, 'L'),
  );

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-file page-part' },
      h(
        'article',
        { id: 'part-file', class: 'card card-wide', dataset: { id: String(part.id) } },
        h(
          'header',
          { class: 'file-head' },
          h(
            'div',
            { class: 'file-title' },
            h('a', { href: '#/parts', class: 'crumb' }, t('parts.title')),
            h('span', { class: 'crumb-sep', 'aria-hidden': 'true' }, '›'),
            h('h1', { class: 'part-name' }, part.name),
            h('span', { class: 'page-sub num part-code' }, part.code),
            h('span', { class: 'file-chips' }, lowChip(part)),
          ),
          h('div', { class: 'toolbar move-buttons', role: 'group', 'aria-label': t('move.title') }, Object.values(buttons), edit, labelsButton),
        ),
        h(
          'div',
          { class: 'file-columns part-columns' },
          h(
            'dl',
            { class: 'details' },
            item('part.f.spec', part.spec),
            item('part.f.models', (part.models ?? []).join('，')),
            item('part.f.unit', part.unit),
            item('part.f.cost_fen', yuan(part.cost_fen), 'num'),
            item('part.f.price_fen', yuan(part.price_fen), 'num'),
            item('part.f.barcode', part.barcode, 'num'),
            item('part.f.bin', part.bin, 'num'),
            item('part.f.min_stock', String(part.min_stock ?? 0), 'num'),
          ),
          h('div', { class: 'stock-col' }, h('h2', {}, t('stock.title')), stock.length ? stockTable : h('p', { class: 'empty empty-small', id: 'part-stock' }, t('stock.empty'))),
        ),
        moveSlot,
      ),
      h(
        'section',
        { class: 'card card-wide file-section' },
        h(
          'div',
          { class: 'section-head' },
          h('h2', {}, t('ledger.title')),
          h('span', { class: 'section-count muted', id: 'ledger-lead' }, t('ledger.lead', { count: movements.length })),
        ),
        movements.length
          ? h('div', { class: 'table-wrap table-wrap-inline ledger-wrap' }, ledgerTable)
          : h('p', { class: 'empty empty-small', id: 'part-ledger' }, t('ledger.empty')),
      ),
    ),
  );
  setTitle(`${part.code} ${part.name}`);
  const ledgerWrap = root.querySelector('.ledger-wrap');
  if (ledgerWrap) ledgerWrap.scrollTop = ledgerWrap.scrollHeight; // newest at the bottom

  // ---- one small form for the chosen move -------------------------------------------------
  let openKind = null;
  function storeSelect(value) {
    return h(
      'select',
      { class: 'input', value: value == null ? '' : String(value) },
      stores.map((s) => h('option', { value: String(s.id) }, s.name)),
    );
  }
  function closeMove(focusBack = true) {
    const kind = openKind;
    openKind = null;
    clear(moveSlot);
    for (const b of Object.values(buttons)) b.removeAttribute('aria-pressed');
    if (focusBack && kind) buttons[kind].focus();
  }
  function openMove(kind) {
    closeMove(false);
    openKind = kind;
    buttons[kind].setAttribute('aria-pressed', 'true');
    const main = stores.find((s) => s.kind === 'main') ?? stores[0];
    const van = stores.find((s) => s.id !== main?.id);
    const text = (extra = {}) => h('input', { class: 'input', type: 'text', autocomplete: 'off', spellcheck: 'false', ...extra });
    const make = {
      store_id: () => storeSelect(main?.id),
      from_store_id: () => storeSelect(main?.id),
      to_store_id: () => storeSelect(van?.id ?? main?.id),
      quantity: () => text({ class: 'input input-qty num', inputmode: 'numeric' }),
      unit_cost_fen: () => text({ class: 'input input-money num', inputmode: 'decimal', value: yuanInput(part.cost_fen) }),
      supplier: () => text(),
      work_order: () => text({ class: 'input num', placeholder: 'WO-2026-0001' }),
      form_no: () => text({ class: 'input num' }),
      reason: () => text({ class: 'input input-wide' }),
      note: () => text({ class: 'input input-wide' }),
    };
    const names = ACTIONS[kind].fields;
    const controls = Object.fromEntries(names.map((name) => [name, make[name]()]));
    const required = new Set(['store_id', 'from_store_id', 'to_store_id', 'quantity', 'form_no', 'reason']);
    const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
    const submitButton = h('button', { type: 'submit', id: 'movement-save', class: 'btn btn-primary' }, t(`move.${kind}.save`), ' ', h('kbd', {}, 'Ctrl+S'));
    const cancel = h('button', { type: 'button', id: 'movement-cancel', class: 'btn' }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
    cancel.addEventListener('click', () => closeMove());
    const form = h(
      'form',
      { id: 'movement-form', class: 'movement-form', novalidate: true, autocomplete: 'off', dataset: { kind } },
      h('h3', {}, t(`move.${kind}.heading`, { code: part.code, name: part.name })),
      formError,
      names.map((name) =>
        field('movement', name, controls[name], {
          label: t(`move.f.${name}`),
          required: required.has(name),
          hint: name === 'quantity' ? t('move.f.quantity.hint', { unit }) : name === 'unit_cost_fen' ? t('part.f.yuan.hint') : name === 'work_order' && kind === 'defective' ? t('move.f.work_order.defective') : null,
        }),
      ),
      h('div', { class: 'form-actions form-actions-plain' }, submitButton, cancel),
    );
    moveSlot.append(form);
    const errors = errorsFor(form, controls, formError);
    let busy = false;
    async function submit() {
      if (busy) return;
      errors.clearAll();
      const args = { part_id: part.id };
      for (const name of names) {
        const raw = controls[name].value;
        if (name.endsWith('store_id')) args[name] = Number(raw);
        else if (name === 'quantity') {
          const quantity = parseQuantity(raw);
          if (quantity === null) return errors.show({ field: name, message: t('quantity.invalid', { value: raw }) });
          args[name] = quantity;
        } else if (name === 'unit_cost_fen') {
          const fen = parseYuan(raw);
          if (fen === null) return errors.show({ field: name, message: t('money.invalid', { value: raw }) });
          args[name] = fen;
        } else args[name] = raw.trim();
      }
      busy = true;
      submitButton.disabled = true;
      form.setAttribute('aria-busy', 'true');
      try {
        await ctx.call(ACTIONS[kind].command, args);
        if (!ctx.isCurrent()) return;
        ctx.toast(t(`move.${kind}.done`));
        ctx.navigate(`#/parts/${part.id}?focus=${kind}`);
      } catch (error) {
        if (ctx.isCurrent()) errors.show(error);
      } finally {
        busy = false;
        submitButton.disabled = false;
        form.removeAttribute('aria-busy');
      }
    }
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit();
    });
    enterMovesOn(form, () => names.map((name) => controls[name]), submit);
    form.addEventListener('keydown', (event) => {
      if (isSave(event)) {
        event.preventDefault();
        event.stopPropagation();
        submit();
      } else if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        closeMove();
      }
    });
    // The store is usually right already: start at the quantity.
    controls.quantity.focus();
  }
  for (const [kind, button] of Object.entries(buttons)) button.addEventListener('click', () => openMove(kind));

  // ---- 冲销 -------------------------------------------------------------------------------
  const reverse = reverseDialog(ctx, part, unit);
  root.querySelector('.page-part').append(reverse.dialog);
  // ---- 打印标签 -----------------------------------------------------------------------------
  const labels = labelDialog(ctx);
  root.querySelector('.page-part').append(labels.dialog);
  const openLabels = () => labels.open([{ id: part.id, code: part.code, name: part.name }], labelsButton);
  labelsButton.addEventListener('click', openLabels);
  // ---- 返厂索赔: 待寄出 → 已寄出 → 已结算 ----------------------------------------------------
  ledgerTable.addEventListener('click', async (event) => {
    const button = event.target.closest('button.claim-next');
    if (!button || button.disabled) return;
    button.disabled = true;
    const { next } = button.dataset;
    try {
      await ctx.call('stock.claim', { movement_id: Number(button.dataset.id), status: next });
      if (!ctx.isCurrent()) return;
      ctx.toast(t(`claim.done.${next}`));
      ctx.navigate(`#/parts/${part.id}`);
    } catch (error) {
      if (!ctx.isCurrent()) return;
      button.disabled = false;
      ctx.toast(errorText(error));
    }
  });
  ledgerTable.addEventListener('click', (event) => {
    const button = event.target.closest('button.reverse');
    if (!button) return;
    const movement = byId.get(Number(button.dataset.id));
    if (movement) reverse.open(movement, button);
  });

  const focusAfter = ctx.query.get('focus');
  (buttons[focusAfter] ?? buttons.receive).focus();

  return {
    dispose() {
      reverse.close();
      labels.close();
      resetTitle();
    },
    onKey(event) {
      if (reverse.isOpen() || labels.isOpen() || isTyping(event.target) || modified(event)) return;
      if (event.key === 'e' || event.key === 'E') {
        event.preventDefault();
        goEdit();
      } else if (event.key === 'l' || event.key === 'L') {
        event.preventDefault();
        openLabels();
      } else if (event.key === 'Escape') {
        event.preventDefault();
        if (openKind) closeMove();
        else ctx.navigate('#/parts');
      }
    },
  };
}

/** The confirm step of 冲销: says what will be put back, and needs a reason. */
function reverseDialog(ctx, part, unit) {
  const body = h('div', { class: 'reverse-body' });
  const dialog = h(
    'dialog',
    { id: 'reverse-dialog', class: 'panel', 'aria-labelledby': 'reverse-title' },
    h('div', { class: 'panel-head' }, h('h2', { id: 'reverse-title' }, t('reverse.title'))),
    body,
  );
  let returnFocus = null;
  function open(m, from) {
    returnFocus = from;
    const controls = { reason: h('input', { class: 'input input-wide', type: 'text', autocomplete: 'off', maxlength: '200' }) };
    const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
    const confirm = h('button', { type: 'submit', id: 'reverse-confirm', class: 'btn btn-danger' }, t('reverse.confirm'));
    const cancel = h('button', { type: 'button', id: 'reverse-cancel', class: 'btn' }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
    cancel.addEventListener('click', close);
    const transfer = m.kind === 'transfer_out' || m.kind === 'transfer_in';
    const form = h(
      'form',
      { id: 'reverse-form', novalidate: true, autocomplete: 'off' },
      h(
        'p',
        { class: 'reverse-what' },
        t('reverse.what', {
          kind: movementLabel(m.kind),
          at: deskDateTime(m.at),
          store: m.store_name ?? '',
          quantity: signed(m.quantity),
          unit,
          code: part.code,
        }),
      ),
      h('p', {}, t(transfer ? 'reverse.effect.transfer' : 'reverse.effect', { quantity: signed(-Number(m.quantity)), unit })),
      formError,
      field('reverse', 'reason', controls.reason, { label: t('reverse.reason'), required: true }),
      h('div', { class: 'panel-actions' }, confirm, cancel),
    );
    clear(body);
    body.append(form);
    const errors = errorsFor(form, controls, formError);
    let busy = false;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (busy) return;
      errors.clearAll();
      const reason = controls.reason.value.trim();
      if (!reason) {
        errors.show({ field: 'reason', message: t('reverse.reason.required') });
        return;
      }
      busy = true;
      confirm.disabled = true;
      try {
        await ctx.call('stock.reverse', { movement_id: m.id, reason });
        if (!ctx.isCurrent()) return;
        close();
        ctx.toast(t('reverse.done'));
        ctx.navigate(`#/parts/${part.id}`);
      } catch (error) {
        if (!ctx.isCurrent()) return;
        if (error?.field === 'reason') errors.show(error);
        else errors.show({ message: errorText(error) });
      } finally {
        busy = false;
        confirm.disabled = false;
      }
    });
    if (!dialog.open) dialog.showModal();
    controls.reason.focus();
  }
  function close() {
    if (dialog.open) dialog.close();
    if (returnFocus?.isConnected) returnFocus.focus();
    returnFocus = null;
  }
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    close();
  });
  return { dialog, open, close, isOpen: () => dialog.open };
}

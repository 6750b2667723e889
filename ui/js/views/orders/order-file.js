// 工单 — one work order from the call to the payment: who and what, the warranty verdict
// with its reason, the three service-level clocks, the timeline, and buttons for the legal
// next steps only (the core's `moves`, plus 回电确认, 派工/改派, 完工 and 收款). Each step
// that needs words opens a small form in the action panel; a refused step shows the core's
// message there, reloads the order so the page tells the truth, and keeps what was typed.
// From completion on it also takes the customer's opinion and signature (签名板), and at
// any time but after cancelling it prints the service slip (打印服务单, Ctrl+P) and lists
// the order's slips with their prints, reprints and voids.
import { h, clear, debounce, isTyping } from '../../lib/dom.js';
import { errorText, errorsFor, field } from '../../lib/form.js';
import { warrantyChip } from '../../lib/format.js';
import { t } from '../../i18n.js';
import { parseQuantity, parseSignedYuan, parseYuan, yuan, yuanInput } from '../../lib/money.js';
import { appointmentText, deskDateTime, deskInput } from '../../lib/dates.js';
import { clockLabel, clockState, clockStateText } from './clocks.js';
import { ACTIONS, actionButtons, actionForLetter } from './order-actions.js';
import { orderKindLabel, priorityChip, statusChip } from './words.js';
import { signaturePad, signatureSvg } from '../../lib/signature-pad.js';
import { choiceText, remembered as rememberedSlip, slipDialog, voidDialog } from '../../lib/slip-dialog.js';
import { ctrlHeld, isCtrl, isSave } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';
import { timelineList } from '../../lib/timeline.js';

const FEE_KINDS = ['labour', 'callout', 'other'];
const PAY_METHODS = ['cash', 'transfer', 'wechat', 'alipay', 'on_account'];
/** Statuses in which the customer's opinion and signature are taken (完工 and after). */
const DONE = ['completed', 'called_back', 'closed'];
const OPINIONS = ['satisfied', 'basically', 'unsatisfied'];

// ---- the screen -----------------------------------------------------------------------------

function item(labelKey, value, { id, cls = '' } = {}) {
  const empty = value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
  return [
    h('dt', {}, t(labelKey)),
    h('dd', { class: `${cls}${empty ? ' is-empty' : ''}`.trim(), id }, empty ? t('file.empty') : value),
  ];
}

export async function render(root, ctx) {
  const { id } = ctx.params;
  let order = await ctx.call('orders.get', { id });
  if (!ctx.isCurrent()) return null;

  const head = h('header', { class: 'file-head order-head' });
  const actionBar = h('div', { class: 'toolbar order-actions', id: 'order-actions', role: 'toolbar', 'aria-label': t('order.actions') });
  const notice = h('p', { class: 'notice notice-error', id: 'order-error', role: 'alert', hidden: true });
  const panel = h('section', { class: 'card order-panel', id: 'order-action', hidden: true, 'aria-live': 'polite' });
  const details = h('dl', { class: 'details details-2col order-details', id: 'order-details' });
  const clocksBox = h('section', { class: 'order-clocks-box' });
  const money = h('section', { class: 'card file-section', id: 'order-money' });
  const timeline = h('section', { class: 'card file-section' });
  const back = h('a', { href: '#/board', class: 'btn', title: 'Esc' }, t('order.back'), ' ', h('kbd', {}, 'Esc'));
  let panelState = null; // {action, element, submit, focus}
  let busy = false;

  // 服务单: the one-click button (the way, paper and parts used last on this desk), the
  // options, the order's slips, and the customer's opinion and signature.
  const slipQuick = h('button', { type: 'button', class: 'btn btn-slip', id: 'order-slip-print' });
  const slipOptions = h(
    'button',
    { type: 'button', class: 'btn btn-slip-options', id: 'order-slip-options', title: t('slips.options.title'), 'aria-label': t('slips.options.title'), 'aria-haspopup': 'dialog' },
    '▾',
  );
  const slipButtons = h('div', { class: 'slip-buttons', role: 'group', 'aria-label': t('slips.title') }, slipQuick, slipOptions);
  const slipsBox = h('section', { class: 'card file-section order-slips', id: 'order-slips', 'aria-labelledby': 'order-slips-title' });
  const opinionBox = h('section', { class: 'card file-section order-opinion', id: 'order-opinion', 'aria-labelledby': 'order-opinion-title' });
  let slips = null; // the order's slips, oldest first; null until read
  let slipsError = null;
  const printDialog = slipDialog(ctx, {
    onPrinted: () => {
      loadSlips();
      reload();
    },
  });
  const voider = voidDialog(ctx, {
    onVoided: (slip) => {
      loadSlips().then(() => slipsBox.querySelector(`tr[data-number="${slip.number}"] .slip-state`)?.focus());
      reload();
    },
  });
  // What the page knows of the opinion saved: the core's fields when it sends them, else
  // what was saved from this page.
  let savedOpinion = null;
  let opinionDraft = null; // {opinion, remarks} typed but not saved, kept across re-renders
  let pad = null;

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-file page-order' },
      h(
        'article',
        { id: 'order-file', class: 'card', dataset: { id: String(order.id) } },
        head,
        h('div', { class: 'order-bar' }, actionBar, slipButtons, back),
        notice,
        panel,
        h('div', { class: 'order-columns' }, details, clocksBox),
      ),
      money,
      opinionBox,
      slipsBox,
      timeline,
      printDialog.dialog,
      voider.dialog,
    ),
  );

  // ---- what the page shows --------------------------------------------------------------
  function showHead() {
    clear(head);
    const w = { status: order.warranty, reason: order.warranty_reason };
    head.append(
      h(
        'div',
        { class: 'file-title' },
        h('span', { class: 'file-kicker' }, t('order.kicker', { kind: orderKindLabel(order.kind) })),
        h('h1', { class: 'order-number num', id: 'order-number' }, order.number),
        h(
          'span',
          { class: 'file-chips' },
          statusChip(order.status, { id: 'order-status' }),
          priorityChip(order.priority),
          warrantyChip(w, { id: 'order-warranty' }),
        ),
      ),
    );
    root.querySelector('#order-file').dataset.status = order.status;
    setTitle(order.number);
  }

  function showActions() {
    const hadFocus = actionBar.contains(document.activeElement) ? document.activeElement.dataset.action : null;
    clear(actionBar);
    const buttons = actionButtons(order, { pressed: panelState?.action, run });
    actionBar.append(...buttons);
    if (buttons.length === 0) actionBar.append(h('span', { class: 'muted', id: 'order-final' }, t('order.final')));
    if (hadFocus) (actionBar.querySelector(`[data-action="${hadFocus}"]`) ?? actionBar.querySelector('button') ?? back).focus();
  }

  function showDetails() {
    clear(details);
    const machine = order.equipment;
    // item() gives [dt, dd] pairs; h() flattens them, Element.append would not.
    const rows = [
      item('order.f.customer', h('a', { href: `#/customers/${order.customer.id}`, id: 'order-customer' }, order.customer.name)),
      item(
        'order.f.machine',
        machine ? h('a', { href: `#/equipment/${machine.id}`, id: 'order-machine' }, machine.model, ' ', h('span', { class: 'muted num' }, machine.serial)) : null,
      ),
      item('order.f.contact', order.contact),
      item('order.f.phone', order.phone, { cls: 'num' }),
      item('order.f.address', order.address),
      item('order.f.warranty', h('span', { id: 'order-warranty-reason' }, order.warranty_reason)),
      item('order.f.how', t('order.how', { kind: orderKindLabel(order.kind), mode: t(`order.mode.${order.mode}`), channel: t(`order.channel.${order.channel}`) })),
      item('order.f.created', deskDateTime(order.created_at), { cls: 'num' }),
      item('order.f.fault', order.fault, { id: 'order-fault', cls: 'notes' }),
      item('order.f.engineer', order.engineer?.name ?? null, { id: 'order-engineer' }),
      item('order.f.appointment', appointmentText(order.appointment_from, order.appointment_to), { id: 'order-appointment', cls: 'num' }),
      order.diagnosis ? item('order.f.diagnosis', order.diagnosis, { cls: 'notes' }) : null,
      order.work_done ? item('order.f.work_done', order.work_done, { id: 'order-work-done', cls: 'notes' }) : null,
      order.slip_late_reason ? item('order.f.late_reason', order.slip_late_reason, { cls: 'notes' }) : null,
    ];
    details.append(...rows.flat().filter(Boolean));
  }

  function showClocks() {
    clear(clocksBox);
    clocksBox.append(
      h('h2', {}, t('order.clocks')),
      h(
        'ul',
        { class: 'clock-list', id: 'order-clocks' },
        (order.clocks ?? []).map((c) => {
          const state = clockState(c);
          return h(
            'li',
            { class: `clock clock-${state}`, dataset: { kind: c.kind, state } },
            h('span', { class: 'clock-label' }, clockLabel(c)),
            h('span', { class: `chip chip-clock chip-clock-${state} clock-state` }, clockStateText(c)),
            h(
              'span',
              { class: 'clock-due num muted' },
              c.done_at ? t('clock.done_at', { at: deskDateTime(c.done_at) }) : t('clock.due', { due: deskDateTime(c.due) }),
            ),
          );
        }),
      ),
    );
  }

  function showMoney() {
    clear(money);
    const parts = order.parts ?? [];
    const fees = order.fees ?? [];
    const payments = order.payments ?? [];
    const done = DONE.includes(order.status);
    money.hidden = !done && parts.length === 0 && fees.length === 0 && payments.length === 0;
    if (money.hidden) return;
    const settled = order.outstanding_fen <= 0;
    money.append(
      h(
        'div',
        { class: 'section-head' },
        h('h2', {}, t('order.money')),
        h(
          'span',
          { class: 'money-sum' },
          t('order.total'),
          ' ',
          h('strong', { id: 'order-total', class: 'num' }, yuan(order.total_fen)),
          h('span', { class: 'muted' }, ` （${order.total_capitals}）`),
        ),
        h(
          'span',
          { class: 'money-sum' },
          t('order.paid'),
          ' ',
          h('span', { class: 'num', id: 'order-paid' }, yuan(order.paid_fen)),
        ),
        h(
          'span',
          { class: 'money-sum' },
          t('order.outstanding'),
          ' ',
          h('strong', { class: `num${settled ? '' : ' is-owed'}`, id: 'order-outstanding' }, yuan(order.outstanding_fen)),
          ' ',
          h('span', { class: `chip ${settled ? 'chip-settled' : 'chip-owed'}`, id: 'order-settled' }, t(settled ? 'order.settled' : 'order.owed')),
        ),
      ),
    );
    const rows = [
      ...parts.map((p) =>
        h(
          'tr',
          { dataset: { part: String(p.part_id) } },
          h('td', {}, t('order.line.part')),
          h('td', {}, `${p.code} ${p.name}`, ' ', h('span', { class: 'muted' }, `· ${p.store_name}`)),
          h('td', { class: 'qty' }, `${p.quantity} ${p.unit ?? ''}`),
          h('td', { class: 'qty' }, yuan(p.unit_price_fen)),
          h('td', { class: 'qty' }, p.in_warranty ? h('span', { class: 'chip chip-warranty-in' }, t('order.line.free')) : yuan(p.charged_fen)),
        ),
      ),
      ...fees
        .filter((f) => f.kind !== 'parts')
        .map((f) =>
          h(
            'tr',
            { dataset: { fee: f.kind } },
            h('td', {}, t(`order.fee.${FEE_KINDS.includes(f.kind) ? f.kind : 'other'}`)),
            h('td', {}, f.description ?? ''),
            h('td', { class: 'qty' }, ''),
            h('td', { class: 'qty' }, ''),
            h('td', { class: 'qty' }, yuan(f.amount_fen)),
          ),
        ),
    ];
    if (rows.length) {
      money.append(
        h(
          'table',
          { class: 'grid grid-compact money-lines', id: 'order-lines' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col', class: 'col-line-kind' }, t('order.line.kind')),
              h('th', { scope: 'col' }, t('order.line.what')),
              h('th', { scope: 'col', class: 'col-qty' }, t('order.line.quantity')),
              h('th', { scope: 'col', class: 'col-money' }, t('order.line.price')),
              h('th', { scope: 'col', class: 'col-money' }, t('order.line.amount')),
            ),
          ),
          h('tbody', {}, rows),
        ),
      );
    } else {
      money.append(h('p', { class: 'empty empty-small' }, t('order.money.none')));
    }
    if (payments.length) {
      money.append(
        h('h3', { class: 'subhead' }, t('order.payments')),
        h(
          'ul',
          { class: 'payment-list', id: 'order-payments' },
          payments.map((p) =>
            h(
              'li',
              { dataset: { method: p.method } },
              h('span', { class: 'num muted' }, deskDateTime(p.at)),
              h('span', {}, t(`order.pay.${PAY_METHODS.includes(p.method) ? p.method : 'cash'}`)),
              h('strong', { class: 'num' }, yuan(p.amount_fen)),
              p.note ? h('span', { class: 'muted' }, p.note) : null,
            ),
          ),
        ),
      );
    }
  }

  function showTimeline() {
    clear(timeline);
    const events = order.events ?? [];
    timeline.append(
      h('div', { class: 'section-head' }, h('h2', {}, t('order.timeline')), h('span', { class: 'section-count' }, t('order.timeline.lead'))),
      timelineList(events, { id: 'order-timeline', className: 'order-timeline', kindOf: (e) => e.kind ?? '', withUser: true }),
    );
  }

  function show() {
    showHead();
    showActions();
    showDetails();
    showClocks();
    showMoney();
    showOpinion();
    showSlipButtons();
    showSlips();
    showTimeline();
  }

  // ---- 服务单 ------------------------------------------------------------------------------
  const printable = () => order.status !== 'cancelled';

  function showSlipButtons() {
    slipButtons.hidden = !printable();
    const choice = rememberedSlip();
    clear(slipQuick);
    slipQuick.append(
      t(choice.way === 'print' ? 'slips.quick.print' : 'slips.quick.preview'),
      h('span', { class: 'slip-choice' }, choiceText(choice)),
      ' ',
      h('kbd', {}, 'Ctrl+P'),
    );
    slipQuick.title = t(choice.way === 'print' ? 'slips.quick.print.title' : 'slips.quick.preview.title', { choice: choiceText(choice) });
  }

  async function loadSlips() {
    try {
      const result = await ctx.call('slips.list', { order_id: id });
      slips = result?.items ?? [];
      slipsError = null;
    } catch (error) {
      slipsError = errorText(error);
    }
    if (ctx.isCurrent()) {
      showSlips();
      showSlipButtons();
    }
  }

  function showSlips() {
    const hadFocus = slipsBox.contains(document.activeElement) ? document.activeElement.id || document.activeElement.dataset.number : null;
    clear(slipsBox);
    const live = (slips ?? []).filter((s) => !s.void);
    slipsBox.append(
      h(
        'div',
        { class: 'section-head' },
        h('h2', { id: 'order-slips-title' }, t('slips.history')),
        h('span', { class: 'section-count' }, slips ? t('slips.history.count', { n: slips.length }) : ''),
        h('a', { href: '#/slips/continuity', class: 'section-link', id: 'order-slips-continuity' }, t('slips.continuity.link')),
      ),
    );
    if (slipsError) {
      slipsBox.append(h('p', { class: 'notice notice-error', role: 'alert' }, slipsError));
      return;
    }
    if (!slips) {
      slipsBox.append(h('p', { class: 'muted' }, t('common.loading')));
      return;
    }
    if (slips.length === 0) {
      slipsBox.append(h('p', { class: 'empty empty-small', id: 'order-slips-empty' }, t(printable() ? 'slips.history.empty' : 'slips.history.cancelled')));
      return;
    }
    slipsBox.append(
      h(
        'table',
        { class: 'grid grid-compact slip-table', id: 'order-slip-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col', class: 'col-slip-number' }, t('slips.col.number')),
            h('th', { scope: 'col', class: 'col-slip-at' }, t('slips.col.created')),
            h('th', { scope: 'col', class: 'col-slip-prints' }, t('slips.col.prints')),
            h('th', { scope: 'col', class: 'col-slip-reprints' }, t('slips.col.reprints')),
            h('th', { scope: 'col', class: 'col-slip-state' }, t('slips.col.state')),
            h('th', { scope: 'col', class: 'col-act' }, h('span', { class: 'visually-hidden' }, t('slips.void'))),
          ),
        ),
        h(
          'tbody',
          {},
          slips.map((s) =>
            h(
              'tr',
              { dataset: { number: s.number, state: s.void ? 'void' : 'live', prints: String(s.prints) }, class: s.void ? 'is-void' : '' },
              h('td', { class: 'col-slip-number num' }, s.number),
              h('td', { class: 'col-slip-at num' }, deskDateTime(s.created_at)),
              h('td', { class: 'col-slip-prints qty' }, String(s.prints)),
              h('td', { class: 'col-slip-reprints qty' }, String(Math.max(0, s.prints - 1))),
              h(
                'td',
                { class: 'col-slip-state', title: s.void ? t('slips.voided.title', { at: deskDateTime(s.void.at), user: s.void.user, reason: s.void.reason }) : '' },
                h('span', { class: `chip slip-state ${s.void ? 'chip-slip-void' : 'chip-slip-live'}`, tabIndex: -1 }, t(s.void ? 'slips.state.void' : 'slips.state.live')),
                s.void ? h('span', { class: 'slip-void-reason' }, ` ${s.void.reason}`) : null,
              ),
              h(
                'td',
                { class: 'col-act' },
                s.void
                  ? null
                  : h(
                      'button',
                      {
                        type: 'button',
                        class: 'btn btn-small btn-quiet-danger slip-void',
                        dataset: { number: s.number },
                        title: t('slips.void.button.title', { number: s.number }),
                        onclick: (event) => voider.open(s, event.currentTarget),
                      },
                      t('slips.void'),
                    ),
              ),
            ),
          ),
        ),
      ),
    );
    if (live.length === 0 && printable()) slipsBox.append(h('p', { class: 'hint', id: 'order-slips-next' }, t('slips.history.next')));
    if (hadFocus) (slipsBox.querySelector(`#${CSS.escape(hadFocus)}`) ?? slipsBox.querySelector(`[data-number="${CSS.escape(hadFocus)}"]`))?.focus();
  }

  function openPrint(from) {
    if (!printable() || printDialog.isOpen() || voider.isOpen()) return;
    printDialog.open(order, from ?? document.activeElement);
  }
  slipQuick.addEventListener('click', async () => {
    if (slipQuick.disabled) return;
    slipQuick.disabled = true;
    try {
      await printDialog.quick(order, slipQuick);
    } finally {
      slipQuick.disabled = false;
      showSlipButtons();
      if (!printDialog.isOpen() && slipQuick.isConnected) slipQuick.focus();
    }
  });
  slipOptions.addEventListener('click', () => openPrint(slipOptions));
  printDialog.dialog.addEventListener('close', showSlipButtons);

  // ---- 客户意见与签名 ---------------------------------------------------------------------
  function opinionFromOrder() {
    // The core's order carries these once it sends them (see docs/contract-slips-ui.md).
    if (order.opinion === undefined) return savedOpinion;
    return { opinion: order.opinion ?? '', remarks: order.opinion_remarks ?? '', signature: order.signature ?? [] };
  }

  function showOpinion() {
    const done = DONE.includes(order.status);
    opinionBox.hidden = !done;
    if (!done) {
      clear(opinionBox);
      pad = null;
      return;
    }
    // A re-render (after a step or a print) keeps what the clerk has ticked and drawn.
    if (opinionBox.contains(document.activeElement) && pad) return;
    const strokesBefore = pad?.strokes() ?? [];
    const saved = opinionFromOrder();
    const draft = opinionDraft ?? { opinion: saved?.opinion ?? '', remarks: saved?.remarks ?? '' };
    clear(opinionBox);

    const ticks = h('div', { class: 'segmented opinion-ticks', id: 'opinion-ticks', role: 'radiogroup', 'aria-label': t('slips.opinion'), tabIndex: -1 });
    for (const o of OPINIONS) {
      ticks.append(
        h(
          'label',
          { class: 'segment', for: `opinion-${o}` },
          h('input', { type: 'radio', name: 'opinion', value: o, id: `opinion-${o}`, checked: draft.opinion === o }),
          h('span', {}, t(`slips.opinion.${o}`)),
        ),
      );
    }
    const remarks = h('input', { class: 'input input-wide', type: 'text', maxlength: '200', autocomplete: 'off', placeholder: t('slips.opinion.remarks.placeholder'), value: draft.remarks });
    pad = signaturePad({ id: 'signature-pad' });
    if (strokesBefore.length) pad.setStrokes(strokesBefore);
    const keep = () => {
      opinionDraft = { opinion: ticks.querySelector('input:checked')?.value ?? '', remarks: remarks.value };
    };
    ticks.addEventListener('change', keep);
    remarks.addEventListener('input', keep);

    const savedBox = h('div', { class: 'opinion-saved', id: 'opinion-saved' });
    if (saved && (saved.opinion || saved.remarks || saved.signature?.length)) {
      savedBox.append(
        h(
          'p',
          { class: 'opinion-saved-line' },
          h('span', { class: 'chip chip-opinion', dataset: { opinion: saved.opinion || 'none' } }, saved.opinion ? t(`slips.opinion.${saved.opinion}`) : t('slips.opinion.none')),
          saved.remarks ? h('span', { class: 'opinion-saved-remarks' }, saved.remarks) : null,
        ),
        saved.signature?.length
          ? h('figure', { class: 'opinion-signature', id: 'opinion-signature' }, signatureSvg(saved.signature), h('figcaption', { class: 'hint' }, t('slips.signature.saved')))
          : h('p', { class: 'hint', id: 'opinion-unsigned' }, t('slips.signature.none')),
      );
    } else {
      // Without the core's fields the last opinion recorded is read from the timeline.
      const last = [...(order.events ?? [])].reverse().find((e) => e.kind === 'opinion');
      savedBox.append(h('p', { class: 'hint', id: 'opinion-none' }, last ? t('slips.opinion.recorded', { detail: last.detail ?? '', at: deskDateTime(last.at) }) : t('slips.opinion.empty')));
    }

    const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
    const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'opinion-save' }, t('slips.opinion.save'), ' ', h('kbd', {}, 'Ctrl+S'));
    const signatureField = h(
      'div',
      { class: 'field field-signature' },
      h('label', { for: 'signature-pad-canvas' }, t('slips.signature')),
      h('div', { class: 'control' }, pad.element, h('div', { class: 'field-error', dataset: { for: 'signature' }, 'aria-live': 'polite' }), h('div', { class: 'hint' }, t('slips.signature.hint'))),
    );
    const form = h(
      'form',
      { id: 'opinion-form', class: 'opinion-form', novalidate: true, autocomplete: 'off' },
      formError,
      h(
        'div',
        { class: 'field field-opinion' },
        h('span', { class: 'label' }, t('slips.opinion')),
        h('div', { class: 'control' }, ticks, h('div', { class: 'field-error', dataset: { for: 'opinion' }, 'aria-live': 'polite' })),
      ),
      field('opinion', 'remarks', remarks, { label: t('slips.opinion.remarks') }),
      signatureField,
      h('div', { class: 'form-actions' }, save),
    );
    const errors = errorsFor(form, { opinion: ticks, remarks, signature: pad.canvas, order_id: null }, formError);
    let saving = false;
    async function submit() {
      if (saving) return;
      errors.clearAll();
      const opinion = ticks.querySelector('input:checked')?.value ?? '';
      // An empty pad keeps a signature already saved; 清除 on it then signing anew replaces it.
      const signature = pad.isEmpty() ? saved?.signature ?? [] : pad.strokes();
      saving = true;
      save.disabled = true;
      try {
        const result = await ctx.call('slips.opinion', { order_id: id, opinion, remarks: remarks.value.trim(), signature });
        if (!ctx.isCurrent()) return;
        savedOpinion = { opinion, remarks: remarks.value.trim(), signature };
        opinionDraft = null;
        order = result;
        pad = null;
        document.activeElement?.blur();
        show();
        ctx.toast(t('slips.opinion.done'));
        (opinionBox.querySelector('#opinion-save') ?? back).focus();
      } catch (error) {
        if (!ctx.isCurrent()) return;
        errors.show(error);
      } finally {
        saving = false;
        save.disabled = false;
      }
    }
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit();
    });
    form.addEventListener('keydown', (event) => {
      if (isSave(event)) {
        event.preventDefault();
        event.stopPropagation();
        submit();
      } else if (event.key === 'Enter' && !event.isComposing && event.target === remarks) {
        event.preventDefault();
        pad.canvas.focus();
      } else if (event.key === 'Enter' && !event.isComposing && event.target.name === 'opinion') {
        event.preventDefault();
        remarks.focus();
      }
    });
    opinionBox.append(
      h(
        'div',
        { class: 'section-head' },
        h('h2', { id: 'order-opinion-title' }, t('slips.opinion.title')),
        h('span', { class: 'section-count' }, t('slips.opinion.lead')),
      ),
      h('div', { class: 'opinion-columns' }, form, savedBox),
    );
  }

  async function reload() {
    try {
      order = await ctx.call('orders.get', { id });
      if (ctx.isCurrent()) show();
    } catch {
      // The refusal is already on screen; the next action will try again.
    }
  }

  // ---- doing things ---------------------------------------------------------------------
  function hideNotice() {
    notice.hidden = true;
    notice.textContent = '';
  }

  function closePanel({ focus = true } = {}) {
    const was = panelState?.action;
    panelState?.dispose?.();
    panelState = null;
    clear(panel);
    panel.hidden = true;
    showActions();
    if (focus) (actionBar.querySelector(`[data-action="${was}"]`) ?? actionBar.querySelector('button') ?? back).focus();
  }

  /**
   * Sends one step to the core. On success the order on screen is the one the core
   * returned; on refusal `onError` shows the message and the order is read again.
   */
  async function send(command, args, { done, onError }) {
    if (busy) return false;
    busy = true;
    panel.setAttribute('aria-busy', 'true');
    hideNotice();
    try {
      const result = await ctx.call(command, { id, ...args });
      if (!ctx.isCurrent()) return false;
      order = result;
      if (panelState) closePanel({ focus: false });
      show();
      ctx.toast(done);
      (actionBar.querySelector('.btn-primary') ?? actionBar.querySelector('button') ?? back).focus();
      return true;
    } catch (error) {
      if (!ctx.isCurrent()) return false;
      onError(error);
      await reload();
      return false;
    } finally {
      busy = false;
      panel.removeAttribute('aria-busy');
    }
  }

  function showNotice(error) {
    notice.textContent = errorText(error);
    notice.hidden = false;
  }

  function run(action) {
    const spec = ACTIONS[action];
    if (!spec) return;
    if (spec.move) {
      if (panelState) closePanel({ focus: false });
      send('orders.move', { to: spec.move, reason: '' }, { done: t(`order.done.${action}`), onError: showNotice });
      return;
    }
    if (panelState?.action === action) {
      panelState.focus();
      return;
    }
    if (panelState) closePanel({ focus: false });
    hideNotice();
    const builder = { confirm: confirmForm, assign: assignForm, reassign: assignForm, reopen: reasonForm, wait: reasonForm, cancel: reasonForm, complete: completeForm, pay: payForm }[action];
    panelState = builder(action);
    panel.append(panelState.element);
    panel.hidden = false;
    showActions();
    panelState.focus();
  }

  /** The frame of a panel form: title, error box, fields, save and close buttons. */
  function panelForm(action, { title, lead, fields, saveLabel, danger = false, formId }) {
    const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
    const save = h('button', { type: 'submit', class: `btn ${danger ? 'btn-danger' : 'btn-primary'}`, id: `${formId}-save` }, saveLabel, ' ', h('kbd', {}, 'Ctrl+S'));
    const close = h('button', { type: 'button', class: 'btn', id: `${formId}-close`, onclick: () => closePanel() }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
    const form = h(
      'form',
      { id: formId, class: 'panel-form', novalidate: true, autocomplete: 'off', dataset: { action } },
      h('h2', {}, title),
      lead ? h('p', { class: 'hint panel-lead' }, lead) : null,
      formError,
      fields,
      h('div', { class: 'form-actions form-actions-plain' }, save, close),
    );
    return { form, formError, save };
  }

  /** Enter moves through `sequence()`; from the last control it submits. Textareas keep Shift+Enter. */
  function enterOrder(form, sequence, submit) {
    form.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' || event.isComposing || event.ctrlKey || event.altKey) return;
      const target = event.target;
      if (target.tagName === 'BUTTON' || (target.tagName === 'TEXTAREA' && event.shiftKey)) return;
      if (target.closest('.part-find') && target.getAttribute('aria-expanded') === 'true') return;
      const list = sequence().filter((el) => el && !el.disabled && !el.closest('[hidden]'));
      const at = list.indexOf(target.type === 'radio' ? list.find((el) => el.name === target.name) ?? target : target);
      if (at < 0) return;
      event.preventDefault();
      if (at === list.length - 1) submit();
      else list[at + 1].focus();
    });
  }

  // 回电确认
  function confirmForm(action) {
    const note = h('input', { class: 'input input-wide', type: 'text', maxlength: '200', placeholder: t('order.confirm.placeholder') });
    const controls = { note };
    const { form, formError } = panelForm(action, {
      title: t('order.confirm.title'),
      lead: t('order.confirm.lead'),
      fields: [field('confirm', 'note', note, { label: t('order.f.note') })],
      saveLabel: t('order.confirm.save'),
      formId: 'confirm-form',
    });
    const errors = errorsFor(form, controls, formError);
    const submit = () => {
      errors.clearAll();
      send('orders.confirm', { note: note.value.trim() }, { done: t('order.done.confirm'), onError: errors.show });
    };
    form.addEventListener('submit', (e) => (e.preventDefault(), submit()));
    enterOrder(form, () => [note], submit);
    return { action, element: form, submit, focus: () => note.focus() };
  }

  // 取消 · 重新处理 · 待料: one reason line (required for the first two).
  function reasonForm(action) {
    const required = action !== 'wait';
    const reason = h('input', { class: 'input input-wide', type: 'text', maxlength: '200', placeholder: t(`order.${action}.placeholder`) });
    const controls = { reason, status: null };
    const { form, formError } = panelForm(action, {
      title: t(`order.${action}.title`, { number: order.number }),
      lead: t(`order.${action}.lead`),
      fields: [field(action, 'reason', reason, { label: t(`order.${action}.reason`), required })],
      saveLabel: t(`order.${action}.save`),
      danger: action === 'cancel',
      formId: `${action}-form`,
    });
    const errors = errorsFor(form, controls, formError);
    const to = { cancel: 'cancelled', reopen: 'in_progress', wait: 'waiting_parts' }[action];
    const submit = () => {
      errors.clearAll();
      if (required && !reason.value.trim()) {
        errors.show({ field: 'reason', message: t(`order.${action}.reason.missing`) });
        return;
      }
      send('orders.move', { to, reason: reason.value.trim() }, { done: t(`order.done.${action}`), onError: errors.show });
    };
    form.addEventListener('submit', (e) => (e.preventDefault(), submit()));
    enterOrder(form, () => [reason], submit);
    return { action, element: form, submit, focus: () => reason.focus() };
  }

  // 派工 / 改派: the core's ranking with its reasons; the first is chosen.
  function assignForm(action) {
    const reassign = action === 'reassign';
    const list = h('div', { class: 'engineer-choices', id: 'assign-engineers', role: 'radiogroup', 'aria-label': t('order.assign.engineer') });
    list.append(h('p', { class: 'muted' }, t('common.loading')));
    const startFrom = deskInput(order.appointment_from);
    const from = h('input', { class: 'input input-when num', type: 'datetime-local', value: startFrom });
    const to = h('input', { class: 'input input-when num', type: 'datetime-local', value: deskInput(order.appointment_to) });
    const reason = h('input', { class: 'input input-wide', type: 'text', maxlength: '200', placeholder: t('order.reassign.placeholder') });
    const firstRadio = () => list.querySelector('input[type=radio]:checked') ?? list.querySelector('input[type=radio]');
    const controls = { engineer_id: list, appointment_from: from, appointment_to: to, reason };
    list.tabIndex = -1;
    const engineerField = h(
      'div',
      { class: 'field field-engineer_id' },
      h('span', { class: 'label' }, t('order.assign.engineer')),
      h('div', { class: 'control' }, list, h('div', { class: 'field-error', dataset: { for: 'engineer_id' }, 'aria-live': 'polite' })),
    );
    const when = h(
      'div',
      { class: 'field field-appointment' },
      h('label', { for: 'assign-appointment_from' }, t('order.f.appointment')),
      h(
        'div',
        { class: 'control' },
        h('div', { class: 'inline' }, from, h('span', { class: 'muted' }, t('order.to')), to),
        h('div', { class: 'field-error', dataset: { for: 'appointment_from' }, 'aria-live': 'polite' }),
        h('div', { class: 'field-error', dataset: { for: 'appointment_to' }, 'aria-live': 'polite' }),
        h('div', { class: 'hint' }, t('order.appointment.hint')),
      ),
    );
    from.id = 'assign-appointment_from';
    to.id = 'assign-appointment_to';
    to.setAttribute('aria-label', t('order.appointment.to'));
    const { form, formError } = panelForm(action, {
      title: t(reassign ? 'order.reassign.title' : 'order.assign.title'),
      lead: reassign ? t('order.reassign.lead', { name: order.engineer?.name ?? '' }) : t('order.assign.lead'),
      fields: [engineerField, when, reassign ? field('assign', 'reason', reason, { label: t('order.reassign.reason'), required: true }) : null],
      saveLabel: t(reassign ? 'order.reassign.save' : 'order.assign.save'),
      formId: 'assign-form',
    });
    const errors = errorsFor(form, controls, formError);
    const names = new Map();
    let ready = false;
    (async () => {
      try {
        const result = await ctx.call('orders.suggest', { id });
        if (!ctx.isCurrent() || !form.isConnected) return;
        const items = result?.items ?? [];
        clear(list);
        if (items.length === 0) {
          list.append(
            h(
              'p',
              { class: 'empty empty-small', id: 'assign-none' },
              t('order.assign.none'),
              ' ',
              h('a', { href: '#/settings' }, t('order.assign.none.link')),
            ),
          );
          return;
        }
        const current = order.engineer?.id ?? null;
        const pick = items.find((s) => s.engineer.id !== current) ?? items[0];
        items.forEach((s, n) => {
          names.set(String(s.engineer.id), s.engineer.name);
          const radio = h('input', {
            type: 'radio',
            name: 'engineer_id',
            value: String(s.engineer.id),
            id: `assign-engineer-${s.engineer.id}`,
            checked: s === pick,
          });
          list.append(
            h(
              'label',
              { class: `engineer-choice${s === pick ? ' is-suggested' : ''}`, for: radio.id, dataset: { id: String(s.engineer.id), rank: String(n + 1) } },
              radio,
              h(
                'span',
                { class: 'engineer-choice-text' },
                h(
                  'span',
                  { class: 'engineer-choice-name' },
                  s.engineer.name,
                  n === 0 ? h('span', { class: 'chip chip-suggested' }, t('order.assign.best')) : null,
                  s.engineer.id === current ? h('span', { class: 'chip chip-kind' }, t('order.assign.current')) : null,
                ),
                h('span', { class: 'engineer-choice-reason' }, s.reason),
              ),
            ),
          );
        });
        ready = true;
        // The list came after the panel opened: move there unless the clerk went on typing.
        const at = document.activeElement;
        if ((at === from && from.value === startFrom) || at === document.body || actionBar.contains(at)) firstRadio()?.focus();
      } catch (error) {
        if (!form.isConnected) return;
        clear(list);
        list.append(h('p', { class: 'notice notice-error' }, errorText(error)));
      }
    })();
    const submit = () => {
      errors.clearAll();
      const chosen = list.querySelector('input[type=radio]:checked');
      if (!ready || !chosen) {
        errors.show({ field: 'engineer_id', message: t('order.assign.choose') });
        return;
      }
      if (reassign && !reason.value.trim()) {
        errors.show({ field: 'reason', message: t('order.reassign.reason.missing') });
        return;
      }
      send(
        'orders.assign',
        { engineer_id: Number(chosen.value), reason: reason.value.trim(), appointment_from: from.value, appointment_to: to.value },
        { done: t(reassign ? 'order.done.reassign' : 'order.done.assign', { name: names.get(chosen.value) ?? '' }), onError: errors.show },
      );
    };
    form.addEventListener('submit', (e) => (e.preventDefault(), submit()));
    enterOrder(form, () => [firstRadio(), from, to, reassign ? reason : null], submit);
    return { action, element: form, submit, focus: () => (firstRadio() ?? from).focus() };
  }

  // 收款: method, amount (default: what is still owed), note; a refund is negative with a reason.
  function payForm(action) {
    const methods = h('div', { class: 'segmented', id: 'pay-method', role: 'radiogroup', 'aria-label': t('order.pay.method') });
    for (const m of PAY_METHODS) {
      methods.append(
        h(
          'label',
          { class: 'segment', for: `pay-method-${m}` },
          h('input', { type: 'radio', name: 'method', value: m, id: `pay-method-${m}`, checked: m === 'cash' }),
          h('span', {}, t(`order.pay.${m}`)),
        ),
      );
    }
    const owed = Math.max(0, order.outstanding_fen);
    const amount = h('input', { class: 'input input-money num', type: 'text', inputmode: 'decimal', value: owed > 0 ? yuanInput(owed) : '' });
    const note = h('input', { class: 'input input-wide', type: 'text', maxlength: '200' });
    const checked = () => methods.querySelector('input:checked');
    const controls = { method: methods, amount_fen: amount, note, id: null };
    methods.tabIndex = -1;
    const { form, formError } = panelForm(action, {
      title: t('order.pay.title'),
      lead: t('order.pay.lead', { total: yuan(order.total_fen), paid: yuan(order.paid_fen), owed: yuan(order.outstanding_fen) }),
      fields: [
        h(
          'div',
          { class: 'field field-method' },
          h('span', { class: 'label' }, t('order.pay.method')),
          h('div', { class: 'control' }, methods, h('div', { class: 'field-error', dataset: { for: 'method' }, 'aria-live': 'polite' })),
        ),
        field('pay', 'amount_fen', amount, { label: t('order.pay.amount'), hint: t('order.pay.amount.hint') }),
        field('pay', 'note', note, { label: t('order.f.note'), hint: t('order.pay.note.hint') }),
      ],
      saveLabel: t('order.pay.save'),
      formId: 'pay-form',
    });
    const errors = errorsFor(form, controls, formError);
    methods.addEventListener('change', () => {
      const onAccount = checked()?.value === 'on_account';
      amount.disabled = onAccount;
      if (onAccount) amount.value = yuanInput(owed);
    });
    const submit = () => {
      errors.clearAll();
      const method = checked()?.value ?? 'cash';
      const fen = method === 'on_account' ? owed : parseSignedYuan(amount.value);
      if (fen === null) {
        errors.show({ field: 'amount_fen', message: t('money.invalid', { value: amount.value }) });
        return;
      }
      const done = method === 'on_account' ? t('order.done.on_account') : fen < 0 ? t('order.done.refund', { amount: yuan(-fen) }) : t('order.done.pay', { amount: yuan(fen) });
      send('orders.pay', { method, amount_fen: fen, note: note.value.trim() }, { done, onError: errors.show });
    };
    form.addEventListener('submit', (e) => (e.preventDefault(), submit()));
    enterOrder(form, () => [checked(), amount, note], submit);
    return { action, element: form, submit, focus: () => (owed > 0 ? amount : checked()).focus() };
  }

  // 完工: diagnosis, work done, parts used (found by code, name or barcode), fees in yuan.
  function completeForm(action) {
    const inWarranty = order.warranty === 'in';
    const diagnosis = h('input', { class: 'input input-wide', type: 'text', maxlength: '500', value: order.diagnosis ?? '' });
    const workDone = h('textarea', { class: 'input input-wide', rows: 2, maxlength: '500' });
    const lateReason = h('input', { class: 'input input-wide', type: 'text', maxlength: '200' });
    const slip = (order.clocks ?? []).find((c) => c.kind === 'slip');
    const partsBody = h('tbody');
    const feesBody = h('tbody');
    const partsTable = h(
      'table',
      { class: 'line-table', id: 'complete-parts', tabIndex: -1 },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t('order.complete.part')),
          h('th', { scope: 'col', class: 'col-store' }, t('order.complete.store')),
          h('th', { scope: 'col', class: 'col-qty' }, t('order.complete.quantity')),
          h('th', { scope: 'col', class: 'col-money' }, t('order.complete.charged')),
          h('th', { scope: 'col', class: 'col-act' }, h('span', { class: 'visually-hidden' }, t('order.line.remove'))),
        ),
      ),
      partsBody,
    );
    const feesTable = h(
      'table',
      { class: 'line-table', id: 'complete-fees', tabIndex: -1 },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col', class: 'col-fee-kind' }, t('order.complete.fee_kind')),
          h('th', { scope: 'col' }, t('order.complete.fee_description')),
          h('th', { scope: 'col', class: 'col-money' }, t('order.complete.fee_amount')),
          h('th', { scope: 'col', class: 'col-act' }, h('span', { class: 'visually-hidden' }, t('order.line.remove'))),
        ),
      ),
      feesBody,
    );
    const total = h('div', { class: 'complete-total', id: 'complete-total', 'aria-live': 'polite' });
    const addPart = h('button', { type: 'button', class: 'btn btn-small', id: 'complete-add-part', title: t('order.complete.add_part.title') }, t('order.complete.add_part'), ' ', h('kbd', {}, 'Insert'));
    const addFee = h('button', { type: 'button', class: 'btn btn-small', id: 'complete-add-fee' }, t('order.complete.add_fee'));
    // The line tables take the focus for their errors, but not errorsFor's listeners: the
    // `change` that fires when the focus leaves a quantity would clear the message at once.
    const standIn = (table) => ({
      focus: () => table.focus(),
      setAttribute: (name, value) => table.setAttribute(name, value),
      removeAttribute: (name) => table.removeAttribute(name),
    });
    const controls = { diagnosis, work_done: workDone, parts: standIn(partsTable), fees: standIn(feesTable), late_reason: lateReason, status: null };
    const lateField = field('complete', 'late_reason', lateReason, { label: t('order.complete.late_reason'), hint: t('order.complete.late_reason.hint'), required: true });
    lateField.hidden = slip?.state !== 'broken';
    const partsField = h(
      'div',
      { class: 'field field-parts' },
      h('span', { class: 'label' }, t('order.complete.parts')),
      h(
        'div',
        { class: 'control' },
        partsTable,
        h('div', { class: 'field-error', dataset: { for: 'parts' }, 'aria-live': 'polite' }),
        h('div', { class: 'line-actions' }, addPart, h('span', { class: 'hint' }, t(inWarranty ? 'order.complete.parts.free' : 'order.complete.parts.hint'))),
      ),
    );
    const feesField = h(
      'div',
      { class: 'field field-fees' },
      h('span', { class: 'label' }, t('order.complete.fees')),
      h(
        'div',
        { class: 'control' },
        feesTable,
        h('div', { class: 'field-error', dataset: { for: 'fees' }, 'aria-live': 'polite' }),
        h('div', { class: 'line-actions' }, addFee, h('span', { class: 'hint' }, t('order.complete.fees.hint'))),
        total,
      ),
    );
    const { form, formError } = panelForm(action, {
      title: t('order.complete.title'),
      lead: t(inWarranty ? 'order.complete.lead.in' : 'order.complete.lead.out'),
      fields: [
        field('complete', 'diagnosis', diagnosis, { label: t('order.f.diagnosis') }),
        field('complete', 'work_done', workDone, { label: t('order.f.work_done'), required: true, hint: t('order.complete.work_done.hint') }),
        partsField,
        feesField,
        lateField,
      ],
      saveLabel: t('order.complete.save'),
      formId: 'complete-form',
    });
    form.classList.add('complete-form');
    const errors = errorsFor(form, controls, formError);
    partsTable.addEventListener('input', () => errors.clearOne('parts'));
    feesTable.addEventListener('input', () => errors.clearOne('fees'));

    // Stores are read once per form; parts come with their stock per store.
    let stores = [];
    let vanStore = null;
    const storesReady = ctx.call('stores.list', {}).then((r) => {
      stores = r?.items ?? [];
      vanStore = stores.find((s) => s.kind === 'van' && order.engineer && s.engineer === order.engineer.name) ?? null;
    }).catch(() => {});

    const partLines = [];
    const feeLines = [];

    function partLine() {
      const line = { part: null, el: null };
      const find = h('input', {
        class: 'input part-find-input',
        type: 'text',
        autocomplete: 'off',
        spellcheck: 'false',
        placeholder: t('order.complete.part.placeholder'),
        role: 'combobox',
        'aria-expanded': 'false',
        'aria-autocomplete': 'list',
        'aria-label': t('order.complete.part'),
      });
      const results = h('ul', { class: 'picker-results part-results', role: 'listbox', hidden: true });
      const store = h('select', { class: 'input part-store', 'aria-label': t('order.complete.store'), disabled: true });
      const qty = h('input', { class: 'input part-qty num', type: 'text', inputmode: 'numeric', value: '1', 'aria-label': t('order.complete.quantity') });
      const charged = h('span', { class: 'num part-charged' });
      const remove = h('button', { type: 'button', class: 'btn btn-quiet btn-small line-remove', title: t('order.line.remove'), 'aria-label': t('order.line.remove') }, '✕');
      const lineError = h('div', { class: 'field-error line-error', 'aria-live': 'polite' });
      line.find = find;
      line.store = store;
      line.qty = qty;
      line.charged = charged;
      line.lineError = lineError;
      let items = [];
      let active = -1;
      let seq = 0;

      function closeList() {
        results.hidden = true;
        find.setAttribute('aria-expanded', 'false');
        active = -1;
      }
      function setActive(i) {
        const all = [...results.querySelectorAll('li[role=option]')];
        if (!all.length) return;
        active = (i + all.length) % all.length;
        all.forEach((li, n) => li.setAttribute('aria-selected', n === active ? 'true' : 'false'));
        all[active].scrollIntoView({ block: 'nearest' });
      }
      async function choose(part) {
        await storesReady;
        line.part = part;
        find.value = `${part.code} ${part.name}`;
        find.classList.add('is-chosen');
        closeList();
        const stock = new Map((part.stock ?? []).map((s) => [s.store_id, s.on_hand]));
        clear(store);
        for (const s of stores) {
          store.append(h('option', { value: String(s.id) }, t('order.complete.store.option', { store: s.name, on_hand: stock.get(s.id) ?? 0, unit: part.unit ?? '' })));
        }
        // The engineer's van first when it holds the part, else the store that has most.
        const van = vanStore && (stock.get(vanStore.id) ?? 0) > 0 ? vanStore.id : null;
        const best = [...stock.entries()].sort((a, b) => b[1] - a[1])[0];
        const main = stores.find((s) => s.kind === 'main');
        store.value = String(van ?? (best && best[1] > 0 ? best[0] : main?.id ?? stores[0]?.id ?? ''));
        store.disabled = false;
        lineError.textContent = '';
        updateTotal();
        qty.focus();
        qty.select();
      }
      function showList(query) {
        clear(results);
        if (items.length === 0) {
          results.append(h('li', { class: 'picker-none', role: 'presentation' }, t('order.complete.part.none', { query })));
        } else {
          for (const p of items) {
            const onHand = (p.stock ?? []).map((s) => `${s.store_name} ${s.on_hand}`).join(' · ') || t('order.complete.part.nostock');
            results.append(
              h(
                'li',
                {
                  role: 'option',
                  'aria-selected': 'false',
                  dataset: { id: String(p.id), code: p.code },
                  onmousedown: (event) => {
                    event.preventDefault();
                    choose(p);
                  },
                },
                h('span', { class: 'picker-name' }, `${p.code} ${p.name}`, p.spec ? h('span', { class: 'muted' }, ` ${p.spec}`) : null),
                h('span', { class: 'picker-meta' }, `${yuan(p.price_fen)} · ${onHand}`),
              ),
            );
          }
        }
        results.hidden = false;
        find.setAttribute('aria-expanded', 'true');
        active = -1;
      }
      async function search() {
        const query = find.value.trim();
        const mine = ++seq;
        if (!query) {
          closeList();
          return;
        }
        try {
          const r = await ctx.call('parts.list', { query, page: 1, page_size: 8 });
          if (mine !== seq || !form.isConnected) return;
          items = r?.items ?? [];
          showList(query);
        } catch (error) {
          if (mine !== seq) return;
          clear(results);
          results.append(h('li', { class: 'picker-none notice-error', role: 'presentation' }, errorText(error)));
          results.hidden = false;
        }
      }
      const searchSoon = debounce(search, 200);
      line.dispose = () => searchSoon.cancel();
      find.addEventListener('input', () => {
        if (line.part) {
          line.part = null;
          find.classList.remove('is-chosen');
          store.disabled = true;
          clear(store);
          updateTotal();
        }
        searchSoon();
      });
      find.addEventListener('keydown', async (event) => {
        if (event.isComposing) return;
        if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
          event.preventDefault();
          if (results.hidden) {
            searchSoon.cancel();
            await search();
            setActive(0);
          } else setActive(active + (event.key === 'ArrowDown' ? 1 : -1));
        } else if (event.key === 'Enter' && !line.part) {
          event.preventDefault();
          event.stopPropagation();
          // A scanner's burst ends in Enter before the debounce: look it up now.
          if (results.hidden || active < 0) {
            searchSoon.cancel();
            await search();
          }
          const text = find.value.trim().toUpperCase();
          const exact = items.find((p) => p.code.toUpperCase() === text || (p.barcode && p.barcode.toUpperCase() === text));
          const pick = active >= 0 ? items[active] : exact ?? (items.length === 1 ? items[0] : null);
          if (pick) choose(pick);
          else if (items.length) setActive(0);
        } else if (event.key === 'Escape' && !results.hidden) {
          event.preventDefault();
          event.stopPropagation();
          closeList();
        }
      });
      find.addEventListener('blur', () => {
        searchSoon.cancel();
        seq += 1;
        closeList();
      });
      qty.addEventListener('input', () => {
        lineError.textContent = '';
        qty.removeAttribute('aria-invalid');
        updateTotal();
      });
      store.addEventListener('change', updateTotal);
      remove.addEventListener('click', () => {
        line.dispose();
        partLines.splice(partLines.indexOf(line), 1);
        line.el.remove();
        updateTotal();
        (partLines[0]?.find ?? addPart).focus();
      });
      line.el = h(
        'tr',
        { class: 'part-line' },
        h('td', {}, h('div', { class: 'part-find' }, find, results), lineError),
        h('td', { class: 'col-store' }, store),
        h('td', { class: 'col-qty' }, qty),
        h('td', { class: 'col-money qty' }, charged),
        h('td', { class: 'col-act' }, remove),
      );
      partLines.push(line);
      partsBody.append(line.el);
      return line;
    }

    function feeLine(kind = 'labour') {
      const line = {};
      const kindSelect = h(
        'select',
        { class: 'input fee-kind', 'aria-label': t('order.complete.fee_kind'), value: kind },
        FEE_KINDS.map((k) => h('option', { value: k }, t(`order.fee.${k}`))),
      );
      const description = h('input', { class: 'input fee-description', type: 'text', maxlength: '60', 'aria-label': t('order.complete.fee_description') });
      const amount = h('input', { class: 'input fee-amount num', type: 'text', inputmode: 'decimal', placeholder: '0.00', 'aria-label': t('order.complete.fee_amount') });
      const remove = h('button', { type: 'button', class: 'btn btn-quiet btn-small line-remove', title: t('order.line.remove'), 'aria-label': t('order.line.remove') }, '✕');
      const lineError = h('div', { class: 'field-error line-error', 'aria-live': 'polite' });
      Object.assign(line, { kind: kindSelect, description, amount, lineError });
      amount.addEventListener('input', () => {
        lineError.textContent = '';
        amount.removeAttribute('aria-invalid');
        updateTotal();
      });
      remove.addEventListener('click', () => {
        feeLines.splice(feeLines.indexOf(line), 1);
        line.el.remove();
        updateTotal();
        addFee.focus();
      });
      line.el = h(
        'tr',
        { class: 'fee-line' },
        h('td', { class: 'col-fee-kind' }, kindSelect),
        h('td', {}, description),
        h('td', { class: 'col-money' }, amount, lineError),
        h('td', { class: 'col-act' }, remove),
      );
      feeLines.push(line);
      feesBody.append(line.el);
      return line;
    }

    function updateTotal() {
      let partsFen = 0;
      let unreadable = false;
      for (const line of partLines) {
        const q = parseQuantity(line.qty.value);
        const fen = line.part && q ? (inWarranty ? 0 : line.part.price_fen * q) : 0;
        line.charged.textContent = line.part ? (inWarranty ? t('order.line.free') : yuan(fen)) : '';
        partsFen += fen;
      }
      let feesFen = 0;
      for (const line of feeLines) {
        const fen = parseYuan(line.amount.value);
        if (fen === null) unreadable = true;
        else feesFen += fen;
      }
      clear(total);
      total.append(
        h('span', {}, t('order.complete.total.parts'), ' ', h('span', { class: 'num' }, yuan(partsFen))),
        h('span', {}, t('order.complete.total.fees'), ' ', h('span', { class: 'num' }, unreadable ? '—' : yuan(feesFen))),
        h('strong', {}, t('order.total'), ' ', h('span', { class: 'num', id: 'complete-total-amount' }, unreadable ? '—' : yuan(partsFen + feesFen))),
      );
    }

    partLine();
    feeLine('labour');
    updateTotal();
    addPart.addEventListener('click', () => partLine().find.focus());
    addFee.addEventListener('click', () => feeLine('other').kind.focus());
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Insert' && !event.ctrlKey && !event.altKey) {
        event.preventDefault();
        event.stopPropagation();
        partLine().find.focus();
      }
    });

    const submit = () => {
      errors.clearAll();
      for (const line of [...partLines, ...feeLines]) line.lineError.textContent = '';
      const parts = [];
      for (const line of partLines) {
        const typed = line.find.value.trim();
        if (!line.part) {
          if (!typed) continue;
          line.lineError.textContent = t('order.complete.part.pick');
          line.find.focus();
          return;
        }
        const q = parseQuantity(line.qty.value);
        if (!q) {
          line.lineError.textContent = t('quantity.invalid', { value: line.qty.value });
          line.qty.setAttribute('aria-invalid', 'true');
          line.qty.focus();
          line.qty.select();
          return;
        }
        parts.push({ part_id: line.part.id, store_id: Number(line.store.value), quantity: q });
      }
      const fees = [];
      for (const line of feeLines) {
        const fen = parseYuan(line.amount.value);
        if (fen === null) {
          line.lineError.textContent = t('money.invalid', { value: line.amount.value });
          line.amount.setAttribute('aria-invalid', 'true');
          line.amount.focus();
          line.amount.select();
          return;
        }
        if (fen > 0) fees.push({ kind: line.kind.value, description: line.description.value.trim(), amount_fen: fen });
      }
      send(
        'orders.complete',
        { diagnosis: diagnosis.value.trim(), work_done: workDone.value.trim(), parts, fees, late_reason: lateReason.value.trim() },
        {
          done: t('order.done.complete'),
          onError: (error) => {
            // The core asks for the late reason only when the slip is late: show the field then.
            if (error?.field === 'late_reason') lateField.hidden = false;
            errors.show(error);
          },
        },
      );
    };
    form.addEventListener('submit', (e) => (e.preventDefault(), submit()));
    enterOrder(
      form,
      () => [
        diagnosis,
        workDone,
        ...partLines.flatMap((l) => [l.find, l.store, l.qty]),
        ...feeLines.flatMap((l) => [l.kind, l.description, l.amount]),
        lateReason,
      ],
      submit,
    );
    return {
      action,
      element: form,
      submit,
      focus: () => (diagnosis.value ? workDone : diagnosis).focus(),
      dispose: () => partLines.forEach((l) => l.dispose()),
    };
  }

  show();
  loadSlips();
  (actionBar.querySelector('.btn-primary') ?? actionBar.querySelector('button') ?? back).focus();

  return {
    hasDraft: () => panelState !== null || Boolean(pad && !pad.isEmpty()),
    dispose() {
      panelState?.dispose?.();
      printDialog.close();
      voider.close();
      resetTitle();
    },
    onKey(event) {
      const ctrl = ctrlHeld(event);
      if (printDialog.isOpen() || voider.isOpen()) return;
      // Ctrl+P prints the slip, never the web page (from anywhere on the order file).
      if (isCtrl(event, 'p')) {
        event.preventDefault();
        openPrint(document.activeElement);
        return;
      }
      if (isSave(event)) {
        event.preventDefault();
        panelState?.submit();
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        if (panelState) closePanel();
        // In the opinion form Esc leaves the form, never the page (and a signature with it).
        else if (opinionBox.contains(document.activeElement)) (actionBar.querySelector('button') ?? slipQuick).focus();
        else ctx.navigate('#/board');
        return;
      }
      if (panelState || isTyping(event.target) || ctrl || event.altKey || event.key.length !== 1) return;
      const letter = event.key.toUpperCase();
      // O: to the customer's opinion (from completion on).
      if (letter === 'O' && !opinionBox.hidden && opinionBox.firstChild) {
        event.preventDefault();
        (opinionBox.querySelector('input[name=opinion]:checked') ?? opinionBox.querySelector('input[name=opinion]'))?.focus();
        opinionBox.scrollIntoView({ block: 'nearest' });
        return;
      }
      const action = actionForLetter(order, letter);
      if (action) {
        event.preventDefault();
        run(action);
      }
    },
  };
}

// 工单 — one work order from the call to the payment: who and what, the warranty verdict
// with its reason, the three service-level clocks, the money, the timeline, and a button
// (and letter) for each next step the core offers the logged-in user (`order.actions`,
// order-actions.js). Each step that needs words opens a small form in the action panel
// (order-forms.js); a refused step shows the core's message there, reloads the order so the
// page tells the truth, and keeps what was typed. Every step carries the order's `version`
// as shown; when another desk changed the order first, the step is refused, the order is
// read again and the notice above it says so. The slips and the customer's opinion and
// signature are order-slips.js.
import { h, clear, isTyping } from '../../lib/dom.js';
import { errorText } from '../../lib/form.js';
import { sanbaoChip, warrantyChip } from '../../lib/format.js';
import { t } from '../../i18n.js';
import { yuan } from '../../lib/money.js';
import { appointmentText, deskDateTime } from '../../lib/dates.js';
import { clockLabel, clockState, clockStateText, durationText } from './clocks.js';
import { ACTIONS, actionButtons, actionForLetter } from './order-actions.js';
import { orderForms } from './order-forms.js';
import { DONE, orderSlips } from './order-slips.js';
import { statusLink } from './order-status-link.js';
import { FEE_KINDS, orderKindLabel, PAY_METHODS, priorityChip, statusChip } from './words.js';
import { ctrlHeld, isCtrl, isSave } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';
import { timelineList } from '../../lib/timeline.js';
import { orderNotices } from '../notify/notify-parts.js';
import { askLeave } from '../../lib/dirty.js';
import { orderPhotos } from './order-photos.js';
import { orderLoaners } from './order-loaners.js';
import { orderQuotes } from './order-quotes.js';

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
  // The status messages about the order (issue 20), shown among its events.
  let notices = await orderNotices(ctx.call, id);
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
  // 服务单 and 客户意见 (order-slips.js).
  const slipSide = orderSlips({
    get order() {
      return order;
    },
    set order(value) {
      order = value;
    },
    id,
    ctx,
    show,
    reload,
    back,
  });
  const { slipButtons, slipQuick, slipsBox, opinionBox, loadSlips, openPrint } = slipSide;
  // 照片与附件 (order-photos.js): a new one or a void is a new entry on the timeline.
  const photos = orderPhotos({ ctx, orderId: Number(id), onChange: reload });
  // 备用机 (order-loaners.js, issue 21): the deposit and its refund are the order's payments.
  const loaners = orderLoaners({ ctx, orderId: Number(id), onChange: reload });
  // 保外报价 (order-quotes.js, issue 21): quotes, the customer's answer, deposits.
  const quotes = orderQuotes({ ctx, orderId: Number(id), onChange: reload });


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
      quotes.element,
      loaners.element,
      opinionBox,
      slipsBox,
      photos.element,
      timeline,
      ...slipSide.dialogs,
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
          sanbaoChip(order.sanbao, { id: 'order-sanbao' }),
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
    // 修改联系人 is offered in every status: an order with no other step is still finished.
    if (!buttons.some((b) => b.dataset.action !== 'contact')) actionBar.append(h('span', { class: 'muted', id: 'order-final' }, t('order.final')));
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
      // The 三包 verdict the machine had when the order was registered (issue 21).
      order.sanbao ? item('order.f.sanbao', h('span', { id: 'order-sanbao-reason' }, order.sanbao.reason)) : null,
      item('order.f.how', t('order.how', { kind: orderKindLabel(order.kind), mode: t(`order.mode.${order.mode}`), channel: t(`order.channel.${order.channel}`) })),
      item('order.f.created', deskDateTime(order.created_at), { cls: 'num' }),
      item('order.f.fault', order.fault, { id: 'order-fault', cls: 'notes' }),
      item('order.f.engineer', order.engineer?.name ?? null, { id: 'order-engineer' }),
      item('order.f.appointment', appointmentText(order.appointment_from, order.appointment_to), { id: 'order-appointment', cls: 'num' }),
      order.status_path ? item('order.f.status_link', statusLink(order, { ctx, reload }), { id: 'order-status-link-box' }) : null,
      order.diagnosis ? item('order.f.diagnosis', order.diagnosis, { cls: 'notes' }) : null,
      order.work_done ? item('order.f.work_done', order.work_done, { id: 'order-work-done', cls: 'notes' }) : null,
      order.slip_late_reason ? item('order.f.late_reason', order.slip_late_reason, { cls: 'notes' }) : null,
    ];
    details.append(...rows.flat().filter(Boolean));
  }

  /** The open pause (reason, since when, by whom) and the working time paused in all. */
  function pauseBox() {
    const p = order.pause;
    const total = Number(order.paused_minutes ?? 0);
    if (!p && total <= 0) return null;
    return h(
      'div',
      { class: `order-pause${p ? ' order-pause-open' : ''}`, id: 'order-pause', dataset: { reason: p?.reason ?? '' } },
      p
        ? h(
            'p',
            { class: 'order-pause-now' },
            h('span', { class: 'chip chip-clock chip-clock-paused', id: 'order-pause-reason' }, t(`order.pause.reason.${p.reason}`)),
            ' ',
            h('span', { class: 'num', id: 'order-pause-since' }, t('order.pause.since', { at: deskDateTime(p.since), user: p.by })),
            p.note ? h('span', { class: 'muted' }, ` · ${p.note}`) : null,
          )
        : null,
      total > 0 ? h('p', { class: 'muted num', id: 'order-paused-total' }, t('order.pause.total', { time: durationText(total) })) : null,
    );
  }

  function showClocks() {
    clear(clocksBox);
    clocksBox.append(
      h('h2', {}, t('order.clocks')),
      pauseBox() ?? '',
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
              { dataset: { method: p.method, kind: p.kind ?? 'payment' } },
              h('span', { class: 'num muted' }, deskDateTime(p.at)),
              p.kind === 'deposit' ? h('span', { class: 'chip chip-kind' }, t('order.pay.kind.deposit')) : null,
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
    const events = [...(order.events ?? []), ...notices].sort((a, b) => String(a.at).localeCompare(String(b.at)));
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
    slipSide.show();
    loaners.setStatus(order.status);
    quotes.show(order);
    showTimeline();
  }

  async function reload() {
    try {
      order = await ctx.call('orders.get', { id });
      notices = await orderNotices(ctx.call, id);
      if (ctx.isCurrent()) show();
    } catch {
      // The refusal is already on screen; the next action will try again.
    }
  }

  /** Esc in a form with typing: 保存 sends it, 放弃 closes it, 继续编辑 stays. */
  async function askThenClose(state) {
    const choice = await askLeave();
    if (panelState !== state) return;
    if (choice === 'save') state.submit();
    else if (choice === 'discard') closePanel();
    else state.focus?.();
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
      // The version the clerk has on screen: the core refuses the step if another desk
      // changed the order since (issue 19).
      const result = await ctx.call(command, { id, version: order.version, ...args });
      if (!ctx.isCurrent()) return false;
      order = result;
      if (panelState) closePanel({ focus: false });
      show();
      ctx.toast(done);
      (actionBar.querySelector('.btn-primary') ?? actionBar.querySelector('button') ?? back).focus();
      return true;
    } catch (error) {
      if (!ctx.isCurrent()) return false;
      if (error?.field === 'version') {
        // Another desk changed the order meanwhile: the page shows it as it is now and says
        // so above it; what was typed stays in the panel, to check and send again.
        await reload();
        showNotice({ message: `${errorText(error)}${t('order.stale.reloaded')}` });
        return false;
      }
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
    // 报价 / 报价确认: their forms live in the 保外报价 card.
    if (spec.jump) {
      if (panelState) closePanel({ focus: false });
      quotes.focus(action);
      return;
    }
    if (spec.move) {
      if (panelState) closePanel({ focus: false });
      send('orders.move', { to: spec.move, reason: '' }, { done: t(`order.done.${action}`), onError: showNotice });
      return;
    }
    if (spec.command) {
      if (panelState) closePanel({ focus: false });
      send(spec.command, {}, { done: t(`order.done.${action}`), onError: showNotice });
      return;
    }
    if (panelState?.action === action) {
      panelState.focus();
      return;
    }
    if (panelState) closePanel({ focus: false });
    hideNotice();
    panelState = forms[action](action);
    // Typed into: only then would leaving lose something (an opened panel alone does not).
    panelState.element.addEventListener('input', (event) => {
      if (event.isTrusted && panelState) panelState.touched = true;
    });
    panel.append(panelState.element);
    panel.hidden = false;
    showActions();
    panelState.focus();
  }


  // What the panel forms (order-forms.js) need of the page.
  const forms = orderForms({
    get order() {
      return order;
    },
    id,
    ctx,
    send,
    show,
    loadSlips,
    closePanel,
    actionBar,
    back,
  });

  show();
  loadSlips();
  photos.load();
  loaners.load(order.status);
  (actionBar.querySelector('.btn-primary') ?? actionBar.querySelector('button') ?? back).focus();

  return {
    /** Typing in an open panel, or a signature, that leaving would lose. */
    isDirty: () => Boolean(panelState?.touched) || slipSide.hasSignature(),
    dispose() {
      panelState?.dispose?.();
      slipSide.dispose();
      photos.dispose();
      resetTitle();
    },
    onKey(event) {
      const ctrl = ctrlHeld(event);
      if (slipSide.dialogOpen() || photos.dialogOpen()) return;
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
      // Esc in the 备用机 card's forms is theirs (the return form closes itself).
      if (event.key === 'Escape' && loaners.contains(document.activeElement)) return;
      // Esc in the 保外报价 card leaves it for the action bar.
      if (event.key === 'Escape' && quotes.contains(document.activeElement)) {
        event.preventDefault();
        (actionBar.querySelector('.btn-primary') ?? actionBar.querySelector('button') ?? back).focus();
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        if (panelState?.askOnEsc && panelState.touched) askThenClose(panelState);
        else if (panelState) closePanel();
        // In the opinion form Esc leaves the form, never the page (and a signature with it).
        else if (opinionBox.contains(document.activeElement)) (actionBar.querySelector('button') ?? slipQuick).focus();
        else ctx.navigate('#/board');
        return;
      }
      if (panelState || isTyping(event.target) || ctrl || event.altKey || event.key.length !== 1) return;
      const letter = event.key.toUpperCase();
      // J: to 借出备用机 (issue 21).
      if (letter === 'J') {
        event.preventDefault();
        loaners.focusLend();
        return;
      }
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

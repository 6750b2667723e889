// 备用机 on the order screen (issue 21): the loaners the order's customer has out, each with
// 归还 (the condition it came back in, a note when damaged; the core refunds the deposit the
// way it was taken), and, while the order is open, 借出备用机: a loaner from the register,
// the deposit (the register's, changeable), how it was paid and the date it is due back.
// J on the order screen jumps to the lend form. The return form is shared with the register
// screen (loaners.js).
import { h, clear } from '../../lib/dom.js';
import { enterMovesOn, errorsFor, field, sender } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { parseYuan, yuan, yuanInput } from '../../lib/money.js';
import { deskDate } from '../../lib/dates.js';

export const CONDITIONS = ['good', 'worn', 'damaged'];
export const DEPOSIT_METHODS = ['cash', 'transfer', 'wechat', 'alipay'];
const OPEN = ['registered', 'dispatched', 'in_progress', 'waiting_parts'];
const DAY_MS = 24 * 60 * 60 * 1000;

export function conditionLabel(c) {
  return t(`loaner.condition.${CONDITIONS.includes(c) ? c : 'good'}`);
}

/** Out since / due / late as one chip: 逾期 3 天 in red, else 应还 2026-12-04. */
export function dueChip(loan) {
  if (loan.days_overdue > 0) {
    return h('span', { class: 'chip chip-low loan-overdue', dataset: { days: String(loan.days_overdue) } }, t('loaner.overdue', { days: loan.days_overdue, due: loan.due_date }));
  }
  return h('span', { class: 'chip chip-kind loan-due num' }, t('loaner.due', { due: loan.due_date }));
}

function select(options, label, value) {
  return h(
    'select',
    { class: 'input' },
    options.map((o) => h('option', { value: o, selected: o === value }, label(o))),
  );
}

/**
 * 归还: condition + note + 确认归还. `onDone(loaner)` after the core took it; `onCancel`
 * on Esc or 取消. Returns {element, focus}.
 */
export function returnForm(ctx, loan, { prefix, onDone, onCancel }) {
  const controls = {
    condition: select(CONDITIONS, conditionLabel, 'good'),
    note: h('input', { class: 'input input-wide', type: 'text', maxlength: '200', autocomplete: 'off' }),
  };
  const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: `${prefix}-return-save` }, t('loaner.return.save'));
  const cancel = h('button', { type: 'button', class: 'btn', id: `${prefix}-return-cancel` }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
  const form = h(
    'form',
    { class: 'loan-return-form', id: `${prefix}-return-form`, novalidate: true, autocomplete: 'off', dataset: { loaner: String(loan.loaner_id) } },
    h('p', { class: 'hint' }, t('loaner.return.lead', { serial: loan.serial, model: loan.model, deposit: yuan(loan.deposit_fen), method: t(`order.pay.${loan.deposit_method}`) })),
    formError,
    field(`${prefix}-return`, 'condition', controls.condition, { label: t('loaner.f.condition'), required: true }),
    field(`${prefix}-return`, 'note', controls.note, { label: t('loaner.return.note'), hint: t('loaner.return.note.hint') }),
    h('div', { class: 'form-actions' }, save, cancel),
  );
  const errors = errorsFor(form, controls, formError);
  const submit = sender(save, errors, async () => {
    const back = await ctx.call('loaners.return', { loaner_id: loan.loaner_id, condition: controls.condition.value, note: controls.note.value.trim() });
    ctx.toast(t('loaner.return.done', { serial: back.serial, deposit: yuan(loan.deposit_fen) }));
    onDone(back);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onCancel();
    }
  });
  cancel.addEventListener('click', () => onCancel());
  enterMovesOn(form, () => [controls.condition, controls.note], submit);
  return { element: form, focus: () => controls.condition.focus() };
}

/** The order screen's 备用机 card. `onChange` reloads the order (its payments and timeline). */
export function orderLoaners({ ctx, orderId, onChange }) {
  const element = h('section', { class: 'card file-section', id: 'order-loaners', dataset: { needs: 'loaners.list' } });
  let state = { items: [], customer_loans: [] };
  let status = '';
  let returning = null; // {loan, form}
  let lendForm = null;

  function loanRow(loan) {
    const row = h(
      'li',
      { class: 'loan-row', dataset: { loaner: String(loan.loaner_id), serial: loan.serial } },
      h('strong', { class: 'num' }, loan.serial),
      h('span', {}, loan.model),
      h('span', { class: 'muted' }, t('loaner.deposit.line', { deposit: yuan(loan.deposit_fen), method: t(`order.pay.${loan.deposit_method}`) })),
      dueChip(loan),
      loan.order_id !== orderId ? h('a', { href: `#/orders/${loan.order_id}`, class: 'muted num' }, loan.order_number) : null,
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-small loan-return',
          dataset: { needs: 'loaners.return', loaner: String(loan.loaner_id) },
          onclick: () => {
            returning = { loan };
            draw();
            returning.form?.focus();
          },
        },
        t('loaner.return'),
      ),
    );
    return row;
  }

  function buildLendForm() {
    const free = state.items.filter((l) => !l.loan && !l.retired);
    if (!OPEN.includes(status) || free.length === 0) {
      return h('p', { class: 'empty empty-small', id: 'order-loan-none' }, OPEN.includes(status) ? t('loaner.lend.none') : t('loaner.lend.closed'));
    }
    const today = deskDate(new Date());
    const week = deskDate(new Date(Date.now() + 7 * DAY_MS));
    const controls = {
      loaner_id: h(
        'select',
        { class: 'input input-wide' },
        free.map((l) => h('option', { value: String(l.id) }, `${l.serial} · ${l.model} · ${conditionLabel(l.condition)}`)),
      ),
      deposit_fen: h('input', { class: 'input num', type: 'text', inputmode: 'decimal', autocomplete: 'off', value: yuanInput(free[0].deposit_fen) }),
      method: select(DEPOSIT_METHODS, (m) => t(`order.pay.${m}`), 'cash'),
      due_date: h('input', { class: 'input num', type: 'text', autocomplete: 'off', placeholder: today, value: week }),
    };
    controls.loaner_id.addEventListener('change', () => {
      const chosen = free.find((l) => String(l.id) === controls.loaner_id.value);
      if (chosen) controls.deposit_fen.value = yuanInput(chosen.deposit_fen);
    });
    const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
    const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'order-lend-save' }, t('loaner.lend.save'));
    const form = h(
      'form',
      { class: 'loan-lend-form', id: 'order-lend-form', novalidate: true, autocomplete: 'off', dataset: { needs: 'loaners.lend' } },
      h('h3', { class: 'subhead' }, t('loaner.lend'), ' ', h('kbd', {}, 'J')),
      formError,
      field('order-lend', 'loaner_id', controls.loaner_id, { label: t('loaner.f.loaner'), required: true }),
      field('order-lend', 'deposit_fen', controls.deposit_fen, { label: t('loaner.f.deposit'), hint: t('loaner.f.deposit.hint') }),
      field('order-lend', 'method', controls.method, { label: t('order.pay.method'), required: true }),
      field('order-lend', 'due_date', controls.due_date, { label: t('loaner.f.due'), hint: t('loaner.f.due.hint'), required: true }),
      h('div', { class: 'form-actions' }, save),
    );
    const errors = errorsFor(form, controls, formError);
    const submit = sender(save, errors, async () => {
      const fen = parseYuan(controls.deposit_fen.value);
      if (fen === null) throw { field: 'deposit_fen', message: t('loaner.f.deposit.bad') };
      const lent = await ctx.call('loaners.lend', {
        loaner_id: Number(controls.loaner_id.value),
        order_id: orderId,
        deposit_fen: fen,
        method: controls.method.value,
        due_date: controls.due_date.value.trim(),
      });
      ctx.toast(t('loaner.lend.done', { serial: lent.serial, due: lent.loan?.due_date ?? '' }));
      await load();
      onChange?.();
      element.querySelector(`.loan-return[data-loaner="${lent.id}"]`)?.focus();
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit();
    });
    enterMovesOn(form, () => [controls.loaner_id, controls.deposit_fen, controls.method, controls.due_date], submit);
    form.focusFirst = () => controls.loaner_id.focus();
    return form;
  }

  function draw() {
    clear(element);
    const loans = state.customer_loans ?? [];
    element.append(
      h('div', { class: 'section-head' }, h('h2', {}, t('loaner.order.title')), h('span', { class: 'section-count' }, t('loaner.order.count', { count: loans.length }))),
    );
    if (loans.length) {
      element.append(h('ul', { class: 'loan-list', id: 'order-loans' }, loans.map(loanRow)));
    } else {
      element.append(h('p', { class: 'empty empty-small', id: 'order-loans-empty' }, t('loaner.order.empty')));
    }
    if (returning) {
      const r = returnForm(ctx, returning.loan, {
        prefix: 'order',
        onDone: async () => {
          returning = null;
          await load();
          onChange?.();
          element.querySelector('.loan-return, #order-lend-loaner_id')?.focus();
        },
        onCancel: () => {
          const serial = returning.loan.loaner_id;
          returning = null;
          draw();
          element.querySelector(`.loan-return[data-loaner="${serial}"]`)?.focus();
        },
      });
      returning.form = r;
      element.append(r.element);
    }
    lendForm = buildLendForm();
    element.append(lendForm);
  }

  async function load(orderStatus) {
    if (orderStatus) status = orderStatus;
    try {
      state = await ctx.call('loaners.list', { order_id: orderId });
    } catch {
      // Not allowed to see the register (or the door hiccupped): the card stays as it was.
      return;
    }
    if (ctx.isCurrent()) draw();
  }

  return {
    element,
    load,
    /** Whether typing in the card's forms is going on (Esc and letters belong to it). */
    contains: (node) => element.contains(node),
    focusLend() {
      lendForm?.focusFirst?.();
      element.scrollIntoView({ block: 'nearest' });
    },
    /** The order moved (opened, closed): the lend form follows its status. */
    setStatus(next) {
      if (next === status) return;
      status = next;
      if (!returning) draw();
    },
  };
}

// 保外报价 on the order screen (issue 21): the order's quotes (each with its lines, total,
// validity and the customer's answer, and its paper: A4, A5 or the 80 mm roll), and, as the
// core offers them (`order.actions`): 报价 (Q: lines, valid until, note), 报价确认 (A: agreed
// or not, who answered and how) and, on an open order with an approved quote, 收定金 (a
// payment of kind deposit, counted against the bill). The rules are the core's
// (orders/quotes.rs): a refusal with nothing approved before closes the order with the
// diagnostic fee; the bill may not pass the approved total.
import { h, clear } from '../../lib/dom.js';
import { enterMovesOn, errorsFor, field, sender } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { parseYuan, yuan } from '../../lib/money.js';
import { deskDate, deskDateTime } from '../../lib/dates.js';
import { download, unprintableText } from '../../lib/download.js';

const KINDS = ['labour', 'parts', 'callout', 'other'];
const HOWS = ['phone', 'signature', 'in_person'];
const DEPOSIT_METHODS = ['cash', 'transfer', 'wechat', 'alipay'];
const OPEN = ['registered', 'dispatched', 'in_progress', 'waiting_parts'];
const FORMATS = ['a4', 'a5', 'thermal'];
const DAY_MS = 24 * 60 * 60 * 1000;
const START_LINES = 3;

function select(options, label, value, attrs = {}) {
  return h(
    'select',
    { class: 'input', ...attrs },
    options.map((o) => h('option', { value: o, selected: o === value }, label(o))),
  );
}

function offered(order, name) {
  return (order.actions ?? []).some((a) => a.name === name);
}

/** The order screen's 保外报价 card. `send(command, args, done)` runs a step with the order's version and reloads it. */
export function orderQuotes({ ctx, orderId, onChange }) {
  const element = h('section', { class: 'card file-section', id: 'order-quotes' });
  let order = null;
  let shownVersion = null;
  const forms = {};

  function quoteRow(q) {
    const state = q.decision ?? (q.expired ? 'expired' : 'waiting');
    const answer = q.decision && q.how
      ? t('quote.answer', { label: q.decision_label, by: q.answered_by, how: t(`quote.how.${q.how}`), at: deskDateTime(q.decided_at) })
      : q.decision_label;
    return h(
      'li',
      { class: 'quote-row', dataset: { seq: String(q.seq), state } },
      h(
        'div',
        { class: 'quote-row-head' },
        h('strong', {}, t('quote.seq', { seq: q.seq })),
        h('span', { class: 'num quote-total' }, yuan(q.total_fen)),
        h('span', { class: `chip quote-state quote-state-${state}` }, q.expired ? t('quote.expired') : q.decision_label),
        h('span', { class: 'muted num' }, t('quote.valid', { date: q.valid_until })),
        h(
          'span',
          { class: 'quote-print-buttons' },
          FORMATS.map((format) =>
            h(
              'button',
              {
                type: 'button',
                class: 'btn btn-small quote-print',
                dataset: { format, seq: String(q.seq), needs: 'orders.quote_pdf' },
                onclick: () => printQuote(q.seq, format),
              },
              t(`quote.print.${format}`),
            ),
          ),
        ),
      ),
      h(
        'ul',
        { class: 'quote-lines' },
        q.lines.map((l) => h('li', {}, h('span', {}, `${t(`quote.kind.${l.kind}`)} · ${l.description}`), h('span', { class: 'num' }, yuan(l.amount_fen)))),
      ),
      q.note ? h('p', { class: 'muted' }, q.note) : null,
      q.decision && !['superseded', 'withdrawn'].includes(q.decision) ? h('p', { class: 'quote-answer' }, answer, q.decision_note ? `；${q.decision_note}` : '') : null,
    );
  }

  async function printQuote(seq, format) {
    try {
      const out = await ctx.call('orders.quote_pdf', { order_id: orderId, seq, format });
      download(out.file_name, out.content_base64);
      const warn = unprintableText(out);
      ctx.toast(warn || t('quote.print.done', { file: out.file_name }));
    } catch (e) {
      ctx.toast(e?.message ?? String(e));
    }
  }

  function errorBox() {
    return h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  }

  async function done(message) {
    ctx.toast(message);
    await onChange?.();
  }

  function quoteForm() {
    const rows = [];
    const body = h('tbody', {});
    function addLine() {
      const n = rows.length + 1;
      const row = {
        kind: select(KINDS, (k) => t(`quote.kind.${k}`), rows.length === 0 ? 'parts' : 'labour', { 'aria-label': t('quote.f.kind'), id: `order-quote-kind-${n}` }),
        description: h('input', { class: 'input input-wide', type: 'text', maxlength: '60', autocomplete: 'off', 'aria-label': t('quote.f.description'), id: `order-quote-description-${n}` }),
        amount: h('input', { class: 'input num', type: 'text', inputmode: 'decimal', autocomplete: 'off', 'aria-label': t('quote.f.amount'), id: `order-quote-amount-${n}` }),
      };
      rows.push(row);
      body.append(h('tr', { class: 'quote-line-input' }, h('td', {}, row.kind), h('td', {}, row.description), h('td', {}, row.amount)));
      return row;
    }
    for (let i = 0; i < START_LINES; i += 1) addLine();
    const controls = {
      lines: rows[0].description,
      valid_until: h('input', { class: 'input num', type: 'text', autocomplete: 'off', value: deskDate(new Date(Date.now() + 7 * DAY_MS)), placeholder: deskDate(new Date()) }),
      note: h('input', { class: 'input input-wide', type: 'text', maxlength: '200', autocomplete: 'off' }),
    };
    const formError = errorBox();
    const more = h('button', { type: 'button', class: 'btn btn-small', id: 'order-quote-more' }, t('quote.more'));
    const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'order-quote-save' }, t('quote.save'));
    const form = h(
      'form',
      { class: 'quote-form', id: 'order-quote-form', novalidate: true, autocomplete: 'off', dataset: { needs: 'orders.quote' } },
      h('h3', { class: 'subhead' }, t('quote.new'), ' ', h('kbd', {}, 'Q')),
      formError,
      h(
        'table',
        { class: 'table quote-lines-input', id: 'order-quote-lines' },
        h('thead', {}, h('tr', {}, h('th', {}, t('quote.f.kind')), h('th', {}, t('quote.f.description')), h('th', {}, t('quote.f.amount')))),
        body,
      ),
      h('p', { class: 'field-error', 'data-for': 'lines', id: 'order-quote-lines-error' }),
      more,
      field('order-quote', 'valid_until', controls.valid_until, { label: t('quote.f.valid_until'), hint: t('quote.f.valid_until.hint'), required: true }),
      field('order-quote', 'note', controls.note, { label: t('quote.f.note') }),
      h('div', { class: 'form-actions' }, save),
    );
    more.addEventListener('click', () => {
      if (rows.length >= 20) return;
      addLine().description.focus();
    });
    const errors = errorsFor(form, controls, formError);
    const submit = sender(save, errors, async () => {
      const lines = [];
      for (const [i, r] of rows.entries()) {
        const description = r.description.value.trim();
        const amount = r.amount.value.trim();
        if (!description && !amount) continue;
        const fen = parseYuan(amount);
        if (fen === null) throw { field: 'lines', message: t('quote.f.amount.bad', { n: i + 1 }) };
        lines.push({ kind: r.kind.value, description, amount_fen: fen });
      }
      const back = await ctx.call('orders.quote', {
        order_id: orderId,
        lines,
        valid_until: controls.valid_until.value.trim(),
        note: controls.note.value.trim(),
        version: order.version,
      });
      const q = back.quotes[back.quotes.length - 1];
      await done(t('quote.done', { seq: q.seq, total: yuan(q.total_fen) }));
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit();
    });
    enterMovesOn(form, () => [...rows.flatMap((r) => [r.kind, r.description, r.amount]), controls.valid_until, controls.note], submit);
    form.focusFirst = () => rows[0].kind.focus();
    return form;
  }

  function decisionForm() {
    const waiting = (order.quotes ?? []).find((q) => !q.decision);
    const controls = {
      approved: select(['yes', 'no'], (v) => t(`quote.decision.${v}`), 'yes'),
      by: h('input', { class: 'input', type: 'text', maxlength: '40', autocomplete: 'off', value: order.contact || order.customer.name }),
      how: select(HOWS, (v) => t(`quote.how.${v}`), 'phone'),
      note: h('input', { class: 'input input-wide', type: 'text', maxlength: '200', autocomplete: 'off' }),
    };
    const formError = errorBox();
    const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'order-quote-decision-save' }, t('quote.decision.save'));
    const form = h(
      'form',
      { class: 'quote-decision-form', id: 'order-quote-decision-form', novalidate: true, autocomplete: 'off', dataset: { needs: 'orders.quote_decision' } },
      h('h3', { class: 'subhead' }, t('quote.decision'), ' ', h('kbd', {}, 'A')),
      waiting ? h('p', { class: 'hint' }, t('quote.decision.lead', { seq: waiting.seq, total: yuan(waiting.total_fen), date: waiting.valid_until })) : null,
      formError,
      field('order-quote-decision', 'approved', controls.approved, { label: t('quote.decision.approved'), hint: t('quote.decision.refuse.hint'), required: true }),
      field('order-quote-decision', 'by', controls.by, { label: t('quote.decision.by'), required: true }),
      field('order-quote-decision', 'how', controls.how, { label: t('quote.decision.how'), required: true }),
      field('order-quote-decision', 'note', controls.note, { label: t('quote.f.note') }),
      h('div', { class: 'form-actions' }, save),
    );
    const errors = errorsFor(form, controls, formError);
    const submit = sender(save, errors, async () => {
      const approved = controls.approved.value === 'yes';
      const back = await ctx.call('orders.quote_decision', {
        order_id: orderId,
        approved,
        by: controls.by.value.trim(),
        how: controls.how.value,
        note: controls.note.value.trim(),
        version: order.version,
      });
      await done(back.status === 'closed' ? t('quote.decision.closed') : t(`quote.decision.done.${approved ? 'yes' : 'no'}`));
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit();
    });
    enterMovesOn(form, () => [controls.approved, controls.by, controls.how, controls.note], submit);
    form.focusFirst = () => controls.approved.focus();
    return form;
  }

  /** The latest approved quote's total: what the bill, and so the deposits, may reach. */
  function approvedFen() {
    const approved = (order.quotes ?? []).filter((q) => q.decision === 'approved');
    return approved.length ? approved[approved.length - 1].total_fen : 0;
  }

  function depositForm() {
    const controls = {
      amount_fen: h('input', { class: 'input num', type: 'text', inputmode: 'decimal', autocomplete: 'off' }),
      method: select(DEPOSIT_METHODS, (m) => t(`order.pay.${m}`), 'cash'),
    };
    const formError = errorBox();
    const save = h('button', { type: 'submit', class: 'btn', id: 'order-deposit-save' }, t('quote.deposit.save'));
    const form = h(
      'form',
      { class: 'quote-deposit-form', id: 'order-deposit-form', novalidate: true, autocomplete: 'off', dataset: { needs: 'orders.pay' } },
      h('h3', { class: 'subhead' }, t('quote.deposit')),
      h('p', { class: 'hint', id: 'order-deposit-lead' }, t('quote.deposit.lead', { room: yuan(Math.max(0, approvedFen() - order.paid_fen)), approved: yuan(approvedFen()), paid: yuan(order.paid_fen) })),
      formError,
      field('order-deposit', 'amount_fen', controls.amount_fen, { label: t('quote.deposit.amount'), required: true }),
      field('order-deposit', 'method', controls.method, { label: t('order.pay.method'), required: true }),
      h('div', { class: 'form-actions' }, save),
    );
    const errors = errorsFor(form, controls, formError);
    const submit = sender(save, errors, async () => {
      const fen = parseYuan(controls.amount_fen.value);
      if (fen === null) throw { field: 'amount_fen', message: t('quote.deposit.bad') };
      await ctx.call('orders.pay', { id: orderId, kind: 'deposit', amount_fen: fen, method: controls.method.value, version: order.version });
      await done(t('quote.deposit.done', { amount: yuan(fen) }));
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit();
    });
    enterMovesOn(form, () => [controls.amount_fen, controls.method], submit);
    form.focusFirst = () => controls.amount_fen.focus();
    return form;
  }

  function draw() {
    clear(element);
    const quotes = order.quotes ?? [];
    const canQuote = offered(order, 'quote');
    const canDecide = offered(order, 'quote_decision');
    const approved = quotes.some((q) => q.decision === 'approved');
    const canDeposit = OPEN.includes(order.status) && approved;
    element.hidden = quotes.length === 0 && !canQuote;
    element.append(
      h('div', { class: 'section-head' }, h('h2', {}, t('quote.title')), h('span', { class: 'section-count' }, t('quote.count', { count: quotes.length }))),
    );
    if (quotes.length) element.append(h('ul', { class: 'quote-list', id: 'order-quote-list' }, quotes.map(quoteRow)));
    else element.append(h('p', { class: 'empty empty-small', id: 'order-quotes-empty' }, t('quote.empty')));
    forms.decision = canDecide ? decisionForm() : null;
    forms.quote = canQuote ? quoteForm() : null;
    forms.deposit = canDeposit ? depositForm() : null;
    for (const f of [forms.decision, forms.deposit, forms.quote]) if (f) element.append(f);
  }

  return {
    element,
    /** The order as read: the card is drawn again when the order changed. */
    show(next) {
      const changed = !order || next.version !== shownVersion;
      order = next;
      if (!changed) return;
      shownVersion = next.version;
      draw();
    },
    contains: (node) => element.contains(node),
    /** Q: to the new quote's first line; A: to the answer. */
    focus(which) {
      const form = which === 'quote_decision' ? forms.decision : forms.quote;
      form?.focusFirst?.();
      element.scrollIntoView({ block: 'nearest' });
    },
  };
}

// 服务单连号报表 — every slip number given in a period, in order: printed, voided (with the
// reason) or missing. Slip numbers must run without a gap, so a missing one is the line the
// manager looks for: it is counted at the top and marked in the list. The period defaults
// to this month (the core's "this month", in the desk's zone); ‹ › step a month. Each line
// leads to its order.
import { h, clear } from '../../lib/dom.js';
import { errorText, errorsFor } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { deskDateTime } from '../../lib/dates.js';
import { roveTo } from '../../lib/roving.js';

const STATES = ['printed', 'voided', 'missing'];
const pad = (n) => String(n).padStart(2, '0');

/** The first and last day of the month `delta` months from the one `day` is in. */
function monthOf(day, delta) {
  const [y, m] = day.split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 1 + delta, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0));
  const text = (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return { from: text(first), to: text(last) };
}

export async function render(root, ctx) {
  const asked = { from: ctx.query.get('from') ?? '', to: ctx.query.get('to') ?? '' };
  let report = null;
  let firstError = null;
  try {
    report = await ctx.call('slips.continuity', asked);
  } catch (error) {
    // A bad date in the address: show the picker with the message under it.
    firstError = error;
  }
  if (!ctx.isCurrent()) return null;

  // Dates are typed as everywhere on the desk (2026-11-01, 2026/11/1 …; the core reads them).
  const dateInput = (name, value) =>
    h('input', { class: 'input input-date num', type: 'text', inputmode: 'numeric', autocomplete: 'off', id: `continuity-${name}`, name, value, placeholder: '2026-11-01', 'aria-label': t(`slips.continuity.${name}`) });
  const from = dateInput('from', report?.from ?? asked.from);
  const to = dateInput('to', report?.to ?? asked.to);
  const run = h('button', { type: 'submit', class: 'btn btn-primary', id: 'continuity-run' }, t('slips.continuity.run'), ' ', h('kbd', {}, 'Enter'));
  const prev = h('button', { type: 'button', class: 'btn', id: 'continuity-prev', title: t('slips.continuity.prev.title') }, '‹ ', t('slips.continuity.prev'));
  const thisMonth = h('button', { type: 'button', class: 'btn', id: 'continuity-month' }, t('slips.continuity.month'));
  const next = h('button', { type: 'button', class: 'btn', id: 'continuity-next', title: t('slips.continuity.next.title') }, t('slips.continuity.next'), ' ›');
  const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const form = h(
    'form',
    { class: 'continuity-bar', id: 'continuity-form', novalidate: true, autocomplete: 'off' },
    h('label', { for: 'continuity-from', class: 'continuity-label' }, t('slips.continuity.period')),
    h('div', { class: 'continuity-field' }, from, h('div', { class: 'field-error', dataset: { for: 'from' }, 'aria-live': 'polite' })),
    h('span', { class: 'muted' }, t('order.to')),
    h('div', { class: 'continuity-field' }, to, h('div', { class: 'field-error', dataset: { for: 'to' }, 'aria-live': 'polite' })),
    run,
    h('div', { class: 'toolbar continuity-steps' }, prev, thisMonth, next),
  );
  const errors = errorsFor(form, { from, to }, formError);
  const summary = h('div', { class: 'continuity-summary', id: 'continuity-summary', 'aria-live': 'polite' });
  const verdict = h('p', { class: 'continuity-verdict', id: 'continuity-verdict' });
  const tbody = h('tbody');
  const table = h(
    'table',
    { class: 'grid grid-compact continuity-table', id: 'continuity-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', class: 'col-slip-number' }, t('slips.col.number')),
        h('th', { scope: 'col', class: 'col-cstate' }, t('slips.col.state')),
        h('th', { scope: 'col', class: 'col-corder' }, t('slips.col.order')),
        h('th', { scope: 'col', class: 'col-slip-prints' }, t('slips.col.prints')),
        h('th', { scope: 'col', class: 'col-slip-at' }, t('slips.col.created')),
        h('th', { scope: 'col' }, t('slips.col.void_reason')),
      ),
    ),
    tbody,
  );
  const empty = h('p', { class: 'empty', id: 'continuity-empty', hidden: true });
  const wrap = h('div', { class: 'table-wrap continuity-wrap' }, table);

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-list page-continuity' },
      h(
        'div',
        { class: 'page-head' },
        h('a', { href: '#/settings', class: 'crumb' }, t('settings.title')),
        h('span', { class: 'crumb-sep', 'aria-hidden': 'true' }, '›'),
        h('h1', {}, t('slips.continuity.title')),
      ),
      h('div', { class: 'card continuity-head' }, formError, form, summary, verdict),
      wrap,
      empty,
    ),
  );

  /** Opens the order of a line: by its id when the core gives it, else found by its number. */
  async function openOrder(line) {
    if (line.order_id) {
      ctx.navigate(`#/orders/${line.order_id}`);
      return;
    }
    try {
      const found = await ctx.call('search.global', { query: line.order_number, limit: 5 });
      const hit = (found?.items ?? []).find((i) => i.kind === 'order' && i.order_id);
      if (hit) ctx.navigate(`#/orders/${hit.order_id}`);
      else ctx.toast(t('slips.continuity.order.gone', { number: line.order_number }));
    } catch (error) {
      ctx.toast(errorText(error));
    }
  }

  function stateChip(state) {
    const known = STATES.includes(state) ? state : 'missing';
    return h(
      'span',
      { class: `chip chip-continuity chip-continuity-${known}` },
      known === 'missing' ? h('span', { 'aria-hidden': 'true' }, '✕ ') : null,
      t(`slips.continuity.state.${known}`),
    );
  }

  function show(r) {
    report = r;
    from.value = r.from;
    to.value = r.to;
    clear(summary);
    const box = (state, n) =>
      h(
        'div',
        { class: `continuity-count continuity-count-${state}${state === 'missing' && n > 0 ? ' is-bad' : ''}`, id: `continuity-${state}` },
        h('span', { class: 'continuity-count-n num' }, String(n)),
        h('span', { class: 'continuity-count-label' }, t(`slips.continuity.count.${state}`)),
      );
    const items = r.items ?? [];
    summary.append(
      box('printed', r.printed),
      box('voided', r.voided),
      box('missing', r.missing),
      items.length
        ? h('span', { class: 'continuity-range num muted' }, t('slips.continuity.range', { first: items[0].number, last: items[items.length - 1].number, n: items.length }))
        : '', // (append(null) would print "null")
    );
    verdict.className = `continuity-verdict ${r.missing > 0 ? 'notice notice-error' : 'is-ok'}`;
    verdict.textContent =
      r.missing > 0
        ? t('slips.continuity.verdict.missing', {
            n: r.missing,
            numbers: items
              .filter((l) => l.state === 'missing')
              .slice(0, 8)
              .map((l) => l.number)
              .join('、') + (r.missing > 8 ? '…' : ''),
          })
        : items.length
          ? t('slips.continuity.verdict.ok')
          : '';
    verdict.hidden = verdict.textContent === '';

    clear(tbody);
    for (const line of items) {
      const state = STATES.includes(line.state) ? line.state : 'missing';
      const orderCell = line.order_number
        ? h(
            'a',
            {
              href: line.order_id ? `#/orders/${line.order_id}` : '#',
              class: 'continuity-order num',
              dataset: { orderNumber: line.order_number },
              tabIndex: -1,
              onclick: (event) => {
                event.preventDefault();
                openOrder(line);
              },
            },
            line.order_number,
          )
        : h('span', { class: 'muted' }, '—');
      const row = h(
        'tr',
        {
          tabIndex: -1,
          dataset: { number: line.number, state },
          class: state === 'missing' ? 'is-missing' : state === 'voided' ? 'is-void' : '',
        },
        h('td', { class: 'col-slip-number num' }, line.number),
        h('td', { class: 'col-cstate' }, stateChip(state)),
        h('td', { class: 'col-corder' }, orderCell),
        h('td', { class: 'col-slip-prints qty' }, state === 'missing' ? '' : String(line.prints ?? 0)),
        h('td', { class: 'col-slip-at num' }, deskDateTime(line.created_at)),
        h('td', { class: 'col-void-reason', title: line.void_reason ?? '' }, line.void_reason ?? (state === 'missing' ? t('slips.continuity.missing.hint') : '')),
      );
      if (line.order_number) row.addEventListener('click', (event) => {
        if (!event.target.closest('a')) openOrder(line);
      });
      tbody.append(row);
    }
    const first = tbody.querySelector('tr');
    if (first) first.tabIndex = 0;
    table.classList.toggle('is-empty', items.length === 0);
    wrap.hidden = items.length === 0;
    empty.hidden = items.length > 0;
    empty.textContent = t('slips.continuity.empty', { from: r.from, to: r.to });
    ctx.replaceHash(ctx.hashFor('/slips/continuity', { from: r.from, to: r.to }));
  }

  let busy = false;
  async function load(period) {
    if (busy) return;
    busy = true;
    run.disabled = true;
    errors.clearAll();
    try {
      const r = await ctx.call('slips.continuity', period);
      if (ctx.isCurrent()) show(r);
    } catch (error) {
      if (ctx.isCurrent()) errors.show(error);
    } finally {
      busy = false;
      run.disabled = false;
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    load({ from: from.value.trim(), to: to.value.trim() });
  });
  // Enter in the first date moves to the second; from the second it shows the report.
  from.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.isComposing) {
      event.preventDefault();
      to.focus();
      to.select();
    }
  });
  const step = (delta) => load(monthOf(report?.from || from.value, delta));
  prev.addEventListener('click', () => step(-1));
  next.addEventListener('click', () => step(1));
  thisMonth.addEventListener('click', () => load({ from: '', to: '' }));

  // ↑ ↓ move through the lines, Enter opens the line's order.
  tbody.addEventListener('keydown', (event) => {
    const row = event.target.closest('tr');
    if (!row) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const to = event.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling;
      if (to) roveTo([...row.parentElement.children], to);
    } else if (event.key === 'Enter') {
      const line = report?.items?.find((l) => l.number === row.dataset.number);
      if (line?.order_number) {
        event.preventDefault();
        openOrder(line);
      }
    }
  });

  if (report) show(report);
  else {
    from.value = asked.from;
    to.value = asked.to;
    errors.show(firstError);
    wrap.hidden = true;
  }
  if (!firstError) from.focus();
  return {
    onKey(event) {
      if (event.key === 'Escape' && !event.defaultPrevented) {
        event.preventDefault();
        ctx.navigate('#/settings');
      }
    },
  };
}

// 统计报表 — the numbers a manager asks for every month (DOMAIN.md): repairs by model and
// by fault, engineers' workload, callbacks, complaints, the service-level clocks, fees and
// receivables, parts. One tab per report; each shows this period beside the period before
// and the same period a year earlier with the change, and a bar chart of this period
// against the one before. A number with orders behind it is a button that lists them
// (reports.orders), each order a link to its file. The period (a month by default, or
// from–to) and the open tab and list live in the address, so Back from an order comes
// back to the same list. The whole period exports as .xlsx or PDF, made by the core.
//
// The core defines every figure (src/reports/mod.rs) and names the reports, columns and
// fixed lines in Chinese; the screen shows the i18n table's words for them by key in every
// language, falling back to the core's for anything new.
import { h, clear, isTyping } from '../../lib/dom.js';
import { download, unprintableText } from '../../lib/download.js';
import { errorText } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { yuan } from '../../lib/money.js';
import { barChart } from '../../lib/chart.js';
import { clockChip } from '../orders/clocks.js';
import { deskDateTime } from '../../lib/dates.js';
import { statusChip } from '../orders/words.js';
import { modified } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';
import { selectTab, tabKey } from '../../lib/tabs.js';

const REPORTS = ['repairs_by_model', 'repairs_by_fault', 'engineers', 'callbacks', 'complaints', 'clocks', 'fees', 'parts', 'pauses', 'paused_longest', 'sanbao', 'claims', 'commission'];
const PERIODS = ['current', 'previous', 'last_year'];

/** How each column's values read: count, money (yuan), percent, hours. */
const KINDS = {
  repairs_by_model: ['count'],
  repairs_by_fault: ['count'],
  engineers: ['count', 'count', 'hours', 'percent'],
  callbacks: ['count', 'count', 'count', 'percent', 'count', 'count', 'count', 'percent'],
  complaints: ['count', 'count', 'count', 'hours', 'count'],
  clocks: ['count', 'count', 'count', 'percent'],
  pauses: ['count', 'count', 'hours'],
  paused_longest: ['hours', 'count'],
  sanbao: ['count', 'count', 'count', 'percent'],
  commission: ['count', 'money', 'money', 'money', 'money', 'money', 'money', 'money'],
  fees: ['money'],
  parts: ['count', 'money'],
  claims: ['money', 'money', 'money', 'money'],
};

/**
 * A rate or a mean over nothing is no figure: the core says 0, the screen says "—".
 * report → column → the columns whose sum is its base.
 */
const BASES = {
  engineers: { 3: [0] },
  callbacks: { 3: [0], 7: [4, 5, 6] },
  complaints: { 3: [1] },
  clocks: { 3: [0, 1, 2] },
  sanbao: { 3: [0] },
};

/**
 * Which numbers open their orders (what reports.orders can list): report → columns, and
 * for fees only the billed line (the list is of the orders billed in the period).
 * Clocks list the missed and the broken ones together; each column shows its own.
 */
const DRILL = {
  repairs_by_model: { cols: [0] },
  repairs_by_fault: { cols: [0] },
  engineers: { cols: [0] },
  clocks: { cols: [1, 2] },
  // The orders paused in the period (by reason, or all); the longest list: the order itself.
  pauses: { cols: [0, 1] },
  paused_longest: { cols: [0] },
  // The model's orders entitled to a return or an exchange, both in one list.
  sanbao: { cols: [1, 2] },
  fees: { cols: [0], lines: ['billed'] },
  // 厂家索赔: the orders of the brand's claims submitted in the period.
  claims: { cols: [0] },
  // 工程师提成: every figure opens its items (reports.commission), each naming its order.
  commission: { cols: [0, 1, 2, 3, 4, 5, 6, 7] },
};
/** The clock state behind each drillable column of the clocks report. */
const CLOCK_STATE = { 1: 'missed', 2: 'broken' };

/** What the chart draws: one column across the lines, or (one line) its count columns. */
const CHART = {
  repairs_by_model: 0,
  repairs_by_fault: 0,
  engineers: 0,
  callbacks: 'columns',
  complaints: 0,
  clocks: 3,
  pauses: 2,
  paused_longest: 0,
  sanbao: 3,
  commission: 7,
  fees: 0,
  parts: 1,
  claims: 3,
};
/** Bars at most: the lines come most first. */
const CHART_ITEMS = 10;

/**
 * Lines that are the state now, not a figure of the period: only the period asked for has
 * them (the core leaves them out of the earlier periods). The stock is not one of them: the
 * core sums the stock ledger to each period's end (issue 17).
 */
const NOW_LINES = { parts: ['shortages'] };
/** Cells without meaning: the shortage line counts parts and has no value. */
const SKIP = { parts: { shortages: [1] } };

/** Fixed lines the i18n table names (other lines are data: models, faults, people). */
const FIXED_LINES = {
  repairs_by_model: { 0: 'no_model' },
  repairs_by_fault: { '': 'no_fault' },
  callbacks: { all: 'all' },
  complaints: Object.fromEntries(['attitude', 'quality', 'timeliness', 'fees', 'parts', 'product', 'other'].map((k) => [k, `cause.${k}`])),
  clocks: { confirm: 'confirm', reply: 'reply', slip: 'slip' },
  pauses: Object.fromEntries(['parts', 'customer_unreachable', 'customer_away', 'quote_pending', 'total'].map((k) => [k, `pause.${k}`])),
  fees: Object.fromEntries(['billed', 'diagnostic', 'collected', 'deposits', 'outstanding', 'aged_0_30', 'aged_31_60', 'aged_61_90', 'aged_90', 'claims_claimed', 'claims_approved', 'claims_paid', 'claims_outstanding'].map((k) => [k, k])),
  parts: { stock_value: 'stock_value', shortages: 'shortages' },
  commission: { total: 'commission.total' },
};

const MONTH = /^(\d{4})-(\d{2})$/;

// ---- words ---------------------------------------------------------------------------------

/**
 * Each report's columns by name, in the order the core sends them (src/reports/mod.rs):
 * a column's words are the i18n key reports.col.<report>.<name> in every language.
 */
const COLUMNS = {
  repairs_by_model: ['repairs'],
  repairs_by_fault: ['repairs'],
  engineers: ['completed', 'visits', 'hours', 'first_fix'],
  callbacks: ['due', 'made', 'in_time', 'completion', 'satisfied', 'basic', 'unsatisfied', 'satisfaction'],
  complaints: ['count', 'replied', 'replied_24h', 'reply_hours', 'justified'],
  clocks: ['kept', 'missed', 'broken_open', 'compliance'],
  pauses: ['count', 'orders', 'hours'],
  paused_longest: ['hours', 'count'],
  sanbao: ['repairs', 'returns', 'exchanges', 'rate'],
  commission: ['orders', 'visit', 'labour', 'parts', 'first_fix', 'complaint', 'repeat', 'total'],
  fees: ['amount'],
  parts: ['quantity', 'cost'],
  claims: ['claimed', 'approved', 'paid', 'owed'],
};

function reportTitle(r) {
  return t(`reports.title.${r.name}`, {}, r.title);
}

/** A column's words by its key; the core's own text for a report or column we do not know. */
function columnTitle(r, i) {
  const names = COLUMNS[r.name];
  const core = r.columns?.[i] ?? '';
  if (!names || names.length !== (r.columns ?? []).length) return core;
  return t(`reports.col.${r.name}.${names[i]}`, {}, core);
}

function lineLabel(name, line) {
  const fixed = FIXED_LINES[name]?.[line.key];
  return fixed === undefined ? line.label : t(`reports.line.${fixed}`, {}, line.label);
}

// ---- numbers -------------------------------------------------------------------------------

const fen = (v) => Math.round(Number(v) * 100);

/** A value as the manager reads it; null (no figure) as "—". */
function show(kind, v) {
  if (v === null || v === undefined || !Number.isFinite(Number(v))) return '—';
  const n = Number(v);
  if (kind === 'money') return yuan(fen(n));
  if (kind === 'percent') return `${n.toFixed(1)}%`;
  if (kind === 'hours') return n.toFixed(1);
  if (kind === 'count') return Math.round(n).toLocaleString('en-US');
  return String(n);
}

const plus = (text, positive) => (positive ? `+${text}` : text);

/**
 * The change from `base` to `value`: {text, trend, title}. Counts, money and hours also
 * say it relatively (when the base is not zero); rates change in percentage points.
 */
function change(kind, value, base) {
  if (value === null || base === null || value === undefined || base === undefined) {
    return { text: '—', trend: 'none', title: '' };
  }
  const diff = kind === 'money' ? fen(value) - fen(base) : Number(value) - Number(base);
  const small = Math.abs(diff) < 1e-9;
  const trend = small ? 'flat' : diff > 0 ? 'up' : 'down';
  if (small) return { text: t('reports.change.flat'), trend, title: '' };
  let text;
  if (kind === 'money') text = plus(yuan(diff), diff > 0);
  else if (kind === 'percent') text = t('reports.change.points', { diff: plus(diff.toFixed(1), diff > 0) });
  else if (kind === 'hours') text = plus(diff.toFixed(1), diff > 0);
  else text = plus(Math.round(diff).toLocaleString('en-US'), diff > 0);
  let relative = '';
  if (kind !== 'percent' && Number(base) > 0) {
    const pct = (diff / (kind === 'money' ? fen(base) : Number(base))) * 100;
    relative = `${plus(Math.abs(pct) < 1 ? pct.toFixed(1) : Math.round(pct).toString(), pct > 0)}%`;
  }
  return { text, relative, trend, title: relative ? t('reports.change.relative', { pct: relative }) : '' };
}

/** The values of every line of a report in the three periods, lines in the core's order. */
function linesOf(r) {
  const maps = PERIODS.map((p) => new Map((r[`${p}_lines`] ?? []).map((l) => [l.key, l])));
  const rows = new Map();
  for (const m of maps) {
    for (const [key, line] of m) if (!rows.has(key)) rows.set(key, { key, label: line.label });
  }
  const kinds = KINDS[r.name] ?? [];
  const now = NOW_LINES[r.name] ?? [];
  return [...rows.values()].map((row) => {
    const values = maps.map((m, p) => {
      const line = m.get(row.key);
      const isNow = now.includes(row.key);
      return (r.columns ?? []).map((_, i) => {
        if (isNow && p > 0) return null; // the state now has no earlier figure
        if (!line) return kinds[i] === 'count' || kinds[i] === 'money' ? 0 : null;
        const v = Number(line.values?.[i] ?? 0);
        const base = BASES[r.name]?.[i];
        if (base && base.reduce((sum, j) => sum + Number(line.values?.[j] ?? 0), 0) === 0) return null;
        return v;
      });
    });
    return { ...row, now: now.includes(row.key), values };
  });
}

/** True when the period's own lines hold no figure at all (the state-now lines aside). */
function emptyIn(lines, p) {
  return lines.filter((l) => !l.now).every((l) => l.values[p].every((v) => !v));
}

function canDrill(name, key, col) {
  const rule = DRILL[name];
  return Boolean(rule && rule.cols.includes(col) && (!rule.lines || rule.lines.includes(key)));
}

// ---- the period ------------------------------------------------------------------------------

const pad = (n) => String(n).padStart(2, '0');

/** "2026/11", "2026年11月", "202611", "２０２６-１１" → "2026-11"; anything else as typed. */
function normalMonth(text) {
  const plain = String(text ?? '')
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .trim();
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$/.exec(plain) ?? /^(\d{4})(\d{2})$/.exec(plain);
  return m && Number(m[2]) >= 1 && Number(m[2]) <= 12 ? `${m[1]}-${pad(m[2])}` : plain;
}

function shiftMonth(month, delta) {
  const m = MONTH.exec(month);
  if (!m) return month;
  const index = Number(m[1]) * 12 + Number(m[2]) - 1 + delta;
  return `${Math.floor(index / 12)}-${pad((index % 12) + 1)}`;
}

/** The month when the period is one whole month, else "". */
function wholeMonth(period) {
  const m = /^(\d{4})-(\d{2})-01$/.exec(period?.from ?? '');
  if (!m) return '';
  const last = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate();
  return period.to === `${m[1]}-${m[2]}-${pad(last)}` ? `${m[1]}-${m[2]}` : '';
}

// ---- the screen ---------------------------------------------------------------------------------

export async function render(root, ctx) {
  const q = ctx.query;
  const state = {
    month: MONTH.test(q.get('month') ?? '') ? q.get('month') : '',
    from: q.get('from') ?? '',
    to: q.get('to') ?? '',
    tab: REPORTS.includes(q.get('tab')) ? q.get('tab') : REPORTS[0],
    drill: parseDrill(q.get('drill')),
    loaded: {}, // report name → the core's report for the period on show
    period: null, // the core's {from, to} for the period on show
    seq: 0, // the report load on its way; a later one wins
    drillSeq: 0, // the same for the list of orders
  };
  if (state.month) {
    state.from = '';
    state.to = '';
  }

  function parseDrill(text) {
    const m = /^(current|previous|last_year):(\d+):(.*)$/s.exec(text ?? '');
    return m ? { of: m[1], col: Number(m[2]), key: m[3] } : null;
  }

  /** The period as the core takes it: a month, from–to, or nothing (this month). */
  function periodArgs() {
    if (state.month) return { month: state.month };
    if (state.from || state.to) return { from: state.from, to: state.to };
    return {};
  }

  function remember() {
    const d = state.drill;
    ctx.replaceHash(
      ctx.hashFor('/reports', {
        month: state.month,
        from: state.month ? '' : state.from,
        to: state.month ? '' : state.to,
        tab: state.tab === REPORTS[0] ? '' : state.tab,
        drill: d ? `${d.of}:${d.col}:${d.key}` : '',
      }),
    );
  }

  // ---- head: the period and the exports ------------------------------------------------------
  const prevMonth = h('button', { type: 'button', class: 'btn', id: 'reports-prev-month', title: t('reports.month.prev.title') }, t('reports.month.prev'));
  const nextMonth = h('button', { type: 'button', class: 'btn', id: 'reports-next-month', title: t('reports.month.next.title') }, t('reports.month.next'));
  const monthInput = h('input', {
    class: 'input input-month num',
    id: 'reports-month',
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: t('reports.month.placeholder'),
    title: t('reports.month.title'),
    'aria-label': t('reports.month.label'),
    'aria-describedby': 'reports-period-error',
    value: state.month,
  });
  const dateInput = (id, label, value) =>
    h('input', {
      class: 'input input-day num',
      id,
      type: 'text',
      autocomplete: 'off',
      spellcheck: 'false',
      placeholder: t('reports.day.placeholder'),
      'aria-label': label,
      'aria-describedby': 'reports-period-error',
      value,
    });
  const fromInput = dateInput('reports-from', t('reports.from.label'), state.from);
  const toInput = dateInput('reports-to', t('reports.to.label'), state.to);
  const apply = h('button', { type: 'button', class: 'btn', id: 'reports-apply', title: t('reports.apply.title') }, t('reports.apply'));
  const periodError = h('div', { class: 'field-error', id: 'reports-period-error', 'aria-live': 'polite' });
  const exportXlsx = h('button', { type: 'button', class: 'btn btn-primary', id: 'reports-export-xlsx', title: t('reports.export.xlsx.title') }, t('reports.export.xlsx'));
  const exportPdf = h('button', { type: 'button', class: 'btn', id: 'reports-export-pdf', title: t('reports.export.pdf.title') }, t('reports.export.pdf'));
  const periodLine = h('p', { class: 'reports-periods', id: 'reports-period', 'aria-live': 'polite' });

  // ---- tabs, one panel per report -----------------------------------------------------------------
  const tabs = Object.fromEntries(
    REPORTS.map((name, i) => [
      name,
      h(
        'button',
        {
          type: 'button',
          role: 'tab',
          id: `reports-tab-${name}`,
          class: 'tab',
          'aria-controls': `reports-panel-${name}`,
          // 1–9 and 0 reach the first ten; the others ← and →.
          title: i < 10 ? t('reports.tab.title', { n: (i + 1) % 10 }) : t('reports.tab.title.arrows'),
          dataset: { tab: name },
        },
        t(`reports.tab.${name}`),
      ),
    ]),
  );
  const panels = Object.fromEntries(
    REPORTS.map((name) => [
      name,
      h('div', { role: 'tabpanel', id: `reports-panel-${name}`, class: 'tab-panel reports-panel', 'aria-labelledby': `reports-tab-${name}`, tabIndex: 0, hidden: true }),
    ]),
  );
  const tablist = h('div', { role: 'tablist', class: 'tabs reports-tabs', 'aria-label': t('reports.tabs') }, Object.values(tabs));

  // ---- the list of orders behind a number ----------------------------------------------------------
  const drillTitle = h('h2', { id: 'report-orders-title' });
  const drillSummary = h('p', { id: 'report-orders-summary', class: 'report-orders-summary' });
  const drillBody = h('div', { class: 'report-orders-body' });
  const drillClose = h('button', { type: 'button', class: 'btn btn-quiet', id: 'report-orders-close' }, t('reports.orders.close'), ' ', h('kbd', {}, 'Esc'));
  const dialog = h(
    'dialog',
    { id: 'report-orders', class: 'panel report-orders', 'aria-labelledby': 'report-orders-title', 'aria-describedby': 'report-orders-summary' },
    h('div', { class: 'panel-head' }, drillTitle, drillClose),
    drillSummary,
    drillBody,
  );
  let drillOpener = null;

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-list page-reports', id: 'reports' },
      h(
        'div',
        { class: 'page-head reports-head' },
        h('h1', {}, t('reports.title')),
        h(
          'div',
          { class: 'reports-period-picker', role: 'group', 'aria-label': t('reports.period.label') },
          prevMonth,
          monthInput,
          nextMonth,
          h('span', { class: 'reports-or' }, t('reports.or')),
          fromInput,
          h('span', { class: 'reports-dash', 'aria-hidden': 'true' }, '–'),
          toInput,
          apply,
        ),
        h('span', { class: 'toolbar' }, exportXlsx, exportPdf),
      ),
      periodError,
      periodLine,
      tablist,
      Object.values(panels),
      dialog,
    ),
  );
  setTitle(t('reports.title'));

  // ---- loading ------------------------------------------------------------------------------------
  function failed(panel, error) {
    clear(panel);
    panel.append(h('p', { class: 'notice notice-error', role: 'alert' }, errorText(error)));
  }

  /** Shows the core's refusal of a period under the period and moves the focus there. */
  function periodFailed(error) {
    const input = { month: monthInput, from: fromInput, to: toInput }[error?.field];
    if (!input) return false;
    periodError.textContent = errorText(error);
    periodError.dataset.for = error.field;
    for (const el of [monthInput, fromInput, toInput]) el.removeAttribute('aria-invalid');
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return true;
  }

  function periodOk() {
    periodError.textContent = '';
    delete periodError.dataset.for;
    for (const el of [monthInput, fromInput, toInput]) el.removeAttribute('aria-invalid');
  }

  /** Loads the report of the tab on show (once per period) and draws it. */
  async function load(name) {
    const panel = panels[name];
    if (state.loaded[name]) {
      draw(name);
      return;
    }
    const seq = ++state.seq;
    clear(panel);
    panel.append(h('p', { class: 'empty reports-loading', role: 'status' }, t('reports.loading')));
    let result;
    try {
      result = await ctx.call('reports.get', { report: name, ...periodArgs() });
    } catch (error) {
      if (seq !== state.seq || !ctx.isCurrent()) return;
      if (periodFailed(error)) {
        clear(panel);
        panel.append(h('p', { class: 'empty' }, t('reports.period.fix')));
      } else failed(panel, error);
      return;
    }
    if (seq !== state.seq || !ctx.isCurrent()) return;
    const report = result?.items?.[0];
    if (!report) {
      failed(panel, { message: t('reports.missing') });
      return;
    }
    periodOk();
    state.loaded[name] = report;
    showPeriod(report);
    draw(name);
  }

  function showPeriod(r) {
    state.period = r.period;
    const month = wholeMonth(r.period);
    monthInput.value = month;
    fromInput.value = r.period.from;
    toInput.value = r.period.to;
    clear(periodLine);
    periodLine.append(
      h('span', { class: 'period-current' }, t('reports.period.current', { from: r.period.from, to: r.period.to })),
      h('span', { class: 'period-sep', 'aria-hidden': 'true' }, ' · '),
      h('span', {}, t('reports.period.previous', { from: r.previous.from, to: r.previous.to })),
      h('span', { class: 'period-sep', 'aria-hidden': 'true' }, ' · '),
      h('span', {}, t('reports.period.last_year', { from: r.last_year.from, to: r.last_year.to })),
    );
  }

  // ---- one report -----------------------------------------------------------------------------------
  function draw(name) {
    const r = state.loaded[name];
    const panel = panels[name];
    clear(panel);
    const lines = linesOf(r);
    const kinds = KINDS[name] ?? (r.columns ?? []).map(() => 'number');
    const single = (r.columns ?? []).length === 1;
    const emptyNow = emptyIn(lines, 0);
    const emptyAll = emptyNow && emptyIn(lines, 1) && emptyIn(lines, 2) && !lines.some((l) => l.now);
    const head = h(
      'div',
      { class: 'report-section-head' },
      h('h2', { id: `report-title-${name}` }, reportTitle(r)),
      single ? h('span', { class: 'muted report-unit' }, columnTitle(r, 0)) : null,
    );
    const note = h('p', { class: 'report-note muted' }, t(`reports.note.${name}`));
    const empty = emptyNow
      ? h('p', { class: 'empty reports-empty', id: `report-empty-${name}` }, t('reports.empty', { title: reportTitle(r), from: r.period.from, to: r.period.to }))
      : null;
    if (emptyAll) {
      panel.append(h('div', { class: 'report-section', id: `report-${name}` }, head, empty, note));
      return;
    }
    const table = reportTable(r, lines, kinds, single);
    const chart = chartOf(r, lines, kinds);
    panel.append(
      h(
        'div',
        { class: 'report-section', id: `report-${name}` },
        head,
        empty,
        h(
          'div',
          { class: 'report-layout' },
          h('div', { class: 'table-wrap report-table-wrap' }, table),
          chart ? h('figure', { class: 'report-chart', id: `report-chart-${name}` }, chart) : null,
        ),
        note,
      ),
    );
    const d = state.drill;
    if (d && name === state.tab && !dialog.open) {
      const opener = panel.querySelector(`button.drill[data-of="${d.of}"][data-col="${d.col}"][data-key="${CSS.escape(d.key)}"]`);
      openDrill(name, d, opener);
    }
  }

  function reportTable(r, lines, kinds, single) {
    const periods = { current: r.period, previous: r.previous, last_year: r.last_year };
    const th = (cls, text, title) => h('th', { scope: 'col', class: cls, title }, text);
    const headRow = h(
      'tr',
      {},
      th('col-item', t('reports.col.item')),
      single ? null : th('col-metric', t('reports.col.metric')),
      th('col-value', t('reports.col.current'), `${periods.current.from} – ${periods.current.to}`),
      th('col-value', t('reports.col.previous'), `${periods.previous.from} – ${periods.previous.to}`),
      th('col-change', t('reports.col.mom')),
      th('col-value', t('reports.col.last_year'), `${periods.last_year.from} – ${periods.last_year.to}`),
      th('col-change', t('reports.col.yoy')),
    );
    const bodies = lines.map((line) => {
      const cols = (r.columns ?? []).map((_, i) => i).filter((i) => !SKIP[r.name]?.[line.key]?.includes(i));
      const label = lineLabel(r.name, line);
      const labelCell = h(
        'th',
        { scope: 'rowgroup', class: 'col-item', rowSpan: cols.length, title: label },
        r.name === 'parts' && /^\d+$/.test(line.key) ? h('a', { href: `#/parts/${line.key}` }, label) : label,
        line.now ? h('span', { class: 'report-now muted' }, t('reports.now')) : null,
      );
      const rows = cols.map((i, n) => {
        const kind = kinds[i] ?? 'number';
        const [cur, prev, last] = line.values.map((v) => v[i]);
        const cell = (of, value) => {
          const text = show(kind, value);
          const drill = value && canDrill(r.name, line.key, i);
          return h(
            'td',
            { class: 'qty col-value', dataset: { of }, title: value === null ? t(line.now ? 'reports.now.title' : 'reports.none.title') : null },
            drill
              ? h(
                  'button',
                  {
                    type: 'button',
                    class: 'drill',
                    dataset: { of, col: String(i), key: line.key },
                    title: t('reports.drill.title', { period: t(`reports.col.${of}`) }),
                  },
                  text,
                )
              : text,
          );
        };
        const changeCell = (of, value, base) => {
          if (line.now) return h('td', { class: 'qty col-change', dataset: { of } }, '—');
          const c = change(kind, value, base);
          return h(
            'td',
            { class: 'qty col-change', dataset: { of, trend: c.trend }, title: c.title || null },
            c.trend === 'up' || c.trend === 'down' ? h('span', { class: 'trend', 'aria-hidden': 'true' }, c.trend === 'up' ? '▲' : '▼') : null,
            c.text,
            c.relative ? h('span', { class: 'change-relative' }, c.relative) : null,
          );
        };
        return h(
          'tr',
          { dataset: { key: line.key, col: String(i) } },
          n === 0 ? labelCell : null,
          single ? null : h('td', { class: 'col-metric', title: columnTitle(r, i) }, columnTitle(r, i)),
          cell('current', cur),
          cell('previous', prev),
          changeCell('mom', cur, prev),
          cell('last_year', last),
          changeCell('yoy', cur, last),
        );
      });
      return h('tbody', { dataset: { key: line.key } }, rows);
    });
    return h(
      'table',
      { class: `grid report-grid${single ? ' is-single' : ''}`, id: `report-table-${r.name}`, dataset: { report: r.name } },
      h('thead', {}, headRow),
      bodies,
    );
  }

  function chartOf(r, lines, kinds) {
    const what = CHART[r.name] ?? 0;
    const legend = { current: t('reports.col.current'), previous: t('reports.col.previous') };
    let items;
    let kind;
    let subject;
    if (what === 'columns') {
      const line = lines.find((l) => !l.now);
      if (!line) return null;
      items = (r.columns ?? [])
        .map((_, i) => i)
        .filter((i) => kinds[i] === 'count')
        .map((i) => ({ label: columnTitle(r, i), current: line.values[0][i] ?? 0, previous: line.values[1][i] ?? 0 }));
      kind = 'count';
      subject = reportTitle(r);
    } else {
      kind = kinds[what] ?? 'number';
      items = lines
        .filter((l) => !l.now && (l.values[0][what] !== null || l.values[1][what] !== null))
        .slice(0, CHART_ITEMS)
        .map((l) => ({ label: lineLabel(r.name, l), current: l.values[0][what] ?? 0, previous: l.values[1][what] ?? 0 }));
      subject = columnTitle(r, what);
    }
    if (items.length === 0 || items.every((i) => !i.current && !i.previous)) return null;
    return barChart({
      id: `chart-${r.name}`,
      items,
      format: (v) => show(kind, v),
      legend,
      title: t('reports.chart.title', { subject }),
    });
  }

  // ---- drill down ---------------------------------------------------------------------------------
  async function openDrill(name, d, opener) {
    const r = state.loaded[name];
    if (!r) return;
    const period = { current: r.period, previous: r.previous, last_year: r.last_year }[d.of];
    const line = linesOf(r).find((l) => l.key === d.key);
    if (!period || !line || !canDrill(name, d.key, d.col)) {
      state.drill = null;
      remember();
      return;
    }
    state.drill = d;
    drillOpener = opener ?? null;
    remember();
    drillTitle.textContent = t((r.columns ?? []).length === 1 ? 'reports.orders.title.single' : 'reports.orders.title', {
      report: reportTitle(r),
      line: lineLabel(name, line),
      metric: columnTitle(r, d.col),
    });
    drillSummary.textContent = t('reports.orders.loading');
    clear(drillBody);
    if (!dialog.open) dialog.showModal();
    drillClose.focus();
    const seq = ++state.drillSeq;
    if (name === 'commission') {
      await openCommission(d, period, seq);
      return;
    }
    let page;
    try {
      page = await ctx.call('reports.orders', { report: name, key: d.key, from: period.from, to: period.to });
    } catch (error) {
      if (seq !== state.drillSeq || !ctx.isCurrent()) return;
      drillSummary.textContent = '';
      drillBody.append(h('p', { class: 'notice notice-error', role: 'alert' }, errorText(error)));
      return;
    }
    if (seq !== state.drillSeq || !ctx.isCurrent() || !dialog.open) return;
    let items = page?.items ?? [];
    const clockKind = name === 'clocks' ? d.key : null;
    if (clockKind) items = items.filter((o) => (o.clocks ?? []).some((c) => c.kind === clockKind && c.state === CLOCK_STATE[d.col]));
    drillSummary.textContent = t('reports.orders.summary', {
      period: t(`reports.col.${d.of}`),
      from: period.from,
      to: period.to,
      count: items.length,
    });
    if (items.length === 0) {
      drillBody.append(h('p', { class: 'empty empty-small', id: 'report-orders-empty' }, t('reports.orders.empty')));
      return;
    }
    drillBody.append(h('div', { class: 'table-wrap report-orders-wrap' }, ordersTable(name, items, clockKind)));
    if (page?.more) drillBody.append(h('p', { class: 'muted', id: 'report-orders-more' }, t('reports.orders.more', { count: items.length })));
    drillBody.querySelector('a.order-link')?.focus();
  }

  /** 工程师提成: the items behind an engineer's figures (or everyone's), each with its order. */
  async function openCommission(d, period, seq) {
    let got;
    try {
      got = await ctx.call('reports.commission', {
        engineer_id: d.key === 'total' ? 0 : Number(d.key),
        from: period.from,
        to: period.to,
      });
    } catch (error) {
      if (seq !== state.drillSeq || !ctx.isCurrent()) return;
      drillSummary.textContent = '';
      drillBody.append(h('p', { class: 'notice notice-error', role: 'alert' }, errorText(error)));
      return;
    }
    if (seq !== state.drillSeq || !ctx.isCurrent() || !dialog.open) return;
    const items = got?.items ?? [];
    drillSummary.textContent = t('reports.commission.summary', {
      period: t(`reports.col.${d.of}`),
      from: period.from,
      to: period.to,
      count: got?.count ?? items.length,
      total: yuan(got?.total_fen ?? 0),
    });
    if (items.length === 0) {
      drillBody.append(h('p', { class: 'empty empty-small', id: 'report-orders-empty' }, t('reports.orders.empty')));
      return;
    }
    const th = (cls, key) => h('th', { scope: 'col', class: cls }, t(key));
    const table = h(
      'table',
      { class: 'grid grid-compact', id: 'report-commission-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          th('col-date', 'reports.commission.col.day'),
          th('col-number', 'reports.orders.col.number'),
          th('col-engineer', 'reports.orders.col.engineer'),
          th('col-citem', 'reports.commission.col.item'),
          th('col-cnote', 'reports.commission.col.note'),
          th('col-money', 'reports.commission.col.amount'),
          th('col-date', 'reports.commission.col.rule'),
        ),
      ),
      h(
        'tbody',
        {},
        items.map((e) =>
          h(
            'tr',
            {
              dataset: { id: String(e.order_id), item: e.item },
              onclick: (event) => {
                if (!event.target.closest('a')) ctx.navigate(`#/orders/${e.order_id}`);
              },
            },
            h('td', { class: 'col-date num' }, e.day),
            h('td', { class: 'col-number num' }, h('a', { class: 'order-link', href: `#/orders/${e.order_id}` }, e.number)),
            h('td', { class: 'col-engineer' }, e.engineer),
            h('td', { class: 'col-citem' }, h('span', { class: `chip chip-commission-${e.amount_fen < 0 ? 'minus' : 'plus'}` }, t(`reports.commission.item.${e.item}`, {}, e.item_label))),
            h('td', { class: 'col-cnote', title: e.note }, e.note),
            h('td', { class: 'qty' }, yuan(e.amount_fen)),
            h('td', { class: 'col-date num' }, e.rule_from),
          ),
        ),
      ),
    );
    drillBody.append(h('div', { class: 'table-wrap report-orders-wrap' }, table));
    if (got?.more) drillBody.append(h('p', { class: 'muted', id: 'report-orders-more' }, t('reports.commission.more', { count: items.length })));
    drillBody.querySelector('a.order-link')?.focus();
  }

  function ordersTable(name, items, clockKind) {
    const money = name === 'fees';
    // The day that put the order in the list: completion for workload and fees.
    const byCompletion = name === 'engineers' || money;
    const th = (cls, key) => h('th', { scope: 'col', class: cls }, t(key));
    return h(
      'table',
      { class: 'grid grid-compact', id: 'report-orders-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          th('col-number', 'reports.orders.col.number'),
          th('col-date', byCompletion ? 'reports.orders.col.completed' : 'reports.orders.col.created'),
          th('col-customer', 'reports.orders.col.customer'),
          th('col-machine', 'reports.orders.col.machine'),
          th('col-fault', 'reports.orders.col.fault'),
          th('col-engineer', 'reports.orders.col.engineer'),
          th('col-ostatus', 'reports.orders.col.status'),
          clockKind ? th('col-clock', 'reports.orders.col.clock') : null,
          money ? th('col-money', 'reports.orders.col.total') : null,
          money ? th('col-money', 'reports.orders.col.paid') : null,
          money ? th('col-money', 'reports.orders.col.outstanding') : null,
        ),
      ),
      h(
        'tbody',
        {},
        items.map((o) => {
          const machine = o.equipment ? [o.equipment.model, o.equipment.serial].filter(Boolean).join(' ') : '';
          const clock = clockKind ? (o.clocks ?? []).find((c) => c.kind === clockKind) : null;
          return h(
            'tr',
            {
              dataset: { id: String(o.id), status: o.status },
              onclick: (event) => {
                if (!event.target.closest('a')) ctx.navigate(`#/orders/${o.id}`);
              },
            },
            h('td', { class: 'col-number num' }, h('a', { class: 'order-link', href: `#/orders/${o.id}` }, o.number)),
            h('td', { class: 'col-date num' }, deskDateTime(byCompletion ? o.completed_at : o.created_at)),
            h('td', { class: 'col-customer', title: o.customer?.name ?? '' }, o.customer?.name ?? ''),
            h('td', { class: 'col-machine', title: machine }, machine),
            h('td', { class: 'col-fault', title: o.fault ?? '' }, o.fault ?? ''),
            h('td', { class: 'col-engineer' }, o.engineer?.name ?? ''),
            h('td', { class: 'col-ostatus' }, statusChip(o.status)),
            clockKind ? h('td', { class: 'col-clock' }, clock ? clockChip(clock) : '') : null,
            money ? h('td', { class: 'qty' }, yuan(o.total_fen)) : null,
            money ? h('td', { class: 'qty' }, yuan(o.paid_fen)) : null,
            money ? h('td', { class: 'qty' }, yuan(o.outstanding_fen)) : null,
          );
        }),
      ),
    );
  }

  function closeDrill() {
    if (dialog.open) dialog.close();
  }
  dialog.addEventListener('close', () => {
    state.drillSeq += 1; // a list still on its way is not wanted any more
    state.drill = null;
    if (ctx.isCurrent()) remember();
    if (drillOpener?.isConnected) drillOpener.focus();
    drillOpener = null;
  });
  drillClose.addEventListener('click', closeDrill);
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) closeDrill(); // the backdrop
  });
  dialog.addEventListener('keydown', (event) => {
    // ↑ ↓ move between the orders; Enter on one opens it (a link).
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const links = [...drillBody.querySelectorAll('a.order-link')];
    if (links.length === 0) return;
    event.preventDefault();
    const at = links.indexOf(document.activeElement);
    const to = at < 0 ? 0 : Math.max(0, Math.min(links.length - 1, at + (event.key === 'ArrowDown' ? 1 : -1)));
    links[to].focus();
  });
  root.addEventListener('click', (event) => {
    const button = event.target.closest('button.drill');
    if (!button || !root.contains(button)) return;
    openDrill(state.tab, { of: button.dataset.of, col: Number(button.dataset.col), key: button.dataset.key }, button);
  });

  // ---- choosing the period ----------------------------------------------------------------------------
  function reload() {
    state.loaded = {};
    state.drill = null;
    closeDrill();
    remember();
    select(state.tab);
  }

  function setMonth(month) {
    state.month = month;
    state.from = '';
    state.to = '';
    reload();
  }

  function stepMonth(delta) {
    const base = state.month || wholeMonth(state.period) || state.period?.from?.slice(0, 7);
    if (!base || !MONTH.test(base)) return;
    setMonth(shiftMonth(base, delta));
  }

  function applyMonth() {
    const month = normalMonth(monthInput.value);
    if (month === '') {
      setMonth(''); // this month
      return;
    }
    if (month === state.month && state.loaded[state.tab]) return;
    setMonth(month);
  }

  function applyRange() {
    state.month = '';
    state.from = fromInput.value.trim();
    state.to = toInput.value.trim();
    reload();
  }

  prevMonth.addEventListener('click', () => stepMonth(-1));
  nextMonth.addEventListener('click', () => stepMonth(1));
  apply.addEventListener('click', applyRange);
  monthInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.isComposing) {
      event.preventDefault();
      applyMonth();
    }
  });
  fromInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.isComposing) {
      event.preventDefault();
      toInput.focus();
      toInput.select();
    }
  });
  toInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.isComposing) {
      event.preventDefault();
      applyRange();
    }
  });

  // ---- export -------------------------------------------------------------------------------------
  async function exportAs(format) {
    exportXlsx.disabled = true;
    exportPdf.disabled = true;
    const button = format === 'pdf' ? exportPdf : exportXlsx;
    const label = button.textContent;
    button.textContent = t('reports.export.busy');
    try {
      const out = await ctx.call('reports.export', { format, ...periodArgs() });
      download(out.file_name, out.content_base64);
      ctx.toast([t('reports.export.done', { file: out.file_name }), unprintableText(out)].filter(Boolean).join('；'));
    } catch (error) {
      if (!periodFailed(error)) ctx.toast(errorText(error));
    } finally {
      button.textContent = label;
      exportXlsx.disabled = false;
      exportPdf.disabled = false;
    }
  }
  exportXlsx.addEventListener('click', () => exportAs('xlsx'));
  exportPdf.addEventListener('click', () => exportAs('pdf'));

  // ---- tabs ----------------------------------------------------------------------------------------
  async function select(name, focus = false) {
    if (state.tab !== name) {
      state.drill = null;
      closeDrill();
    }
    state.tab = name;
    selectTab(tabs, name, { panels });
    if (focus) tabs[name].focus();
    remember();
    try {
      await load(name);
    } catch (error) {
      if (ctx.isCurrent()) failed(panels[name], error);
    }
  }
  tablist.addEventListener('click', (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (tab) select(tab.dataset.tab);
  });
  tablist.addEventListener('keydown', (event) => {
    const to = tabKey(REPORTS, state.tab, event.key);
    if (!to) return;
    event.preventDefault();
    select(to, true);
  });

  await select(state.tab);
  if (!ctx.isCurrent()) return null;
  if (!dialog.open) tabs[state.tab].focus();

  return {
    dispose() {
      closeDrill();
      resetTitle();
    },
    onKey(event) {
      // 1–9 and 0 (the tenth) switch the reports, PageUp / PageDown the month, when
      // nothing is being typed.
      if (dialog.open || isTyping(event.target) || modified(event)) return;
      if (event.key === 'PageUp' || event.key === 'PageDown') {
        event.preventDefault();
        stepMonth(event.key === 'PageUp' ? -1 : 1);
        return;
      }
      const n = event.key === '0' ? 10 : Number(event.key);
      if (/^\d$/.test(event.key) && n >= 1 && n <= REPORTS.length) {
        event.preventDefault();
        select(REPORTS[n - 1], true);
      }
    },
  };
}

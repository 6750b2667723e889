// 库存报表 — three views of the spare-parts stock: 库存 (every part in every store, at its
// moving-average value), 低库存 (below the minimum, with a purchase request as .xlsx or as
// an A4 PDF to sign) and
// 呆滞件 (stock not issued for N days). Each row opens the part's file.
import { h, clear, isTyping } from '../../lib/dom.js';
import { download, unprintableText } from '../../lib/download.js';
import { t } from '../../i18n.js';
import { parseQuantity, yuan } from '../../lib/money.js';
import { deskDate } from '../../lib/dates.js';
import { modified } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';
import { selectTab, tabKey } from '../../lib/tabs.js';

const TABS = ['stock', 'low', 'slow'];
const DEFAULT_DAYS = 180;
/** 库存 rows per page: the command returns every part, the table shows one page of them. */
const PAGE_SIZE = 100;

/** A link to the part file for the code cell; the whole row opens it too. */
function codeCell(item) {
  return h('td', { class: 'col-pcode num' }, h('a', { href: `#/parts/${item.part_id}` }, item.code));
}

function nameCell(item) {
  return h('td', { class: 'col-pname', title: item.name }, item.name);
}

function headRow(cells) {
  return h('thead', {}, h('tr', {}, cells.map(([key, cls, text]) => h('th', { scope: 'col', class: cls }, text ?? t(key)))));
}

export async function render(root, ctx) {
  const storeList = await ctx.call('stores.list', {});
  if (!ctx.isCurrent()) return null;
  const stores = storeList?.items ?? [];
  const state = {
    tab: TABS.includes(ctx.query.get('tab')) ? ctx.query.get('tab') : 'stock',
    store: stores.some((s) => String(s.id) === ctx.query.get('store')) ? ctx.query.get('store') : '',
    days: parseQuantity(ctx.query.get('days') ?? '') || DEFAULT_DAYS,
    page: Math.max(1, Math.floor(Number(ctx.query.get('page'))) || 1),
    stockItems: [],
    seq: 0,
  };

  // ---- the tabs -------------------------------------------------------------------------
  const tabs = Object.fromEntries(
    TABS.map((name) => [
      name,
      h(
        'button',
        { type: 'button', role: 'tab', id: `tab-${name}`, class: 'tab', 'aria-controls': `panel-${name}`, dataset: { tab: name } },
        t(`report.tab.${name}`),
      ),
    ]),
  );
  const panels = Object.fromEntries(
    TABS.map((name) => [name, h('div', { role: 'tabpanel', id: `panel-${name}`, class: 'tab-panel', 'aria-labelledby': `tab-${name}`, tabIndex: 0 })]),
  );
  const tablist = h('div', { role: 'tablist', class: 'tabs', 'aria-label': t('report.tabs') }, Object.values(tabs));

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-list page-report', id: 'stock-report' },
      h('div', { class: 'page-head' }, h('h1', {}, t('report.title')), tablist),
      Object.values(panels),
    ),
  );
  setTitle(t('report.title'));

  function remember() {
    ctx.replaceHash(
      ctx.hashFor('/stock-report', {
        tab: state.tab === 'stock' ? '' : state.tab,
        store: state.store,
        days: state.days === DEFAULT_DAYS ? '' : state.days,
        page: state.tab === 'stock' && state.page > 1 ? state.page : '',
      }),
    );
  }

  /** Shows the failure in the panel instead of the table. */
  function failed(panel, error) {
    clear(panel);
    panel.append(h('p', { class: 'notice notice-error', role: 'alert' }, error?.code === 'network' ? t('error.network') : error?.message || String(error)));
  }

  function rowFor(item, cells) {
    const onclick = (event) => {
      if (!event.target.closest('a')) ctx.navigate(`#/parts/${item.part_id}`);
    };
    return h('tr', { dataset: { id: String(item.part_id) }, onclick }, cells);
  }

  // ---- 库存 ------------------------------------------------------------------------------
  const storeSelect = h(
    'select',
    { class: 'input', id: 'stock-store', 'aria-label': t('report.store'), value: state.store },
    h('option', { value: '' }, t('report.store.all')),
    stores.map((s) => h('option', { value: String(s.id) }, s.name)),
  );
  const stockBody = h('div', { class: 'report-body' });
  const totalText = h('span', { id: 'stock-total', class: 'report-total', role: 'status' });
  panels.stock.append(
    h(
      'div',
      { class: 'report-bar' },
      h('label', { for: 'stock-store' }, t('report.store')),
      storeSelect,
      totalText,
    ),
    stockBody,
  );
  // The pager under the table, as in the customer list: ‹ 第 N / M 页 ›, PageUp / PageDown.
  const pageText = h('span', { class: 'pager-page', id: 'stock-page', 'aria-live': 'polite' });
  const prevPage = h('button', { type: 'button', class: 'btn', id: 'stock-prev', title: t('list.prev.title') }, t('list.prev'));
  const nextPage = h('button', { type: 'button', class: 'btn', id: 'stock-next', title: t('list.next.title') }, t('list.next'));
  const rangeText = h('span', { class: 'pager-total', id: 'stock-range' });
  const pager = h(
    'div',
    { class: 'pager report-pager', id: 'stock-pager', hidden: true },
    rangeText,
    h('span', { class: 'pager-nav' }, prevPage, pageText, nextPage),
  );
  const stockRows = h('tbody', {});
  let stockColumns = [];
  const pageCount = () => Math.max(1, Math.ceil(state.stockItems.length / PAGE_SIZE));
  storeSelect.addEventListener('change', () => {
    state.store = storeSelect.value;
    state.page = 1;
    remember();
    showStock().catch((error) => ctx.isCurrent() && failed(stockBody, error));
  });

  async function showStock() {
    const seq = ++state.seq;
    const report = await ctx.call('stock.report', state.store ? { store_id: Number(state.store) } : {});
    if (seq !== state.seq || !ctx.isCurrent()) return;
    const items = report?.items ?? [];
    state.stockItems = items;
    state.page = Math.min(state.page, pageCount());
    const columns = (report?.stores ?? stores).filter((s) => !state.store || String(s.id) === state.store);
    stockColumns = columns;
    totalText.textContent = t('report.stock.total', { count: items.length.toLocaleString(), value: yuan(report?.total_value_fen ?? 0) });
    clear(stockBody);
    if (items.length === 0) {
      stockBody.append(h('p', { class: 'empty', id: 'stock-empty' }, t(state.store ? 'report.stock.empty.store' : 'report.stock.empty')));
      return;
    }
    const perStore = (item, storeId) => {
      const found = (item.stores ?? []).find((s) => s[0] === storeId);
      return found ? Number(found[1]) : 0;
    };
    const storeSums = columns.map((s) => items.reduce((sum, item) => sum + perStore(item, s.id), 0));
    // The footer sums every part, not only the page on show.
    const onHandSum = items.reduce((sum, item) => sum + Number(item.on_hand ?? 0), 0);
    const table = h(
      'table',
      { id: 'stock-table', class: 'grid report-table' },
      headRow([
        ['parts.col.code', 'col-pcode'],
        ['parts.col.name', 'col-pname'],
        ...columns.map((s) => [null, 'col-qty col-store-qty', s.name]),
        ['report.col.on_hand', 'col-qty'],
        ['report.col.avg_cost', 'col-money'],
        ['report.col.value', 'col-money'],
      ]),
      stockRows,
      h(
        'tfoot',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'row', colSpan: 2 }, t('stock.total')),
          storeSums.map((n) => h('td', { class: 'qty' }, String(n))),
          h('td', { class: 'qty col-sum' }, String(onHandSum)),
          h('td', {}, ''),
          h('td', { class: 'qty', id: 'stock-total-value' }, yuan(report?.total_value_fen ?? 0)),
        ),
      ),
    );
    stockBody.append(h('div', { class: 'table-wrap' }, table), pager);
    showStockPage();
  }

  function stockRow(item) {
    return rowFor(item, [
      codeCell(item),
      nameCell(item),
      stockColumns.map((s) => {
        const found = (item.stores ?? []).find((x) => x[0] === s.id);
        const n = found ? Number(found[1]) : 0;
        return h('td', { class: `qty${n === 0 ? ' is-zero' : ''}`, dataset: { store: String(s.id) } }, String(n));
      }),
      h('td', { class: 'qty col-sum' }, String(item.on_hand ?? 0)),
      h('td', { class: 'qty' }, yuan(item.avg_cost_fen ?? 0)),
      h('td', { class: 'qty' }, yuan(item.value_fen ?? 0)),
    ]);
  }

  /** Fills the table with the rows of `state.page` and sets the pager. */
  function showStockPage() {
    const total = state.stockItems.length;
    const pages = pageCount();
    const from = (state.page - 1) * PAGE_SIZE;
    const shown = state.stockItems.slice(from, from + PAGE_SIZE);
    clear(stockRows);
    stockRows.append(...shown.map(stockRow));
    pager.hidden = pages <= 1;
    pageText.textContent = t('list.page', { page: state.page, pages });
    rangeText.textContent = t('report.stock.range', {
      from: (from + 1).toLocaleString(),
      to: (from + shown.length).toLocaleString(),
      count: total.toLocaleString(),
    });
    prevPage.disabled = state.page <= 1;
    nextPage.disabled = state.page >= pages;
  }

  function turnStock(delta) {
    const page = Math.max(1, Math.min(pageCount(), state.page + delta));
    if (page === state.page) return;
    state.page = page;
    remember();
    showStockPage();
    const wrap = stockBody.querySelector('.table-wrap');
    if (wrap) wrap.scrollTop = 0;
    stockBody.scrollTop = 0;
  }
  prevPage.addEventListener('click', () => turnStock(-1));
  nextPage.addEventListener('click', () => turnStock(1));

  // ---- 低库存 ----------------------------------------------------------------------------
  const purchase = h(
    'button',
    { type: 'button', id: 'purchase-request', class: 'btn btn-primary', title: t('report.purchase.title') },
    t('report.purchase'),
  );
  const purchasePdf = h(
    'button',
    { type: 'button', id: 'purchase-request-pdf', class: 'btn', title: t('report.purchase.pdf.title') },
    t('report.purchase.pdf'),
  );
  const lowLead = h('span', { class: 'report-total', role: 'status' });
  const lowBody = h('div', { class: 'report-body' });
  panels.low.append(h('div', { class: 'report-bar' }, lowLead, h('span', { class: 'toolbar' }, purchase, purchasePdf)), lowBody);
  /** One purchase request, as `format` (xlsx or pdf), downloaded. */
  async function purchaseRequest(format) {
    purchase.disabled = true;
    purchasePdf.disabled = true;
    try {
      const out = await ctx.call('stock.purchase_request', { format });
      download(out.file_name, out.content_base64);
      ctx.toast([t('report.purchase.done', { rows: out.rows }), unprintableText(out)].filter(Boolean).join('；'));
    } catch (error) {
      ctx.toast(error?.message || String(error));
    } finally {
      const any = Boolean(lowBody.querySelector('#low-table'));
      purchase.disabled = !any;
      purchasePdf.disabled = !any;
    }
  }
  purchase.addEventListener('click', () => purchaseRequest('xlsx'));
  purchasePdf.addEventListener('click', () => purchaseRequest('pdf'));

  async function showLow() {
    const seq = ++state.seq;
    const result = await ctx.call('stock.low', {});
    if (seq !== state.seq || !ctx.isCurrent()) return;
    const items = result?.items ?? [];
    clear(lowBody);
    purchase.disabled = items.length === 0;
    purchasePdf.disabled = items.length === 0;
    lowLead.textContent = items.length ? t('report.low.lead', { count: items.length }) : '';
    if (items.length === 0) {
      lowBody.append(h('p', { class: 'empty', id: 'low-empty' }, t('report.low.empty')));
      return;
    }
    const table = h(
      'table',
      { id: 'low-table', class: 'grid report-table' },
      headRow([
        ['parts.col.code', 'col-pcode'],
        ['parts.col.name', 'col-pname'],
        ['report.col.on_hand', 'col-qty'],
        ['parts.col.min_stock', 'col-qty'],
        ['report.col.shortage', 'col-qty'],
      ]),
      h(
        'tbody',
        {},
        items.map((item) =>
          rowFor(item, [
            codeCell(item),
            nameCell(item),
            h('td', { class: 'qty' }, String(item.on_hand ?? 0)),
            h('td', { class: 'qty' }, String(item.min_stock ?? 0)),
            h('td', { class: 'qty col-shortage' }, String(item.shortage ?? 0)),
          ]),
        ),
      ),
    );
    lowBody.append(h('div', { class: 'table-wrap' }, table));
  }

  // ---- 呆滞件 ----------------------------------------------------------------------------
  const daysInput = h('input', {
    id: 'slow-days',
    class: 'input input-qty num',
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'off',
    value: String(state.days),
    'aria-describedby': 'slow-days-error',
  });
  const daysError = h('span', { class: 'field-error', id: 'slow-days-error', 'aria-live': 'polite' });
  const slowLead = h('span', { class: 'report-total', role: 'status' });
  const slowBody = h('div', { class: 'report-body' });
  panels.slow.append(
    h(
      'div',
      { class: 'report-bar' },
      h('label', { for: 'slow-days' }, t('report.slow.days')),
      daysInput,
      h('span', {}, t('report.slow.days.unit')),
      daysError,
      slowLead,
    ),
    slowBody,
  );
  function applyDays() {
    const days = parseQuantity(daysInput.value);
    if (!days) {
      daysError.textContent = t('report.slow.days.invalid');
      daysInput.setAttribute('aria-invalid', 'true');
      return;
    }
    daysError.textContent = '';
    daysInput.removeAttribute('aria-invalid');
    if (days === state.days && slowBody.firstChild) return;
    state.days = days;
    remember();
    showSlow().catch((error) => ctx.isCurrent() && failed(slowBody, error));
  }
  daysInput.addEventListener('change', applyDays);
  daysInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.isComposing) {
      event.preventDefault();
      applyDays();
    }
  });

  async function showSlow() {
    const seq = ++state.seq;
    const result = await ctx.call('stock.slow', { days: state.days });
    if (seq !== state.seq || !ctx.isCurrent()) return;
    const items = result?.items ?? [];
    clear(slowBody);
    slowLead.textContent = items.length
      ? t('report.slow.lead', { count: items.length, value: yuan(items.reduce((sum, item) => sum + Number(item.value_fen ?? 0), 0)) })
      : '';
    if (items.length === 0) {
      slowBody.append(h('p', { class: 'empty', id: 'slow-empty' }, t('report.slow.empty', { days: state.days })));
      return;
    }
    const table = h(
      'table',
      { id: 'slow-table', class: 'grid report-table' },
      headRow([
        ['parts.col.code', 'col-pcode'],
        ['parts.col.name', 'col-pname'],
        ['report.col.on_hand', 'col-qty'],
        ['report.col.value', 'col-money'],
        ['report.col.last_issue', 'col-last-issue'],
      ]),
      h(
        'tbody',
        {},
        items.map((item) =>
          rowFor(item, [
            codeCell(item),
            nameCell(item),
            h('td', { class: 'qty' }, String(item.on_hand ?? 0)),
            h('td', { class: 'qty' }, yuan(item.value_fen ?? 0)),
            item.last_issue_at
              ? h('td', { class: 'col-last-issue num' }, deskDate(item.last_issue_at))
              : h('td', { class: 'col-last-issue' }, h('span', { class: 'chip chip-never' }, t('report.slow.never'))),
          ]),
        ),
      ),
    );
    slowBody.append(h('div', { class: 'table-wrap' }, table));
  }

  // ---- switching --------------------------------------------------------------------------
  const loaders = { stock: showStock, low: showLow, slow: showSlow };
  const bodies = { stock: stockBody, low: lowBody, slow: slowBody };
  async function select(name, focus = false) {
    state.tab = name;
    selectTab(tabs, name, { panels });
    if (focus) tabs[name].focus();
    remember();
    try {
      await loaders[name]();
    } catch (error) {
      if (ctx.isCurrent()) failed(bodies[name], error);
    }
  }
  tablist.addEventListener('click', (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (tab) select(tab.dataset.tab);
  });
  tablist.addEventListener('keydown', (event) => {
    const to = tabKey(TABS, state.tab, event.key);
    if (!to) return;
    event.preventDefault();
    select(to, true);
  });

  await select(state.tab);
  if (!ctx.isCurrent()) return null;
  tabs[state.tab].focus();

  return {
    dispose() {
      resetTitle();
    },
    onKey(event) {
      // 1 · 2 · 3 switch the tabs when nothing is being typed; PageUp / PageDown turn the 库存 pages.
      if (isTyping(event.target) || modified(event)) return;
      if (state.tab === 'stock' && (event.key === 'PageDown' || event.key === 'PageUp')) {
        event.preventDefault();
        turnStock(event.key === 'PageDown' ? 1 : -1);
        return;
      }
      const name = { 1: 'stock', 2: 'low', 3: 'slow' }[event.key];
      if (name) {
        event.preventDefault();
        select(name, true);
      }
    },
  };
}

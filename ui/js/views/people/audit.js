// 审计记录 (manager, administrator): who did what, when — every change, every opened
// customer file, every export, every login — searched by person, kind, words and dates.
import { h, clear, debounce } from '../../lib/dom.js';
import { errorText } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { deskDateTime } from '../../lib/dates.js';

// Every kind of entry the core records (src/**/*.rs, `audit::record`) and every kind of
// record it names, each with its words in both languages; the filter offers them all.
const ACTIONS = ['', 'created', 'updated', 'saved', 'opened', 'merged', 'merged_away', 'equipment_added',
  'equipment_updated', 'warranty_override', 'import', 'export', 'exported', 'labels', 'purchase_request',
  'claim', 'started', 'posted', 'campaign', 'settings', 'calendar_day', 'slip_template', 'login', 'login_failed', 'logout',
  'password', 'backup', 'restore'];
const ENTITIES = ['', 'customer', 'equipment', 'model', 'part', 'store', 'stock_movement', 'stocktake',
  'campaign', 'engineer', 'user', 'setting', 'report', 'backup'];

/** An entry's action or record kind in words: never the stored code on screen. */
const actionText = (code) => t(`audit.action.${code}`, {}, t('audit.action.other'));
const entityText = (code) => t(`audit.entity.${code}`, {}, t('audit.entity.other'));

export async function render(root, ctx) {
  const q = (k) => ctx.query.get(k) ?? '';
  const c = {
    user: h('input', { class: 'input', type: 'search', id: 'audit-user', value: q('user') }),
    text: h('input', { class: 'input', type: 'search', id: 'audit-text', value: q('text') }),
    action: h(
      'select',
      { class: 'input', id: 'audit-action', value: q('action') },
      ACTIONS.map((a) => h('option', { value: a }, a ? actionText(a) : t('audit.all'))),
    ),
    entity: h(
      'select',
      { class: 'input', id: 'audit-entity', value: q('entity') },
      ENTITIES.map((e) => h('option', { value: e }, e ? entityText(e) : t('audit.all'))),
    ),
    from: h('input', { class: 'input', type: 'date', id: 'audit-from', value: q('from') }),
    to: h('input', { class: 'input', type: 'date', id: 'audit-to', value: q('to') }),
  };
  const body = h('tbody', {});
  const status = h('p', { class: 'hint', id: 'audit-status', 'aria-live': 'polite' });
  const table = h(
    'table',
    { class: 'grid', id: 'audit-table' },
    h(
      'thead',
      {},
      h('tr', {}, ['at', 'user', 'action', 'entity', 'detail'].map((k) => h('th', {}, t(`audit.col.${k}`)))),
    ),
    body,
  );

  let seq = 0;
  async function load() {
    const mine = ++seq;
    const args = Object.fromEntries(Object.entries(c).map(([k, el]) => [k, el.value || null]));
    ctx.replaceHash(ctx.hashFor('/audit', args));
    try {
      const page = await ctx.call('audit.list', { ...args, limit: 500 });
      if (mine !== seq || !ctx.isCurrent()) return;
      clear(body);
      for (const e of page.items) {
        body.append(
          h(
            'tr',
            {},
            h('td', { class: 'nowrap' }, deskDateTime(e.at)),
            h('td', {}, e.user),
            h('td', { dataset: { action: e.action } }, actionText(e.action)),
            h('td', { dataset: { entity: e.entity } }, entityText(e.entity)),
            h('td', {}, e.detail),
          ),
        );
      }
      status.textContent = page.items.length
        ? t('audit.count', { n: page.items.length })
        : t('audit.empty');
    } catch (error) {
      if (mine === seq) status.textContent = errorText(error);
    }
  }
  const later = debounce(load, 250);
  for (const el of Object.values(c)) {
    el.addEventListener(el.tagName === 'SELECT' || el.type === 'date' ? 'change' : 'input', later);
  }

  const label = (key, el) => h('label', { class: 'filter' }, h('span', {}, t(`audit.filter.${key}`)), el);
  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-audit' },
      h('div', { class: 'page-head' }, h('h1', {}, t('audit.title'))),
      h(
        'div',
        { class: 'card filters' },
        label('user', c.user),
        label('action', c.action),
        label('entity', c.entity),
        label('text', c.text),
        label('from', c.from),
        label('to', c.to),
      ),
      status,
      table,
    ),
  );
  await load();
  return {};
}

// 主动服务 — the proactive campaigns (DOMAIN.md "Proactive campaign"), newest first, each
// with how far it has got and how many faults it found. A row opens the campaign; N starts
// a new one.
import { h, clear, isTyping } from '../../lib/dom.js';
import { errorText } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { deskDateTime } from '../../lib/dates.js';
import { modified } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';
import { moveKey, rove } from '../../lib/roving.js';

export const CAMPAIGN_KINDS = ['callback', 'inspection'];

export function campaignKindChip(kind) {
  const known = CAMPAIGN_KINDS.includes(kind) ? kind : 'callback';
  return h('span', { class: `chip chip-campaign chip-campaign-${known}`, dataset: { kind: known } }, t(`campaign.kind.${known}`));
}

/** A bar with its numbers in words beside it: "3 / 10". */
export function progressBar(done, total, { id } = {}) {
  const pct = total > 0 ? Math.round((done / total) * 100) : 0;
  return h(
    'span',
    { class: 'progress', id, title: t('campaign.progress.title', { done, total, pct }) },
    // <progress>, not a styled width: the desktop window's CSP refuses inline styles.
    h('progress', { class: 'progress-bar', max: Math.max(total, 1), value: done, 'aria-hidden': 'true' }),
    h('span', { class: 'progress-text num' }, `${done} / ${total}`),
  );
}

export async function render(root, ctx) {
  const newButton = h('a', { href: '#/campaigns/new', class: 'btn btn-primary', id: 'campaign-new', 'data-needs': 'campaigns.create', title: t('campaigns.new.title') }, t('campaigns.new'), ' ', h('kbd', {}, 'N'));
  const failure = h('p', { class: 'notice notice-error', id: 'campaigns-error', role: 'alert', hidden: true });
  const tbody = h('tbody');
  const table = h(
    'table',
    { class: 'grid campaigns-table', id: 'campaigns-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', class: 'col-cname' }, t('campaigns.col.name')),
        h('th', { scope: 'col', class: 'col-ckind' }, t('campaigns.col.kind')),
        h('th', { scope: 'col', class: 'col-ccreated' }, t('campaigns.col.created')),
        h('th', { scope: 'col', class: 'col-cprogress' }, t('campaigns.col.progress')),
        h('th', { scope: 'col', class: 'col-cfaults' }, t('campaigns.col.faults')),
      ),
    ),
    tbody,
  );
  const empty = h('p', { class: 'empty', id: 'campaigns-empty', hidden: true }, t('campaigns.empty'));

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-list page-campaigns', id: 'campaigns' },
      h('div', { class: 'page-head' }, h('h1', {}, t('campaigns.title')), h('span', { class: 'page-sub' }, t('campaigns.lead')), h('div', { class: 'toolbar' }, newButton)),
      failure,
      h('div', { class: 'table-wrap' }, table, empty),
    ),
  );
  setTitle(t('campaigns.title'));

  try {
    const data = await ctx.call('campaigns.list', {});
    if (!ctx.isCurrent()) return null;
    const items = data?.items ?? [];
    tbody.append(
      ...items.map((c) =>
        h(
          'tr',
          { tabIndex: -1, dataset: { id: String(c.id) }, onclick: () => ctx.navigate(`#/campaigns/${c.id}`) },
          h('td', { title: c.name }, h('a', { href: `#/campaigns/${c.id}`, tabIndex: -1 }, c.name)),
          h('td', {}, campaignKindChip(c.kind)),
          h('td', { class: 'num' }, deskDateTime(c.created_at)),
          h('td', {}, progressBar(c.done, c.total)),
          h('td', { class: 'qty' }, c.faults ? h('span', { class: 'chip chip-task chip-task-fault' }, t('campaigns.faults', { count: c.faults })) : h('span', { class: 'muted' }, '0')),
        ),
      ),
    );
    table.classList.toggle('is-empty', items.length === 0);
    empty.hidden = items.length > 0;
  } catch (error) {
    if (!ctx.isCurrent()) return null;
    failure.textContent = errorText(error);
    failure.hidden = false;
  }

  const rows = () => [...tbody.querySelectorAll('tr[data-id]')];
  function focusRow(i) {
    return rove(rows(), i) >= 0;
  }
  if (!focusRow(0)) newButton.focus();

  return {
    dispose() {
      resetTitle();
    },
    onKey(event) {
      if (isTyping(event.target) || modified(event)) return;
      const all = rows();
      const at = all.indexOf(event.target);
      const to = moveKey(event.key, at, all.length);
      if (to !== null) {
        event.preventDefault();
        focusRow(Math.max(to, 0));
      } else if (event.key === 'Enter' && at >= 0) {
        event.preventDefault();
        ctx.navigate(`#/campaigns/${all[at].dataset.id}`);
      } else if (event.key === 'n' || event.key === 'N') {
        event.preventDefault();
        ctx.navigate('#/campaigns/new');
      }
    },
  };
}

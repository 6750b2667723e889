// 投诉 — the complaints still open, by their reply deadline (DOMAIN.md "Complaint": a reply
// within 24 hours, one working day). Escalated ones — unanswered with the deadline near or
// passed — come first, marked, with a strip that tells the manager how many. A row opens
// the complaint; N registers a new one. Also the chips and labels the other follow-up
// screens share (status, escalation, cause, against, channel).
import { h, clear, isTyping } from '../../lib/dom.js';
import { errorText } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { clockChip } from '../orders/clocks.js';
import { deskDateTime } from '../../lib/dates.js';
import { modified } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';
import { moveKey, rove } from '../../lib/roving.js';
import { selectTab } from '../../lib/tabs.js';

export const COMPLAINT_STATUSES = ['open', 'replied', 'closed'];
export const AGAINST = ['order', 'engineer', 'company'];
export const CHANNELS = ['phone', 'letter', 'visit', 'callback'];
const CAUSES = ['attitude', 'quality', 'timeliness', 'fees', 'parts', 'product', 'other'];
const VIEWS = ['open', 'escalated', 'all'];

/** 待答复 / 已答复 / 已关闭 as a chip with text. */
export function complaintStatusChip(status, { id } = {}) {
  const known = COMPLAINT_STATUSES.includes(status) ? status : 'open';
  return h('span', { class: `chip chip-complaint chip-complaint-${known}`, dataset: { status: known }, id }, t(`complaint.status.${known}`));
}

/** The manager's mark on an unanswered complaint whose deadline is near or gone. */
export function escalatedChip({ id } = {}) {
  return h('span', { class: 'chip chip-escalated', id, title: t('complaint.escalated.title') }, h('span', { 'aria-hidden': 'true' }, '▲ '), t('complaint.escalated'));
}

/** The cause in the clerk's language; the core's Chinese label when the key is unknown. */
export function causeLabel(key, fallback = '') {
  return CAUSES.includes(key) ? t(`complaint.cause.${key}`) : fallback || key || '';
}

export function againstLabel(key) {
  return t(`complaint.against.${AGAINST.includes(key) ? key : 'company'}`);
}

export function channelLabel(key) {
  return t(`complaint.channel.${CHANNELS.includes(key) ? key : 'phone'}`);
}

/** The reply clock of an open complaint; its outcome once replied. */
export function replyClockChip(complaint) {
  return clockChip(complaint.reply_clock ?? { kind: 'reply', state: 'running' });
}

export async function render(root, ctx) {
  const state = { view: VIEWS.includes(ctx.query.get('view')) ? ctx.query.get('view') : 'open', items: [] };

  const count = h('span', { class: 'page-sub', id: 'complaints-count', 'aria-live': 'polite' });
  const newButton = h('a', { href: '#/complaints/new', class: 'btn btn-primary', id: 'complaint-new', 'data-needs': 'complaints.create', title: t('complaints.new.title') }, t('complaints.new'), ' ', h('kbd', {}, 'N'));
  const tabs = Object.fromEntries(
    VIEWS.map((v) => [v, h('button', { type: 'button', class: 'tab', role: 'tab', id: `complaints-tab-${v}`, onclick: () => switchView(v) }, t(`complaints.tab.${v}`))]),
  );
  const strip = h('p', { class: 'escalation-strip', id: 'complaints-escalated', role: 'alert', hidden: true });
  const failure = h('p', { class: 'notice notice-error', id: 'complaints-error', role: 'alert', hidden: true });
  const tbody = h('tbody');
  const table = h(
    'table',
    { class: 'grid complaints-table', id: 'complaints-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['number', 'customer', 'cause', 'against', 'channel', 'handler', 'clock', 'status', 'created'].map((k) =>
          h('th', { scope: 'col', class: `col-k${k}` }, t(`complaints.col.${k}`)),
        ),
      ),
    ),
    tbody,
  );
  const empty = h('p', { class: 'empty', id: 'complaints-empty', hidden: true });

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-list page-complaints', id: 'complaints' },
      h('div', { class: 'page-head' }, h('h1', {}, t('complaints.title')), count, h('div', { class: 'tabs', role: 'tablist' }, Object.values(tabs)), h('div', { class: 'toolbar' }, newButton)),
      strip,
      failure,
      h('div', { class: 'table-wrap' }, table, empty),
    ),
  );
  setTitle(t('complaints.title'));

  function row(k) {
    return h(
      'tr',
      {
        class: k.escalated ? 'is-escalated' : null,
        tabIndex: -1,
        dataset: { id: String(k.id), status: k.status, escalated: String(Boolean(k.escalated)) },
        onclick: () => ctx.navigate(`#/complaints/${k.id}`),
      },
      h('td', { class: 'num' }, h('a', { href: `#/complaints/${k.id}`, tabIndex: -1 }, k.number)),
      h('td', { title: k.customer }, k.customer),
      h('td', {}, causeLabel(k.cause, k.cause_label)),
      h('td', {}, againstLabel(k.against), k.engineer && k.against === 'engineer' ? h('span', { class: 'muted' }, ` ${k.engineer}`) : null),
      h('td', {}, channelLabel(k.channel)),
      h('td', {}, k.handler || h('span', { class: 'muted' }, t('complaint.handler.none'))),
      h('td', {}, replyClockChip(k)),
      h('td', {}, complaintStatusChip(k.status), k.escalated ? escalatedChip() : null),
      h('td', { class: 'num' }, deskDateTime(k.created_at)),
    );
  }

  async function load() {
    try {
      const data = await ctx.call('complaints.list', { status: state.view });
      if (!ctx.isCurrent()) return;
      state.items = data?.items ?? [];
      failure.hidden = true;
      clear(tbody);
      tbody.append(...state.items.map(row));
      table.classList.toggle('is-empty', state.items.length === 0);
      empty.hidden = state.items.length > 0;
      empty.textContent = t(`complaints.empty.${state.view}`);
      count.textContent = t('complaints.count', { count: state.items.length });
      const escalated = data?.escalated ?? 0;
      strip.hidden = escalated === 0;
      clear(strip);
      if (escalated) strip.append(h('strong', {}, t('complaints.escalated.strip', { count: escalated })), ' ', t('complaints.escalated.strip.tail'));
      selectTab(tabs, state.view, { roving: false });
    } catch (error) {
      if (!ctx.isCurrent()) return;
      failure.textContent = errorText(error);
      failure.hidden = false;
    }
  }

  async function switchView(v) {
    state.view = v;
    ctx.replaceHash(ctx.hashFor('/complaints', { view: v === 'open' ? '' : v }));
    await load();
    focusRow(0);
  }

  function rows() {
    return [...tbody.querySelectorAll('tr[data-id]')];
  }
  function focusRow(i) {
    return rove(rows(), i) >= 0;
  }

  await load();
  if (!ctx.isCurrent()) return null;
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
        ctx.navigate(`#/complaints/${all[at].dataset.id}`);
      } else if (event.key === 'n' || event.key === 'N') {
        event.preventDefault();
        ctx.navigate('#/complaints/new');
      }
    },
  };
}

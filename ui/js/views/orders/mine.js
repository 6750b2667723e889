// 我的工单 — the engineer's own orders (orders.list {mine: true}): today's appointments
// first, then every other open order. ↑ ↓ move, Enter opens the order (its file has the
// completion form). Made for a phone's width as well: an engineer at a customer's site
// opens it over the office Wi-Fi or the LAN door.
import { h, clear, isTyping } from '../../lib/dom.js';
import { t } from '../../i18n.js';
import { appointmentText, deskDate } from '../../lib/dates.js';
import { phoneDisplay } from '../../lib/format.js';
import { modified } from '../../lib/keys.js';
import { moveKey, rove, roveTo } from '../../lib/roving.js';
import { resetTitle, setTitle } from '../../lib/title.js';
import { priorityChip, statusChip } from './words.js';

// An engineer has a few dozen open orders at most; one page holds them.
const PAGE_SIZE = 200;

/** Earlier appointment first; orders without one after those, newest first. */
function byAppointment(a, b) {
  const x = a.appointment_from ?? '';
  const y = b.appointment_from ?? '';
  if (x && y && x !== y) return x < y ? -1 : 1;
  if (x && !y) return -1;
  if (!x && y) return 1;
  return b.id - a.id;
}

/** Today's appointments and the other open orders, each in the order of the day. */
export function splitByDay(orders, today) {
  const sorted = [...orders].sort(byAppointment);
  const isToday = (o) => Boolean(o.appointment_from) && deskDate(o.appointment_from) === today;
  return { today: sorted.filter(isToday), later: sorted.filter((o) => !isToday(o)) };
}

export async function render(root, ctx) {
  const state = { seq: 0, orders: [], more: false };
  const refresh = h('button', { type: 'button', class: 'btn', id: 'mine-refresh', title: t('mine.refresh.title') }, t('mine.refresh'), ' ', h('kbd', {}, 'R'));
  const body = h('div', { class: 'mine-body', id: 'mine-body', 'aria-live': 'polite' });
  const user = ctx.info()?.user?.name ?? '';
  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-mine', id: 'mine' },
      h(
        'div',
        { class: 'page-head' },
        h('h1', {}, t('mine.title')),
        user ? h('span', { class: 'page-sub' }, user) : null,
        h('div', { class: 'toolbar' }, refresh),
      ),
      body,
    ),
  );
  setTitle(t('mine.title'));

  const cards = () => [...body.querySelectorAll('.mine-card')];
  const open = (id) => ctx.navigate(`#/orders/${id}`);

  function card(order) {
    const when = order.appointment_from ? appointmentText(order.appointment_from, order.appointment_to) : t('mine.no_appointment');
    const machine = order.equipment ? `${order.equipment.model}${order.equipment.serial ? ` · ${order.equipment.serial}` : ''}` : '';
    const phone = order.phone
      ? h(
          'a',
          { class: 'mine-phone num', href: `tel:${order.phone}`, tabIndex: -1, onclick: (event) => event.stopPropagation() },
          phoneDisplay(order.phone),
        )
      : null;
    return h(
      'li',
      {
        class: 'mine-card',
        role: 'option',
        tabIndex: -1,
        dataset: { id: String(order.id) },
        'aria-label': t('mine.card.label', { number: order.number, customer: order.customer.name }),
        onclick: () => open(order.id),
        onfocus: (event) => roveTo(cards(), event.currentTarget, { focus: false, select: true }),
      },
      h(
        'div',
        { class: 'mine-card-head' },
        h('span', { class: 'mine-when' }, when),
        statusChip(order.status),
        priorityChip(order.priority),
        h('span', { class: 'mine-number num' }, order.number),
      ),
      h('div', { class: 'mine-customer' }, h('strong', {}, order.customer.name), phone),
      order.address ? h('div', { class: 'mine-address' }, order.address) : null,
      machine ? h('div', { class: 'mine-machine' }, machine) : null,
      order.fault ? h('div', { class: 'mine-fault', title: order.fault }, order.fault) : null,
    );
  }

  function group(id, title, orders, emptyText) {
    return h(
      'section',
      { class: 'mine-group', id, 'aria-label': title },
      h('h2', {}, title, ' ', h('span', { class: 'mine-count' }, t('mine.count', { count: orders.length }))),
      orders.length
        ? h('ul', { class: 'mine-list', role: 'listbox', 'aria-label': title }, orders.map(card))
        : h('p', { class: 'empty empty-small' }, emptyText),
    );
  }

  function show() {
    clear(body);
    body.removeAttribute('aria-busy');
    if (state.orders.length === 0) {
      body.append(h('p', { class: 'empty mine-empty', id: 'mine-empty', role: 'status' }, t('mine.empty')));
      return;
    }
    const { today, later } = splitByDay(state.orders, deskDate(new Date()));
    body.append(group('mine-today', t('mine.today'), today, t('mine.today.empty')), group('mine-open', t('mine.open'), later, t('mine.open.empty')));
    if (state.more) body.append(h('p', { class: 'hint' }, t('mine.more', { count: PAGE_SIZE })));
    rove(cards(), 0, { focus: true, select: true });
  }

  function showLoading() {
    clear(body);
    body.setAttribute('aria-busy', 'true');
    body.append(h('p', { class: 'empty mine-loading', id: 'mine-loading', role: 'status' }, t('common.loading')));
  }

  function showError(error) {
    clear(body);
    body.removeAttribute('aria-busy');
    const message = error?.code === 'network' ? t('error.network') : error?.message || String(error);
    // An account linked to no engineer: the reason, and no retry (only the admin can help).
    if (error?.field === 'mine') {
      body.append(h('p', { class: 'notice mine-unlinked', id: 'mine-unlinked', role: 'status' }, message));
      return;
    }
    const retry = h('button', { type: 'button', class: 'btn btn-primary', id: 'mine-retry' }, t('mine.retry'));
    retry.addEventListener('click', load);
    body.append(h('div', { class: 'mine-error', id: 'mine-error' }, h('p', { class: 'notice notice-error', role: 'alert' }, message), retry));
    retry.focus();
  }

  async function load() {
    const seq = ++state.seq;
    showLoading();
    try {
      const page = await ctx.call('orders.list', { mine: true, status: 'open', page_size: PAGE_SIZE });
      if (seq !== state.seq || !ctx.isCurrent()) return;
      state.orders = page?.items ?? [];
      state.more = Boolean(page?.more);
      show();
    } catch (error) {
      if (seq === state.seq && ctx.isCurrent()) showError(error);
    }
  }

  refresh.addEventListener('click', load);
  body.addEventListener('keydown', (event) => {
    const all = cards();
    const index = all.indexOf(event.target.closest?.('.mine-card'));
    if (index < 0 || modified(event)) return;
    const to = moveKey(event.key, index, all.length);
    if (to !== null) {
      event.preventDefault();
      rove(all, Math.max(0, to), { select: true });
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      open(all[index].dataset.id);
    }
  });

  await load();

  return {
    dispose() {
      state.seq += 1;
      resetTitle();
    },
    onKey(event) {
      if (modified(event) || isTyping(event.target)) return;
      if (event.key === 'r' || event.key === 'R') {
        event.preventDefault();
        load();
      } else if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && !event.target.closest?.('.mine-card')) {
        // From anywhere on the screen the arrows land on the list.
        const all = cards();
        if (all.length) {
          event.preventDefault();
          rove(all, 0, { select: true });
        }
      }
    },
  };
}

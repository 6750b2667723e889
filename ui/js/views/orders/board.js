// 派工看板 — the dispatcher's wall: orders waiting for an engineer and orders under way,
// each card with its clocks (about to break in amber, broken in red) and the parts the
// model usually needs with what the main store and the engineer's van hold ("缺货" at 0);
// the engineers with their load, region and today's appointments. A card opens the order.
// The board reads itself again every 30 seconds while it is on screen.
import { h, clear, isTyping } from '../../lib/dom.js';
import { errorText } from '../../lib/form.js';
import { warrantyChip } from '../../lib/format.js';
import { t } from '../../i18n.js';
import { appointmentText, deskClock } from '../../lib/dates.js';
import { clockChip } from './clocks.js';
import { orderKindLabel, priorityChip, statusChip } from './words.js';
import { modified } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';

const REFRESH_MS = 30_000;


/** Stock of one probable part: main store and van, with 缺货 where there is none. */
function partLine(p, assigned) {
  const stock = (label, n, where) =>
    h(
      'span',
      { class: `part-stock${n > 0 ? '' : ' is-out'}`, dataset: { where, onHand: String(n) } },
      `${label} ${n}`,
      n > 0 ? null : h('span', { class: 'chip chip-out' }, t('board.out')),
    );
  return h(
    'li',
    { class: 'card-part', dataset: { partId: String(p.part_id) } },
    h('span', { class: 'card-part-name', title: p.name }, `${p.code} ${p.name}`),
    h(
      'span',
      { class: 'card-part-stock' },
      stock(t('board.main'), p.main_on_hand ?? 0, 'main'),
      p.van_on_hand != null ? stock(t('board.van'), p.van_on_hand, 'van') : assigned ? h('span', { class: 'muted' }, t('board.novan')) : null,
    ),
  );
}

function card(o) {
  // A paused clock (待料 / 待客户) shows as such, never as the card's warning.
  const clocks = (o.clocks ?? []).filter((c) => ['running', 'warning', 'broken', 'paused'].includes(c.state));
  const worst = clocks.some((c) => c.state === 'broken') ? 'broken' : clocks.some((c) => c.state === 'warning') ? 'warning' : '';
  const assigned = Boolean(o.engineer);
  const parts = o.parts ?? [];
  return h(
    'a',
    {
      href: `#/orders/${o.id}`,
      class: `order-card${worst ? ` has-${worst}` : ''}${o.priority === 'urgent' ? ' is-urgent' : ''}`,
      dataset: { id: String(o.id), status: o.status, clock: worst || 'ok' },
    },
    h(
      'span',
      { class: 'card-top' },
      h('span', { class: 'card-number num' }, o.number),
      priorityChip(o.priority),
      assigned ? statusChip(o.status) : null,
      warrantyChip({ status: o.warranty, reason: o.warranty_reason }),
    ),
    h('span', { class: 'card-customer' }, h('strong', {}, o.customer?.name ?? ''), o.address ? h('span', { class: 'muted', title: o.address }, ` · ${o.address}`) : null),
    h('span', { class: 'card-model' }, o.equipment ? `${o.equipment.model} · ${o.equipment.serial}` : t('board.nomachine')),
    h('span', { class: 'card-fault', title: o.fault }, `${orderKindLabel(o.kind)}${o.fault ? ` · ${o.fault}` : ''}`),
    assigned
      ? h(
          'span',
          { class: 'card-engineer' },
          h('span', { class: 'card-engineer-name' }, o.engineer.name),
          o.appointment_from ? h('span', { class: 'num' }, ` · ${appointmentText(o.appointment_from, o.appointment_to)}`) : null,
        )
      : null,
    clocks.length ? h('span', { class: 'card-clocks' }, clocks.map(clockChip)) : null,
    parts.length
      ? h('ul', { class: 'card-parts', 'aria-label': t('board.parts') }, parts.map((p) => partLine(p, assigned)))
      : null,
  );
}

export async function render(root, ctx) {
  const head = h('div', { class: 'page-head board-head' });
  const refreshed = h('span', { class: 'page-sub num', id: 'board-refreshed', 'aria-live': 'polite' });
  const warnings = h('span', { id: 'board-warnings' });
  const failure = h('p', { class: 'notice notice-error', id: 'board-error', role: 'alert', hidden: true });
  const refresh = h('button', { type: 'button', class: 'btn', id: 'board-refresh', title: t('board.refresh.title') }, t('board.refresh'), ' ', h('kbd', {}, 'R'));
  const newOrder = h('a', { href: '#/orders/new', class: 'btn btn-primary', id: 'board-new-order', 'data-needs': 'orders.create', title: t('board.new.title') }, t('board.new'), ' ', h('kbd', {}, 'F2'));
  const columns = {
    unassigned: h('div', { class: 'board-cards', id: 'board-unassigned', dataset: { column: 'unassigned' } }),
    active: h('div', { class: 'board-cards', id: 'board-active', dataset: { column: 'active' } }),
  };
  const counts = { unassigned: h('span', { class: 'section-count' }), active: h('span', { class: 'section-count' }) };
  const engineers = h('ul', { class: 'board-engineers', id: 'board-engineers' });
  const engineersCount = h('span', { class: 'section-count' });

  head.append(h('h1', {}, t('board.title')), warnings, refreshed, h('div', { class: 'toolbar' }, refresh, newOrder));
  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-board', id: 'board' },
      head,
      failure,
      h(
        'div',
        { class: 'board-layout' },
        h('section', { class: 'board-column', 'aria-labelledby': 'board-unassigned-title' }, h('div', { class: 'section-head' }, h('h2', { id: 'board-unassigned-title' }, t('board.unassigned')), counts.unassigned), columns.unassigned),
        h('section', { class: 'board-column', 'aria-labelledby': 'board-active-title' }, h('div', { class: 'section-head' }, h('h2', { id: 'board-active-title' }, t('board.active')), counts.active), columns.active),
        h('section', { class: 'board-column board-side', 'aria-labelledby': 'board-engineers-title' }, h('div', { class: 'section-head' }, h('h2', { id: 'board-engineers-title' }, t('board.engineers')), engineersCount), engineers),
      ),
    ),
  );
  setTitle(t('board.title'));

  function showColumn(name, cards) {
    const focused = columns[name].contains(document.activeElement) ? document.activeElement.dataset.id : null;
    const scrolled = columns[name].scrollTop;
    clear(columns[name]);
    counts[name].textContent = t('board.count', { count: cards.length });
    if (cards.length === 0) {
      columns[name].append(h('p', { class: 'empty empty-small board-empty', id: `board-${name}-empty` }, t(`board.${name}.empty`)));
      return;
    }
    columns[name].append(...cards.map(card));
    // A refresh under the clerk's hands keeps the place and the focus on the same card.
    columns[name].scrollTop = scrolled;
    if (focused) columns[name].querySelector(`a[data-id="${focused}"]`)?.focus({ preventScroll: true });
  }

  function showEngineers(list) {
    clear(engineers);
    engineersCount.textContent = t('board.count.engineers', { count: list.length });
    if (list.length === 0) {
      engineers.append(h('li', { class: 'empty empty-small', id: 'board-engineers-empty' }, t('board.engineers.empty'), ' ', h('a', { href: '#/settings?section=engineers', 'data-needs': 'engineers.save' }, t('board.engineers.empty.link'))));
      return;
    }
    for (const e of list) {
      engineers.append(
        h(
          'li',
          { class: 'board-engineer', dataset: { id: String(e.id) } },
          h(
            'div',
            { class: 'engineer-head' },
            h('strong', {}, e.name),
            h('span', { class: `chip ${e.active > 0 ? 'chip-load' : 'chip-kind'}`, dataset: { active: String(e.active) } }, t('board.engineer.active', { count: e.active })),
            e.van_store_id ? h('span', { class: 'chip chip-kind' }, t('board.engineer.van')) : null,
          ),
          h('div', { class: 'muted engineer-region' }, e.region ? t('board.engineer.region', { region: e.region }) : t('board.engineer.noregion')),
          (e.today ?? []).length
            ? h(
                'ul',
                { class: 'engineer-today' },
                e.today.map((a) =>
                  h(
                    'li',
                    {},
                    h('span', { class: 'num' }, appointmentText(a.from, a.to).slice(6)),
                    ' ',
                    h('a', { href: `#/orders/${a.order_id}` }, a.customer),
                    h('span', { class: 'muted num' }, ` ${a.number}`),
                  ),
                ),
              )
            : h('div', { class: 'muted engineer-today-none' }, t('board.engineer.today.none')),
        ),
      );
    }
  }

  let seq = 0;
  // `background`: the timer's refresh, which does not keep an idle session alive.
  async function load({ background = false } = {}) {
    const mine = ++seq;
    refresh.disabled = true;
    try {
      const board = await ctx.call('orders.board', {}, { background });
      if (mine !== seq || !ctx.isCurrent()) return;
      failure.hidden = true;
      showColumn('unassigned', board.unassigned ?? []);
      showColumn('active', board.active ?? []);
      showEngineers(board.engineers ?? []);
      clear(warnings);
      if (board.warnings > 0) warnings.append(h('span', { class: 'chip chip-clock chip-clock-warning' }, t('board.warnings', { count: board.warnings })));
      refreshed.textContent = t('board.refreshed', { at: deskClock(new Date()) });
    } catch (error) {
      if (mine !== seq || !ctx.isCurrent()) return;
      // Keep the last board on screen and say it is stale.
      failure.textContent = t('board.failed', { message: errorText(error) });
      failure.hidden = false;
    } finally {
      if (mine === seq) refresh.disabled = false;
    }
  }
  refresh.addEventListener('click', () => load());

  await load();
  if (!ctx.isCurrent()) return null;
  const timer = setInterval(() => load({ background: true }), REFRESH_MS);
  (root.querySelector('.order-card') ?? newOrder).focus({ preventScroll: true });

  // ↑↓ move within a column, ←→ between the two columns, Enter opens (the card is a link).
  function move(event) {
    const cardEl = event.target.closest?.('.order-card');
    if (!cardEl) return false;
    const column = cardEl.parentElement;
    const cards = [...column.querySelectorAll('.order-card')];
    const at = cards.indexOf(cardEl);
    let next = null;
    if (event.key === 'ArrowDown') next = cards[Math.min(at + 1, cards.length - 1)];
    else if (event.key === 'ArrowUp') next = cards[Math.max(at - 1, 0)];
    else if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
      const other = column === columns.unassigned ? columns.active : columns.unassigned;
      const list = [...other.querySelectorAll('.order-card')];
      next = list[Math.min(at, list.length - 1)] ?? null;
    } else return false;
    if (next) next.focus();
    return true;
  }

  return {
    dispose() {
      clearInterval(timer);
      seq += 1;
      resetTitle();
    },
    onKey(event) {
      if (isTyping(event.target) || modified(event)) return;
      if (move(event)) {
        event.preventDefault();
      } else if (event.key === 'r' || event.key === 'R') {
        event.preventDefault();
        load();
      }
    },
  };
}

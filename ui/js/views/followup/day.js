// 今日 — the desk's home screen: the day in one read (core `day.board`). Complaints whose
// 24-hour reply is about to break or broke, unanswered, stand in a red strip at the top:
// the manager must see them. Loaners not back by their date (备用机, issue 21) stand in a
// strip below it while there are any. Below, seven sections: orders whose clocks are about to break,
// open complaints (escalated first), callbacks due, today's appointments, maintenance due
// this week (定期保养, issue 21), parts under their minimum, unpaid fees. Every item opens its record; an empty section says what is
// good. The board reads itself again every 60 seconds while on screen and says when it
// did. A clock alert (`day.alerts`) that is new since the last read becomes a system
// notification when the page is hidden or in the background and the clerk allowed them —
// asked once, from a button, never on load.
// Keys: ↑↓ between items, ←→ between sections, Enter opens, R reads again.
import { h, clear, isTyping } from '../../lib/dom.js';
import { errorText } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { yuan } from '../../lib/money.js';
import { appointmentText, deskClock, deskDate, deskDateTime } from '../../lib/dates.js';
import { clockChip } from '../orders/clocks.js';
import { orderKindLabel, statusChip } from '../orders/words.js';
import { dueStateChip, planText } from '../orders/plans.js';
import { callbackStateChip } from './callbacks.js';
import { causeLabel, escalatedChip, replyClockChip } from './complaints.js';
import { modified } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';
import { readText, writeText } from '../../lib/store.js';

const REFRESH_MS = 60_000;
const ASKED_KEY = 'desk.notify.asked';
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

// The alert keys seen at the last read, kept while the app runs so that leaving the board
// and coming back does not announce the same clock twice. Null until the first read.
let seenAlerts = null;

/** A new user at the desk: the alerts count as unseen again (the frame calls this at logout). */
export function forget() {
  seenAlerts = null;
}


/** "2026-11-23 周一" of the desk's day (UTC+8), from the core's now. */
function deskDay(now) {
  const text = deskDateTime(now);
  if (!text) return '';
  const day = text.slice(0, 10);
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return `${day} ${t(`day.weekday.${WEEKDAYS[weekday]}`)}`;
}

function notificationApi() {
  return typeof window.Notification === 'function' ? window.Notification : null;
}

function asked() {
  return readText(ASKED_KEY) === '1';
}

/** Where an alert's record is: order:ID:kind → the order, complaint:ID → the complaint. */
function alertHash(key) {
  const [kind, id] = String(key).split(':');
  if (kind === 'order' && id) return `#/orders/${id}`;
  if (kind === 'complaint' && id) return `#/complaints/${id}`;
  return '#/day';
}

// ---- the items of each section ------------------------------------------------------------

function itemLink(href, id, { cls = '', ...data } = {}, ...children) {
  return h('li', {}, h('a', { href, class: `day-item ${cls}`.trim(), dataset: { id: String(id), ...data } }, ...children));
}

function appointmentItem(o) {
  const when = appointmentText(o.appointment_from, o.appointment_to);
  return itemLink(
    `#/orders/${o.id}`,
    o.id,
    { cls: 'day-order' },
    h('span', { class: 'day-item-top' }, h('strong', { class: 'num day-when' }, when.slice(6) || when), h('span', { class: 'day-item-title' }, o.customer?.name ?? ''), statusChip(o.status)),
    h(
      'span',
      { class: 'day-item-line muted' },
      [o.number, o.engineer?.name ?? t('day.unassigned'), `${orderKindLabel(o.kind)}${o.fault ? ` · ${o.fault}` : ''}`].join(' · '),
    ),
  );
}

function clockItem(o) {
  const urgent = (o.clocks ?? []).filter((c) => c.state === 'warning' || c.state === 'broken');
  const broken = urgent.some((c) => c.state === 'broken');
  return itemLink(
    `#/orders/${o.id}`,
    o.id,
    { cls: `day-order ${broken ? 'is-broken' : 'is-warning'}` },
    h('span', { class: 'day-item-top' }, h('strong', { class: 'num' }, o.number), h('span', { class: 'day-item-title' }, o.customer?.name ?? ''), statusChip(o.status)),
    h('span', { class: 'day-item-chips' }, urgent.map(clockChip)),
  );
}

function callbackItem(c) {
  return itemLink(
    `#/callbacks?id=${c.id}`,
    c.id,
    { cls: `day-callback is-${c.state}`, state: c.state },
    h('span', { class: 'day-item-top' }, h('strong', { class: 'day-item-title' }, c.customer), h('span', { class: 'num' }, c.phone), callbackStateChip(c.state)),
    h('span', { class: 'day-item-line muted' }, `${c.order_number} · ${c.model || ''}${c.engineer ? ` · ${c.engineer}` : ''}`),
    h('span', { class: 'day-item-line muted num' }, t('day.callback.deadline', { at: deskDateTime(c.overdue) })),
  );
}

function complaintItem(k) {
  return itemLink(
    `#/complaints/${k.id}`,
    k.id,
    { cls: `day-complaint${k.escalated ? ' is-escalated' : ''}`, escalated: String(Boolean(k.escalated)) },
    h('span', { class: 'day-item-top' }, h('strong', { class: 'num' }, k.number), h('span', { class: 'day-item-title' }, k.customer), k.escalated ? escalatedChip() : null),
    h(
      'span',
      { class: 'day-item-chips' },
      replyClockChip(k),
      h('span', { class: 'muted day-item-note' }, `${causeLabel(k.cause, k.cause_label)} · ${k.handler ? t('day.complaint.handler', { name: k.handler }) : t('complaint.handler.none')}`),
    ),
  );
}

function lowItem(p) {
  return itemLink(
    `#/parts/${p.part_id}`,
    p.part_id,
    { cls: 'day-part' },
    h('span', { class: 'day-item-top' }, h('strong', { class: 'num' }, p.code), h('span', { class: 'day-item-title' }, p.name), h('span', { class: 'chip chip-low' }, t('day.low.short', { count: p.shortage }))),
    h('span', { class: 'day-item-line muted num' }, t('day.low.line', { on_hand: p.on_hand, min: p.min_stock })),
  );
}

function receivableItem(r) {
  return itemLink(
    `#/orders/${r.order_id}`,
    r.order_id,
    { cls: `day-receivable${r.days > 30 ? ' is-aged' : ''}` },
    h('span', { class: 'day-item-top' }, h('strong', { class: 'num' }, r.number), h('span', { class: 'day-item-title' }, r.customer), h('strong', { class: 'num day-money' }, yuan(r.outstanding_fen))),
    h('span', { class: 'day-item-line muted num' }, t('day.receivable.days', { days: r.days, at: deskDate(r.completed_at) })),
  );
}

// 本周到期保养 (issue 21): a machine of an active plan due by Sunday (or due earlier and
// not yet maintained); it opens the order the desk made for it, else the machine's file.
function maintenanceItem(n) {
  const href = n.order ? `#/orders/${n.order.id}` : `#/equipment/${n.equipment_id}`;
  return itemLink(
    href,
    n.equipment_id,
    { cls: `day-maintenance is-${n.state}`, state: n.state, serial: n.serial },
    h('span', { class: 'day-item-top' }, h('strong', { class: 'num day-when' }, n.due_on ?? ''), h('span', { class: 'day-item-title' }, n.customer), dueStateChip(n.state)),
    h('span', { class: 'day-item-line muted' }, `${n.model} · ${n.serial} · ${planText(n.plan)}`),
    h(
      'span',
      { class: 'day-item-line muted num' },
      n.order ? t('day.maintenance.order', { number: n.order.number, status: n.order.status_label }) : t('day.maintenance.no_order', { day: n.suggested_on ?? '' }),
    ),
  );
}

// Section key → how it reads from the board. In reading order: what burns first.
const SECTIONS = [
  { key: 'clocks', items: (b) => b.clocks ?? [], item: clockItem, link: '#/board' },
  { key: 'complaints', items: (b) => b.complaints ?? [], item: complaintItem, link: '#/complaints' },
  { key: 'callbacks', items: (b) => b.callbacks ?? [], item: callbackItem, link: '#/callbacks' },
  { key: 'appointments', items: (b) => b.appointments ?? [], item: appointmentItem, link: '#/board' },
  { key: 'maintenance', items: (b) => b.maintenance_week ?? [], item: maintenanceItem, link: null },
  { key: 'low-stock', items: (b) => b.low_stock ?? [], item: lowItem, link: '#/stock-report' },
  { key: 'receivables', items: (b) => b.receivables?.oldest ?? [], item: receivableItem, link: null },
];

export async function render(root, ctx) {
  const date = h('span', { class: 'page-sub num', id: 'day-date' });
  const refreshed = h('span', { class: 'page-sub num', id: 'day-refreshed', 'aria-live': 'polite' });
  const refresh = h('button', { type: 'button', class: 'btn', id: 'day-refresh', title: t('day.refresh.title') }, t('day.refresh'), ' ', h('kbd', {}, 'R'));
  const notify = h('span', { class: 'day-notify', id: 'day-notify-box' });
  const strip = h('div', { class: 'escalation-strip day-escalated', id: 'day-escalated', role: 'alert', hidden: true });
  const loanerStrip = h('div', { class: 'day-loaners', id: 'day-loaners', hidden: true });
  const failure = h('p', { class: 'notice notice-error', id: 'day-error', role: 'alert', hidden: true });
  // From December 1 while next year's official holidays are not loaded (the core decides,
  // and whether this user may load them: only then the link).
  const calendarNote = h('p', { class: 'notice notice-calendar', id: 'day-calendar-warning', hidden: true });
  const boxes = {};
  const grid = h('div', { class: 'day-grid' });
  for (const s of SECTIONS) {
    const list = h('ul', { class: 'day-list', id: `day-${s.key}-list` });
    const count = h('span', { class: 'section-count' });
    const title = h('h2', { id: `day-${s.key}-title` }, s.link ? h('a', { href: s.link, tabIndex: -1 }, t(`day.${s.key}`)) : t(`day.${s.key}`));
    const summary = h('div', { class: 'day-summary', hidden: true });
    const section = h(
      'section',
      { class: `day-section day-section-${s.key}`, id: `day-${s.key}`, 'aria-labelledby': title.id, dataset: { section: s.key } },
      h('div', { class: 'section-head' }, title, count),
      summary,
      list,
    );
    boxes[s.key] = { list, count, summary, section };
    grid.append(section);
  }

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-day', id: 'day' },
      h('div', { class: 'page-head day-head' }, h('h1', {}, t('day.title')), date, refreshed, h('div', { class: 'toolbar' }, notify, refresh)),
      failure,
      calendarNote,
      strip,
      loanerStrip,
      grid,
    ),
  );
  setTitle(t('day.title'));

  // ---- notifications: the button asks once; nothing asks on load ----------------------------
  function showNotify() {
    clear(notify);
    const api = notificationApi();
    if (!api) return;
    const permission = api.permission;
    if (permission === 'granted') notify.append(h('span', { class: 'muted', id: 'day-notify-state', dataset: { permission } }, t('day.notify.on')));
    else if (permission === 'denied') notify.append(h('span', { class: 'muted', id: 'day-notify-state', dataset: { permission } }, t('day.notify.denied')));
    else if (asked()) notify.append(h('span', { class: 'muted', id: 'day-notify-state', dataset: { permission } }, t('day.notify.off')));
    else {
      notify.append(
        h(
          'button',
          {
            type: 'button',
            class: 'btn btn-quiet btn-small',
            id: 'day-notify',
            title: t('day.notify.ask.title'),
            onclick: async () => {
              writeText(ASKED_KEY, '1');
              try {
                await api.requestPermission();
              } catch {
                // An old browser without the promise form: nothing to do.
              }
              if (ctx.isCurrent()) showNotify();
            },
          },
          t('day.notify.ask'),
        ),
      );
    }
  }

  function announce(items) {
    const keys = new Set(items.map((a) => a.key));
    const fresh = seenAlerts === null ? [] : items.filter((a) => !seenAlerts.has(a.key));
    seenAlerts = keys;
    const api = notificationApi();
    const away = document.hidden || !document.hasFocus();
    if (!fresh.length || !api || api.permission !== 'granted' || !away) return;
    for (const alert of fresh) {
      try {
        const note = new api(alert.title, { body: alert.body, tag: alert.key });
        note.onclick = () => {
          window.focus();
          ctx.navigate(alertHash(alert.key));
          note.close?.();
        };
      } catch {
        // Some windows cannot show notifications (a page not allowed to): the board shows it all.
      }
    }
  }

  // ---- the board ------------------------------------------------------------------------
  function showCalendar(warning) {
    clear(calendarNote);
    calendarNote.hidden = !warning;
    if (!warning) return;
    calendarNote.append(t(warning.may_fix ? 'day.calendar.fix' : 'day.calendar.tell', { year: warning.year }));
    if (warning.may_fix) {
      calendarNote.append(' ', h('a', { href: ctx.hashFor('/settings', { section: 'calendar' }), id: 'day-calendar-link' }, t('day.calendar.link')));
    }
  }

  function showStrip(board) {
    const escalated = (board.complaints ?? []).filter((k) => k.escalated);
    clear(strip);
    strip.hidden = escalated.length === 0;
    if (!escalated.length) return;
    strip.append(
      h('strong', { class: 'day-escalated-title' }, t('day.escalated.title', { count: escalated.length })),
      h(
        'ul',
        { class: 'day-escalated-list' },
        escalated.map((k) =>
          h(
            'li',
            {},
            h('a', { href: `#/complaints/${k.id}`, class: 'day-escalated-link', dataset: { id: String(k.id) } }, k.number),
            ` ${k.customer} · ${causeLabel(k.cause, k.cause_label)} · `,
            h('span', { class: 'num' }, k.reply_clock?.state === 'broken' ? t('day.escalated.over', { due: deskDateTime(k.reply_clock?.due) }) : t('day.escalated.due', { due: deskDateTime(k.reply_clock?.due) })),
          ),
        ),
      ),
    );
  }

  // 逾期未还的备用机: each opens the order it was lent on (where 归还 is).
  function showLoaners(board) {
    const late = board.overdue_loaners ?? [];
    clear(loanerStrip);
    loanerStrip.hidden = late.length === 0;
    if (!late.length) return;
    loanerStrip.append(
      h('a', { href: '#/loaners', class: 'day-loaners-title', tabIndex: -1 }, t('day.loaners.title', { count: late.length })),
      h(
        'ul',
        { class: 'day-loaners-list' },
        late.map((l) =>
          h(
            'li',
            {},
            h(
              'a',
              { href: `#/orders/${l.order_id}`, class: 'day-loaner-link', dataset: { id: String(l.id), serial: l.serial } },
              h('strong', { class: 'num' }, l.serial),
              ` ${l.customer} · `,
              h('span', { class: 'chip chip-low' }, t('day.loaners.late', { days: l.days_overdue })),
              h('span', { class: 'muted num' }, ` ${t('day.loaners.line', { model: l.model, number: l.order_number, due: l.due_date, deposit: yuan(l.deposit_fen) })}`),
            ),
          ),
        ),
      ),
    );
  }

  function showSection(s, board) {
    const box = boxes[s.key];
    const focused = box.list.contains(document.activeElement) ? document.activeElement.dataset.id : null;
    let items = s.items(board);
    if (s.key === 'complaints') items = items.slice().sort((a, b) => Number(Boolean(b.escalated)) - Number(Boolean(a.escalated)));
    clear(box.list);
    const total = s.key === 'receivables' ? board.receivables?.count ?? items.length : items.length;
    box.count.textContent = t('day.count', { count: total });
    box.section.classList.toggle('is-empty', total === 0);
    box.section.dataset.count = String(total);
    if (s.key === 'receivables') showReceivables(box, board.receivables);
    if (items.length === 0) {
      box.list.append(h('li', { class: 'day-empty', id: `day-${s.key}-empty` }, h('span', { class: 'day-good', 'aria-hidden': 'true' }, '✓ '), t(`day.${s.key}.empty`)));
      return;
    }
    box.list.append(...items.map(s.item));
    if (focused) box.list.querySelector(`a[data-id="${focused}"]`)?.focus({ preventScroll: true });
  }

  function showReceivables(box, r) {
    clear(box.summary);
    box.summary.hidden = !r || r.count === 0;
    if (box.summary.hidden) return;
    const aged = r.aged_fen ?? [0, 0, 0, 0];
    box.summary.append(
      h('div', { class: 'day-receivable-total' }, t('day.receivables.total'), ' ', h('strong', { class: 'num', id: 'day-receivables-total' }, yuan(r.total_fen))),
      h(
        'div',
        { class: 'day-aged num' },
        ['0_30', '31_60', '61_90', '90'].map((k, i) => h('span', { class: `day-aged-${k}${i > 0 && aged[i] > 0 ? ' is-aged' : ''}` }, t(`day.aged.${k}`), ' ', yuan(aged[i]))),
      ),
    );
  }

  let seq = 0;
  // `background`: the timer's refresh, which does not keep an idle session alive.
  async function load({ background = false } = {}) {
    const mine = ++seq;
    refresh.disabled = true;
    try {
      const board = await ctx.call('day.board', {}, { background });
      if (mine !== seq || !ctx.isCurrent()) return;
      failure.hidden = true;
      date.textContent = deskDay(board.now);
      showCalendar(board.calendar_warning ?? null);
      showStrip(board);
      showLoaners(board);
      for (const s of SECTIONS) showSection(s, board);
      refreshed.textContent = t('day.refreshed', { at: deskClock(new Date()) });
      try {
        const alerts = await ctx.call('day.alerts', {}, { background });
        if (mine === seq && ctx.isCurrent()) announce(alerts?.items ?? []);
      } catch {
        // The board is on screen; a missed alert comes back at the next read.
      }
    } catch (error) {
      if (mine !== seq || !ctx.isCurrent()) return;
      // The last board stays on screen, said to be stale.
      failure.textContent = t('day.failed', { message: errorText(error) });
      failure.hidden = false;
    } finally {
      if (mine === seq) refresh.disabled = false;
    }
  }
  refresh.addEventListener('click', () => load());

  showNotify();
  await load();
  if (!ctx.isCurrent()) return null;
  const timer = setInterval(() => load({ background: true }), REFRESH_MS);
  const first = strip.querySelector('a') ?? grid.querySelector('a.day-item');
  if (first) first.focus({ preventScroll: true });
  else ctx.focusView();

  function items() {
    return [...root.querySelectorAll('.day-escalated-link, .day-loaner-link, a.day-item')];
  }

  function move(event) {
    const all = items();
    const at = all.indexOf(event.target);
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const next = at < 0 ? all[0] : all[Math.min(Math.max(at + (event.key === 'ArrowDown' ? 1 : -1), 0), all.length - 1)];
      next?.focus();
      return true;
    }
    if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
      const sections = [...grid.querySelectorAll('.day-section')];
      const here = sections.indexOf(event.target.closest?.('.day-section'));
      const step = event.key === 'ArrowRight' ? 1 : -1;
      for (let i = here + step; i >= 0 && i < sections.length; i += step) {
        const link = sections[i].querySelector('a.day-item');
        if (link) {
          link.focus();
          break;
        }
      }
      return true;
    }
    return false;
  }

  return {
    dispose() {
      clearInterval(timer);
      seq += 1;
      resetTitle();
    },
    onKey(event) {
      if (isTyping(event.target) || modified(event)) return;
      if (move(event)) event.preventDefault();
      else if (event.key === 'r' || event.key === 'R') {
        event.preventDefault();
        load();
      }
    },
  };
}

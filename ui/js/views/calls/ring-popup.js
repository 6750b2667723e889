// 来电弹屏 (issue 20): the caller's screen when the phone rings. Rings come from the door's
// event stream (api.listenRings: a call centre's webhook, a caller-ID box, another desk's
// F8) or from this desk's own F8 (calls.ring). The pop-up lives beside the screens, not in
// them: changing screens does not hide it; it stays until the clerk closes it (Esc) or takes
// the call into 来电登记 (Enter) with the number filled; several rings queue, the oldest
// shown first. Each ring is shown once (its ring_id).
//
// What it shows, in the order RepairDesk's users asked for: every customer with the
// number (those with an open order first), their OPEN orders first with status and clocks,
// then the last completed order, what is unpaid, and the machines with their warranty
// verdict. An unknown number offers 新客户 with the number filled.
import { listenRings } from '../../api.js';
import { h, clear } from '../../lib/dom.js';
import { t } from '../../i18n.js';
import { deskDateTime } from '../../lib/dates.js';
import { yuan } from '../../lib/money.js';
import { errorText } from '../../lib/form.js';
import { phoneDisplay, warrantyChip } from '../../lib/format.js';
import { statusChip } from '../orders/words.js';
import { clockChip } from '../orders/clocks.js';

const QUEUE_MAX = 20; // rings kept waiting; older ones beyond it are dropped
const SEEN_MAX = 200;

let app = null; // { call, navigate, hashFor }
let stopStream = null;
const queue = [];
const seen = [];
let popup = null;
let returnFocus = null;
// The ring holds the focus until the clerk presses a key or clicks: a screen that finishes
// loading (and focuses its first field) or a dialog giving the focus back does not take it.
let holdFocus = false;
let guarding = false;

function guardFocus() {
  if (guarding) return;
  guarding = true;
  const release = () => {
    holdFocus = false;
  };
  document.addEventListener('keydown', release, true);
  document.addEventListener('pointerdown', release, true);
  document.addEventListener('focusin', (event) => {
    if (!holdFocus || !popup || popup.contains(event.target)) return;
    // Where the screen wanted the focus is where it goes back when the pop-up closes.
    returnFocus = event.target;
    popup.querySelector('.ring-take')?.focus();
  });
}

/** Starts listening for rings when this user takes calls (the frame calls it on login). */
export function start(frame, permitted) {
  stop();
  app = frame;
  if (!permitted.has('calls.ring')) return;
  document.body.dataset.rings = 'connecting';
  stopStream = listenRings({
    ring: (screen) => show(screen),
    state: (state) => {
      document.body.dataset.rings = state;
    },
  });
}

/** Logout: the stream ends, the pop-up and its queue go (the next user sees none of it). */
export function stop() {
  stopStream?.();
  stopStream = null;
  queue.length = 0;
  seen.length = 0;
  popup?.remove();
  popup = null;
  holdFocus = false;
  delete document.body.dataset.rings;
}

/** Adds a ring to the queue (once per ring) and shows the pop-up. */
export function show(screen) {
  if (!screen || typeof screen !== 'object') return;
  if (screen.ring_id && seen.includes(screen.ring_id)) return;
  if (screen.ring_id) {
    seen.push(screen.ring_id);
    if (seen.length > SEEN_MAX) seen.shift();
  }
  queue.push(screen);
  if (queue.length > QUEUE_MAX) queue.shift();
  const wasShown = Boolean(popup);
  draw();
  // The phone rings: the clerk's hands go to it (focus comes back when it closes).
  if (!wasShown) {
    returnFocus = document.activeElement;
    popup.querySelector('.ring-take')?.focus();
    guardFocus();
    holdFocus = true;
  }
}

function closeCurrent() {
  queue.shift();
  if (queue.length) {
    draw();
    popup.querySelector('.ring-take')?.focus();
  } else {
    holdFocus = false;
    popup?.remove();
    popup = null;
    if (returnFocus?.isConnected) returnFocus.focus();
    returnFocus = null;
  }
}

function take(screen) {
  closeCurrent();
  app.navigate(app.hashFor('/orders/new', { phone: screen.phone }));
}

function newCustomer(screen) {
  closeCurrent();
  app.navigate(app.hashFor('/customers/new', { phone: screen.phone }));
}

function orderRow(o, { last = false } = {}) {
  return h(
    'li',
    { class: `ring-order${o.open ? ' ring-order-open' : ''}`, dataset: { order: o.id } },
    h('a', { href: `#/orders/${o.id}`, class: 'num' }, o.number),
    ' ',
    statusChip(o.status),
    ' ',
    h('span', { class: 'ring-machine' }, o.equipment ? `${o.equipment.model} ${o.equipment.serial}` : ''),
    ' ',
    h('span', { class: 'ring-fault' }, o.fault),
    h(
      'div',
      { class: 'ring-order-meta muted' },
      last ? t('calls.completed_at', { at: deskDateTime(o.completed_at) }) : t('calls.created_at', { at: deskDateTime(o.created_at) }),
      o.engineer ? ` · ${t('calls.engineer', { name: o.engineer.name })}` : '',
      o.outstanding_fen > 0 ? ` · ${t('calls.outstanding', { amount: yuan(o.outstanding_fen) })}` : '',
    ),
    o.open && o.clocks?.length ? h('div', { class: 'ring-clocks' }, o.clocks.map(clockChip)) : null,
  );
}

function customerBlock(file) {
  const c = file.customer;
  return h(
    'section',
    { class: 'ring-customer', dataset: { customer: c.id } },
    h(
      'h3',
      {},
      h('a', { href: `#/customers/${c.id}` }, c.name),
      ' ',
      h('span', { class: 'num muted' }, (c.phones ?? []).map(phoneDisplay).join('，')),
      file.unpaid_fen > 0 ? h('span', { class: 'chip chip-unpaid' }, t('calls.unpaid', { amount: yuan(file.unpaid_fen) })) : null,
    ),
    c.address ? h('div', { class: 'muted' }, c.address) : null,
    h('h4', {}, t('calls.open_orders', { n: file.open_orders.length })),
    file.open_orders.length
      ? h('ul', { class: 'ring-orders ring-open' }, file.open_orders.map((o) => orderRow(o)))
      : h('p', { class: 'muted' }, t('calls.no_open_orders')),
    file.last_completed
      ? [h('h4', {}, t('calls.last_completed')), h('ul', { class: 'ring-orders ring-last' }, orderRow(file.last_completed, { last: true }))]
      : null,
    file.machines.length
      ? [
          h('h4', {}, t('calls.machines', { n: file.machines.length })),
          h(
            'ul',
            { class: 'ring-machines' },
            file.machines.slice(0, 6).map((m) => h('li', {}, `${m.model?.name ?? ''} `, h('span', { class: 'num' }, m.serial), ' ', warrantyChip(m.warranty))),
          ),
        ]
      : null,
  );
}

function draw() {
  const screen = queue[0];
  if (!popup) {
    popup = h('aside', {
      id: 'ring-popup',
      class: 'ring-popup',
      role: 'dialog',
      'aria-modal': 'false',
      'aria-labelledby': 'ring-title',
      tabindex: '-1',
    });
    popup.addEventListener('keydown', onKey);
    document.body.append(popup);
  }
  clear(popup);
  popup.dataset.ring = screen.ring_id ?? '';
  popup.dataset.phone = screen.phone;
  const known = screen.customers.length > 0;
  const takeButton = h('button', { type: 'button', class: 'btn btn-primary ring-take', id: 'ring-take' }, t('calls.take'), ' ', h('kbd', {}, 'Enter'));
  takeButton.addEventListener('click', () => take(screen));
  const newButton = known ? null : h('button', { type: 'button', class: 'btn ring-new', id: 'ring-new' }, t('calls.new_customer'));
  newButton?.addEventListener('click', () => newCustomer(screen));
  const closeButton = h('button', { type: 'button', class: 'btn btn-quiet ring-close', id: 'ring-close' }, t('calls.close'), ' ', h('kbd', {}, 'Esc'));
  closeButton.addEventListener('click', closeCurrent);
  popup.append(
    h(
      'header',
      { class: 'ring-head' },
      h('h2', { id: 'ring-title' }, t('calls.title'), ' ', h('span', { class: 'num ring-number' }, screen.phone_display || screen.phone)),
      h(
        'div',
        { class: 'ring-meta muted' },
        h('span', { class: 'chip ring-source' }, t(`calls.source.${screen.source}`)),
        screen.line ? ` ${t('calls.line', { line: screen.line })}` : '',
        ` · ${deskDateTime(screen.at)}`,
        queue.length > 1 ? h('strong', { class: 'ring-queue', id: 'ring-queue' }, ` · ${t('calls.queue', { n: queue.length - 1 })}`) : '',
      ),
    ),
    h(
      'div',
      { class: 'ring-body' },
      known
        ? screen.customers.map(customerBlock)
        : h('p', { class: 'ring-unknown', id: 'ring-unknown' }, t('calls.unknown')),
      screen.more ? h('p', { class: 'muted' }, t('calls.more')) : null,
    ),
    h('footer', { class: 'ring-actions' }, takeButton, newButton, closeButton),
  );
}

function onKey(event) {
  if (event.isComposing) return;
  if (event.key === 'Escape') {
    event.preventDefault();
    event.stopPropagation();
    closeCurrent();
  } else if (event.key === 'Enter' && event.target === popup) {
    event.preventDefault();
    take(queue[0]);
  }
}

// ---- F8 来电: the clerk's own ring, when neither a call centre nor a box is connected ----

let asker = null;

/** F8: asks for the number that rings and rings it (shown here; other desks get it too). */
export function ask() {
  if (!app) return;
  if (popup && !popup.contains(document.activeElement)) {
    // A pop-up is waiting: F8 goes to it first.
    popup.querySelector('.ring-take')?.focus();
    return;
  }
  asker?.remove();
  const input = h('input', {
    id: 'ring-ask-phone',
    class: 'input input-phone num',
    type: 'text',
    inputmode: 'tel',
    maxlength: '40',
    autocomplete: 'off',
    'aria-describedby': 'ring-ask-error',
  });
  const error = h('div', { class: 'field-error', id: 'ring-ask-error', role: 'alert' });
  const ok = h('button', { type: 'submit', class: 'btn btn-primary' }, t('calls.ask.ring'));
  const cancel = h('button', { type: 'button', class: 'btn btn-quiet', value: 'cancel' }, t('calls.close'));
  const form = h(
    'form',
    { method: 'dialog', class: 'ring-ask-form' },
    h('h2', {}, t('calls.ask.title')),
    h('label', { for: 'ring-ask-phone' }, t('calls.ask.phone')),
    input,
    error,
    h('div', { class: 'dialog-actions' }, ok, cancel),
  );
  asker = h('dialog', { id: 'ring-ask', class: 'panel ring-ask', 'aria-labelledby': 'ring-ask-title' }, form);
  form.querySelector('h2').id = 'ring-ask-title';
  document.body.append(asker);
  const dialog = asker;
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    input.removeAttribute('aria-invalid');
    try {
      const screen = await app.call('calls.ring', { phone: input.value });
      dialog.close();
      show(screen);
    } catch (e) {
      error.textContent = errorText(e);
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  });
  dialog.showModal();
  input.focus();
}

// 来电登记 — the phone rings (F2 from anywhere): type the number the caller rings from
// (whole or its last 4 digits), see who it is with their machines (warranty and its
// reason) and open orders, choose customer and machine with ↑↓ and Enter, or add a new
// caller and machine in place; then type, channel, mode, priority, the model's common
// faults, the fault in the caller's words, the appointment, and save with Ctrl+S. A
// walk-in is a minute's work without the mouse: the number, Enter, → on 来源, the fault,
// Ctrl+S.
//
// One action, one transaction: a new caller and a new machine are only checked in place
// (`orders.intake {check: true}`, which also gives the warranty verdict); Ctrl+S registers
// caller, machine and order together with `orders.intake`, or nothing, and every refused
// field of every part is shown at once. What is typed is kept as a draft in localStorage
// (`draft.intake`) until the order is registered, so a stray Esc, link or reload loses
// nothing. Choosing another caller than the one the typed work was for starts a fresh
// intake, with 撤销 to bring the first caller's back.
import { h, clear, debounce } from '../../lib/dom.js';
import { errorsFor, errorText, field } from '../../lib/form.js';
import { dateText, phoneDisplay, sanbaoChip, warrantyChip } from '../../lib/format.js';
import { t } from '../../i18n.js';
import { CHANNELS, KINDS, MODES, PRIORITIES, statusChip } from './words.js';
import { isSave } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';
import { rove } from '../../lib/roving.js';
import { readJson, writeJson } from '../../lib/store.js';
import { deskDateTime } from '../../lib/dates.js';
import { splitPhones } from '../archive/customer-form.js';
import { intakePhotos } from './order-photos.js';

const LOOKUP_MS = 250;
const DUPLICATE_MS = 350;
const MIN_DIGITS = 4;
/** Where the typed intake is kept (logout forgets every `draft.` key). */
export const DRAFT_KEY = 'draft.intake';

/** The digits of a typed number, folded as the core folds them (full-width, +86, 0086). */
const digitsOf = (text) => {
  const folded = String(text ?? '')
    .replace(/[０-９＋]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .trim();
  const digits = folded.replace(/\D/g, '');
  if (digits.startsWith('0086')) return digits.slice(4);
  if (folded.startsWith('+') && digits.startsWith('86')) return digits.slice(2);
  return digits;
};

/** The refused fields of an error, as `{field, message}` (one when it named one field). */
const fieldsOf = (error) =>
  Array.isArray(error?.fields) && error.fields.length ? error.fields : [{ field: error?.field ?? null, message: errorText(error) }];

/** A new caller as the inline form holds it (flat, the phones as typed). */
const flatOf = (pending) => ({
  ...(pending?.customer ?? {}),
  phones: (pending?.customer?.phones ?? []).join('，'),
  ...(pending?.equipment ?? {}),
});

/** The fields of one part (`customer.`, `equipment.`) without the part's name. */
const partOf = (fields, part) =>
  fields.filter((f) => f.field?.startsWith(`${part}.`)).map((f) => ({ field: f.field.slice(part.length + 1), message: f.message }));

/** A radio group drawn as a row of buttons: arrows move within it, Tab leaves it. */
function segmented(name, values, value, labelKey) {
  const group = h('div', { class: 'segmented', id: `intake-${name}`, role: 'radiogroup', tabIndex: -1 });
  for (const v of values) {
    group.append(
      h(
        'label',
        { class: 'segment', for: `intake-${name}-${v}` },
        h('input', { type: 'radio', name, value: v, id: `intake-${name}-${v}`, checked: v === value }),
        h('span', {}, t(`${labelKey}.${v}`)),
      ),
    );
  }
  return group;
}

function groupField(name, group, label, hint) {
  group.setAttribute('aria-label', label);
  return h(
    'div',
    { class: `field field-${name}` },
    h('span', { class: 'label' }, label),
    h(
      'div',
      { class: 'control' },
      group,
      h('div', { class: 'field-error', dataset: { for: name }, 'aria-live': 'polite' }),
      hint ? h('div', { class: 'hint' }, hint) : null,
    ),
  );
}

/** The caller lookup's shape for one customer, read by id (the customer file's F2). */
async function matchFor(ctx, customerId) {
  const [customer, machines, orders] = await Promise.all([
    ctx.call('customers.get', { id: customerId }),
    ctx.call('equipment.list', { customer_id: customerId }),
    ctx.call('orders.list', { customer_id: customerId, status: 'open', page: 1, page_size: 20 }),
  ]);
  return { customer, machines: machines?.items ?? [], open_orders: orders?.items ?? [] };
}

export async function render(root, ctx) {
  const presetId = Number(ctx.query.get('customer')) || null;
  const [catalogue, preset, info] = await Promise.all([
    ctx.call('models.list', {}),
    presetId ? matchFor(ctx, presetId) : null,
    // Who and which file, for the draft (the frame may not have asked yet after a reload).
    ctx.info?.() ?? ctx.refreshInfo?.(),
  ]);
  if (!ctx.isCurrent()) return null;
  const models = catalogue?.items ?? [];
  const presetNumber = preset ? preset.customer.phones?.[0]?.number ?? '' : '';
  // 来电弹屏's 来电登记 (issue 20): a new call with the number that rang, not an earlier
  // half-typed one (its draft stays stored until the clerk types in this one).
  const rang = preset ? '' : (ctx.query?.get('phone') ?? '').slice(0, 40);

  const state = {
    matches: [],
    query: '',
    options: [], // [{type: machine|none|add_machine|new_customer, match, machine}]
    active: -1,
    chosen: null, // {match, machine, pending}: pending = what orders.intake will add ({customer?, customer_id?, equipment?})
    workFor: null, // the caller the typed order belongs to ('c17', or 'new')
    stash: null, // a new caller's typed details (flat) while the number is being changed
    before: null, // the intake as it was for the caller chosen before the number changed
    chosenNumber: '', // the number in the box when the caller was chosen
    autoPhone: '', // 联系电话 as filled in from the number that rang (not typed)
    seq: 0,
    looking: null, // the pending lookup
    inline: null, // the open inline form: {type, form, submit, confirm, focus, values, errors, match}
    applying: false, // a draft or an undo is being put back: no saving meanwhile
    done: false, // the order is registered: the draft is gone for good
  };

  // ---- the caller (left) ------------------------------------------------------------------
  const phone = h('input', {
    id: 'caller-phone',
    class: 'input input-phone num',
    type: 'text',
    inputmode: 'tel',
    autocomplete: 'off',
    spellcheck: 'false',
    maxlength: '40',
    role: 'combobox',
    'aria-autocomplete': 'list',
    'aria-controls': 'caller-results',
    'aria-expanded': 'false',
    placeholder: t('intake.phone.placeholder'),
  });
  const callerError = h('div', { class: 'field-error', id: 'caller-error', 'aria-live': 'polite' });
  const results = h('ul', { id: 'caller-results', class: 'caller-results', role: 'listbox', 'aria-label': t('intake.results') });
  const chosenBox = h('div', { id: 'caller-chosen', class: 'caller-chosen', hidden: true });
  const inlineBox = h('div', { class: 'caller-inline' });
  const callerCard = h(
    'section',
    { class: 'card intake-caller', id: 'intake-caller' },
    h('h2', {}, t('intake.caller')),
    h(
      'div',
      { class: 'caller-phone-row' },
      h('label', { for: 'caller-phone' }, t('intake.phone')),
      phone,
      h('kbd', { class: 'caller-kbd', 'aria-hidden': 'true' }, 'F2'),
    ),
    callerError,
    h('div', { class: 'hint', id: 'caller-hint' }, t('intake.phone.hint')),
    results,
    chosenBox,
    inlineBox,
  );

  // ---- the order (right) -------------------------------------------------------------------
  const DEFAULTS = { kind: 'repair', channel: 'phone', mode: 'on_site', priority: 'normal' };
  const groups = {
    kind: segmented('kind', KINDS, DEFAULTS.kind, 'order.kind'),
    channel: segmented('channel', CHANNELS, DEFAULTS.channel, 'order.channel'),
    mode: segmented('mode', MODES, DEFAULTS.mode, 'order.mode'),
    priority: segmented('priority', PRIORITIES, DEFAULTS.priority, 'order.priority'),
  };
  const value = (name) => groups[name].querySelector('input:checked')?.value ?? '';
  const setValue = (name, v) => {
    const radio = groups[name].querySelector(`input[value="${v}"]`);
    if (radio) radio.checked = true;
  };
  const checkedRadio = (name) => groups[name].querySelector('input:checked');
  const chips = h('div', { class: 'fault-chips', id: 'intake-fault-tags', role: 'toolbar', 'aria-label': t('intake.fault_tags') });
  const chipsHint = h('div', { class: 'hint', id: 'intake-fault-tags-hint' }, t('intake.fault_tags.nomachine'));
  const controls = {
    fault: h('textarea', { class: 'input input-wide', rows: 2, maxlength: '500', placeholder: t('intake.fault.placeholder') }),
    contact: h('input', { class: 'input', type: 'text', maxlength: '40', autocomplete: 'off' }),
    phone: h('input', { class: 'input num', type: 'text', inputmode: 'tel', maxlength: '40', autocomplete: 'off' }),
    address: h('input', { class: 'input input-wide', type: 'text', maxlength: '200', autocomplete: 'off' }),
    appointment_from: h('input', { class: 'input input-when num', type: 'datetime-local' }),
    appointment_to: h('input', { class: 'input input-when num', type: 'datetime-local', 'aria-label': t('order.appointment.to') }),
    // Unticked: only the clerk's tick says the caller confirmed; it stops the 3-minute clock.
    confirmed: h('input', { type: 'checkbox' }),
  };
  let addressTouched = false;
  controls.address.addEventListener('input', () => (addressTouched = true));
  controls.appointment_from.id = 'intake-appointment_from';
  controls.appointment_from.name = 'appointment_from';
  controls.appointment_to.id = 'intake-appointment_to';
  controls.appointment_to.name = 'appointment_to';
  controls.confirmed.id = 'intake-confirmed';
  controls.confirmed.name = 'confirmed';
  const save = h('button', { type: 'submit', id: 'intake-save', class: 'btn btn-primary', title: t('intake.save.title') }, t('intake.save'), ' ', h('kbd', {}, 'Ctrl+S'));
  const cancel = h('button', { type: 'button', id: 'intake-cancel', class: 'btn', onclick: () => leave() }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
  const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  // 接机拍照: pictures taken or chosen now, sent to the order once it is registered.
  const photos = intakePhotos({ ctx });
  const form = h(
    'form',
    { id: 'intake-form', class: 'form intake-form', novalidate: true, autocomplete: 'off' },
    h('h2', {}, t('intake.order')),
    formError,
    groupField('kind', groups.kind, t('order.f.kind')),
    groupField('channel', groups.channel, t('order.f.channel'), null),
    h('div', { class: 'field-pair field-pair-mode' }, groupField('mode', groups.mode, t('order.f.mode')), groupField('priority', groups.priority, t('order.f.priority'))),
    h(
      'div',
      { class: 'field field-fault_tags' },
      h('span', { class: 'label' }, t('intake.fault_tags')),
      h('div', { class: 'control' }, h('div', { class: 'chips-row' }, chips, chipsHint), h('div', { class: 'field-error', dataset: { for: 'fault_tags' }, 'aria-live': 'polite' })),
    ),
    field('intake', 'fault', controls.fault, { label: t('order.f.fault') }),
    h(
      'div',
      { class: 'field-pair' },
      field('intake', 'contact', controls.contact, { label: t('order.f.contact') }),
      field('intake', 'phone', controls.phone, { label: t('order.f.phone') }),
    ),
    field('intake', 'address', controls.address, { label: t('order.f.address') }),
    h(
      'div',
      { class: 'field field-appointment' },
      h('label', { for: 'intake-appointment_from' }, t('order.f.appointment')),
      h(
        'div',
        { class: 'control' },
        h('div', { class: 'inline' }, controls.appointment_from, h('span', { class: 'muted' }, t('order.to')), controls.appointment_to),
        h('div', { class: 'field-error', dataset: { for: 'appointment_from' }, 'aria-live': 'polite' }),
        h('div', { class: 'field-error', dataset: { for: 'appointment_to' }, 'aria-live': 'polite' }),
      ),
    ),
    h(
      'div',
      { class: 'field field-confirmed' },
      h('span', { class: 'label' }),
      h(
        'div',
        { class: 'control' },
        h(
          'label',
          { class: 'check', for: 'intake-confirmed' },
          controls.confirmed,
          ' ',
          t('intake.confirmed'),
          h('span', { class: 'muted check-note' }, t('intake.confirmed.hint')),
        ),
      ),
    ),
    photos.element,
    h('div', { class: 'form-actions' }, save, cancel),
  );

  // Notices above the two columns: a restored draft, a fresh intake for another caller.
  const draftNotice = h('div', { class: 'notice intake-notice', id: 'intake-draft', role: 'status', hidden: true });
  const resetNotice = h('div', { class: 'notice intake-notice', id: 'intake-reset', role: 'status', hidden: true });

  clear(root);
  const page = h(
    'section',
    { class: 'page page-intake' },
    h('div', { class: 'page-head' }, h('h1', { id: 'intake' }, t('intake.title')), h('span', { class: 'page-sub' }, t('intake.lead'))),
    draftNotice,
    resetNotice,
    h('div', { class: 'intake-layout' }, callerCard, form),
  );
  root.append(page);
  setTitle(t('intake.title'));

  const errors = errorsFor(form, { ...controls, ...groups }, formError);

  // ---- sensible defaults that follow each other ---------------------------------------------
  // Walk-in means carried in, consultation means help on the phone, unless the clerk chose.
  let modeTouched = false;
  groups.mode.addEventListener('change', () => (modeTouched = true));
  groups.mode.title = t('intake.mode.hint');
  controls.fault.title = t('intake.fault.hint');
  function defaultMode() {
    if (modeTouched) return;
    if (value('channel') === 'walk_in') setValue('mode', 'carry_in');
    else if (value('kind') === 'consultation') setValue('mode', 'phone_help');
    else setValue('mode', 'on_site');
  }
  groups.channel.addEventListener('change', defaultMode);
  groups.kind.addEventListener('change', defaultMode);

  // ---- common faults of the model -------------------------------------------------------------
  let faultSeq = 0;
  function chipButtons() {
    return [...chips.querySelectorAll('button.fault-chip')];
  }
  const pressedTags = () =>
    chipButtons()
      .filter((b) => b.getAttribute('aria-pressed') === 'true')
      .map((b) => b.dataset.fault);
  function chip(fault, n, pressed) {
    return h(
      'button',
      {
        type: 'button',
        class: 'fault-chip',
        'aria-pressed': pressed ? 'true' : 'false',
        tabIndex: n === 0 ? 0 : -1,
        dataset: { fault },
        onclick: (event) => {
          const b = event.currentTarget;
          b.setAttribute('aria-pressed', b.getAttribute('aria-pressed') === 'true' ? 'false' : 'true');
          keepDraft();
        },
      },
      fault,
    );
  }
  /** The model's common faults as chips; `pressed` ones ticked (a restored draft's). */
  async function loadFaults(machine, pressed = []) {
    const mine = ++faultSeq;
    clear(chips);
    if (!machine) {
      chipsHint.textContent = t('intake.fault_tags.nomachine');
      return;
    }
    chipsHint.textContent = t('common.loading');
    try {
      const result = await ctx.call('orders.faults', { model_id: machine.model.id });
      if (mine !== faultSeq || !ctx.isCurrent()) return;
      const items = result?.items ?? [];
      const all = [...items, ...pressed.filter((f) => !items.includes(f))];
      all.forEach((fault, n) => chips.append(chip(fault, n, pressed.includes(fault))));
      chipsHint.textContent = all.length ? t('intake.fault_tags.hint') : t('intake.fault_tags.none', { model: machine.model.code });
    } catch (error) {
      if (mine === faultSeq) chipsHint.textContent = errorText(error);
    }
  }
  chips.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft' && event.key !== 'Home' && event.key !== 'End') return;
    const all = chipButtons();
    const at = all.indexOf(event.target);
    if (at < 0) return;
    event.preventDefault();
    const next = event.key === 'Home' ? 0 : event.key === 'End' ? all.length - 1 : (at + (event.key === 'ArrowRight' ? 1 : -1) + all.length) % all.length;
    rove(all, next);
  });

  // ---- what was typed: a snapshot (the draft, the undo) ------------------------------------------
  function orderValues() {
    return {
      kind: value('kind'),
      channel: value('channel'),
      mode: value('mode'),
      priority: value('priority'),
      fault: controls.fault.value,
      tags: pressedTags(),
      contact: controls.contact.value,
      phone: controls.phone.value,
      address: controls.address.value,
      appointment_from: controls.appointment_from.value,
      appointment_to: controls.appointment_to.value,
      confirmed: controls.confirmed.checked,
      touched: { address: addressTouched, mode: modeTouched },
    };
  }
  /** Whether something of the order itself (not the caller) was typed or changed. */
  function orderTyped(o = orderValues()) {
    return Boolean(
      o.fault.trim() ||
        o.tags.length ||
        o.contact.trim() ||
        (o.phone.trim() && o.phone.trim() !== state.autoPhone) ||
        (o.touched.address && o.address.trim()) ||
        o.appointment_from ||
        o.appointment_to ||
        o.confirmed ||
        o.kind !== DEFAULTS.kind ||
        o.channel !== DEFAULTS.channel ||
        o.priority !== DEFAULTS.priority ||
        o.touched.mode,
    );
  }
  function callerValues() {
    if (state.inline) return { inline: state.inline.type, customer_id: state.inline.match?.customer.id ?? null, values: state.inline.raw() };
    if (state.chosen?.pending) return { pending: state.chosen.pending };
    if (state.chosen) return { customer_id: state.chosen.match.customer.id, equipment_id: state.chosen.machine?.id ?? null };
    return null;
  }
  // A draft belongs to one data file and one user: ids mean nothing in another file, and
  // another clerk's half-typed call is not theirs to finish.
  const owner = () => ({ file: info?.data_file ?? '', user: info?.user?.name ?? '' });
  function snapshot() {
    return { v: 1, at: new Date().toISOString(), ...owner(), number: phone.value, caller: callerValues(), order: orderValues(), workFor: state.workFor };
  }
  /** Something typed: the frame asks before leaving (and the draft is kept). */
  function isDirty() {
    if (state.done) return false;
    if (state.inline || state.chosen?.pending) return true;
    const number = phone.value.trim();
    return orderTyped() || (number !== '' && number !== presetNumber && number !== rang);
  }
  function keepDraft() {
    if (state.applying || state.done) return;
    writeJson(DRAFT_KEY, isDirty() ? snapshot() : null);
  }
  page.addEventListener('input', keepDraft);
  page.addEventListener('change', keepDraft);

  function putOrder(o) {
    for (const name of Object.keys(groups)) setValue(name, o?.[name] || DEFAULTS[name]);
    for (const name of ['fault', 'contact', 'phone', 'address', 'appointment_from', 'appointment_to']) controls[name].value = o?.[name] ?? '';
    controls.confirmed.checked = Boolean(o?.confirmed);
    addressTouched = Boolean(o?.touched?.address);
    modeTouched = Boolean(o?.touched?.mode);
  }

  /** Puts a snapshot back: the number, the caller (read again from the core), the order. */
  async function apply(snap) {
    state.applying = true;
    try {
      errors.clearAll();
      callerError.textContent = '';
      closeInline();
      state.chosen = null;
      state.matches = [];
      state.query = '';
      state.active = -1;
      phone.value = snap?.number ?? '';
      state.autoPhone = '';
      putOrder(snap?.order);
      const caller = snap?.caller ?? null;
      state.workFor = snap?.workFor ?? null;
      let machine = null;
      if (caller?.customer_id && !caller.inline) {
        const match = await matchFor(ctx, caller.customer_id).catch(() => null);
        if (!ctx.isCurrent()) return;
        if (match) {
          state.matches = [match];
          buildOptions();
          machine = (match.machines ?? []).find((m) => m.id === caller.equipment_id) ?? null;
          setChosen(match, machine, null, { quiet: true });
        }
      } else if (caller?.pending) {
        const ok = await checkCaller(caller.pending).catch(() => false);
        if (!ctx.isCurrent()) return;
        if (ok) ({ machine } = state.chosen);
        else await reopenPending(caller.pending, { quiet: true });
      } else if (caller?.inline === 'customer') {
        openCustomerForm(caller.values, { quiet: true });
      } else if (caller?.inline === 'machine' && caller.customer_id) {
        const match = await matchFor(ctx, caller.customer_id).catch(() => null);
        if (!ctx.isCurrent()) return;
        if (match) {
          state.matches = [match];
          buildOptions();
          openMachineForm(match, caller.values, { quiet: true });
        }
      } else if (digitsOf(phone.value).length >= MIN_DIGITS) {
        await lookUp();
        if (!ctx.isCurrent()) return;
      }
      // setChosen fills the caller's defaults; what was typed wins.
      putOrder(snap?.order);
      await loadFaults(machine, snap?.order?.tags ?? []);
      if (!state.matches.length && !state.chosen) buildOptions();
      showResults();
    } finally {
      state.applying = false;
    }
  }

  function showDraftNotice(saved) {
    clear(draftNotice);
    const discard = h('button', { type: 'button', class: 'btn btn-small', id: 'intake-draft-discard' }, t('intake.draft.discard'));
    discard.addEventListener('click', async () => {
      writeJson(DRAFT_KEY, null);
      draftNotice.hidden = true;
      await startFresh();
      ctx.toast(t('intake.draft.discarded'));
      phone.focus();
    });
    draftNotice.append(
      h('strong', {}, t('intake.draft.restored')),
      ' ',
      h('span', { class: 'muted' }, t('intake.draft.when', { at: deskDateTime(saved?.at) })),
      ' ',
      discard,
    );
    draftNotice.hidden = false;
  }

  /** Another caller is chosen while the order holds what was typed for the first: start
   * afresh for the new one, and offer to bring the first back. */
  function offerUndo(before, name) {
    clear(resetNotice);
    const undo = h('button', { type: 'button', class: 'btn btn-small', id: 'intake-reset-undo' }, t('intake.reset.undo'));
    undo.addEventListener('click', async () => {
      resetNotice.hidden = true;
      await apply(before);
      keepDraft();
      checkedRadio('kind').focus();
    });
    resetNotice.append(h('span', {}, t('intake.reset.done', { name })), ' ', undo);
    resetNotice.hidden = false;
  }

  function resetOrder() {
    putOrder(null);
    state.autoPhone = '';
    errors.clearAll();
  }

  // ---- results: customers, their machines and open orders -------------------------------------
  function buildOptions() {
    const options = [];
    for (const match of state.matches) {
      for (const machine of match.machines ?? []) options.push({ type: 'machine', match, machine });
      options.push({ type: 'none', match });
      if (models.length) options.push({ type: 'add_machine', match });
    }
    options.push({ type: 'new_customer' });
    state.options = options;
  }

  function optionElement(option, n) {
    const attrs = {
      id: `caller-option-${n}`,
      role: 'option',
      class: `caller-option caller-option-${option.type}`,
      'aria-selected': n === state.active ? 'true' : 'false',
      dataset: {
        type: option.type,
        customerId: option.match ? String(option.match.customer.id) : '',
        equipmentId: option.machine ? String(option.machine.id) : '',
      },
      onmousedown: (event) => {
        event.preventDefault();
        choose(option);
      },
    };
    if (option.type === 'machine') {
      const m = option.machine;
      return h(
        'li',
        attrs,
        h(
          'span',
          { class: 'caller-machine' },
          h('strong', {}, m.model?.code ?? ''),
          ' ',
          h('span', {}, m.model?.name ?? ''),
          ' ',
          h('span', { class: 'num muted' }, m.serial),
          m.purchase_date ? h('span', { class: 'muted num' }, ` · ${t('intake.bought', { date: dateText(m.purchase_date) })}`) : null,
        ),
        warrantyChip(m.warranty),
        h('span', { class: 'caller-reason' }, m.warranty?.reason ?? ''),
      );
    }
    if (option.type === 'none') return h('li', attrs, h('span', { class: 'muted' }, t('intake.option.none')));
    if (option.type === 'add_machine') return h('li', attrs, h('span', { class: 'caller-add' }, t('intake.option.add_machine', { name: option.match.customer.name })));
    return h('li', attrs, h('span', { class: 'caller-add' }, t('intake.option.new_customer')));
  }

  function openOrdersList(match) {
    const open = match.open_orders ?? [];
    if (!open.length) return null;
    return h(
      'ul',
      { class: 'caller-open-orders', dataset: { customerId: String(match.customer.id) } },
      h('li', { class: 'caller-open-title' }, t('intake.open_orders', { count: open.length })),
      open.map((o) =>
        h(
          'li',
          { class: 'caller-open-order', dataset: { id: String(o.id) } },
          h('a', { href: `#/orders/${o.id}`, tabIndex: -1 }, o.number),
          ' ',
          statusChip(o.status),
          ' ',
          h('span', { class: 'muted' }, [o.equipment?.model, o.fault].filter(Boolean).join(' · ')),
        ),
      ),
    );
  }

  function customerHead(customer) {
    const phones = (customer.phones ?? []).map(phoneDisplay).join('，');
    const name = customer.id
      ? h('a', { href: `#/customers/${customer.id}`, class: 'caller-name', tabIndex: -1 }, customer.name)
      : h('span', { class: 'caller-name' }, customer.name);
    return h(
      'div',
      { class: 'caller-head' },
      name,
      h('span', { class: 'num' }, phones),
      customer.address ? h('span', { class: 'muted caller-address', title: customer.address }, customer.address) : null,
    );
  }

  function showResults() {
    clear(results);
    const listed = !state.chosen && !state.inline && (state.matches.length > 0 || state.query);
    results.hidden = !listed;
    phone.setAttribute('aria-expanded', listed ? 'true' : 'false');
    if (!listed) return;
    let n = 0;
    for (const match of state.matches) {
      const own = state.options.filter((o) => o.match === match);
      results.append(
        h(
          'li',
          { class: 'caller-customer', role: 'presentation', dataset: { customerId: String(match.customer.id) } },
          customerHead(match.customer),
          openOrdersList(match),
          h('ul', { role: 'group', class: 'caller-options', 'aria-label': match.customer.name }, own.map((o) => optionElement(o, n++))),
        ),
      );
    }
    if (state.matches.length === 0) {
      results.append(h('li', { class: 'caller-none', role: 'presentation', id: 'caller-none' }, t('intake.none', { query: state.query })));
    }
    const rest = state.options.filter((o) => !o.match);
    for (const o of rest) results.append(optionElement(o, n++));
    results.append(h('li', { class: 'caller-foot', role: 'presentation' }, t('intake.results.foot')));
    syncActive();
  }

  function syncActive() {
    const all = [...results.querySelectorAll('li[role=option]')];
    all.forEach((li, n) => li.setAttribute('aria-selected', n === state.active ? 'true' : 'false'));
    if (state.active >= 0 && all[state.active]) {
      phone.setAttribute('aria-activedescendant', all[state.active].id);
      all[state.active].scrollIntoView({ block: 'nearest' });
    } else phone.removeAttribute('aria-activedescendant');
  }

  function showChosen() {
    clear(chosenBox);
    chosenBox.hidden = !state.chosen;
    if (!state.chosen) return;
    const { match, machine, pending } = state.chosen;
    const change = h('button', { type: 'button', class: 'btn btn-small', id: 'caller-change', onclick: () => unchoose() }, t('intake.change'));
    const newOnes = [pending?.customer ? t('intake.pending.customer') : null, pending?.equipment ? t('intake.pending.machine') : null].filter(Boolean);
    chosenBox.append(
      h(
        'div',
        { class: 'caller-chosen-head' },
        h('span', { class: 'chip chip-chosen' }, t('intake.chosen')),
        customerHead(match.customer),
        change,
      ),
      newOnes.length ? h('p', { class: 'caller-pending', id: 'caller-pending' }, h('span', { class: 'chip chip-pending' }, newOnes.join(' · ')), ' ', t('intake.pending.note')) : '',
      machine
        ? h(
            'div',
            { class: 'caller-chosen-machine', id: 'caller-machine', dataset: { equipmentId: String(machine.id) } },
            h('div', {}, h('strong', {}, machine.model?.code ?? ''), ' ', machine.model?.name ?? '', ' ', h('span', { class: 'num muted' }, machine.serial)),
            h('div', { class: 'caller-verdict' }, warrantyChip(machine.warranty, { id: 'intake-warranty' }), h('span', { id: 'intake-warranty-reason' }, machine.warranty?.reason ?? '')),
            // 三包 (issue 21): what a covered machine is entitled to today, with the rule.
            machine.warranty?.sanbao
              ? h(
                  'div',
                  { class: 'caller-verdict caller-sanbao', id: 'intake-sanbao-box' },
                  sanbaoChip(machine.warranty.sanbao, { id: 'intake-sanbao' }),
                  h('span', { id: 'intake-sanbao-reason' }, machine.warranty.sanbao.reason ?? ''),
                )
              : '',
          )
        : h('div', { class: 'caller-chosen-machine muted', id: 'caller-machine' }, t('intake.chosen.nomachine')),
      openOrdersList(match) ?? '',
    );
  }

  /** Who the typed order is for: a customer on file by id, or the new caller. */
  const callerKey = (match) => (match?.customer?.id ? `c${match.customer.id}` : 'new');

  /** Before the order is bound to `key`: typed work of another caller starts a fresh
   * intake (undo offered). `before` is the snapshot to offer back. */
  function bindTo(key, name) {
    const before = state.before ?? snapshot();
    state.before = null;
    if (state.workFor && state.workFor !== key && orderTyped()) {
      resetOrder();
      offerUndo(before, name);
    }
    state.workFor = key;
  }

  function choose(option) {
    callerError.textContent = '';
    phone.removeAttribute('aria-invalid');
    if (option.type === 'new_customer') {
      openCustomerForm(null);
      return;
    }
    if (option.type === 'add_machine') {
      openMachineForm(option.match, null);
      return;
    }
    setChosen(option.match, option.type === 'machine' ? option.machine : null, null);
  }

  /** The caller and machine the order is for; `pending` what orders.intake will add. */
  function setChosen(match, machine, pending, { quiet = false } = {}) {
    if (!quiet) bindTo(callerKey(match), match.customer.name);
    closeInline();
    state.chosen = { match, machine, pending };
    state.stash = null;
    state.before = null;
    state.chosenNumber = phone.value;
    const customer = match.customer;
    controls.contact.placeholder = customer.name;
    controls.phone.placeholder = phoneDisplay(customer.phones?.[0]);
    if (!quiet) {
      // The number that rang is the one to call back, when it was typed whole.
      if (digitsOf(phone.value).length >= 7 && (!controls.phone.value || controls.phone.value === state.autoPhone)) {
        controls.phone.value = phone.value.trim();
        state.autoPhone = controls.phone.value;
      }
      if (!addressTouched) controls.address.value = customer.address ?? '';
    }
    showResults();
    showChosen();
    if (!quiet) {
      loadFaults(machine);
      checkedRadio('kind').focus();
      keepDraft();
    }
  }

  function unchoose() {
    const pending = state.chosen?.pending;
    state.chosen = null;
    state.active = -1;
    loadFaults(null);
    showChosen();
    if (pending && (pending.customer || pending.equipment)) {
      // A new caller or machine typed in place: back to its form, nothing lost.
      reopenPending(pending).then(keepDraft);
      return;
    }
    showResults();
    keepDraft();
    phone.focus();
    phone.select();
  }

  async function lookUp() {
    const query = phone.value.trim();
    const digits = digitsOf(query);
    const mine = ++state.seq;
    state.query = query;
    if (digits.length < MIN_DIGITS) {
      state.matches = [];
      state.query = '';
      buildOptions();
      state.active = -1;
      showResults();
      return;
    }
    try {
      const result = await ctx.call('orders.caller', { phone: query });
      if (mine !== state.seq || !ctx.isCurrent()) return;
      state.matches = result?.items ?? [];
      callerError.textContent = '';
      phone.removeAttribute('aria-invalid');
    } catch (error) {
      if (mine !== state.seq) return;
      state.matches = [];
      callerError.textContent = errorText(error);
    }
    buildOptions();
    state.active = -1;
    showResults();
  }
  const lookUpSoon = debounce(() => {
    state.looking = lookUp();
  }, LOOKUP_MS);

  phone.addEventListener('input', () => {
    if ((state.chosen || state.inline) && !state.before) state.before = { ...snapshot(), number: state.chosenNumber };
    if (state.chosen) {
      // A new number may be another caller: choose again (the typed order waits; choosing
      // someone else starts afresh, with 撤销).
      if (state.chosen.pending?.customer) state.stash = flatOf(state.chosen.pending);
      state.chosen = null;
      showChosen();
      loadFaults(null);
    }
    if (state.inline?.type === 'customer') state.stash = state.inline.raw();
    closeInline();
    lookUpSoon();
  });
  phone.addEventListener('keydown', async (event) => {
    if (event.isComposing) return;
    const key = event.key;
    if (key === 'ArrowDown' || key === 'ArrowUp') {
      event.preventDefault();
      if (state.chosen) return;
      if (!state.options.length) return;
      const n = state.options.length;
      state.active = state.active < 0 ? (key === 'ArrowDown' ? 0 : n - 1) : (state.active + (key === 'ArrowDown' ? 1 : -1) + n) % n;
      syncActive();
    } else if (key === 'Enter') {
      event.preventDefault();
      if (state.chosen) {
        checkedRadio('kind').focus();
        return;
      }
      // Typed fast and Enter before the list came: look the number up now.
      if (digitsOf(phone.value).length >= MIN_DIGITS && state.query !== phone.value.trim()) {
        lookUpSoon.cancel();
        await lookUp();
      } else if (state.looking) await state.looking;
      if (results.hidden) return;
      const option = state.options[state.active >= 0 ? state.active : 0];
      if (option) choose(option);
    }
  });

  // ---- adding a caller or a machine in place -----------------------------------------------
  function machineControls(prefix, values) {
    const model = h(
      'select',
      { class: 'input input-model' },
      h('option', { value: '' }, t(prefix === 'newcust' ? 'intake.machine.skip' : 'equipment.model.choose')),
      models.map((m) => h('option', { value: String(m.id) }, `${m.code} · ${m.name}`)),
    );
    if (values?.model_id) model.value = String(values.model_id);
    const serial = h('input', { class: 'input num', type: 'text', maxlength: '60', autocomplete: 'off', spellcheck: 'false', value: values?.serial ?? '' });
    const purchase = h('input', {
      class: 'input input-date num',
      type: 'text',
      inputmode: 'numeric',
      maxlength: '20',
      autocomplete: 'off',
      placeholder: '2024-03-15',
      value: values?.purchase_date ?? '',
    });
    const controls = { model_id: model, serial, purchase_date: purchase };
    return {
      controls,
      /** The machine as orders.intake takes it, or null when no model is chosen. */
      raw: () => ({ model_id: model.value, serial: serial.value, purchase_date: purchase.value }),
      input: () =>
        model.value
          ? { model_id: Number(model.value), serial: serial.value.trim(), purchase_date: purchase.value.trim() || null }
          : null,
      fields: [
        field(prefix, 'model_id', model, { label: t('equipment.f.model') }),
        field(prefix, 'serial', serial, { label: t('equipment.f.serial') }),
        field(prefix, 'purchase_date', purchase, { label: t('equipment.f.purchase'), hint: t('equipment.f.date.hint') }),
      ],
    };
  }

  function inlineFrame(id, title, fields, saveLabel, extra = null) {
    const error = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
    const saveButton = h('button', { type: 'submit', class: 'btn btn-primary', id: `${id}-save` }, saveLabel, ' ', h('kbd', {}, 'Enter'));
    const close = h('button', { type: 'button', class: 'btn', id: `${id}-close`, onclick: () => backToResults() }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
    const inline = h('form', { id, class: 'inline-form', novalidate: true, autocomplete: 'off' }, h('h3', {}, title), error, fields, extra, h('div', { class: 'form-actions form-actions-plain' }, saveButton, close));
    return { inline, error, saveButton };
  }

  function wireEnter(inline, sequence, submit) {
    inline.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' || event.isComposing || event.ctrlKey || event.altKey || event.shiftKey) return;
      if (event.target.tagName === 'BUTTON') return;
      const list = sequence();
      const at = list.indexOf(event.target);
      if (at < 0) return;
      event.preventDefault();
      if (at === list.length - 1) submit();
      else list[at + 1].focus();
    });
  }

  function closeInline() {
    state.inline?.dispose?.();
    state.inline = null;
    clear(inlineBox);
  }

  function backToResults() {
    closeInline();
    showResults();
    keepDraft();
    phone.focus();
  }

  /**
   * Checks a new caller and/or machine without saving (`orders.intake {check: true}`): on
   * success they become the chosen caller, to be saved with the order; else the refused
   * fields are shown in the open inline form. Returns whether it passed.
   */
  async function checkCaller(part) {
    const args = { check: true };
    if (part.customer) args.customer = part.customer;
    else args.customer_id = part.customer_id;
    if (part.equipment) args.equipment = part.equipment;
    const seen = await ctx.call('orders.intake', args);
    if (!ctx.isCurrent()) return false;
    const known = part.customer ? null : state.matches.find((m) => m.customer.id === part.customer_id);
    const match = known
      ? { ...known, machines: [...(known.machines ?? []), ...(seen.equipment ? [seen.equipment] : [])] }
      : { customer: seen.customer, machines: seen.equipment ? [seen.equipment] : [], open_orders: [] };
    setChosen(match, seen.equipment ?? null, part, { quiet: state.applying });
    return true;
  }

  async function reopenPending(pending, options = {}) {
    if (pending.customer) {
      openCustomerForm(flatOf(pending), options);
      return;
    }
    let match = state.matches.find((m) => m.customer.id === pending.customer_id);
    if (!match) {
      match = await matchFor(ctx, pending.customer_id).catch(() => null);
      if (!match || !ctx.isCurrent()) return;
      state.matches = [match];
      buildOptions();
    }
    openMachineForm(match, pending.equipment, options);
  }

  function openCustomerForm(prefill, { quiet = false } = {}) {
    const from = prefill ?? state.stash ?? {};
    const typedNumber = digitsOf(phone.value).length >= 7 ? phone.value.trim() : '';
    // Reopened or restored: as it was; newly opened: the number that rang.
    const phonesText = prefill ? from.phones ?? '' : typedNumber || from.phones || '';
    const name = h('input', { class: 'input', type: 'text', maxlength: '50', autocomplete: 'off', value: from.name ?? '' });
    const phones = h('input', { class: 'input num', type: 'text', inputmode: 'tel', maxlength: '200', autocomplete: 'off', value: phonesText });
    const address = h('input', { class: 'input input-wide', type: 'text', maxlength: '200', autocomplete: 'off', value: from.address ?? '' });
    const machine = machineControls('newcust', from);
    // Customers already on file that this may be (same phone, or alike name and address).
    const dupBox = h('aside', { id: 'intake-duplicates', class: 'duplicates intake-duplicates', role: 'status', 'aria-live': 'polite', hidden: true });
    const { inline, error, saveButton } = inlineFrame(
      'intake-customer-form',
      t('intake.new_customer.title'),
      [
        field('newcust', 'name', name, { label: t('form.name'), required: true }),
        field('newcust', 'phones', phones, { label: t('form.phones'), required: true }),
        field('newcust', 'address', address, { label: t('form.address') }),
        models.length ? h('p', { class: 'inline-sub' }, t('intake.new_customer.machine')) : null,
        models.length ? machine.fields : null,
      ],
      t('intake.new_customer.save'),
      dupBox,
    );
    const inlineErrors = errorsFor(inline, { name, phones, address, ...machine.controls }, error);
    const values = () => ({
      customer: { kind: 'person', name: name.value.trim(), phones: splitPhones(phones.value), address: address.value.trim() },
      equipment: machine.input(),
    });
    const raw = () => ({ name: name.value, phones: phones.value, address: address.value, ...machine.raw() });

    // ---- the duplicate warning (as the customer form's), a gate before going on ----
    let dupSeq = 0;
    let found = [];
    let accepted = ''; // the duplicates the clerk chose to ignore (ids)
    const idsOf = (items) => items.map((d) => d.customer.id).join(',');
    function showDuplicates(items, { stopped = false } = {}) {
      found = items;
      clear(dupBox);
      dupBox.hidden = items.length === 0;
      if (!items.length) return;
      const ignore = h('button', { type: 'button', class: 'btn btn-small', id: 'intake-dup-ignore' }, t('intake.dup.ignore'));
      ignore.addEventListener('click', () => {
        accepted = idsOf(found);
        confirm();
      });
      dupBox.append(
        h('h2', {}, t('dup.title', { count: items.length })),
        h('p', { class: stopped ? 'dup-lead dup-stop' : 'dup-lead', role: stopped ? 'alert' : null }, stopped ? t('intake.dup.stop') : t('intake.dup.lead')),
        h(
          'ul',
          { class: 'dup-list' },
          items.map(({ customer: other, reasons }) =>
            h(
              'li',
              { dataset: { id: String(other.id) } },
              h('span', { class: 'dup-name' }, other.name),
              h('span', { class: 'dup-meta num' }, (other.phones ?? []).map(phoneDisplay).join('，')),
              other.address ? h('span', { class: 'dup-meta' }, other.address) : null,
              h('span', { class: 'dup-reasons' }, (reasons ?? []).map((r) => h('span', { class: 'chip chip-reason' }, r))),
              h('button', { type: 'button', class: 'btn btn-small btn-primary dup-use', dataset: { id: String(other.id) }, onclick: () => useExisting(other.id, machine.input()) }, t('intake.dup.use')),
            ),
          ),
        ),
        h('div', { class: 'dup-actions' }, ignore),
      );
    }
    async function checkDuplicates() {
      const mine = ++dupSeq;
      const v = values().customer;
      if (v.name.length < 2 && v.phones.length === 0 && v.address.length < 4) {
        showDuplicates([]);
        return [];
      }
      try {
        const result = await ctx.call('customers.duplicates', { name: v.name, phones: v.phones, address: v.address });
        if (mine !== dupSeq || !ctx.isCurrent()) return found;
        showDuplicates(result?.items ?? []);
      } catch {
        // A hint: if the check fails the clerk can still go on.
        if (mine === dupSeq) showDuplicates([]);
      }
      return found;
    }
    const checkSoon = debounce(checkDuplicates, DUPLICATE_MS);
    for (const el of [name, phones, address]) el.addEventListener('input', checkSoon);
    /** Stops (and says so) while possible duplicates are listed that the clerk has not
     * chosen to ignore. */
    async function gate() {
      checkSoon.cancel();
      const items = await checkDuplicates();
      if (!ctx.isCurrent()) return false;
      if (items.length && idsOf(items) !== accepted) {
        showDuplicates(items, { stopped: true });
        dupBox.querySelector('.dup-use')?.focus();
        return false;
      }
      return true;
    }

    let busy = false;
    /** Enter from the last field: checked in place, then on to the order. */
    async function confirm() {
      if (busy) return;
      busy = true;
      saveButton.disabled = true;
      inlineErrors.clearAll();
      try {
        if (!(await gate())) return;
        const part = values();
        await checkCaller(part);
        if (ctx.isCurrent()) ctx.toast(t('intake.new_customer.ready', { name: part.customer.name }));
      } catch (e) {
        if (ctx.isCurrent() && state.inline?.form === inline) inlineErrors.show({ ...e, fields: [...partOf(fieldsOf(e), 'customer'), ...partOf(fieldsOf(e), 'equipment')] });
      } finally {
        busy = false;
        saveButton.disabled = false;
      }
    }
    inline.addEventListener('submit', (e) => (e.preventDefault(), confirm()));
    wireEnter(
      inline,
      () => {
        const list = [name, phones, address];
        if (!models.length) return list;
        return machine.controls.model_id.value ? [...list, machine.controls.model_id, machine.controls.serial, machine.controls.purchase_date] : [...list, machine.controls.model_id];
      },
      confirm,
    );
    if (!quiet) bindTo('new', name.value || t('intake.new_customer.title'));
    showInline({
      type: 'customer',
      form: inline,
      submit: () => submit(),
      confirm,
      gate,
      values,
      raw,
      errors: inlineErrors,
      focus: () => name.focus(),
      dispose: () => checkSoon.cancel(),
    }, { quiet });
    if (from.name || phonesText) checkSoon();
  }

  /** The clerk took a customer on file instead of a new one: their machines to choose
   * from, or the machine typed for the new one, to be added to them. */
  async function useExisting(id, typedMachine) {
    let match;
    try {
      match = await matchFor(ctx, id);
    } catch (error) {
      callerError.textContent = errorText(error);
      return;
    }
    if (!ctx.isCurrent()) return;
    closeInline();
    state.stash = null;
    // The same caller, found on file: what was typed for the order stays.
    state.workFor = callerKey(match);
    state.matches = [match];
    buildOptions();
    if (typedMachine) {
      openMachineForm(match, typedMachine);
      return;
    }
    state.active = 0;
    showResults();
    keepDraft();
    phone.focus();
  }

  function openMachineForm(match, values, { quiet = false } = {}) {
    const machine = machineControls('newmachine', values);
    const { inline, error, saveButton } = inlineFrame('intake-machine-form', t('intake.new_machine.title', { name: match.customer.name }), machine.fields, t('intake.new_machine.save'));
    const inlineErrors = errorsFor(inline, machine.controls, error);
    const part = () => ({ customer_id: match.customer.id, equipment: machine.input() ?? { model_id: 0, serial: machine.controls.serial.value.trim() } });
    let busy = false;
    const confirm = async () => {
      if (busy) return;
      busy = true;
      saveButton.disabled = true;
      inlineErrors.clearAll();
      try {
        await checkCaller(part());
        if (ctx.isCurrent()) ctx.toast(t('intake.new_machine.ready'));
      } catch (e) {
        if (ctx.isCurrent() && state.inline?.form === inline) inlineErrors.show({ ...e, fields: partOf(fieldsOf(e), 'equipment') });
      } finally {
        busy = false;
        saveButton.disabled = false;
      }
    };
    inline.addEventListener('submit', (e) => (e.preventDefault(), confirm()));
    wireEnter(inline, () => [machine.controls.model_id, machine.controls.serial, machine.controls.purchase_date], confirm);
    if (!quiet) bindTo(callerKey(match), match.customer.name);
    showInline({
      type: 'machine',
      match,
      form: inline,
      submit: () => submit(),
      confirm,
      gate: async () => true,
      raw: machine.raw,
      part,
      errors: inlineErrors,
      focus: () => machine.controls.model_id.focus(),
    }, { quiet });
  }

  function showInline(inline, { quiet = false } = {}) {
    closeInline();
    state.inline = inline;
    state.chosenNumber = phone.value;
    results.hidden = true;
    phone.setAttribute('aria-expanded', 'false');
    inlineBox.append(inline.form);
    if (!quiet) {
      inline.focus();
      keepDraft();
    }
  }

  // ---- saving the order: caller, machine and order in one transaction ---------------------------
  /** What orders.intake gets for the caller, or null when the clerk must answer first. */
  async function callerArgs() {
    const inline = state.inline;
    if (inline?.type === 'customer') {
      if (!(await inline.gate())) return null;
      const v = inline.values();
      return { customer: v.customer, equipment: v.equipment };
    }
    if (inline?.type === 'machine') return inline.part();
    const chosen = state.chosen;
    if (chosen?.pending) return { ...chosen.pending };
    if (chosen) return { customer_id: chosen.match.customer.id, equipment_id: chosen.machine?.id ?? null };
    return {};
  }

  /** Every refused field where it belongs: the new caller's and machine's in their form,
   * the order's under its fields; the first one (in reading order) takes the focus. */
  function showAll(error) {
    const all = fieldsOf(error);
    const inPart = all.filter((f) => f.field?.startsWith('customer.') || f.field?.startsWith('equipment.'));
    const ids = all.filter((f) => f.field === 'customer_id' || f.field === 'equipment_id');
    const rest = all.filter((f) => !inPart.includes(f) && !ids.includes(f));
    let first = null;
    if (inPart.length) {
      if (!state.inline && state.chosen?.pending) {
        const pending = state.chosen.pending;
        state.chosen = null;
        showChosen();
        reopenPending(pending);
      }
      const fields = state.inline?.type === 'customer' ? [...partOf(inPart, 'customer'), ...partOf(inPart, 'equipment')] : partOf(inPart, 'equipment');
      if (state.inline) first = state.inline.errors.show({ code: error.code, fields }, { focus: false });
    }
    if (ids.length) {
      callerError.textContent = ids.map((f) => f.message).join(' ');
      phone.setAttribute('aria-invalid', 'true');
      first ??= phone;
    }
    if (rest.length) {
      const shown = errors.show({ code: error.code, message: rest[0].message, field: rest[0].field, fields: rest }, { focus: false });
      first ??= groups[rest[0].field] ? checkedRadio(rest[0].field) : shown;
    }
    first?.focus();
  }

  let saving = false;
  async function submit() {
    if (saving) return;
    saving = true;
    save.disabled = true;
    form.setAttribute('aria-busy', 'true');
    errors.clearAll();
    state.inline?.errors.clearAll();
    callerError.textContent = '';
    phone.removeAttribute('aria-invalid');
    try {
      const caller = await callerArgs();
      if (!caller || !ctx.isCurrent()) return;
      const order = {
        contact: controls.contact.value.trim(),
        phone: controls.phone.value.trim(),
        address: controls.address.value.trim(),
        kind: value('kind'),
        channel: value('channel'),
        mode: value('mode'),
        priority: value('priority'),
        fault: controls.fault.value.trim(),
        fault_tags: pressedTags(),
        appointment_from: controls.appointment_from.value,
        appointment_to: controls.appointment_to.value,
        confirmed: controls.confirmed.checked,
      };
      const done = await ctx.call('orders.intake', { ...caller, order });
      state.done = true;
      writeJson(DRAFT_KEY, null);
      if (caller.customer) ctx.refreshInfo();
      const refused = photos.count() ? await photos.sendAll(done.order.id) : [];
      if (!ctx.isCurrent()) return;
      ctx.toast(t('intake.done', { number: done.order.number }));
      if (refused.length) ctx.toast(t('photos.intake.refused', { list: refused.join('；') }));
      ctx.navigate(`#/orders/${done.order.id}`);
    } catch (error) {
      if (ctx.isCurrent()) showAll(error);
    } finally {
      saving = false;
      save.disabled = false;
      form.removeAttribute('aria-busy');
    }
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  // Enter moves on through the order form; from the checkbox it saves.
  const sequence = () => [
    checkedRadio('kind'),
    checkedRadio('channel'),
    checkedRadio('mode'),
    checkedRadio('priority'),
    controls.fault,
    controls.contact,
    controls.phone,
    controls.address,
    controls.appointment_from,
    controls.appointment_to,
    controls.confirmed,
  ];
  form.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.isComposing || event.ctrlKey || event.altKey) return;
    const target = event.target;
    if (target.tagName === 'BUTTON' || (target === controls.fault && event.shiftKey)) return;
    const list = sequence();
    const at = list.indexOf(target.type === 'radio' ? checkedRadio(target.name) : target);
    if (at < 0) return;
    event.preventDefault();
    if (at === list.length - 1) submit();
    else list[at + 1].focus();
  });

  function leave() {
    keepDraft();
    ctx.navigate(presetId ? `#/customers/${presetId}` : '#/board');
  }

  /** The intake as it opens: empty, or with the customer of the customer file. */
  async function startFresh() {
    resetNotice.hidden = true;
    await apply(null);
    state.workFor = null;
    if (preset) {
      phone.value = presetNumber;
      state.matches = [preset];
      state.query = presetNumber;
      buildOptions();
      state.active = 0;
      state.workFor = callerKey(preset);
    }
    showResults();
    phone.focus();
    if (preset) phone.select();
  }

  const draft = rang ? null : readJson(DRAFT_KEY);
  const mine = owner();
  if (draft?.v === 1 && draft.file === mine.file && draft.user === mine.user && (draft.caller || draft.number || draft.order)) {
    await apply(draft);
    if (!ctx.isCurrent()) return null;
    showDraftNotice(draft);
    (state.inline ? state.inline.focus : () => (state.chosen ? controls.fault.focus() : phone.focus()))();
  } else {
    await startFresh();
    if (!ctx.isCurrent()) return null;
  }
  // The number that rang, looked up as if typed; not typing of the clerk's (leaving asks
  // nothing, no draft is written for it).
  if (rang) {
    phone.value = rang;
    state.applying = true;
    phone.dispatchEvent(new Event('input'));
    state.applying = false;
    lookUpSoon.cancel();
    await lookUp();
    if (!ctx.isCurrent()) return null;
    phone.focus();
  }

  return {
    focusPhone() {
      phone.focus();
      phone.select();
    },
    /** Something typed that leaving would lose (it is kept as a draft meanwhile). */
    isDirty,
    /** The draft outlives a reload or a closed window: no browser warning is needed. */
    keepsDraft: true,
    /** The frame's 保存 when leaving: registers the order; true when it went through. */
    async save() {
      await submit();
      return state.done === true;
    },
    /** The frame's 放弃: the typed intake goes, draft and all. */
    discard() {
      writeJson(DRAFT_KEY, null);
    },
    dispose() {
      // Not saved here: every change was kept as it happened, and a logout that forgot the
      // drafts must not see this one written back.
      lookUpSoon.cancel();
      closeInline();
      photos.dispose();
      resetTitle();
    },
    onKey(event) {
      if (photos.dialogOpen()) return;
      if (isSave(event)) {
        event.preventDefault();
        submit();
      } else if (event.key === 'Escape') {
        event.preventDefault();
        if (state.inline) backToResults();
        else leave();
      }
    },
  };
}

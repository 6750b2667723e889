// 来电登记 — the phone rings (F2 from anywhere): type the number the caller rings from
// (whole or its last 4 digits), see who it is with their machines (warranty and its
// reason) and open orders, choose customer and machine with ↑↓ and Enter, or add a new
// caller and machine in place; then type, channel, mode, priority, the model's common
// faults, the fault in the caller's words, the appointment, and save with Ctrl+S. A
// walk-in is a minute's work without the mouse: the number, Enter, → on 来源, the fault,
// Ctrl+S.
import { h, clear, debounce } from '../../lib/dom.js';
import { errorsFor, errorText, field } from '../../lib/form.js';
import { dateText, phoneDisplay, warrantyChip } from '../../lib/format.js';
import { t } from '../../i18n.js';
import { CHANNELS, KINDS, MODES, PRIORITIES, statusChip } from './words.js';
import { isSave } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';
import { rove } from '../../lib/roving.js';

const LOOKUP_MS = 250;
const MIN_DIGITS = 4;

const digitsOf = (text) =>
  String(text ?? '')
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\D/g, '');

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
  const [catalogue, preset] = await Promise.all([ctx.call('models.list', {}), presetId ? matchFor(ctx, presetId) : null]);
  if (!ctx.isCurrent()) return null;
  const models = catalogue?.items ?? [];

  const state = {
    matches: preset ? [preset] : [],
    query: preset ? preset.customer.phones?.[0]?.number ?? '' : '',
    options: [], // [{type: machine|none|add_machine|new_customer, match, machine}]
    active: -1,
    chosen: null, // {match, machine}
    seq: 0,
    looking: null, // the pending lookup
    inline: null, // the open inline form: {form, submit, focus}
  };

  // ---- the caller (left) ------------------------------------------------------------------
  const phone = h('input', {
    id: 'caller-phone',
    class: 'input input-phone num',
    type: 'text',
    inputmode: 'tel',
    autocomplete: 'off',
    spellcheck: 'false',
    role: 'combobox',
    'aria-autocomplete': 'list',
    'aria-controls': 'caller-results',
    'aria-expanded': 'false',
    placeholder: t('intake.phone.placeholder'),
    value: preset ? preset.customer.phones?.[0]?.number ?? '' : '',
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
  const groups = {
    kind: segmented('kind', KINDS, 'repair', 'order.kind'),
    channel: segmented('channel', CHANNELS, 'phone', 'order.channel'),
    mode: segmented('mode', MODES, 'on_site', 'order.mode'),
    priority: segmented('priority', PRIORITIES, 'normal', 'order.priority'),
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
    phone: h('input', { class: 'input num', type: 'text', inputmode: 'tel', autocomplete: 'off' }),
    address: h('input', { class: 'input input-wide', type: 'text', maxlength: '200', autocomplete: 'off' }),
    appointment_from: h('input', { class: 'input input-when num', type: 'datetime-local' }),
    appointment_to: h('input', { class: 'input input-when num', type: 'datetime-local', 'aria-label': t('order.appointment.to') }),
    confirmed: h('input', { type: 'checkbox', checked: true }),
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
    h('div', { class: 'form-actions' }, save, cancel),
  );

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-intake' },
      h('div', { class: 'page-head' }, h('h1', { id: 'intake' }, t('intake.title')), h('span', { class: 'page-sub' }, t('intake.lead'))),
      h('div', { class: 'intake-layout' }, callerCard, form),
    ),
  );
  setTitle(t('intake.title'));

  const errors = errorsFor(form, { ...controls, ...groups }, formError);
  function showError(error) {
    if (['customer_id', 'equipment_id'].includes(error?.field)) {
      callerError.textContent = errorText(error);
      phone.setAttribute('aria-invalid', 'true');
      phone.focus();
      return;
    }
    errors.show(error);
    if (groups[error?.field]) checkedRadio(error.field)?.focus();
  }

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
  async function loadFaults(machine) {
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
      items.forEach((fault, n) => {
        chips.append(
          h(
            'button',
            {
              type: 'button',
              class: 'fault-chip',
              'aria-pressed': 'false',
              tabIndex: n === 0 ? 0 : -1,
              dataset: { fault },
              onclick: (event) => {
                const b = event.currentTarget;
                b.setAttribute('aria-pressed', b.getAttribute('aria-pressed') === 'true' ? 'false' : 'true');
              },
            },
            fault,
          ),
        );
      });
      chipsHint.textContent = items.length ? t('intake.fault_tags.hint') : t('intake.fault_tags.none', { model: machine.model.code });
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
    return h(
      'div',
      { class: 'caller-head' },
      h('a', { href: `#/customers/${customer.id}`, class: 'caller-name', tabIndex: -1 }, customer.name),
      h('span', { class: 'num' }, phones),
      customer.address ? h('span', { class: 'muted caller-address', title: customer.address }, customer.address) : null,
    );
  }

  function showResults() {
    clear(results);
    const listed = !state.chosen && (state.matches.length > 0 || state.query);
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
    const { match, machine } = state.chosen;
    const change = h('button', { type: 'button', class: 'btn btn-small', id: 'caller-change', onclick: () => unchoose() }, t('intake.change'));
    chosenBox.append(
      h('div', { class: 'caller-chosen-head' }, h('span', { class: 'chip chip-chosen' }, t('intake.chosen')), customerHead(match.customer), change),
      machine
        ? h(
            'div',
            { class: 'caller-chosen-machine', id: 'caller-machine', dataset: { equipmentId: String(machine.id) } },
            h('div', {}, h('strong', {}, machine.model?.code ?? ''), ' ', machine.model?.name ?? '', ' ', h('span', { class: 'num muted' }, machine.serial)),
            h('div', { class: 'caller-verdict' }, warrantyChip(machine.warranty, { id: 'intake-warranty' }), h('span', { id: 'intake-warranty-reason' }, machine.warranty?.reason ?? '')),
          )
        : h('div', { class: 'caller-chosen-machine muted', id: 'caller-machine' }, t('intake.chosen.nomachine')),
      openOrdersList(match) ?? '',
    );
  }

  function choose(option) {
    callerError.textContent = '';
    phone.removeAttribute('aria-invalid');
    if (option.type === 'new_customer') {
      openCustomerForm();
      return;
    }
    if (option.type === 'add_machine') {
      openMachineForm(option.match);
      return;
    }
    setChosen(option.match, option.type === 'machine' ? option.machine : null);
  }

  function setChosen(match, machine) {
    closeInline();
    state.chosen = { match, machine };
    const customer = match.customer;
    controls.contact.placeholder = customer.name;
    // The number that rang is the one to call back, when it was typed whole.
    const typed = digitsOf(phone.value);
    controls.phone.placeholder = phoneDisplay(customer.phones?.[0]);
    if (typed.length >= 7 && !controls.phone.value) controls.phone.value = phone.value.trim();
    if (!addressTouched) controls.address.value = customer.address ?? '';
    showResults();
    showChosen();
    loadFaults(machine);
    checkedRadio('kind').focus();
  }

  function unchoose() {
    state.chosen = null;
    state.active = -1;
    loadFaults(null);
    showChosen();
    showResults();
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
    if (state.chosen) {
      // A new number is a new caller.
      state.chosen = null;
      showChosen();
      loadFaults(null);
    }
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
  function machineControls(prefix) {
    const model = h(
      'select',
      { class: 'input input-model' },
      h('option', { value: '' }, t(prefix === 'newcust' ? 'intake.machine.skip' : 'equipment.model.choose')),
      models.map((m) => h('option', { value: String(m.id) }, `${m.code} · ${m.name}`)),
    );
    const serial = h('input', { class: 'input num', type: 'text', autocomplete: 'off', spellcheck: 'false' });
    const purchase = h('input', { class: 'input input-date num', type: 'text', inputmode: 'numeric', autocomplete: 'off', placeholder: '2024-03-15' });
    return {
      controls: { model_id: model, serial, purchase_date: purchase },
      fields: [
        field(prefix, 'model_id', model, { label: t('equipment.f.model') }),
        field(prefix, 'serial', serial, { label: t('equipment.f.serial') }),
        field(prefix, 'purchase_date', purchase, { label: t('equipment.f.purchase'), hint: t('equipment.f.date.hint') }),
      ],
    };
  }

  function inlineFrame(id, title, fields, saveLabel) {
    const error = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
    const saveButton = h('button', { type: 'submit', class: 'btn btn-primary', id: `${id}-save` }, saveLabel, ' ', h('kbd', {}, 'Enter'));
    const close = h('button', { type: 'button', class: 'btn', id: `${id}-close`, onclick: () => backToResults() }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
    const inline = h('form', { id, class: 'inline-form', novalidate: true, autocomplete: 'off' }, h('h3', {}, title), error, fields, h('div', { class: 'form-actions form-actions-plain' }, saveButton, close));
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
    state.inline = null;
    clear(inlineBox);
  }

  function backToResults() {
    closeInline();
    showResults();
    phone.focus();
  }

  function openCustomerForm() {
    const name = h('input', { class: 'input', type: 'text', maxlength: '50', autocomplete: 'off' });
    const phones = h('input', { class: 'input num', type: 'text', inputmode: 'tel', autocomplete: 'off', value: digitsOf(phone.value).length >= 7 ? phone.value.trim() : '' });
    const address = h('input', { class: 'input input-wide', type: 'text', autocomplete: 'off' });
    const machine = machineControls('newcust');
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
    );
    const errors = errorsFor(inline, { name, phones, address, ...machine.controls }, error);
    let created = null; // the customer, once saved (a machine refused after it is tried again alone)
    let saving = false;
    const submit = async () => {
      if (saving) return;
      saving = true;
      saveButton.disabled = true;
      errors.clearAll();
      try {
        if (!created) {
          created = await ctx.call('customers.create', { kind: 'person', name: name.value.trim(), phones: [phones.value.trim()].filter(Boolean), address: address.value.trim() });
          ctx.refreshInfo();
          for (const el of [name, phones, address]) el.disabled = true;
        }
        let made = null;
        if (machine.controls.model_id.value) {
          made = await ctx.call('equipment.create', {
            customer_id: created.id,
            model_id: Number(machine.controls.model_id.value),
            serial: machine.controls.serial.value.trim(),
            purchase_date: machine.controls.purchase_date.value.trim() || null,
          });
        }
        if (!ctx.isCurrent()) return;
        ctx.toast(t('intake.new_customer.done', { name: created.name }));
        const match = { customer: created, machines: made ? [made] : [], open_orders: [] };
        state.matches = [match];
        buildOptions();
        setChosen(match, made);
      } catch (e) {
        if (!ctx.isCurrent()) return;
        errors.show(e);
        if (created) {
          // The customer is kept; only the machine is tried again.
          error.textContent = `${t('intake.new_customer.saved', { name: created.name })}${e?.field ? '' : ` ${errorText(e)}`}`;
          error.hidden = false;
        }
      } finally {
        saving = false;
        saveButton.disabled = false;
      }
    };
    inline.addEventListener('submit', (e) => (e.preventDefault(), submit()));
    wireEnter(
      inline,
      () => {
        const list = [name, phones, address].filter((el) => !el.disabled);
        if (!models.length) return list;
        return machine.controls.model_id.value ? [...list, machine.controls.model_id, machine.controls.serial, machine.controls.purchase_date] : [...list, machine.controls.model_id];
      },
      submit,
    );
    showInline({ form: inline, submit, focus: () => name.focus() });
  }

  function openMachineForm(match) {
    const machine = machineControls('newmachine');
    const { inline, error, saveButton } = inlineFrame('intake-machine-form', t('intake.new_machine.title', { name: match.customer.name }), machine.fields, t('intake.new_machine.save'));
    const errors = errorsFor(inline, machine.controls, error);
    let saving = false;
    const submit = async () => {
      if (saving) return;
      saving = true;
      saveButton.disabled = true;
      errors.clearAll();
      try {
        const made = await ctx.call('equipment.create', {
          customer_id: match.customer.id,
          model_id: Number(machine.controls.model_id.value) || 0,
          serial: machine.controls.serial.value.trim(),
          purchase_date: machine.controls.purchase_date.value.trim() || null,
        });
        if (!ctx.isCurrent()) return;
        match.machines = [...(match.machines ?? []), made];
        buildOptions();
        ctx.toast(t('intake.new_machine.done'));
        setChosen(match, made);
      } catch (e) {
        if (ctx.isCurrent()) errors.show(e);
      } finally {
        saving = false;
        saveButton.disabled = false;
      }
    };
    inline.addEventListener('submit', (e) => (e.preventDefault(), submit()));
    wireEnter(inline, () => [machine.controls.model_id, machine.controls.serial, machine.controls.purchase_date], submit);
    showInline({ form: inline, submit, focus: () => machine.controls.model_id.focus() });
  }

  function showInline(inline) {
    closeInline();
    state.inline = inline;
    results.hidden = true;
    phone.setAttribute('aria-expanded', 'false');
    inlineBox.append(inline.form);
    inline.focus();
  }

  // ---- saving the order ----------------------------------------------------------------------
  let saving = false;
  async function submit() {
    if (saving) return;
    saving = true;
    save.disabled = true;
    form.setAttribute('aria-busy', 'true');
    errors.clearAll();
    callerError.textContent = '';
    phone.removeAttribute('aria-invalid');
    const args = {
      customer_id: state.chosen?.match.customer.id ?? 0,
      equipment_id: state.chosen?.machine?.id ?? null,
      contact: controls.contact.value.trim(),
      phone: controls.phone.value.trim(),
      address: controls.address.value.trim(),
      kind: value('kind'),
      channel: value('channel'),
      mode: value('mode'),
      priority: value('priority'),
      fault: controls.fault.value.trim(),
      fault_tags: chipButtons()
        .filter((b) => b.getAttribute('aria-pressed') === 'true')
        .map((b) => b.dataset.fault),
      appointment_from: controls.appointment_from.value,
      appointment_to: controls.appointment_to.value,
      confirmed: controls.confirmed.checked,
    };
    try {
      const order = await ctx.call('orders.create', args);
      if (!ctx.isCurrent()) return;
      ctx.toast(t('intake.done', { number: order.number }));
      ctx.navigate(`#/orders/${order.id}`);
    } catch (error) {
      if (ctx.isCurrent()) showError(error);
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
    ctx.navigate(presetId ? `#/customers/${presetId}` : '#/board');
  }

  buildOptions();
  if (preset) state.active = 0;
  showResults();
  phone.focus();
  if (preset) phone.select();

  return {
    focusPhone() {
      phone.focus();
      phone.select();
    },
    dispose() {
      lookUpSoon.cancel();
      resetTitle();
    },
    onKey(event) {
      if (isSave(event)) {
        event.preventDefault();
        if (state.inline && inlineBox.contains(event.target)) state.inline.submit();
        else submit();
      } else if (event.key === 'Escape') {
        event.preventDefault();
        if (state.inline) backToResults();
        else leave();
      }
    },
  };
}

// 登记投诉 — a complaint by phone, letter or visit: who (the customer picker), which of
// their orders if any, against the order, the engineer or the company, how it came in, the
// cause and what the customer said. Saving starts the 24-hour reply clock and opens the
// complaint. `?customer=ID&order=ID` (from an order or a customer file) fills in the first two.
import { h, clear } from '../../lib/dom.js';
import { errorsFor, field } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { customerPicker } from '../../lib/customer-picker.js';
import { choiceField, choiceRow, enterSequence } from '../../lib/choice-row.js';
import { deskDate } from '../../lib/dates.js';
import { statusLabel } from '../orders/words.js';
import { AGAINST, CHANNELS, causeLabel } from './complaints.js';
import { isSave } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';

export async function render(root, ctx) {
  const prefix = 'complaint';
  let draft = false;
  const touched = () => {
    draft = true;
  };
  const [causes, engineers] = await Promise.all([
    ctx.call('complaints.causes', {}).then((r) => r?.items ?? []),
    ctx.call('engineers.list', {}).then((r) => r?.items ?? []),
  ]);
  if (!ctx.isCurrent()) return null;

  const order = h('select', { class: 'input input-wide', disabled: true }, h('option', { value: '' }, t('complaint.order.pick_customer')));
  const engineer = h(
    'select',
    { class: 'input' },
    h('option', { value: '' }, t('complaint.engineer.from_order')),
    engineers.map((e) => h('option', { value: String(e.id) }, e.name)),
  );
  const cause = h(
    'select',
    { class: 'input' },
    h('option', { value: '' }, t('complaint.cause.pick')),
    causes.map(([key, label]) => h('option', { value: key }, causeLabel(key, label))),
  );
  const content = h('textarea', { class: 'input input-wide', rows: 4, maxlength: '1000', placeholder: t('complaint.content.placeholder') });
  let againstChosen = false;
  const against = choiceRow({
    prefix,
    name: 'against',
    values: AGAINST,
    value: 'company',
    label: (v) => t(`complaint.against.${v}`),
    onChange: () => {
      againstChosen = true;
      touched();
      sync();
    },
    onPick: () => (engineerField.hidden ? channel.focus() : engineer.focus()),
  });
  const channel = choiceRow({
    prefix,
    name: 'channel',
    values: CHANNELS,
    value: 'phone',
    label: (v) => t(`complaint.channel.${v}`),
    onChange: touched,
    onPick: () => cause.focus(),
  });

  let customerOrders = [];
  async function loadOrders(customer, wanted = null) {
    clear(order);
    customerOrders = [];
    if (!customer) {
      order.append(h('option', { value: '' }, t('complaint.order.pick_customer')));
      order.disabled = true;
      return;
    }
    order.append(h('option', { value: '' }, t('complaint.order.none')));
    order.disabled = false;
    try {
      const page = await ctx.call('orders.list', { customer_id: customer.id, status: 'all', page: 1, page_size: 50 });
      if (!ctx.isCurrent() || picker.value()?.id !== customer.id) return;
      customerOrders = page?.items ?? [];
      for (const o of customerOrders) {
        order.append(
          h(
            'option',
            { value: String(o.id) },
            `${o.number} · ${deskDate(o.created_at)} · ${statusLabel(o.status)}${o.engineer ? ` · ${o.engineer.name}` : ''}${o.fault ? ` · ${o.fault}` : ''}`,
          ),
        );
      }
      if (wanted) order.value = String(wanted);
      if (customerOrders.length === 0) order.firstChild.textContent = t('complaint.order.nothing');
      sync();
    } catch {
      // The order stays optional; the complaint can still be registered.
    }
  }

  let prefilling = false;
  const picker = customerPicker({
    call: ctx.call,
    id: 'complaint-customer_id',
    placeholder: t('complaint.customer.placeholder'),
    onChange: (customer) => {
      if (prefilling) return;
      touched();
      loadOrders(customer);
    },
  });

  const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'complaint-save', dataset: { needs: 'complaints.create' } }, t('complaint.save'), ' ', h('kbd', {}, 'Ctrl+S'));
  const cancel = h('a', { href: '#/complaints', class: 'btn', id: 'complaint-cancel' }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
  const customerField = h(
    'div',
    { class: 'field field-customer_id' },
    h('label', { for: 'complaint-customer_id' }, t('complaint.f.customer'), h('span', { class: 'required' }, ' *')),
    h('div', { class: 'control' }, picker.element, h('div', { class: 'field-error', dataset: { for: 'customer_id' }, 'aria-live': 'polite' })),
  );
  const engineerField = field(prefix, 'engineer_id', engineer, { label: t('complaint.f.engineer'), hint: t('complaint.engineer.hint') });
  engineerField.hidden = true;
  const form = h(
    'form',
    { class: 'form complaint-form', id: 'complaint-form', novalidate: true, autocomplete: 'off' },
    formError,
    customerField,
    field(prefix, 'order_id', order, { label: t('complaint.f.order'), hint: t('complaint.order.hint') }),
    choiceField('against', against, t('complaint.f.against'), { required: true }),
    engineerField,
    choiceField('channel', channel, t('complaint.f.channel'), { required: true }),
    field(prefix, 'cause', cause, { label: t('complaint.f.cause') }),
    field(prefix, 'content', content, { label: t('complaint.f.content'), required: true, hint: t('complaint.content.hint') }),
    h('div', { class: 'form-actions' }, save, cancel),
  );

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-complaint-form' },
      h('div', { class: 'page-head' }, h('a', { href: '#/complaints', class: 'crumb' }, t('complaints.title')), h('span', { class: 'crumb-sep' }, '›'), h('h1', {}, t('complaint.new.title'))),
      h('p', { class: 'hint complaint-form-lead' }, t('complaint.new.lead')),
      form,
    ),
  );
  setTitle(t('complaint.new.title'));

  function sync() {
    const chosen = customerOrders.find((o) => String(o.id) === order.value);
    // An order chosen before the clerk said otherwise: the complaint is about that order.
    if (chosen && !againstChosen) against.set('order');
    engineerField.hidden = against.value() !== 'engineer';
  }
  order.addEventListener('change', () => (touched(), sync()));
  for (const el of [engineer, cause, content]) el.addEventListener('input', touched);

  const controls = {
    customer_id: picker.input,
    order_id: order,
    against: against.element,
    engineer_id: engineer,
    channel: channel.element,
    cause,
    content,
  };
  const errors = errorsFor(form, controls, formError);

  let busy = false;
  async function submit() {
    if (busy) return;
    errors.clearAll();
    const customer = picker.value();
    const args = {
      customer_id: customer?.id ?? 0,
      order_id: order.value ? Number(order.value) : null,
      engineer_id: against.value() === 'engineer' && engineer.value ? Number(engineer.value) : null,
      against: against.value() ?? '',
      channel: channel.value() ?? '',
      cause: cause.value,
      content: content.value.trim(),
    };
    busy = true;
    save.disabled = true;
    try {
      const k = await ctx.call('complaints.create', args);
      if (!ctx.isCurrent()) return;
      draft = false;
      ctx.toast(t('complaint.toast.created', { number: k.number }));
      ctx.navigate(`#/complaints/${k.id}`);
    } catch (error) {
      if (!ctx.isCurrent()) return;
      errors.show(error);
      if (error?.field === 'against') against.focus();
      if (error?.field === 'channel') channel.focus();
    } finally {
      busy = false;
      save.disabled = false;
    }
  }
  form.addEventListener('submit', (e) => (e.preventDefault(), submit()));
  enterSequence(form, () => [picker.input, order, against.control(), engineer, channel.control(), cause, content], submit);

  // From an order or a customer file: that customer (and order) already chosen.
  const customerId = Number(ctx.query.get('customer')) || null;
  if (customerId) {
    try {
      const customer = await ctx.call('customers.get', { id: customerId });
      if (!ctx.isCurrent()) return null;
      prefilling = true;
      picker.set(customer);
      prefilling = false;
      await loadOrders(customer, Number(ctx.query.get('order')) || null);
      sync();
    } catch {
      // An unknown customer in the address: the clerk picks one.
    }
  }
  (customerId && picker.value() ? content : picker.input).focus();

  return {
    hasDraft: () => draft,
    dispose() {
      resetTitle();
    },
    onKey(event) {
      if (isSave(event)) {
        event.preventDefault();
        submit();
      } else if (event.key === 'Escape') {
        event.preventDefault();
        ctx.navigate('#/complaints');
      }
    },
  };
}

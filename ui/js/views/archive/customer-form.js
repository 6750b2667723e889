// 新建客户 / 编辑客户 — works without a mouse: Enter moves on, Ctrl+S saves, Esc cancels.
import { h, clear, debounce } from '../../lib/dom.js';
import { customerPicker } from '../../lib/customer-picker.js';
import { errorsFor, field as formField } from '../../lib/form.js';
import { phoneDisplay } from '../../lib/format.js';
import { t } from '../../i18n.js';
import { isSave } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';

const FIELDS = ['kind', 'name', 'phones', 'region', 'address', 'class', 'source', 'parent_id', 'notes'];
const DUPLICATE_MS = 350;
// Common sources, offered as suggestions; any text up to 20 characters is fine.
const SOURCES = ['400热线', '门店', '转介绍', '经销商', '网店', '上门巡检'];
// Separators between several numbers in the one phones input. Not spaces: they may sit
// inside one number ("138 1234 5678").
const PHONE_SEPARATORS = /[,，、;；]+/;

export function splitPhones(text) {
  return text
    .split(PHONE_SEPARATORS)
    .map((part) => part.trim())
    .filter(Boolean);
}

function field(name, control, { hint, required } = {}) {
  control.name = name;
  return formField('customer', name, control, { label: t(`form.${name}`), hint, required });
}

/** A field whose focusable control sits inside a larger widget (the head-office picker). */
function fieldWith(name, control, widget, options) {
  const wrapper = field(name, control, options);
  const slot = wrapper.querySelector('.control');
  slot.replaceChild(widget, control);
  widget.prepend(control);
  return wrapper;
}

function select(options, value) {
  return h(
    'select',
    { class: 'input', value },
    options.map(([optionValue, label]) => h('option', { value: optionValue }, label)),
  );
}

export async function render(root, ctx) {
  const id = ctx.params.id ?? null;
  const editing = id !== null;
  const customer = editing ? await ctx.call('customers.get', { id }) : null;
  if (!ctx.isCurrent()) return null;

  const controls = {
    kind: select(
      [
        ['person', t('kind.person')],
        ['company', t('kind.company')],
      ],
      customer?.kind ?? 'person',
    ),
    name: h('input', { class: 'input', type: 'text', autocomplete: 'off', maxlength: '50', value: customer?.name ?? '' }),
    phones: h('input', {
      class: 'input num',
      type: 'text',
      inputmode: 'tel',
      autocomplete: 'off',
      // A new customer from 来电弹屏 (issue 20) comes with the number that rang.
      value: customer ? (customer.phones ?? []).map((p) => p.number).join('，') : (ctx.query?.get('phone') ?? '').slice(0, 40),
    }),
    region: h('input', { class: 'input', type: 'text', autocomplete: 'off', value: customer?.region ?? '' }),
    address: h('input', { class: 'input input-wide', type: 'text', autocomplete: 'off', value: customer?.address ?? '' }),
    class: select(
      [
        ['normal', t('class.normal')],
        ['vip', t('class.vip')],
        ['key', t('class.key')],
      ],
      customer?.class ?? 'normal',
    ),
    source: h('input', {
      class: 'input',
      type: 'text',
      autocomplete: 'off',
      maxlength: '20',
      list: 'customer-source-options',
      value: customer?.source ?? '',
    }),
    notes: h('textarea', { class: 'input input-wide', rows: 2, value: customer?.notes ?? '' }),
  };
  // 总店: a company that is not itself a branch, not merged, not this customer.
  const parentPicker = customerPicker({
    call: ctx.call,
    id: 'customer-parent_id',
    placeholder: t('form.parent.placeholder'),
    initial: customer?.parent ?? null,
    accept: (c) => c.kind === 'company' && !c.parent && !c.merged_into && c.id !== id,
  });
  controls.parent_id = parentPicker.input;

  const save = h(
    'button',
    { type: 'submit', id: 'customer-save', class: 'btn btn-primary', title: t('form.save.title') },
    t('form.save'),
    ' ',
    h('kbd', {}, 'Ctrl+S'),
  );
  const cancel = h(
    'button',
    { type: 'button', id: 'customer-cancel', class: 'btn', title: t('form.cancel.title') },
    t('form.cancel'),
    ' ',
    h('kbd', {}, 'Esc'),
  );
  const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const form = h(
    'form',
    { id: 'customer-form', class: 'form', novalidate: true, autocomplete: 'off' },
    formError,
    field('kind', controls.kind),
    field('name', controls.name, { hint: t('form.name.hint'), required: true }),
    field('phones', controls.phones, { hint: t('form.phones.hint'), required: true }),
    field('region', controls.region, { hint: t('form.region.hint') }),
    field('address', controls.address),
    field('class', controls.class),
    field('source', controls.source, { hint: t('form.source.hint') }),
    fieldWith('parent_id', parentPicker.input, parentPicker.element, { hint: t('form.parent.hint') }),
    field('notes', controls.notes, { hint: t('form.notes.hint') }),
    h('datalist', { id: 'customer-source-options' }, SOURCES.map((s) => h('option', { value: s }))),
    h('div', { class: 'form-actions' }, save, cancel),
  );
  const duplicates = h('aside', {
    id: 'duplicate-warning',
    class: 'duplicates',
    role: 'status',
    'aria-live': 'polite',
    hidden: true,
  });

  const title = editing ? t('form.title.edit') : t('form.title.new');
  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-form' },
      h(
        'div',
        { class: 'page-head' },
        h('h1', {}, title),
        editing ? h('span', { class: 'page-sub' }, customer.name) : null,
      ),
      h('div', { class: 'form-layout' }, form, duplicates),
    ),
  );
  setTitle(title);

  // ---- errors -----------------------------------------------------------------
  const errors = errorsFor(form, controls, formError);

  // ---- save -------------------------------------------------------------------
  let saving = false;
  async function submit() {
    if (saving) return;
    saving = true;
    save.disabled = true;
    form.setAttribute('aria-busy', 'true');
    errors.clearAll();
    const args = {
      kind: controls.kind.value,
      name: controls.name.value.trim(),
      phones: splitPhones(controls.phones.value),
      address: controls.address.value.trim(),
      region: controls.region.value.trim(),
      class: controls.class.value,
      source: controls.source.value.trim(),
      parent_id: parentPicker.value()?.id ?? null,
      notes: controls.notes.value,
    };
    try {
      const saved = editing
        ? await ctx.call('customers.update', { id, ...args })
        : await ctx.call('customers.create', args);
      if (!ctx.isCurrent()) return;
      ctx.toast(t('toast.saved'));
      ctx.refreshInfo();
      ctx.navigate(`#/customers/${saved?.id ?? id}`);
    } catch (error) {
      if (ctx.isCurrent()) errors.show(error);
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

  const back = () => ctx.navigate(editing ? `#/customers/${id}` : '#/customers');
  cancel.addEventListener('click', back);

  // Enter moves to the next field; from the last one it saves. In the notes box
  // Shift+Enter makes a new line.
  const order = FIELDS.map((name) => controls[name]);

  // ---- possible duplicates, while typing --------------------------------------
  let duplicateSeq = 0;
  function showDuplicates(items) {
    clear(duplicates);
    duplicates.hidden = items.length === 0;
    if (items.length === 0) return;
    duplicates.append(
      h('h2', {}, t('dup.title', { count: items.length })),
      h('p', { class: 'dup-lead' }, t('dup.lead')),
      h(
        'ul',
        { class: 'dup-list' },
        items.map(({ customer: other, reasons }) =>
          h(
            'li',
            { dataset: { id: String(other.id) } },
            h('a', { href: `#/customers/${other.id}`, class: 'dup-name' }, other.name),
            h('span', { class: 'dup-meta num' }, (other.phones ?? []).map(phoneDisplay).join('，')),
            other.address ? h('span', { class: 'dup-meta' }, other.address) : null,
            h('span', { class: 'dup-reasons' }, (reasons ?? []).map((r) => h('span', { class: 'chip chip-reason' }, r))),
          ),
        ),
      ),
    );
  }
  async function checkDuplicates() {
    const name = controls.name.value.trim();
    const phones = splitPhones(controls.phones.value);
    const address = controls.address.value.trim();
    const mine = ++duplicateSeq;
    if (name.length < 2 && phones.length === 0 && address.length < 4) {
      showDuplicates([]);
      return;
    }
    const args = { name, phones, address };
    if (editing) args.exclude_id = id;
    try {
      const result = await ctx.call('customers.duplicates', args);
      if (mine !== duplicateSeq || !ctx.isCurrent()) return;
      showDuplicates(result?.items ?? []);
    } catch {
      // A hint, not a gate: if the check fails the clerk can still save.
      if (mine === duplicateSeq) showDuplicates([]);
    }
  }
  const checkSoon = debounce(checkDuplicates, DUPLICATE_MS);
  for (const name of ['name', 'phones', 'address']) controls[name].addEventListener('input', checkSoon);
  form.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.isComposing || event.ctrlKey || event.altKey) return;
    const index = order.indexOf(event.target);
    if (index < 0) return;
    if (event.target === controls.notes && event.shiftKey) return;
    event.preventDefault();
    if (index === order.length - 1) submit();
    else order[index + 1].focus();
  });

  controls.name.focus();

  return {
    dispose() {
      checkSoon.cancel();
      resetTitle();
    },
    onKey(event) {
      if (isSave(event)) {
        event.preventDefault();
        submit();
      } else if (event.key === 'Escape') {
        event.preventDefault();
        back();
      }
    },
  };
}

// 新建主动服务 — choose the machines (a customer, and for a head office all its branches; a
// model; bought at least N months ago; no service for N months), see at once how many
// machines and customers that takes (the core's preview, read again as the choice changes),
// name it, phone calls or visits, save: one task per machine, and the campaign opens.
import { h, clear, debounce } from '../../lib/dom.js';
import { errorText, errorsFor, field } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { customerPicker } from '../../lib/customer-picker.js';
import { choiceField, choiceRow, enterSequence } from '../../lib/choice-row.js';
import { CAMPAIGN_KINDS } from './campaigns.js';
import { isSave } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';

const PREVIEW_MS = 250;

/** "", "12", "１２" → null, 12, 12; anything else → NaN. */
function months(text) {
  const plain = String(text ?? '')
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .trim();
  if (plain === '') return null;
  return /^\d{1,3}$/.test(plain) ? Number(plain) : Number.NaN;
}

export async function render(root, ctx) {
  const prefix = 'campaign';
  let draft = false;
  const touched = () => {
    draft = true;
  };
  const models = (await ctx.call('models.list', {}))?.items ?? [];
  if (!ctx.isCurrent()) return null;

  const name = h('input', { class: 'input input-wide', type: 'text', maxlength: '60', placeholder: t('campaign.name.placeholder') });
  const kind = choiceRow({
    prefix,
    name: 'kind',
    values: CAMPAIGN_KINDS,
    value: 'callback',
    label: (v) => t(`campaign.kind.${v}`),
    onChange: touched,
    onPick: () => picker.focus(),
  });
  const picker = customerPicker({
    call: ctx.call,
    id: 'campaign-customer_id',
    placeholder: t('campaign.customer.placeholder'),
    onChange: () => (touched(), previewSoon()),
  });
  const model = h(
    'select',
    { class: 'input input-model' },
    h('option', { value: '' }, t('campaign.model.any')),
    models.map((m) => h('option', { value: String(m.id) }, `${m.code} ${m.name}`)),
  );
  const minAge = h('input', { class: 'input input-qty num', type: 'text', inputmode: 'numeric', maxlength: '3', placeholder: t('campaign.months.placeholder') });
  const noService = h('input', { class: 'input input-qty num', type: 'text', inputmode: 'numeric', maxlength: '3', placeholder: t('campaign.months.placeholder') });
  const preview = h('div', { class: 'campaign-preview', id: 'campaign-preview', role: 'status', 'aria-live': 'polite' }, t('campaign.preview.none'));

  const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'campaign-save', dataset: { needs: 'campaigns.create' } }, t('campaign.save'), ' ', h('kbd', {}, 'Ctrl+S'));
  const cancel = h('a', { href: '#/campaigns', class: 'btn', id: 'campaign-cancel' }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
  const withUnit = (input, fieldName, label, hint) => {
    const f = field(prefix, fieldName, input, { label, hint });
    input.after(h('span', { class: 'unit' }, t('campaign.months.unit')));
    return f;
  };
  const form = h(
    'form',
    { class: 'form campaign-form', id: 'campaign-form', novalidate: true, autocomplete: 'off' },
    formError,
    field(prefix, 'name', name, { label: t('campaign.f.name'), required: true }),
    choiceField('kind', kind, t('campaign.f.kind'), { required: true }),
    h('h2', { class: 'subhead' }, t('campaign.criteria')),
    h(
      'div',
      { class: 'field field-customer_id' },
      h('label', { for: 'campaign-customer_id' }, t('campaign.f.customer')),
      h(
        'div',
        { class: 'control' },
        picker.element,
        h('div', { class: 'field-error', dataset: { for: 'customer_id' }, 'aria-live': 'polite' }),
        h('div', { class: 'hint' }, t('campaign.customer.hint')),
      ),
    ),
    field(prefix, 'model_id', model, { label: t('campaign.f.model') }),
    withUnit(minAge, 'min_age_months', t('campaign.f.min_age'), t('campaign.min_age.hint')),
    withUnit(noService, 'no_service_months', t('campaign.f.no_service'), t('campaign.no_service.hint')),
    h(
      'div',
      { class: 'field field-criteria' },
      h('span', { class: 'label' }, t('campaign.f.preview')),
      h('div', { class: 'control' }, preview, h('div', { class: 'field-error', dataset: { for: 'criteria' }, 'aria-live': 'polite' })),
    ),
    h('div', { class: 'form-actions' }, save, cancel),
  );

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-campaign-form' },
      h('div', { class: 'page-head' }, h('a', { href: '#/campaigns', class: 'crumb' }, t('campaigns.title')), h('span', { class: 'crumb-sep' }, '›'), h('h1', {}, t('campaign.new.title'))),
      h('p', { class: 'hint campaign-form-lead' }, t('campaign.new.lead')),
      form,
    ),
  );
  setTitle(t('campaign.new.title'));

  const controls = {
    name,
    kind: kind.element,
    customer_id: picker.input,
    model_id: model,
    min_age_months: minAge,
    no_service_months: noService,
    criteria: picker.input,
  };
  const errors = errorsFor(form, controls, formError);

  /** The criteria as the core takes them, or an error for the first unreadable field. */
  function criteria() {
    const c = {};
    const customer = picker.value();
    if (customer) c.customer_id = customer.id;
    if (model.value) c.model_id = Number(model.value);
    for (const [key, input] of [
      ['min_age_months', minAge],
      ['no_service_months', noService],
    ]) {
      const m = months(input.value);
      if (Number.isNaN(m)) return { error: { field: key, message: t('campaign.months.invalid', { value: input.value.trim() }) } };
      if (m !== null) c[key] = m;
    }
    return { criteria: c };
  }

  let seq = 0;
  async function showPreview() {
    const mine = ++seq;
    const { criteria: c, error } = criteria();
    preview.classList.remove('is-error', 'is-warning', 'is-ready');
    delete preview.dataset.machines;
    if (error) {
      preview.textContent = error.message;
      preview.classList.add('is-error');
      return;
    }
    if (Object.keys(c).length === 0) {
      preview.textContent = t('campaign.preview.none');
      return;
    }
    try {
      const p = await ctx.call('campaigns.preview', c);
      if (mine !== seq || !ctx.isCurrent()) return;
      preview.dataset.machines = String(p.machines);
      preview.dataset.customers = String(p.customers);
      clear(preview);
      if (p.too_many) {
        preview.classList.add('is-warning');
        preview.append(t('campaign.preview.too_many', { machines: p.machines }));
      } else if (p.machines === 0) {
        preview.classList.add('is-warning');
        preview.append(t('campaign.preview.zero'));
      } else {
        preview.classList.add('is-ready');
        preview.append(
          t('campaign.preview.lead'),
          ' ',
          h('strong', { class: 'num', id: 'campaign-preview-machines' }, String(p.machines)),
          ' ',
          t('campaign.preview.machines'),
          ' · ',
          h('strong', { class: 'num' }, String(p.customers)),
          ' ',
          t('campaign.preview.customers'),
        );
      }
    } catch (e) {
      if (mine !== seq || !ctx.isCurrent()) return;
      preview.textContent = errorText(e);
      preview.classList.add('is-error');
    }
  }
  const previewSoon = debounce(showPreview, PREVIEW_MS);
  for (const el of [model, minAge, noService]) {
    el.addEventListener('input', () => (touched(), previewSoon()));
    el.addEventListener('change', previewSoon);
  }
  name.addEventListener('input', touched);

  let busy = false;
  async function submit() {
    if (busy) return;
    errors.clearAll();
    const { criteria: c, error } = criteria();
    if (error) {
      errors.show(error);
      return;
    }
    busy = true;
    save.disabled = true;
    try {
      const created = await ctx.call('campaigns.create', { name: name.value.trim(), kind: kind.value() ?? '', criteria: c });
      if (!ctx.isCurrent()) return;
      draft = false;
      ctx.toast(t('campaign.toast.created', { name: created.name, count: created.total }));
      ctx.navigate(`#/campaigns/${created.id}`);
    } catch (e) {
      if (!ctx.isCurrent()) return;
      errors.show(e);
      if (e?.field === 'kind') kind.focus();
    } finally {
      busy = false;
      save.disabled = false;
    }
  }
  form.addEventListener('submit', (e) => (e.preventDefault(), submit()));
  enterSequence(form, () => [name, kind.control(), picker.input, model, minAge, noService], submit);
  name.focus();

  return {
    hasDraft: () => draft,
    dispose() {
      previewSoon.cancel();
      resetTitle();
    },
    onKey(event) {
      if (isSave(event)) {
        event.preventDefault();
        submit();
      } else if (event.key === 'Escape') {
        event.preventDefault();
        ctx.navigate('#/campaigns');
      }
    },
  };
}

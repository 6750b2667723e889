// 添加设备 / 修改设备 — one machine, one file. Enter moves on, Ctrl+S saves, Esc cancels.
import { h, clear } from '../../lib/dom.js';
import { enterMovesOn, errorsFor, field } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { isSave } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';

const FIELDS = ['model_id', 'serial', 'purchase_date', 'install_date', 'site'];

export async function render(root, ctx) {
  const machineId = ctx.params.id ?? null;
  const editing = machineId !== null;
  const [machine, catalogue] = await Promise.all([
    editing ? ctx.call('equipment.get', { id: machineId }) : null,
    ctx.call('models.list', {}),
  ]);
  const customerId = editing ? machine.customer_id : ctx.params.customerId;
  const owner = editing ? { id: machine.customer_id, name: machine.customer_name } : await ctx.call('customers.get', { id: customerId });
  if (!ctx.isCurrent()) return null;

  const models = catalogue?.items ?? [];
  const title = editing ? t('equipment.form.edit') : t('equipment.form.new');
  const backHash = editing ? `#/equipment/${machineId}` : `#/customers/${customerId}`;
  const back = () => ctx.navigate(backHash);

  clear(root);
  setTitle(title);
  const head = h(
    'div',
    { class: 'page-head' },
    h('h1', {}, title),
    h('span', { class: 'page-sub' }, t('equipment.form.for'), ' ', h('a', { href: `#/customers/${owner.id}` }, owner.name)),
  );

  if (models.length === 0) {
    // Nothing to choose from yet: say where models come from.
    const toModels = h('a', { href: '#/settings/models', class: 'btn btn-primary', id: 'go-models' }, t('models.title'));
    root.append(
      h(
        'section',
        { class: 'page page-form' },
        head,
        h(
          'div',
          { class: 'card' },
          h('p', { class: 'empty empty-small', id: 'equipment-no-models' }, t('equipment.nomodels')),
          h('div', { class: 'form-actions form-actions-plain' }, toModels, h('a', { href: backHash, class: 'btn' }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'))),
        ),
      ),
    );
    toModels.focus();
    return {
      onKey(event) {
        if (event.key === 'Escape') {
          event.preventDefault();
          back();
        }
      },
    };
  }

  const modelSelect = h(
    'select',
    { class: 'input input-model', value: machine?.model?.id != null ? String(machine.model.id) : '' },
    h('option', { value: '' }, t('equipment.model.choose')),
    models.map((m) => h('option', { value: String(m.id) }, `${m.code} · ${m.name}`)),
  );
  const dateInput = (value) =>
    h('input', { class: 'input input-date num', type: 'text', inputmode: 'numeric', autocomplete: 'off', placeholder: '2024-03-15', value: value ?? '' });
  const controls = {
    model_id: modelSelect,
    serial: h('input', { class: 'input num input-serial', type: 'text', autocomplete: 'off', spellcheck: 'false', value: machine?.serial ?? '' }),
    purchase_date: dateInput(machine?.purchase_date),
    install_date: dateInput(machine?.install_date),
    site: h('input', { class: 'input input-wide', type: 'text', autocomplete: 'off', value: machine?.site ?? '' }),
  };
  const policyHint = h('div', { class: 'hint', id: 'equipment-policy-hint' });
  function describePolicies() {
    const model = models.find((m) => String(m.id) === modelSelect.value);
    policyHint.textContent = model ? policyText(model) : '';
  }
  modelSelect.addEventListener('change', describePolicies);
  describePolicies();

  const save = h(
    'button',
    { type: 'submit', id: 'equipment-save', class: 'btn btn-primary', title: t('form.save.title') },
    t('form.save'),
    ' ',
    h('kbd', {}, 'Ctrl+S'),
  );
  const cancel = h(
    'button',
    { type: 'button', id: 'equipment-cancel', class: 'btn', title: t('form.cancel.title'), onclick: back },
    t('form.cancel'),
    ' ',
    h('kbd', {}, 'Esc'),
  );
  const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const modelField = field('equipment', 'model_id', controls.model_id, { label: t('equipment.f.model'), required: true });
  modelField.querySelector('.control').append(policyHint);
  const form = h(
    'form',
    { id: 'equipment-form', class: 'form', novalidate: true, autocomplete: 'off' },
    formError,
    modelField,
    field('equipment', 'serial', controls.serial, { label: t('equipment.f.serial'), hint: t('equipment.f.serial.hint'), required: true }),
    field('equipment', 'purchase_date', controls.purchase_date, { label: t('equipment.f.purchase'), hint: t('equipment.f.date.hint') }),
    field('equipment', 'install_date', controls.install_date, { label: t('equipment.f.install'), hint: t('equipment.f.install.hint') }),
    field('equipment', 'site', controls.site, { label: t('equipment.f.site'), hint: t('equipment.f.site.hint') }),
    h('div', { class: 'form-actions' }, save, cancel),
  );
  root.append(h('section', { class: 'page page-form' }, head, form));
  const errors = errorsFor(form, controls, formError);

  let saving = false;
  async function submit() {
    if (saving) return;
    saving = true;
    save.disabled = true;
    form.setAttribute('aria-busy', 'true');
    errors.clearAll();
    const date = (input) => input.value.trim() || null;
    const args = {
      model_id: modelSelect.value ? Number(modelSelect.value) : null,
      serial: controls.serial.value.trim(),
      purchase_date: date(controls.purchase_date),
      install_date: date(controls.install_date),
      site: controls.site.value.trim(),
    };
    try {
      const saved = editing
        ? await ctx.call('equipment.update', { id: machineId, ...args })
        : await ctx.call('equipment.create', { customer_id: customerId, ...args });
      if (!ctx.isCurrent()) return;
      ctx.toast(t('toast.saved'));
      ctx.navigate(editing ? `#/equipment/${machineId}` : `#/customers/${customerId}?equipment=${saved?.id ?? ''}`);
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
  enterMovesOn(form, () => FIELDS.map((name) => controls[name]), submit);

  (editing ? controls.serial : modelSelect).focus();

  return {
    dispose() {
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

/** "整机 12 个月（自购买日期）；压缩机 36 个月（自购买日期）" */
export function policyText(model) {
  return (model.policies ?? [])
    .map((p) =>
      t('models.policy.text', {
        component: p.component || t('models.whole'),
        months: p.months,
        basis: t(`models.basis.${p.basis === 'install' ? 'install' : 'purchase'}`),
      }),
    )
    .join(t('models.policy.sep'));
}

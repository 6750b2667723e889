// 设置 → 型号与保修 — the model catalogue and each model's warranty policies
// (whole machine and per component, in months from purchase or from install), and the
// model's 定期保养 plan (issue 21, orders/plans.js) under the form of a saved model.
import { h, clear, isTyping } from '../../lib/dom.js';
import { errorsFor, field } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { policyText } from './equipment-form.js';
import { isSave } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';
import { planForm, planText } from '../orders/plans.js';

export async function render(root, ctx) {
  const result = await ctx.call('models.list', {});
  if (!ctx.isCurrent()) return null;
  let models = result?.items ?? [];
  let editingId = null;

  const newButton = h(
    'button',
    { type: 'button', id: 'new-model', 'data-needs': 'models.save', class: 'btn btn-primary', title: t('models.new.title') },
    t('models.new'),
    ' ',
    h('kbd', {}, 'Insert'),
  );
  const tbody = h('tbody');
  const table = h(
    'table',
    { id: 'models-table', class: 'grid grid-compact' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', class: 'col-code' }, t('models.col.code')),
        h('th', { scope: 'col', class: 'col-mname' }, t('models.col.name')),
        h('th', { scope: 'col', class: 'col-category' }, t('models.col.category')),
        h('th', { scope: 'col' }, t('models.col.policies')),
        h('th', { scope: 'col', class: 'col-sanbao' }, t('models.col.sanbao')),
      ),
    ),
    tbody,
  );
  const empty = h('p', { class: 'empty empty-small', id: 'models-empty', hidden: true }, t('models.empty'));

  // ---- the form ---------------------------------------------------------------------------
  const controls = {
    code: h('input', { class: 'input num', type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: '40' }),
    name: h('input', { class: 'input input-wide', type: 'text', autocomplete: 'off', maxlength: '60' }),
    category: h('input', { class: 'input', type: 'text', autocomplete: 'off', maxlength: '20', list: 'model-category-options' }),
    sanbao: h('input', { type: 'checkbox', id: 'model-sanbao', name: 'sanbao' }),
  };
  const policyBody = h('tbody', { id: 'policy-rows' });
  const addPolicy = h('button', { type: 'button', id: 'add-policy', class: 'btn btn-small' }, t('models.policy.add'));
  const policyTable = h(
    'table',
    { class: 'policy-table', id: 'policy-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, t('models.policy.component')),
        h('th', { scope: 'col' }, t('models.policy.months')),
        h('th', { scope: 'col' }, t('models.policy.basis')),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('models.policy.remove'))),
      ),
    ),
    policyBody,
  );
  // The policy table gets the focus when the core names `policies`.
  policyTable.tabIndex = -1;
  controls.policies = policyTable;

  const formTitle = h('h2', { id: 'model-form-title' });
  const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', id: 'model-save', class: 'btn btn-primary', title: t('form.save.title') }, t('form.save'), ' ', h('kbd', {}, 'Ctrl+S'));
  const form = h(
    'form',
    { id: 'model-form', class: 'form model-form', novalidate: true, autocomplete: 'off', 'aria-labelledby': 'model-form-title' },
    formTitle,
    formError,
    field('model', 'code', controls.code, { label: t('models.f.code'), required: true, hint: t('models.f.code.hint') }),
    field('model', 'name', controls.name, { label: t('models.f.name'), required: true }),
    field('model', 'category', controls.category, { label: t('models.f.category'), hint: t('models.f.category.hint') }),
    h(
      'div',
      { class: 'field field-sanbao' },
      h('span', { class: 'label' }),
      h(
        'div',
        { class: 'control' },
        h('label', { class: 'check', for: 'model-sanbao' }, controls.sanbao, ' ', t('models.f.sanbao')),
        h('div', { class: 'hint' }, t('models.f.sanbao.hint')),
        h('div', { class: 'field-error', dataset: { for: 'sanbao' } }),
      ),
    ),
    h(
      'div',
      { class: 'field field-policies' },
      h('span', { class: 'label' }, t('models.f.policies')),
      h(
        'div',
        { class: 'control' },
        policyTable,
        h('div', { class: 'field-error', dataset: { for: 'policies' }, 'aria-live': 'polite' }),
        h('div', { class: 'policy-actions' }, addPolicy, h('span', { class: 'hint' }, t('models.policy.hint'))),
      ),
    ),
    h('datalist', { id: 'model-category-options' }),
    h('div', { class: 'form-actions' }, save),
  );
  const errors = errorsFor(form, controls, formError);
  // 定期保养 of the model being edited: every machine of it, unless a machine has its own.
  const planBox = h('section', { class: 'model-plan', id: 'model-plan', 'aria-labelledby': 'model-plan-title' });
  let planToken = 0;
  async function showPlan(model) {
    const token = ++planToken;
    clear(planBox);
    planBox.append(h('h2', { id: 'model-plan-title' }, t('plan.model.title')));
    if (!model?.id) {
      planBox.append(h('p', { class: 'hint', id: 'model-plan-new' }, t('plan.model.save_first')));
      return;
    }
    const found = await ctx.call('plans.list', { model_id: model.id });
    if (token !== planToken || !ctx.isCurrent()) return;
    const plan = found?.items?.[0] ?? null;
    planBox.append(
      h('p', { class: 'hint', id: 'model-plan-current' }, plan ? t('plan.model.current', { plan: planText(plan), from: plan.starts_on }) : t('plan.model.none')),
      planForm(ctx, {
        prefix: 'model-plan',
        target: { model_id: model.id },
        plan,
        onSaved: () => showPlan(model),
      }).element,
    );
  }

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-models' },
      h(
        'div',
        { class: 'page-head' },
        h('a', { href: '#/settings', class: 'crumb' }, t('settings.title')),
        h('span', { class: 'crumb-sep', 'aria-hidden': 'true' }, '›'),
        h('h1', {}, t('models.title')),
        h('div', { class: 'toolbar' }, newButton),
      ),
      h(
        'div',
        { class: 'models-layout' },
        h('div', { class: 'table-wrap models-list' }, table, empty),
        h('div', { class: 'model-side' }, form, planBox),
      ),
    ),
  );
  setTitle(t('models.title'));

  function policyRow(policy = { component: '', months: 12, basis: 'purchase' }) {
    const component = h('input', {
      class: 'input policy-component',
      type: 'text',
      name: 'component',
      autocomplete: 'off',
      placeholder: t('models.whole'),
      'aria-label': t('models.policy.component'),
      value: policy.component ?? '',
    });
    const months = h('input', {
      class: 'input policy-months num',
      type: 'number',
      name: 'months',
      min: '1',
      max: '240',
      step: '1',
      'aria-label': t('models.policy.months'),
      value: String(policy.months ?? 12),
    });
    const basis = h(
      'select',
      { class: 'input policy-basis', name: 'basis', 'aria-label': t('models.policy.basis'), value: policy.basis === 'install' ? 'install' : 'purchase' },
      h('option', { value: 'purchase' }, t('models.basis.purchase')),
      h('option', { value: 'install' }, t('models.basis.install')),
    );
    const remove = h('button', { type: 'button', class: 'btn btn-quiet policy-remove', title: t('models.policy.remove') }, t('models.policy.remove'));
    const row = h('tr', { class: 'policy-row' }, h('td', {}, component), h('td', { class: 'months-cell' }, months, h('span', { class: 'unit' }, t('models.months.unit'))), h('td', {}, basis), h('td', {}, remove));
    remove.addEventListener('click', () => {
      const next = row.nextElementSibling ?? row.previousElementSibling;
      row.remove();
      errors.clearOne('policies');
      (next?.querySelector('input') ?? addPolicy).focus();
    });
    for (const input of [component, months, basis]) input.addEventListener('input', () => errors.clearOne('policies'));
    return row;
  }

  function fillForm(model) {
    editingId = model?.id ?? null;
    errors.clearAll();
    formTitle.textContent = model ? t('models.form.edit', { code: model.code }) : t('models.form.new');
    controls.code.value = model?.code ?? '';
    controls.name.value = model?.name ?? '';
    controls.category.value = model?.category ?? '';
    controls.sanbao.checked = Boolean(model?.sanbao);
    clear(policyBody);
    const policies = model?.policies?.length ? model.policies : [{ component: '', months: 12, basis: 'purchase' }];
    policyBody.append(...policies.map(policyRow));
    for (const row of tbody.querySelectorAll('tr[data-id]')) {
      row.setAttribute('aria-selected', Number(row.dataset.id) === editingId ? 'true' : 'false');
    }
    showPlan(model).catch((error) => {
      if (ctx.isCurrent()) planBox.append(h('p', { class: 'notice notice-error' }, error?.message ?? String(error)));
    });
  }

  function showList() {
    clear(tbody);
    for (const m of models) {
      tbody.append(
        h(
          'tr',
          {
            dataset: { id: String(m.id) },
            tabIndex: 0,
            'aria-selected': m.id === editingId ? 'true' : 'false',
            onclick: () => {
              fillForm(m);
              controls.code.focus();
            },
          },
          h('td', { class: 'col-code num' }, m.code),
          h('td', { class: 'col-mname', title: m.name }, m.name),
          h('td', { class: 'col-category' }, m.category ?? ''),
          h('td', { class: 'col-policies', title: policyText(m) }, policyText(m)),
          h('td', { class: 'col-sanbao' }, m.sanbao ? h('span', { class: 'chip chip-sanbao' }, t('models.sanbao.yes')) : ''),
        ),
      );
    }
    const none = models.length === 0;
    empty.hidden = !none;
    table.classList.toggle('is-empty', none);
    const list = form.querySelector('#model-category-options');
    clear(list);
    for (const c of new Set(models.map((m) => m.category).filter(Boolean))) list.append(h('option', { value: c }));
  }

  tbody.addEventListener('keydown', (event) => {
    const rows = [...tbody.querySelectorAll('tr[data-id]')];
    const index = rows.indexOf(event.target.closest('tr'));
    if (index < 0) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      rows[Math.max(0, Math.min(rows.length - 1, index + (event.key === 'ArrowDown' ? 1 : -1)))].focus();
    } else if (event.key === 'Enter') {
      event.preventDefault();
      rows[index].click();
    }
  });

  function readPolicies() {
    return [...policyBody.querySelectorAll('tr.policy-row')].map((row) => ({
      component: row.querySelector('.policy-component').value.trim(),
      months: Number(row.querySelector('.policy-months').value),
      basis: row.querySelector('.policy-basis').value,
    }));
  }

  let saving = false;
  async function submit() {
    if (saving) return;
    saving = true;
    save.disabled = true;
    errors.clearAll();
    const args = {
      code: controls.code.value.trim(),
      name: controls.name.value.trim(),
      category: controls.category.value.trim(),
      sanbao: controls.sanbao.checked,
      policies: readPolicies(),
    };
    if (editingId !== null) args.id = editingId;
    try {
      const saved = await ctx.call('models.save', args);
      if (!ctx.isCurrent()) return;
      ctx.toast(t('toast.saved'));
      const fresh = await ctx.call('models.list', {});
      if (!ctx.isCurrent()) return;
      models = fresh?.items ?? [];
      editingId = saved?.id ?? editingId;
      showList();
      fillForm(models.find((m) => m.id === editingId) ?? saved);
      tbody.querySelector(`tr[data-id="${editingId}"]`)?.focus();
    } catch (error) {
      if (ctx.isCurrent()) errors.show(error);
    } finally {
      saving = false;
      save.disabled = false;
    }
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  form.addEventListener('keydown', (event) => {
    // Enter moves on through the fields; it never submits by accident from a policy row.
    if (event.key !== 'Enter' || event.isComposing || event.ctrlKey || event.altKey || event.target.tagName === 'BUTTON') return;
    event.preventDefault();
    const focusables = [...form.querySelectorAll('input, select')];
    const i = focusables.indexOf(event.target);
    if (i >= 0 && i < focusables.length - 1) focusables[i + 1].focus();
    else save.focus();
  });
  addPolicy.addEventListener('click', () => {
    const row = policyRow({ component: '', months: 36, basis: 'purchase' });
    policyBody.append(row);
    row.querySelector('.policy-component').focus();
  });
  function newModel() {
    fillForm(null);
    controls.code.focus();
  }
  newButton.addEventListener('click', newModel);

  showList();
  fillForm(null);
  if (models.length) tbody.querySelector('tr[data-id]').focus();
  else controls.code.focus();

  return {
    dispose() {
      resetTitle();
    },
    onKey(event) {
      if (isSave(event)) {
        event.preventDefault();
        submit();
      } else if (event.key === 'Insert' && !isTyping(event.target)) {
        event.preventDefault();
        newModel();
      } else if (event.key === 'Escape' && !isTyping(event.target)) {
        event.preventDefault();
        ctx.navigate('#/settings');
      }
    },
  };
}

// 设备档案 — one machine: its dates, the warranty verdict with its reason and per-component
// terms, a warranty override (with a reason, kept in the history), 定期保养 (its plan, when
// it is due, its maintenance orders and counter readings: orders/plans.js; P, G), and the
// history.
import { h, clear, isTyping } from '../../lib/dom.js';
import { errorsFor, field } from '../../lib/form.js';
import { dateText, sanbaoChip, warrantyChip, warrantyLabel } from '../../lib/format.js';
import { t } from '../../i18n.js';
import { deskDateTime } from '../../lib/dates.js';
import { isSave, modified } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';
import { timelineList } from '../../lib/timeline.js';
import { machinePlanCard } from '../orders/plans.js';

function item(labelKey, value, extraClass = '') {
  const empty = value === null || value === undefined || value === '';
  return [
    h('dt', {}, t(labelKey)),
    h('dd', { class: `${extraClass}${empty ? ' is-empty' : ''}`.trim() }, empty ? t('file.empty') : value),
  ];
}

export async function render(root, ctx) {
  const { id } = ctx.params;
  const machine = await ctx.call('equipment.get', { id });
  if (!ctx.isCurrent()) return null;
  const w = machine.warranty ?? { status: 'unknown', components: [] };
  const ownerHash = `#/customers/${machine.customer_id}?equipment=${machine.id}`;
  const back = () => ctx.navigate(ownerHash);
  const goEdit = () => ctx.navigate(`#/equipment/${machine.id}/edit`);

  const edit = h(
    'button',
    { type: 'button', id: 'equipment-edit', 'data-needs': 'equipment.update', class: 'btn', title: t('equipment.edit.title'), onclick: goEdit },
    t('file.edit'),
    ' ',
    h('kbd', {}, 'E'),
  );
  const overrideButton = h(
    'button',
    { type: 'button', id: 'warranty-override', 'data-needs': 'equipment.override_warranty', class: 'btn', title: t('override.button.title') },
    t('override.button'),
  );
  const backLink = h('a', { href: ownerHash, class: 'btn', title: 'Esc' }, t('equipment.back'), ' ', h('kbd', {}, 'Esc'));

  const components = w.components ?? [];
  const verdict = h(
    'div',
    { class: `verdict verdict-${w.status ?? 'unknown'}`, id: 'warranty-verdict' },
    h('div', { class: 'verdict-head' }, warrantyChip(w, { id: 'warranty-status' }), w.end ? h('span', { class: 'verdict-end num' }, t('warranty.until', { end: w.end })) : null),
    h('p', { class: 'verdict-reason', id: 'warranty-reason' }, w.reason ?? ''),
    w.sanbao ? h('p', { class: 'verdict-reason verdict-sanbao', id: 'warranty-sanbao' }, sanbaoChip(w.sanbao, { id: 'warranty-sanbao-chip' }), ' ', w.sanbao.reason ?? '') : null,
    w.override
      ? h(
          'p',
          { class: 'verdict-override', id: 'warranty-override-info' },
          t('override.current', { end: dateText(w.override.end), reason: w.override.reason ?? '' }),
        )
      : null,
    components.length
      ? h(
          'table',
          { class: 'grid grid-compact components', id: 'warranty-components' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, t('warranty.col.component')),
              h('th', { scope: 'col' }, t('warranty.col.end')),
              h('th', { scope: 'col' }, t('warranty.col.status')),
            ),
          ),
          h(
            'tbody',
            {},
            components.map((c) =>
              h(
                'tr',
                { dataset: { component: c.component ?? '' } },
                h('td', {}, c.component || t('models.whole')),
                h('td', { class: 'num' }, dateText(c.end)),
                h('td', {}, warrantyChip({ status: c.status, reason: warrantyLabel(c.status) })),
              ),
            ),
          ),
        )
      : null,
  );

  const overridePanel = h('div', { class: 'override-slot' });
  const plan = machinePlanCard({ ctx, machineId: machine.id });
  const history = machine.history ?? [];

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-file' },
      h(
        'article',
        { id: 'equipment-file', class: 'card', dataset: { id: String(machine.id) } },
        h(
          'header',
          { class: 'file-head' },
          h(
            'div',
            { class: 'file-title' },
            h('span', { class: 'file-kicker' }, t('equipment.file.title')),
            h('h1', { class: 'equipment-serial num' }, machine.serial),
            h('span', { class: 'file-chips' }, warrantyChip(w)),
          ),
          h('div', { class: 'toolbar' }, edit, overrideButton, backLink),
        ),
        h(
          'div',
          { class: 'file-columns' },
          h(
            'dl',
            { class: 'details' },
            item('equipment.f.owner', h('a', { href: `#/customers/${machine.customer_id}`, id: 'equipment-owner' }, machine.customer_name ?? String(machine.customer_id))),
            item('equipment.f.model', machine.model ? `${machine.model.code} · ${machine.model.name}` : ''),
            item('equipment.f.serial', machine.serial, 'num'),
            item('equipment.f.purchase', machine.purchase_date, 'num'),
            item('equipment.f.install', machine.install_date, 'num'),
            item('equipment.f.site', machine.site),
            item('file.created', deskDateTime(machine.created_at), 'num'),
          ),
          h('div', { class: 'verdict-col' }, h('h2', {}, t('warranty.title')), verdict, overridePanel),
        ),
      ),
      plan.element,
      h(
        'section',
        { class: 'card file-section' },
        h('div', { class: 'section-head' }, h('h2', {}, t('equipment.history'))),
        history.length
          ? timelineList(history, { id: 'equipment-history' })
          : h('p', { class: 'empty empty-small', id: 'equipment-history' }, t('equipment.history.empty')),
      ),
    ),
  );
  setTitle(machine.serial);

  // ---- override -------------------------------------------------------------------------
  let overrideOpen = false;
  function closeOverride() {
    overrideOpen = false;
    clear(overridePanel);
    overrideButton.disabled = false;
    overrideButton.focus();
  }
  function openOverride() {
    if (overrideOpen) return;
    overrideOpen = true;
    overrideButton.disabled = true;
    const controls = {
      warranty_end: h('input', {
        class: 'input input-date num',
        type: 'text',
        inputmode: 'numeric',
        autocomplete: 'off',
        placeholder: '2025-06-30',
        value: w.override?.end ?? '',
      }),
      reason: h('input', { class: 'input input-wide', type: 'text', autocomplete: 'off', maxlength: '200' }),
    };
    const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
    const confirm = h('button', { type: 'submit', id: 'override-save', class: 'btn btn-primary' }, t('override.save'), ' ', h('kbd', {}, 'Ctrl+S'));
    const cancel = h('button', { type: 'button', id: 'override-cancel', class: 'btn', onclick: closeOverride }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
    const form = h(
      'form',
      { id: 'override-form', class: 'override-form', novalidate: true, autocomplete: 'off' },
      h('h3', {}, t('override.title')),
      h('p', { class: 'hint' }, t('override.lead')),
      formError,
      field('override', 'warranty_end', controls.warranty_end, { label: t('override.end'), hint: t('override.end.hint') }),
      field('override', 'reason', controls.reason, { label: t('override.reason'), required: true }),
      h('div', { class: 'form-actions form-actions-plain' }, confirm, cancel),
    );
    overridePanel.append(form);
    const errors = errorsFor(form, controls, formError);
    let busy = false;
    async function submit() {
      if (busy) return;
      busy = true;
      confirm.disabled = true;
      errors.clearAll();
      try {
        await ctx.call('equipment.override_warranty', {
          id: machine.id,
          warranty_end: controls.warranty_end.value.trim() || null,
          reason: controls.reason.value.trim(),
        });
        if (!ctx.isCurrent()) return;
        ctx.toast(t('override.done'));
        ctx.navigate(`#/equipment/${machine.id}`);
      } catch (error) {
        if (ctx.isCurrent()) errors.show(error);
      } finally {
        busy = false;
        confirm.disabled = false;
      }
    }
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit();
    });
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && event.target === controls.warranty_end && !event.isComposing) {
        event.preventDefault();
        controls.reason.focus();
      } else if (isSave(event)) {
        event.preventDefault();
        event.stopPropagation();
        submit();
      } else if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        closeOverride();
      }
    });
    controls.warranty_end.focus();
  }
  overrideButton.addEventListener('click', openOverride);
  edit.focus();
  await plan.load();
  if (!ctx.isCurrent()) return null;

  return {
    dispose() {
      resetTitle();
    },
    onKey(event) {
      if (isTyping(event.target) || modified(event)) return;
      if (plan.onKey(event)) return;
      if (event.key === 'e' || event.key === 'E') {
        event.preventDefault();
        goEdit();
      } else if (event.key === 'Escape') {
        event.preventDefault();
        back();
      }
    },
  };
}

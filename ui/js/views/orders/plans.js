// 定期保养 (issue 21): the plan form (a model's on 型号与保修, a machine's own on its file),
// the machine file's card (the plan that applies, when it is due, the appointment the
// desk suggests, the order made for it, the machine's maintenance history and counter
// readings, 记录读数), and the chip of a machine's standing that the day board shares.
// What is due and when is the core's (plans.machine / day.board); nothing is counted here.
import { h, clear } from '../../lib/dom.js';
import { enterMovesOn, errorsFor, field, sender } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { deskDate } from '../../lib/dates.js';
import { statusChip } from './words.js';

export const BASES = ['months', 'counter'];
export const PLAN_STATES = ['active', 'paused', 'ended'];
const DUE_STATES = ['upcoming', 'soon', 'overdue', 'no_reading', 'stopped'];
const WHOLE = /^\d{1,12}$/;

/** Where a machine stands (未到期 / 即将到期 / 已到期 …) as a chip with text. */
export function dueStateChip(state, { id } = {}) {
  const known = DUE_STATES.includes(state) ? state : 'upcoming';
  const cls = { overdue: 'chip-low', soon: 'chip-clock chip-clock-warning', stopped: 'chip-inactive', no_reading: 'chip-inactive' }[known] ?? 'chip-kind';
  return h('span', { class: `chip ${cls} plan-state`, dataset: { state: known }, id }, t(`plan.due.${known}`));
}

/** 每6个月 / 每10000计数, and 已暂停 / 已结束 when not running. */
export function planText(plan) {
  if (!plan) return '';
  const every = plan.basis === 'counter' ? t('plan.every.counter', { n: plan.every_count }) : t('plan.every.months', { n: plan.every_months });
  return plan.state === 'active' ? every : `${every}（${t(`plan.state.${plan.state}`)}）`;
}

function select(options, label, value) {
  return h(
    'select',
    { class: 'input' },
    options.map((o) => h('option', { value: o, selected: o === value }, label(o))),
  );
}

/**
 * The plan form. `target` is {model_id} or {equipment_id}; `plan` the one saved (or null).
 * `onSaved(plan)` after the core took it; `onCancel` on Esc or 取消 (none: no button).
 * Returns {element, focus}.
 */
export function planForm(ctx, { prefix, target, plan, onSaved, onCancel }) {
  const controls = {
    basis: select(BASES, (b) => t(`plan.basis.${b}`), plan?.basis ?? 'months'),
    every_months: h('input', { class: 'input input-short num', type: 'text', inputmode: 'numeric', maxlength: '2', autocomplete: 'off', value: plan?.every_months ?? '' }),
    every_count: h('input', { class: 'input num', type: 'text', inputmode: 'numeric', maxlength: '9', autocomplete: 'off', value: plan?.every_count ?? '' }),
    starts_on: h('input', { class: 'input input-date num', type: 'text', inputmode: 'numeric', maxlength: '10', autocomplete: 'off', placeholder: '2026-12-01', value: plan?.starts_on ?? '' }),
    state: select(PLAN_STATES, (s) => t(`plan.state.${s}`), plan?.state ?? 'active'),
    note: h('input', { class: 'input input-wide', type: 'text', maxlength: '200', autocomplete: 'off', value: plan?.note ?? '' }),
  };
  const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: `${prefix}-save` }, t('plan.save'), ' ', h('kbd', {}, 'Ctrl+S'));
  const cancel = onCancel ? h('button', { type: 'button', class: 'btn', id: `${prefix}-cancel` }, t('form.cancel'), ' ', h('kbd', {}, 'Esc')) : null;
  const monthsField = field(prefix, 'every_months', controls.every_months, { label: t('plan.f.every_months'), required: true, hint: t('plan.f.every_months.hint') });
  const countField = field(prefix, 'every_count', controls.every_count, { label: t('plan.f.every_count'), required: true, hint: t('plan.f.every_count.hint') });
  const form = h(
    'form',
    { class: 'plan-form', id: `${prefix}-form`, novalidate: true, autocomplete: 'off' },
    formError,
    field(prefix, 'basis', controls.basis, { label: t('plan.f.basis'), required: true }),
    monthsField,
    countField,
    field(prefix, 'starts_on', controls.starts_on, { label: t('plan.f.starts_on'), hint: t('plan.f.starts_on.hint') }),
    field(prefix, 'state', controls.state, { label: t('plan.f.state') }),
    field(prefix, 'note', controls.note, { label: t('plan.f.note') }),
    h('div', { class: 'form-actions form-actions-plain' }, save, cancel),
  );
  function showBasis() {
    const counter = controls.basis.value === 'counter';
    monthsField.hidden = counter;
    countField.hidden = !counter;
  }
  controls.basis.addEventListener('change', showBasis);
  showBasis();
  const errors = errorsFor(form, controls, formError);
  const every = () => (controls.basis.value === 'counter' ? controls.every_count : controls.every_months);
  const submit = sender(save, errors, async () => {
    const counter = controls.basis.value === 'counter';
    const name = counter ? 'every_count' : 'every_months';
    const typed = every().value.trim();
    // A number the core's JSON cannot take whole (6.5, 六) is refused here, under its field.
    if (!WHOLE.test(typed)) throw { field: name, message: t('plan.f.every.invalid', { value: typed || '（空）' }) };
    const saved = await ctx.call('plans.save', {
      ...target,
      basis: controls.basis.value,
      [name]: Number(typed),
      starts_on: controls.starts_on.value.trim(),
      state: controls.state.value,
      note: controls.note.value.trim(),
    });
    ctx.toast(t('plan.saved', { plan: planText(saved) }));
    onSaved(saved);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  form.addEventListener('keydown', (event) => {
    if (event.key === 's' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      event.stopPropagation();
      submit();
    } else if (event.key === 'Escape' && onCancel) {
      event.preventDefault();
      event.stopPropagation();
      onCancel();
    }
  });
  cancel?.addEventListener('click', () => onCancel());
  enterMovesOn(form, () => [controls.basis, every(), controls.starts_on, controls.state, controls.note], submit);
  return { element: form, focus: () => controls.basis.focus() };
}

function item(label, value, id) {
  const empty = value === null || value === undefined || value === '';
  return [h('dt', {}, label), h('dd', { class: empty ? 'is-empty' : '', id }, empty ? t('file.empty') : value)];
}

/**
 * The machine file's 定期保养 card. P opens the machine's own plan form, G the reading
 * form (`onKey` below, called by the file). Returns {element, load, onKey}.
 */
export function machinePlanCard({ ctx, machineId }) {
  const element = h('section', { class: 'card file-section', id: 'machine-plan' });
  let card = null;
  let open = null; // 'plan' | 'reading'

  function openForm(which) {
    if (!card) return;
    if (which === 'reading' && card.next?.plan?.basis !== 'counter') return;
    open = which;
    draw();
    element.querySelector('form')?.querySelector('select, input')?.focus();
  }
  function close() {
    open = null;
    draw();
    element.querySelector('#machine-plan-edit')?.focus();
  }

  function readingForm() {
    const controls = {
      reading: h('input', { class: 'input num', type: 'text', inputmode: 'numeric', maxlength: '12', autocomplete: 'off' }),
      read_on: h('input', { class: 'input input-date num', type: 'text', inputmode: 'numeric', maxlength: '10', autocomplete: 'off', placeholder: '2026-12-01' }),
      order_id: select(['', ...card.visits.filter((v) => !['closed', 'cancelled'].includes(v.status)).map((v) => String(v.order_id))], (v) => (v ? card.visits.find((x) => String(x.order_id) === v)?.number : t('plan.reading.no_order')), ''),
    };
    const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
    const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'machine-reading-save' }, t('plan.reading.save'));
    const cancel = h('button', { type: 'button', class: 'btn', id: 'machine-reading-cancel', onclick: close }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
    const form = h(
      'form',
      { class: 'plan-form', id: 'machine-reading-form', novalidate: true, autocomplete: 'off' },
      formError,
      field('machine-reading', 'reading', controls.reading, { label: t('plan.reading.value'), required: true, hint: card.next?.last_reading ? t('plan.reading.last', { n: card.next.last_reading.reading, on: card.next.last_reading.read_on }) : null }),
      field('machine-reading', 'read_on', controls.read_on, { label: t('plan.reading.on'), hint: t('plan.reading.on.hint') }),
      field('machine-reading', 'order_id', controls.order_id, { label: t('plan.reading.order') }),
      h('div', { class: 'form-actions form-actions-plain' }, save, cancel),
    );
    const errors = errorsFor(form, controls, formError);
    const submit = sender(save, errors, async () => {
      const typed = controls.reading.value.trim();
      if (!WHOLE.test(typed)) throw { field: 'reading', message: t('plan.reading.invalid', { value: typed || '（空）' }) };
      const args = { equipment_id: machineId, reading: Number(typed), read_on: controls.read_on.value.trim() };
      if (controls.order_id.value) args.order_id = Number(controls.order_id.value);
      card = await ctx.call('plans.reading', args);
      ctx.toast(t('plan.reading.done', { n: typed }));
      open = null;
      draw();
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit();
    });
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        close();
      }
    });
    enterMovesOn(form, () => [controls.reading, controls.read_on, controls.order_id], submit);
    return form;
  }

  function summary() {
    const next = card.next;
    if (!next) return h('p', { class: 'empty empty-small', id: 'machine-plan-none' }, t('plan.none'));
    const due = next.due_on
      ? h('span', { class: 'num' }, next.due_on)
      : next.due_count !== null && next.due_count !== undefined
        ? h('span', { class: 'num' }, t('plan.due.count', { n: next.due_count }))
        : '';
    return h(
      'dl',
      { class: 'details details-compact plan-details', id: 'machine-plan-summary', dataset: { state: next.state } },
      item(t('plan.f.plan'), h('span', {}, planText(next.plan), ' ', h('span', { class: 'muted' }, next.from_model ? t('plan.from_model', { model: next.model }) : t('plan.own'))), 'machine-plan-plan'),
      item(t('plan.f.counted_from'), next.counted_from, 'machine-plan-from'),
      item(t('plan.f.due'), due ? h('span', {}, due, next.due_on && next.due_count ? h('span', { class: 'muted' }, ` ${t('plan.due.count', { n: next.due_count })}`) : null) : '', 'machine-plan-due'),
      item(t('plan.f.state_now'), dueStateChip(next.state, { id: 'machine-plan-state' })),
      item(t('plan.f.suggested'), next.suggested_on ? h('span', { class: 'num' }, next.suggested_on, next.suggested_on !== next.due_on && next.due_on ? h('span', { class: 'muted' }, ` ${t('plan.suggested.moved')}`) : null) : '', 'machine-plan-suggested'),
      item(
        t('plan.f.order'),
        next.order ? h('a', { href: `#/orders/${next.order.id}`, class: 'num', id: 'machine-plan-order' }, next.order.number, ' ', statusChip(next.order.status)) : '',
      ),
      next.plan.basis === 'counter' ? item(t('plan.f.last_reading'), next.last_reading ? t('plan.reading.line', { n: next.last_reading.reading, on: next.last_reading.read_on }) : '', 'machine-plan-reading') : null,
    );
  }

  function visitsTable() {
    if (!card.visits.length) return h('p', { class: 'empty empty-small', id: 'machine-plan-visits' }, t('plan.visits.empty'));
    return h(
      'table',
      { class: 'grid grid-compact', id: 'machine-plan-visits' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t('plan.col.number')),
          h('th', { scope: 'col' }, t('plan.col.created')),
          h('th', { scope: 'col' }, t('plan.col.due')),
          h('th', { scope: 'col' }, t('plan.col.status')),
          h('th', { scope: 'col' }, t('plan.col.completed')),
          h('th', { scope: 'col' }, t('plan.col.work')),
        ),
      ),
      h(
        'tbody',
        {},
        card.visits.map((v) =>
          h(
            'tr',
            { dataset: { order: String(v.order_id), number: v.number } },
            h('td', { class: 'num' }, h('a', { href: `#/orders/${v.order_id}` }, v.number)),
            h('td', { class: 'num' }, deskDate(v.created_at)),
            h('td', { class: 'num' }, v.from_plan ? v.due_on : h('span', { class: 'muted' }, t('plan.by_hand'))),
            h('td', {}, statusChip(v.status)),
            h('td', { class: 'num' }, v.completed_at ? deskDate(v.completed_at) : ''),
            h('td', { title: v.work_done }, v.work_done),
          ),
        ),
      ),
    );
  }

  function readingsList() {
    if (!card.readings.length) return null;
    return h(
      'p',
      { class: 'muted plan-readings', id: 'machine-plan-readings' },
      t('plan.readings'),
      ' ',
      card.readings.slice(0, 8).map((r, i) => h('span', { class: 'num' }, `${i ? ' · ' : ''}${r.reading}（${r.read_on}${r.order_number ? ` ${r.order_number}` : ''}）`)),
    );
  }

  function draw() {
    clear(element);
    const edit = h(
      'button',
      { type: 'button', class: 'btn btn-small', id: 'machine-plan-edit', dataset: { needs: 'plans.save' }, title: t('plan.edit.title'), onclick: () => openForm('plan') },
      card?.own ? t('plan.edit') : t('plan.edit.new'),
      ' ',
      h('kbd', {}, 'P'),
    );
    const read = card?.next?.plan?.basis === 'counter'
      ? h('button', { type: 'button', class: 'btn btn-small', id: 'machine-plan-read', dataset: { needs: 'plans.reading' }, onclick: () => openForm('reading') }, t('plan.reading.open'), ' ', h('kbd', {}, 'G'))
      : null;
    element.append(h('div', { class: 'section-head' }, h('h2', {}, t('plan.title')), h('div', { class: 'toolbar' }, read, edit)));
    if (!card) return;
    if (open === 'plan') {
      const f = planForm(ctx, {
        prefix: 'machine-plan',
        target: { equipment_id: machineId },
        plan: card.own,
        onSaved: async () => {
          open = null;
          await load();
          element.querySelector('#machine-plan-edit')?.focus();
        },
        onCancel: close,
      });
      element.append(h('p', { class: 'hint' }, t('plan.own.lead')), f.element);
    } else if (open === 'reading') {
      element.append(readingForm());
    }
    element.append(summary(), h('h3', { class: 'plan-sub' }, t('plan.visits')), visitsTable());
    const readings = readingsList();
    if (readings) element.append(readings);
  }

  async function load() {
    card = await ctx.call('plans.machine', { equipment_id: machineId });
    if (!ctx.isCurrent()) return;
    draw();
  }

  draw();
  return {
    element,
    load,
    onKey(event) {
      if (event.key === 'p' || event.key === 'P') {
        event.preventDefault();
        openForm('plan');
        return true;
      }
      if (event.key === 'g' || event.key === 'G') {
        event.preventDefault();
        openForm('reading');
        return true;
      }
      return false;
    },
  };
}

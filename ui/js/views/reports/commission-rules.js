// 设置 → 提成规则 — the engineers' commission rules (issue 21): the sets saved, each with the
// day it takes effect from, and a form for a new set: per order kind and service mode, an
// amount per visit, shares of labour and parts sold, the first-visit bonus, deductions for a
// justified complaint and a repeat repair within 30 days. A set takes effect from today or
// later (the core refuses an earlier day: what was computed stays); saving one for a day
// that already has a set not yet past replaces it.
import { h, clear, isTyping } from '../../lib/dom.js';
import { errorsFor, field } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { parseYuan, yuanInput } from '../../lib/money.js';
import { isSave } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';
import { deskDateTime } from '../../lib/dates.js';

/** The amounts of a rule in fen, typed as yuan. */
const MONEY = ['visit_fen', 'first_fix_fen', 'complaint_fen', 'repeat_fen'];
/** The shares in basis points, typed as a percent. */
const SHARES = ['labour_bp', 'parts_bp'];
const COLUMNS = ['visit_fen', 'labour_bp', 'parts_bp', 'first_fix_fen', 'complaint_fen', 'repeat_fen'];

/** "5", "5.5", "12.25", "５" → basis points; "" → 0; anything else → null. */
function parsePercent(text) {
  const plain = String(text ?? '')
    .replace(/[０-９．]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[%％\s]/g, '');
  if (plain === '') return 0;
  const match = /^(\d{1,3})(?:\.(\d{0,2}))?$/.exec(plain);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

function percentInput(bp) {
  if (!bp) return '';
  const whole = Math.trunc(bp / 100);
  const rest = bp % 100;
  if (rest === 0) return String(whole);
  return `${whole}.${String(rest).padStart(2, '0').replace(/0$/, '')}`;
}

function addDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export async function render(root, ctx) {
  let data = await ctx.call('reports.commission_rules', {});
  if (!ctx.isCurrent()) return null;

  const kindLabel = (w) => data.kinds.find((k) => k.word === w)?.label ?? w;
  const modeLabel = (w) => data.modes.find((m) => m.word === w)?.label ?? w;

  // ---- the sets saved ------------------------------------------------------------------------
  const setsBody = h('tbody');
  const setsTable = h(
    'table',
    { id: 'commission-sets', class: 'grid grid-compact' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', class: 'col-date' }, t('commission.col.from')),
        h('th', { scope: 'col' }, t('commission.col.state')),
        h('th', { scope: 'col', class: 'col-cnote' }, t('commission.col.note')),
        h('th', { scope: 'col' }, t('commission.col.by')),
      ),
    ),
    setsBody,
  );
  const setsEmpty = h('p', { class: 'empty empty-small', id: 'commission-sets-empty', hidden: true }, t('commission.empty'));

  // ---- the form ----------------------------------------------------------------------------------
  const controls = {
    effective_from: h('input', { class: 'input num', type: 'text', autocomplete: 'off', maxlength: '10', inputmode: 'numeric', spellcheck: 'false' }),
    note: h('input', { class: 'input input-wide', type: 'text', autocomplete: 'off', maxlength: '200' }),
  };
  const rulesBody = h('tbody', { id: 'commission-rule-rows' });
  const rulesTable = h(
    'table',
    { id: 'commission-rules', class: 'grid grid-compact commission-rules' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, t('commission.col.kind')),
        h('th', { scope: 'col' }, t('commission.col.mode')),
        COLUMNS.map((c) => h('th', { scope: 'col', class: 'col-money', title: t(`commission.col.${c}.title`) }, t(`commission.col.${c}`))),
      ),
    ),
    rulesBody,
  );
  rulesTable.tabIndex = -1;
  controls.rules = rulesTable;
  const inputs = new Map(); // `${kind}-${mode}` → {field → input}
  for (const k of data.kinds) {
    for (const m of data.modes) {
      const row = {};
      const cells = COLUMNS.map((c) => {
        const input = h('input', {
          class: 'input input-money num',
          type: 'text',
          inputmode: 'decimal',
          autocomplete: 'off',
          maxlength: '10',
          id: `commission-${k.word}-${m.word}-${c}`,
          'aria-label': `${k.label}·${m.label} ${t(`commission.col.${c}`)}`,
        });
        input.addEventListener('input', () => errors.clearOne('rules'));
        row[c] = input;
        return h('td', { class: 'qty' }, input);
      });
      inputs.set(`${k.word}-${m.word}`, row);
      rulesBody.append(h('tr', { dataset: { kind: k.word, mode: m.word } }, h('th', { scope: 'row' }, k.label), h('td', {}, m.label), cells));
    }
  }

  const formTitle = h('h2', { id: 'commission-form-title' }, t('commission.form.title'));
  const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', id: 'commission-save', class: 'btn btn-primary', title: t('form.save.title') }, t('form.save'), ' ', h('kbd', {}, 'Ctrl+S'));
  const form = h(
    'form',
    { id: 'commission-form', class: 'form commission-form', novalidate: true, autocomplete: 'off', 'aria-labelledby': 'commission-form-title' },
    formTitle,
    formError,
    field('commission', 'effective_from', controls.effective_from, { label: t('commission.f.from'), required: true, hint: t('commission.f.from.hint') }),
    field('commission', 'note', controls.note, { label: t('commission.f.note') }),
    h(
      'div',
      { class: 'field field-rules' },
      h('span', { class: 'label' }, t('commission.f.rules')),
      h(
        'div',
        { class: 'control' },
        h('div', { class: 'table-wrap commission-rules-wrap' }, rulesTable),
        h('div', { class: 'field-error', dataset: { for: 'rules' }, 'aria-live': 'polite' }),
        h('div', { class: 'hint' }, t('commission.f.rules.hint')),
      ),
    ),
    h('div', { class: 'form-actions' }, save),
  );
  const errors = errorsFor(form, controls, formError);

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-commission' },
      h(
        'div',
        { class: 'page-head' },
        h('a', { href: '#/settings', class: 'crumb' }, t('settings.title')),
        h('span', { class: 'crumb-sep', 'aria-hidden': 'true' }, '›'),
        h('h1', {}, t('commission.title')),
      ),
      h('p', { class: 'lead muted' }, t('commission.lead')),
      h('div', { class: 'commission-layout' }, h('div', { class: 'table-wrap commission-sets-wrap' }, setsTable, setsEmpty), form),
    ),
  );
  setTitle(t('commission.title'));

  function stateOf(s) {
    if (s.in_force) return h('span', { class: 'chip chip-set', dataset: { state: 'in_force' } }, t('commission.state.in_force'));
    if (s.future) return h('span', { class: 'chip chip-set', dataset: { state: 'future' } }, t('commission.state.future'));
    return h('span', { class: 'chip chip-set', dataset: { state: 'past' } }, t('commission.state.past'));
  }

  function showSets() {
    clear(setsBody);
    for (const s of data.sets) {
      setsBody.append(
        h(
          'tr',
          {
            dataset: { id: String(s.id), from: s.effective_from },
            tabIndex: 0,
            title: t('commission.set.use'),
            onclick: () => {
              fill(s);
              controls.effective_from.focus();
            },
          },
          h('td', { class: 'col-date num' }, s.effective_from),
          h('td', {}, stateOf(s)),
          h('td', { class: 'col-cnote', title: s.note }, s.note),
          h('td', { title: deskDateTime(s.created_at) }, s.created_by),
        ),
      );
    }
    setsEmpty.hidden = data.sets.length > 0;
  }

  /** The form from a set: its rules; its day when still to come, else from tomorrow. */
  function fill(s) {
    errors.clearAll();
    const future = s && s.effective_from >= data.today;
    controls.effective_from.value = future ? s.effective_from : addDays(data.today, 1);
    controls.note.value = s?.note ?? '';
    for (const [key, row] of inputs) {
      const rule = s?.rules?.find((r) => `${r.kind}-${r.mode}` === key) ?? {};
      for (const c of MONEY) row[c].value = rule[c] ? yuanInput(rule[c]) : '';
      for (const c of SHARES) row[c].value = percentInput(rule[c] ?? 0);
    }
  }

  /** The rows as the core takes them; a figure that is not one is refused here, naming it. */
  function readRules() {
    const rules = [];
    let n = 0;
    for (const k of data.kinds) {
      for (const m of data.modes) {
        n += 1;
        const row = inputs.get(`${k.word}-${m.word}`);
        const rule = { kind: k.word, mode: m.word };
        for (const c of COLUMNS) {
          const value = MONEY.includes(c) ? parseYuan(row[c].value) : parsePercent(row[c].value);
          if (value === null) {
            const e = { field: 'rules', message: t('commission.error.figure', { n, kind: kindLabel(k.word), mode: modeLabel(m.word), what: t(`commission.col.${c}`) }) };
            row[c].focus();
            throw e;
          }
          rule[c] = value;
        }
        rules.push(rule);
      }
    }
    return rules;
  }

  let saving = false;
  async function submit() {
    if (saving) return;
    errors.clearAll();
    let rules;
    try {
      rules = readRules();
    } catch (error) {
      errors.show(error, { focus: false });
      return;
    }
    saving = true;
    save.disabled = true;
    try {
      data = await ctx.call('reports.commission_rules.save', {
        effective_from: controls.effective_from.value.trim(),
        note: controls.note.value.trim(),
        rules,
      });
      if (!ctx.isCurrent()) return;
      ctx.toast(t('toast.saved'));
      showSets();
      setsBody.querySelector(`tr[data-from="${CSS.escape(controls.effective_from.value.trim())}"]`)?.focus();
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
    // Enter moves on through the fields; from the last one it saves.
    if (event.key !== 'Enter' || event.isComposing || event.ctrlKey || event.altKey || event.target.tagName === 'BUTTON') return;
    event.preventDefault();
    const focusables = [...form.querySelectorAll('input')];
    const i = focusables.indexOf(event.target);
    if (i >= 0 && i < focusables.length - 1) focusables[i + 1].focus();
    else submit();
  });
  setsBody.addEventListener('keydown', (event) => {
    const rows = [...setsBody.querySelectorAll('tr[data-id]')];
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

  controls.effective_from.placeholder = data.today;
  showSets();
  // Start from the set in force (or the newest): the manager changes what is paid now.
  fill(data.sets.find((s) => s.in_force) ?? data.sets[0] ?? null);
  controls.effective_from.focus();
  return {
    dispose() {
      resetTitle();
    },
    onKey(event) {
      if (isSave(event)) {
        event.preventDefault();
        submit();
      } else if (event.key === 'Escape' && !isTyping(event.target)) {
        event.preventDefault();
        ctx.navigate('#/settings');
      }
    },
  };
}

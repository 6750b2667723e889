// 备用机 — the register of loaner machines (issue 21): each with its condition, its deposit
// and where it is (在库, 借给 whom on which order and until when, 逾期 in red, 停用). The
// manager adds and changes them in the form below the list (Ctrl+S saves); a loaner out is
// taken back here or on its order (归还: the condition it came back in; the core refunds the
// deposit). Lending is done on the order (J), where the customer is.
// Keys: ↑↓ through the rows, Enter edits the row (归还 for a user who may not edit), R takes
// back the loaner of the row, N a new loaner, A shows the retired ones too, Esc closes 归还.
import { h, clear, isTyping } from '../../lib/dom.js';
import { enterMovesOn, errorsFor, errorText, field, sender } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { parseYuan, yuan, yuanInput } from '../../lib/money.js';
import { modified } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';
import { CONDITIONS, conditionLabel, dueChip, returnForm } from './order-loaners.js';

export async function render(root, ctx) {
  let all = ctx.query.get('all') === '1';
  const [first, status] = await Promise.all([ctx.call('loaners.list', { all }), ctx.call('auth.status', {})]);
  if (!ctx.isCurrent()) return null;
  let list = first;
  // What this user may do here (the core refuses the rest anyway).
  const permitted = new Set(status?.commands ?? []);
  const may = (command) => permitted.has(command);

  let editing = null;
  let returning = null; // {loan, form}
  const tableBox = h('div', { class: 'loaner-list', id: 'loaners-box' });
  const returnBox = h('div', { class: 'loaner-return', id: 'loaners-return' });
  const count = h('span', { class: 'section-count', id: 'loaners-count' });
  const showAll = h('input', { type: 'checkbox', id: 'loaners-all', checked: all });
  const failure = h('p', { class: 'notice notice-error', role: 'alert', hidden: true, id: 'loaners-error' });

  // ---- the form: add or change one (the manager) ------------------------------------------
  const title = h('h2', { id: 'loaner-form-title' });
  const controls = {
    model: h('input', { class: 'input input-wide', type: 'text', maxlength: '60', autocomplete: 'off' }),
    serial: h('input', { class: 'input num', type: 'text', maxlength: '40', autocomplete: 'off' }),
    condition: h(
      'select',
      { class: 'input' },
      CONDITIONS.map((c) => h('option', { value: c }, conditionLabel(c))),
    ),
    deposit_fen: h('input', { class: 'input num', type: 'text', inputmode: 'decimal', autocomplete: 'off' }),
    note: h('input', { class: 'input input-wide', type: 'text', maxlength: '200', autocomplete: 'off' }),
    retired: h('input', { type: 'checkbox' }),
  };
  controls.retired.id = 'loaner-retired';
  controls.retired.name = 'retired';
  const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'loaner-save' }, t('form.save'), ' ', h('kbd', {}, 'Ctrl+S'));
  const fresh = h('button', { type: 'button', class: 'btn', id: 'loaner-new' }, t('loaner.new'), ' ', h('kbd', {}, 'N'));
  const form = h(
    'form',
    { class: 'settings-form loaner-form', id: 'loaner-form', novalidate: true, autocomplete: 'off' },
    formError,
    field('loaner', 'model', controls.model, { label: t('loaner.f.model'), required: true, hint: t('loaner.f.model.hint') }),
    field('loaner', 'serial', controls.serial, { label: t('loaner.f.serial'), required: true, hint: t('loaner.f.serial.hint') }),
    field('loaner', 'condition', controls.condition, { label: t('loaner.f.condition'), required: true }),
    field('loaner', 'deposit_fen', controls.deposit_fen, { label: t('loaner.f.deposit'), hint: t('loaner.f.deposit.register') }),
    field('loaner', 'note', controls.note, { label: t('loaner.f.note') }),
    h(
      'div',
      { class: 'field field-retired' },
      h('span', { class: 'label' }),
      h('div', { class: 'control' }, h('label', { class: 'check', for: 'loaner-retired' }, controls.retired, ' ', t('loaner.f.retired')), h('div', { class: 'field-error', dataset: { for: 'retired' } })),
    ),
    h('div', { class: 'form-actions' }, save, fresh),
  );
  const errors = errorsFor(form, controls, formError);
  const formCard = h('section', { class: 'card file-section', id: 'loaner-form-card', dataset: { needs: 'loaners.save' } }, title, form);

  function fill(loaner) {
    editing = loaner;
    errors.clearAll();
    title.textContent = loaner ? t('loaner.edit', { serial: loaner.serial }) : t('loaner.add');
    form.dataset.id = loaner ? String(loaner.id) : '';
    controls.model.value = loaner?.model ?? '';
    controls.serial.value = loaner?.serial ?? '';
    controls.condition.value = loaner?.condition ?? 'good';
    controls.deposit_fen.value = loaner ? yuanInput(loaner.deposit_fen) : '';
    controls.note.value = loaner?.note ?? '';
    controls.retired.checked = Boolean(loaner?.retired);
  }

  // ---- the list -------------------------------------------------------------------------
  function where(l) {
    if (l.retired) return h('span', { class: 'chip chip-kind' }, t('loaner.retired'));
    if (!l.loan) return h('span', { class: 'chip chip-day-work loaner-in' }, t('loaner.in'));
    return h(
      'span',
      { class: 'loaner-out' },
      h('span', {}, t('loaner.out', { customer: l.loan.customer })),
      ' ',
      h('a', { href: `#/orders/${l.loan.order_id}`, class: 'num', tabIndex: -1 }, l.loan.order_number),
      ' ',
      dueChip(l.loan),
    );
  }

  function rows() {
    return [...tableBox.querySelectorAll('tbody tr')];
  }

  function startReturn(l) {
    returning = { loan: { ...l.loan, loaner_id: l.id, serial: l.serial, model: l.model } };
    drawReturn();
    returning.form.focus();
  }

  function drawReturn() {
    clear(returnBox);
    if (!returning) return;
    const r = returnForm(ctx, returning.loan, {
      prefix: 'loaners',
      onDone: async () => {
        const id = returning.loan.loaner_id;
        returning = null;
        drawReturn();
        await reload();
        tableBox.querySelector(`tr[data-id="${id}"]`)?.focus();
      },
      onCancel: () => {
        const id = returning.loan.loaner_id;
        returning = null;
        drawReturn();
        tableBox.querySelector(`tr[data-id="${id}"]`)?.focus();
      },
    });
    returning.form = r;
    returnBox.append(h('section', { class: 'card file-section' }, h('h2', {}, t('loaner.return.title')), r.element));
  }

  function draw() {
    clear(tableBox);
    const items = list?.items ?? [];
    count.textContent = t('loaner.count', { count: items.length, overdue: list?.overdue ?? 0 });
    if (!items.length) {
      tableBox.append(h('p', { class: 'empty', id: 'loaners-empty' }, t(may('loaners.save') ? 'loaner.empty' : 'loaner.empty.ask')));
      return;
    }
    tableBox.append(
      h(
        'table',
        { class: 'grid', id: 'loaners-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col', class: 'col-lserial' }, t('loaner.f.serial')),
            h('th', { scope: 'col', class: 'col-lmodel' }, t('loaner.f.model')),
            h('th', { scope: 'col', class: 'col-lcondition' }, t('loaner.f.condition')),
            h('th', { scope: 'col', class: 'col-money' }, t('loaner.f.deposit')),
            h('th', { scope: 'col' }, t('loaner.where')),
            h('th', { scope: 'col', class: 'col-lnote' }, t('loaner.f.note')),
            h('th', { scope: 'col', class: 'col-act' }, h('span', { class: 'visually-hidden' }, t('file.edit'))),
          ),
        ),
        h(
          'tbody',
          {},
          items.map((l) =>
            h(
              'tr',
              { tabIndex: -1, dataset: { id: String(l.id), serial: l.serial, state: l.retired ? 'retired' : l.loan ? 'out' : 'in' }, class: l.retired ? 'is-inactive' : '' },
              h('td', { class: 'num' }, h('strong', {}, l.serial)),
              h('td', {}, l.model),
              h('td', {}, h('span', { class: `chip ${l.condition === 'damaged' ? 'chip-low' : 'chip-kind'}` }, conditionLabel(l.condition))),
              h('td', { class: 'num col-money' }, yuan(l.deposit_fen)),
              h('td', {}, where(l)),
              h('td', { class: 'muted', title: l.note }, l.note),
              h(
                'td',
                { class: 'col-act' },
                l.loan
                  ? h('button', { type: 'button', class: 'btn btn-small loan-return', tabIndex: -1, dataset: { needs: 'loaners.return', id: String(l.id) }, onclick: () => startReturn(l) }, t('loaner.return'))
                  : null,
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'btn btn-small loaner-edit',
                    tabIndex: -1,
                    dataset: { needs: 'loaners.save', id: String(l.id) },
                    onclick: () => {
                      fill(l);
                      controls.model.focus();
                    },
                  },
                  t('file.edit'),
                ),
              ),
            ),
          ),
        ),
      ),
    );
    // The first row takes Tab: the arrows move on from there.
    const first = rows()[0];
    if (first) first.tabIndex = 0;
  }

  async function reload() {
    try {
      list = await ctx.call('loaners.list', { all });
      failure.hidden = true;
      if (ctx.isCurrent()) draw();
    } catch (error) {
      failure.textContent = errorText(error);
      failure.hidden = false;
    }
  }

  const submit = sender(save, errors, async () => {
    const fen = parseYuan(controls.deposit_fen.value);
    if (fen === null) throw { field: 'deposit_fen', message: t('loaner.f.deposit.bad') };
    const saved = await ctx.call('loaners.save', {
      id: editing?.id ?? null,
      model: controls.model.value.trim(),
      serial: controls.serial.value.trim(),
      condition: controls.condition.value,
      deposit_fen: fen,
      note: controls.note.value.trim(),
      retired: controls.retired.checked,
    });
    ctx.toast(t('loaner.saved', { serial: saved.serial }));
    fill(null);
    await reload();
    controls.model.focus();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  fresh.addEventListener('click', () => {
    fill(null);
    controls.model.focus();
  });
  enterMovesOn(form, () => [controls.model, controls.serial, controls.condition, controls.deposit_fen, controls.note, controls.retired], submit);
  showAll.addEventListener('change', async () => {
    all = showAll.checked;
    ctx.replaceHash(ctx.hashFor('/loaners', { all: all ? '1' : '' }));
    await reload();
  });

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-loaners', id: 'loaners' },
      h(
        'div',
        { class: 'page-head' },
        h('h1', {}, t('loaner.title')),
        count,
        h('div', { class: 'toolbar' }, h('label', { class: 'check', for: 'loaners-all' }, showAll, ' ', t('loaner.all'), ' ', h('kbd', {}, 'A'))),
      ),
      h('p', { class: 'hint' }, t('loaner.lead')),
      failure,
      h('section', { class: 'card' }, tableBox),
      returnBox,
      formCard,
    ),
  );
  setTitle(t('loaner.title'));
  fill(null);
  draw();
  (rows()[0] ?? (may('loaners.save') ? controls.model : null))?.focus();
  if (!rows().length && !may('loaners.save')) ctx.focusView();

  return {
    dispose() {
      resetTitle();
    },
    onKey(event) {
      if (event.key === 'Escape' && returning) {
        event.preventDefault();
        returning = null;
        drawReturn();
        return;
      }
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 's') {
        if (form.contains(event.target)) {
          event.preventDefault();
          submit();
        }
        return;
      }
      if (isTyping(event.target) || modified(event)) return;
      const shown = rows();
      const at = shown.indexOf(event.target);
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const next = shown[at < 0 ? 0 : Math.min(Math.max(at + (event.key === 'ArrowDown' ? 1 : -1), 0), shown.length - 1)];
        if (next) {
          for (const r of shown) r.tabIndex = -1;
          next.tabIndex = 0;
          next.focus();
        }
        return;
      }
      if (event.key === 'Enter' && at >= 0) {
        event.preventDefault();
        const l = loanerAt(shown[at]);
        if (!l) return;
        if (may('loaners.save')) {
          fill(l);
          controls.model.focus();
        } else if (l.loan && may('loaners.return')) startReturn(l);
        return;
      }
      if ((event.key === 'r' || event.key === 'R') && at >= 0) {
        const l = loanerAt(shown[at]);
        if (l?.loan && may('loaners.return')) {
          event.preventDefault();
          startReturn(l);
        }
        return;
      }
      if ((event.key === 'n' || event.key === 'N') && may('loaners.save')) {
        event.preventDefault();
        fill(null);
        controls.model.focus();
        return;
      }
      if (event.key === 'a' || event.key === 'A') {
        event.preventDefault();
        showAll.checked = !showAll.checked;
        showAll.dispatchEvent(new Event('change'));
      }
    },
  };

  /** The loaner of a table row. */
  function loanerAt(row) {
    return (list?.items ?? []).find((x) => String(x.id) === row?.dataset.id);
  }
}

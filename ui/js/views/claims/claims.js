// 厂家索赔 — what the centre claims from each brand for its in-warranty repairs (issue 21).
// A month at a time (last month first: the batch a desk sends in the first days of a
// month): each brand's batch with its due day (the brand's Nth working day of the month
// after), its claims (labour by the rate card, parts once their defective units went back
// to the factory, 待返件 otherwise), the totals claimed, approved, paid and owed; 提交批次
// once the month is over, 导出 Excel in the brand's own columns; the brand's answer and its
// payment (结算, the manager); the in-warranty orders of the month still to claim (建索赔).
// Below: the brands, their models, rate cards and column layouts (the manager).
// Keys: PageUp / PageDown the month before / after, ↑↓ through a table's rows, Enter on a
// candidate claims it, on a claim opens 结算, Esc closes 结算, Ctrl+S saves the brand.
import { h, clear, isTyping } from '../../lib/dom.js';
import { enterMovesOn, errorsFor, errorText, field, sender } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { parseYuan, yuan, yuanInput } from '../../lib/money.js';
import { download } from '../../lib/download.js';
import { modified } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';

const KINDS = ['repair', 'maintenance', 'installation', 'inspection', 'consultation'];
const MONTH = /^(\d{4})-(\d{2})$/;

/** The month before or after `month` (YYYY-MM). */
function shift(month, by) {
  const m = MONTH.exec(month);
  if (!m) return month;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1 + by, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

function statusChip(status) {
  const tone = { draft: 'chip-kind', submitted: 'chip-key', approved: 'chip-day-work', partly: 'chip-vip', rejected: 'chip-low', paid: 'chip-day-work' }[status] ?? 'chip-kind';
  return h('span', { class: `chip ${tone} claim-status`, dataset: { status } }, t(`claims.status.${status}`));
}

export async function render(root, ctx) {
  const [first, status, brandList] = await Promise.all([
    ctx.call('claims.list', { month: ctx.query.get('month') ?? '' }),
    ctx.call('auth.status', {}),
    ctx.call('claims.brands', {}),
  ]);
  if (!ctx.isCurrent()) return null;
  const permitted = new Set(status?.commands ?? []);
  const may = (command) => permitted.has(command);
  let list = first;
  let brands = brandList;
  let models = may('claims.brand_save') ? ((await ctx.call('models.list', {}))?.items ?? []) : [];
  if (!ctx.isCurrent()) return null;
  let settling = null; // the claim whose 结算 form is open

  const monthInput = h('input', { class: 'input num', id: 'claims-month', type: 'text', maxlength: '7', value: list.month, autocomplete: 'off', 'aria-label': t('claims.month') });
  const failure = h('p', { class: 'notice notice-error', role: 'alert', hidden: true, id: 'claims-error' });
  const batchesBox = h('div', { id: 'claims-batches' });
  const candidatesBox = h('section', { class: 'card file-section', id: 'claims-candidates', dataset: { needs: 'claims.create' } });
  const brandsBox = h('section', { class: 'card file-section', id: 'claims-brands' });

  // ---- the month ----------------------------------------------------------------------------
  async function reload(month = list.month) {
    try {
      list = await ctx.call('claims.list', { month });
      failure.hidden = true;
      monthInput.value = list.month;
      ctx.replaceHash(ctx.hashFor('/claims', { month: list.month }));
      if (ctx.isCurrent()) draw();
    } catch (error) {
      failure.textContent = errorText(error);
      failure.hidden = false;
    }
  }
  monthInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      reload(monthInput.value.trim());
    }
  });
  const before = h('button', { type: 'button', class: 'btn', id: 'claims-before', title: 'PageUp', onclick: () => reload(shift(list.month, -1)) }, t('claims.month.before'));
  const after = h('button', { type: 'button', class: 'btn', id: 'claims-after', title: 'PageDown', onclick: () => reload(shift(list.month, 1)) }, t('claims.month.after'));

  // ---- a batch --------------------------------------------------------------------------------
  function settleForm(c, box) {
    const controls = {
      status: h('select', { class: 'input' }, c.settle_to.map((s) => h('option', { value: s }, t(`claims.status.${s}`)))),
      approved_fen: h('input', { class: 'input num', type: 'text', inputmode: 'decimal', autocomplete: 'off' }),
      reason: h('input', { class: 'input input-wide', type: 'text', maxlength: '200', autocomplete: 'off' }),
      paid_on: h('input', { class: 'input num', type: 'text', maxlength: '10', placeholder: 'YYYY-MM-DD', autocomplete: 'off' }),
    };
    const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
    const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'claim-settle-save' }, t('claims.settle.save'));
    const cancel = h('button', { type: 'button', class: 'btn', id: 'claim-settle-cancel' }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
    const approvedField = field('claim-settle', 'approved_fen', controls.approved_fen, { label: t('claims.f.approved'), hint: t('claims.f.approved.hint', { claimed: yuan(c.claimed_fen) }) });
    const reasonField = field('claim-settle', 'reason', controls.reason, { label: t('claims.f.reason') });
    const paidField = field('claim-settle', 'paid_on', controls.paid_on, { label: t('claims.f.paid_on'), hint: t('claims.f.paid_on.hint', { amount: yuan(c.approved_fen ?? 0) }) });
    const form = h(
      'form',
      { class: 'settings-form claim-settle-form', id: 'claim-settle-form', novalidate: true, autocomplete: 'off', dataset: { id: String(c.id) } },
      h('h3', {}, t('claims.settle.title', { number: c.number, order: c.order_number, claimed: yuan(c.claimed_fen) })),
      formError,
      field('claim-settle', 'status', controls.status, { label: t('claims.f.status'), required: true }),
      approvedField,
      reasonField,
      paidField,
      h('div', { class: 'form-actions' }, save, cancel),
    );
    const errors = errorsFor(form, controls, formError);
    function shown() {
      const s = controls.status.value;
      approvedField.hidden = s !== 'partly';
      paidField.hidden = s !== 'paid';
      reasonField.querySelector('label').firstChild.textContent = t(s === 'rejected' ? 'claims.f.reason.rejected' : s === 'partly' ? 'claims.f.reason.partly' : 'claims.f.reason');
    }
    controls.status.addEventListener('change', shown);
    shown();
    const submit = sender(save, errors, async () => {
      const s = controls.status.value;
      const args = { id: c.id, status: s, reason: controls.reason.value.trim() };
      // Left empty, the core names what is missing.
      if (s === 'partly' && controls.approved_fen.value.trim()) {
        const fen = parseYuan(controls.approved_fen.value);
        if (fen === null) throw { field: 'approved_fen', message: t('claims.f.approved.bad') };
        args.approved_fen = fen;
      }
      if (s === 'paid') args.paid_on = controls.paid_on.value.trim();
      const done = await ctx.call('claims.settle', args);
      ctx.toast(t('claims.settled', { number: done.number, status: t(`claims.status.${done.status}`) }));
      settling = null;
      await reload();
      document.querySelector(`#claims-batches tr[data-id="${done.id}"]`)?.focus();
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit();
    });
    cancel.addEventListener('click', () => {
      settling = null;
      draw();
    });
    enterMovesOn(form, () => [controls.status, ...(approvedField.hidden ? [] : [controls.approved_fen]), controls.reason, ...(paidField.hidden ? [] : [controls.paid_on])], submit);
    box.append(form);
  }

  function batchCard(b) {
    const pending = h('input', { type: 'checkbox', id: `claims-leave-pending-${b.brand_id}`, class: 'batch-leave-pending' });
    const batchError = h('p', { class: 'notice notice-error batch-error', role: 'alert', hidden: true });
    const submitButton = h(
      'button',
      { type: 'button', class: 'btn btn-primary batch-submit', dataset: { needs: 'claims.submit' }, disabled: !b.may_submit, title: b.may_submit ? '' : b.drafts ? t('claims.submit.opens', { day: b.opens }) : t('claims.submit.none') },
      t('claims.submit'),
    );
    const exportButton = h('button', { type: 'button', class: 'btn batch-export', dataset: { needs: 'claims.export' }, disabled: !b.claims.some((c) => c.status !== 'draft') }, t('claims.export'));
    submitButton.addEventListener('click', async () => {
      submitButton.disabled = true;
      batchError.hidden = true;
      try {
        const done = await ctx.call('claims.submit', { brand_id: b.brand_id, month: b.month, leave_pending: pending.checked });
        ctx.toast(t('claims.submitted', { brand: done.brand, month: done.month, count: done.claims.filter((c) => c.status === 'submitted').length }));
        await reload();
      } catch (error) {
        batchError.textContent = errorText(error);
        batchError.hidden = false;
        submitButton.disabled = false;
        (error?.field === 'leave_pending' ? pending : batchError).focus();
      }
    });
    exportButton.addEventListener('click', async () => {
      batchError.hidden = true;
      try {
        const out = await ctx.call('claims.export', { brand_id: b.brand_id, month: b.month });
        download(out.file_name, out.content_base64);
        ctx.toast(t('claims.exported', { file: out.file_name, rows: out.rows }));
      } catch (error) {
        batchError.textContent = errorText(error);
        batchError.hidden = false;
      }
    });
    const due = h('span', { class: `chip ${b.late ? 'chip-low' : 'chip-kind'} batch-due` }, t(b.late ? 'claims.due.late' : 'claims.due', { day: b.due }));
    const settleBox = h('div', { class: 'claim-settle-box' });
    const rows = b.claims.map((c) =>
      h(
        'tr',
        { tabIndex: -1, dataset: { id: String(c.id), status: c.status, number: c.number }, title: c.reason },
        h('td', { class: 'num' }, c.number),
        h('td', { class: 'num' }, h('a', { href: `#/orders/${c.order_id}`, tabIndex: -1 }, c.order_number)),
        h('td', {}, c.customer),
        h('td', {}, h('span', { class: 'num' }, c.model), c.serial ? h('span', { class: 'muted' }, ` ${c.serial}`) : null),
        h('td', { class: 'num' }, c.completed_at),
        h('td', { class: 'num col-money' }, yuan(c.labour_fen)),
        h(
          'td',
          { class: 'num col-money claim-parts' },
          yuan(c.parts_fen),
          c.pending > 0 ? h('span', { class: 'chip chip-vip claim-pending', title: t('claims.pending.title') }, t('claims.pending', { n: c.pending })) : null,
        ),
        h('td', { class: 'num col-money claim-claimed' }, h('strong', {}, yuan(c.claimed_fen))),
        h('td', { class: 'num col-money claim-approved' }, c.approved_fen === null || c.approved_fen === undefined ? '' : yuan(c.approved_fen)),
        h('td', {}, statusChip(c.status), c.paid_on ? h('span', { class: 'muted num claim-paid-on' }, ` ${c.paid_on}`) : null),
        h(
          'td',
          { class: 'col-act' },
          c.settle_to.length
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'btn btn-small claim-settle',
                  tabIndex: -1,
                  onclick: () => {
                    settling = c.id;
                    draw();
                  },
                },
                t('claims.settle'),
              )
            : null,
        ),
      ),
    );
    const card = h(
      'section',
      { class: 'card file-section claim-batch', dataset: { brand: String(b.brand_id), month: b.month } },
      h(
        'div',
        { class: 'claim-batch-head' },
        h('h2', {}, t('claims.batch', { brand: b.brand, month: b.month })),
        due,
        b.submitted_on ? h('span', { class: 'chip chip-key batch-submitted' }, t('claims.submitted_on', { day: b.submitted_on })) : null,
        b.drafts ? h('span', { class: 'chip chip-kind batch-drafts' }, t('claims.drafts', { n: b.drafts })) : null,
      ),
      h(
        'dl',
        { class: 'claim-totals' },
        h('dt', {}, t('claims.total.claimed')),
        h('dd', { class: 'num total-claimed' }, yuan(b.claimed_fen)),
        h('dt', {}, t('claims.total.approved')),
        h('dd', { class: 'num total-approved' }, yuan(b.approved_fen)),
        h('dt', {}, t('claims.total.paid')),
        h('dd', { class: 'num total-paid' }, yuan(b.paid_fen)),
        h('dt', {}, t('claims.total.owed')),
        h('dd', { class: 'num total-owed' }, yuan(b.owed_fen)),
      ),
      b.claims.length
        ? h(
            'table',
            { class: 'grid claims-table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['number', 'order', 'customer', 'machine', 'completed'].map((k) => h('th', { scope: 'col' }, t(`claims.col.${k}`))),
                ['labour', 'parts', 'claimed', 'approved'].map((k) => h('th', { scope: 'col', class: 'col-money' }, t(`claims.col.${k}`))),
                h('th', { scope: 'col' }, t('claims.col.status')),
                h('th', { scope: 'col', class: 'col-act' }, h('span', { class: 'visually-hidden' }, t('claims.settle'))),
              ),
            ),
            h('tbody', {}, rows),
          )
        : h('p', { class: 'empty' }, t('claims.batch.empty')),
      settleBox,
      batchError,
      h(
        'div',
        { class: 'form-actions batch-actions' },
        h('label', { class: 'check', for: pending.id, dataset: { needs: 'claims.submit' } }, pending, ' ', t('claims.leave_pending')),
        submitButton,
        exportButton,
      ),
    );
    const open = b.claims.find((c) => c.id === settling);
    if (open) settleForm(open, settleBox);
    return card;
  }

  function drawCandidates() {
    clear(candidatesBox);
    const error = h('p', { class: 'notice notice-error', role: 'alert', hidden: true, id: 'claims-candidates-error' });
    candidatesBox.append(h('h2', {}, t('claims.candidates', { n: list.candidates.length })), error);
    if (!list.candidates.length) {
      candidatesBox.append(h('p', { class: 'empty', id: 'claims-candidates-empty' }, t('claims.candidates.empty')));
      return;
    }
    candidatesBox.append(
      h(
        'table',
        { class: 'grid', id: 'claims-candidates-table' },
        h('thead', {}, h('tr', {}, ['order', 'brand', 'customer', 'machine', 'completed'].map((k) => h('th', { scope: 'col' }, t(`claims.col.${k}`))), h('th', { scope: 'col', class: 'col-act' }, h('span', { class: 'visually-hidden' }, t('claims.create'))))),
        h(
          'tbody',
          {},
          list.candidates.map((c) =>
            h(
              'tr',
              { tabIndex: -1, dataset: { order: String(c.order_id), number: c.number } },
              h('td', { class: 'num' }, h('a', { href: `#/orders/${c.order_id}`, tabIndex: -1 }, c.number)),
              h('td', {}, c.brand),
              h('td', {}, c.customer),
              h('td', {}, c.model),
              h('td', { class: 'num' }, c.completed_at),
              h('td', { class: 'col-act' }, h('button', { type: 'button', class: 'btn btn-small candidate-claim', tabIndex: -1, onclick: () => claim(c, error) }, t('claims.create'))),
            ),
          ),
        ),
      ),
    );
  }

  async function claim(c, error) {
    error.hidden = true;
    try {
      const made = await ctx.call('claims.create', { order_id: c.order_id });
      ctx.toast(t('claims.created', { number: made.number, order: made.order_number }));
      await reload();
      document.querySelector(`#claims-batches tr[data-id="${made.id}"]`)?.focus();
    } catch (e) {
      error.textContent = errorText(e);
      error.hidden = false;
      error.tabIndex = -1;
      error.focus();
    }
  }

  function draw() {
    clear(batchesBox);
    if (!list.batches.length) batchesBox.append(h('p', { class: 'empty card', id: 'claims-empty' }, t(brands.items.length ? 'claims.empty' : 'claims.empty.brands', { month: list.month })));
    for (const b of list.batches) batchesBox.append(batchCard(b));
    drawCandidates();
    for (const body of root.querySelectorAll('tbody')) {
      const r = body.querySelector('tr');
      if (r) r.tabIndex = 0;
    }
    // The 结算 form is drawn with its batch: the focus goes to it once it is on the page.
    if (settling !== null) document.getElementById('claim-settle-status')?.focus();
  }

  // ---- the brands (the manager) ------------------------------------------------------------------
  let editing = null;
  const brandControls = {
    name: h('input', { class: 'input', type: 'text', maxlength: '40', autocomplete: 'off' }),
    submit_workdays: h('input', { class: 'input num', type: 'text', inputmode: 'numeric', maxlength: '2', autocomplete: 'off' }),
    models: h('div', { class: 'brand-models', tabIndex: -1 }),
    rates: h('div', { class: 'brand-rates', tabIndex: -1 }),
    columns: h('div', { class: 'brand-columns', tabIndex: -1 }),
  };
  const brandError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const brandTitle = h('h3', { id: 'brand-form-title' });
  const brandSave = h('button', { type: 'submit', class: 'btn btn-primary', id: 'brand-save' }, t('form.save'), ' ', h('kbd', {}, 'Ctrl+S'));
  const brandNew = h('button', { type: 'button', class: 'btn', id: 'brand-new' }, t('claims.brand.new'));
  const brandForm = h(
    'form',
    { class: 'settings-form brand-form', id: 'brand-form', novalidate: true, autocomplete: 'off', dataset: { needs: 'claims.brand_save' } },
    brandTitle,
    brandError,
    field('brand', 'name', brandControls.name, { label: t('claims.brand.name'), required: true }),
    field('brand', 'submit_workdays', brandControls.submit_workdays, { label: t('claims.brand.workdays'), hint: t('claims.brand.workdays.hint'), required: true }),
    field('brand', 'models', brandControls.models, { label: t('claims.brand.models') }),
    field('brand', 'rates', brandControls.rates, { label: t('claims.brand.rates'), hint: t('claims.brand.rates.hint'), required: true }),
    field('brand', 'columns', brandControls.columns, { label: t('claims.brand.columns'), hint: t('claims.brand.columns.hint') }),
    h('div', { class: 'form-actions' }, brandSave, brandNew),
  );
  const brandErrors = errorsFor(brandForm, brandControls, brandError);

  function rateRow(r = { kind: 'repair', fault_category: '', labour_fen: 0 }) {
    const row = h(
      'div',
      { class: 'brand-rate' },
      h('select', { class: 'input rate-kind', 'aria-label': t('claims.rate.kind') }, KINDS.map((k) => h('option', { value: k, selected: k === r.kind }, t(`order.kind.${k}`, {}, k)))),
      h('input', { class: 'input rate-category', type: 'text', maxlength: '40', value: r.fault_category, placeholder: t('claims.rate.any'), 'aria-label': t('claims.rate.category') }),
      h('input', { class: 'input num rate-labour', type: 'text', inputmode: 'decimal', value: yuanInput(r.labour_fen), 'aria-label': t('claims.rate.labour') }),
      h('button', { type: 'button', class: 'btn btn-small', onclick: () => row.remove() }, t('claims.row.remove')),
    );
    return row;
  }

  function columnRow(c, fields) {
    const row = h(
      'div',
      { class: 'brand-column' },
      h('select', { class: 'input column-field', 'aria-label': t('claims.column.field') }, fields.map((f) => h('option', { value: f.field, selected: f.field === c.field }, t(`claims.field.${f.field}`, {}, f.label)))),
      h('input', { class: 'input column-header', type: 'text', maxlength: '40', value: c.header, 'aria-label': t('claims.column.header') }),
      h('button', { type: 'button', class: 'btn btn-small', onclick: () => row.previousElementSibling?.before(row) }, '↑'),
      h('button', { type: 'button', class: 'btn btn-small', onclick: () => row.remove() }, t('claims.row.remove')),
    );
    return row;
  }

  function fillBrand(b) {
    editing = b;
    brandErrors.clearAll();
    brandTitle.textContent = b ? t('claims.brand.edit', { name: b.name }) : t('claims.brand.add');
    brandControls.name.value = b?.name ?? '';
    brandControls.submit_workdays.value = String(b?.submit_workdays ?? 5);
    clear(brandControls.models);
    const mine = new Set((b?.models ?? []).map((m) => m.id));
    const taken = new Map();
    for (const other of brands.items) if (other.id !== b?.id) for (const m of other.models) taken.set(m.id, other.name);
    for (const m of models) {
      const box = h('input', { type: 'checkbox', value: String(m.id), checked: mine.has(m.id), disabled: taken.has(m.id) });
      brandControls.models.append(h('label', { class: 'check brand-model', title: taken.has(m.id) ? t('claims.brand.model.taken', { brand: taken.get(m.id) }) : '' }, box, ` ${m.code} ${m.name}`));
    }
    if (!models.length) brandControls.models.append(h('span', { class: 'muted' }, t('claims.brand.models.none')));
    clear(brandControls.rates);
    for (const r of b?.rates ?? [{ kind: 'repair', fault_category: '', labour_fen: 0 }]) brandControls.rates.append(rateRow(r));
    brandControls.rates.append(h('button', { type: 'button', class: 'btn btn-small rate-add', onclick: (e) => e.target.before(rateRow()) }, t('claims.rate.add')));
    clear(brandControls.columns);
    const layout = b?.columns ?? brands.fields.slice(0, 0);
    for (const c of layout) brandControls.columns.append(columnRow(c, brands.fields));
    brandControls.columns.append(h('button', { type: 'button', class: 'btn btn-small column-add', onclick: (e) => e.target.before(columnRow({ field: brands.fields[0].field, header: '' }, brands.fields)) }, t('claims.column.add')));
  }

  const saveBrand = sender(brandSave, brandErrors, async () => {
    const days = Number(brandControls.submit_workdays.value.trim());
    if (!Number.isInteger(days)) throw { field: 'submit_workdays', message: t('claims.brand.workdays.bad') };
    const rates = [];
    for (const [i, row] of [...brandControls.rates.querySelectorAll('.brand-rate')].entries()) {
      const fen = parseYuan(row.querySelector('.rate-labour').value);
      if (fen === null) throw { field: 'rates', message: t('claims.rate.bad', { n: i + 1 }) };
      rates.push({ kind: row.querySelector('.rate-kind').value, fault_category: row.querySelector('.rate-category').value.trim(), labour_fen: fen });
    }
    const saved = await ctx.call('claims.brand_save', {
      id: editing?.id ?? null,
      name: brandControls.name.value.trim(),
      submit_workdays: days,
      models: [...brandControls.models.querySelectorAll('input:checked')].map((x) => Number(x.value)),
      rates,
      columns: [...brandControls.columns.querySelectorAll('.brand-column')].map((row) => ({ field: row.querySelector('.column-field').value, header: row.querySelector('.column-header').value.trim() })),
    });
    ctx.toast(t('claims.brand.saved', { name: saved.name }));
    brands = await ctx.call('claims.brands', {});
    fillBrand(saved);
    drawBrands();
    await reload();
  });
  brandForm.addEventListener('submit', (event) => {
    event.preventDefault();
    saveBrand();
  });
  brandNew.addEventListener('click', () => {
    fillBrand(null);
    brandControls.name.focus();
  });
  enterMovesOn(brandForm, () => [brandControls.name, brandControls.submit_workdays], saveBrand);

  const brandTable = h('div', { id: 'brands-box' });
  function drawBrands() {
    clear(brandTable);
    if (!brands.items.length) {
      brandTable.append(h('p', { class: 'empty', id: 'brands-empty' }, t(may('claims.brand_save') ? 'claims.brands.empty' : 'claims.brands.empty.ask')));
      return;
    }
    brandTable.append(
      h(
        'table',
        { class: 'grid', id: 'brands-table' },
        h('thead', {}, h('tr', {}, ['name', 'models', 'rates', 'workdays'].map((k) => h('th', { scope: 'col' }, t(`claims.brands.col.${k}`))), h('th', { scope: 'col', class: 'col-act' }, h('span', { class: 'visually-hidden' }, t('file.edit'))))),
        h(
          'tbody',
          {},
          brands.items.map((b) =>
            h(
              'tr',
              { tabIndex: -1, dataset: { id: String(b.id) } },
              h('td', {}, h('strong', {}, b.name)),
              h('td', {}, b.models.map((m) => m.code).join('、')),
              h('td', {}, b.rates.map((r) => `${t(`order.kind.${r.kind}`, {}, r.kind)}${r.fault_category ? `（${r.fault_category}）` : ''} ${yuan(r.labour_fen)}`).join('；')),
              h('td', { class: 'num' }, t('claims.brands.workdays', { n: b.submit_workdays })),
              h(
                'td',
                { class: 'col-act' },
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'btn btn-small brand-edit',
                    tabIndex: -1,
                    dataset: { needs: 'claims.brand_save' },
                    onclick: () => {
                      fillBrand(b);
                      brandControls.name.focus();
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
  }
  brandsBox.append(h('h2', {}, t('claims.brands')), h('p', { class: 'hint' }, t('claims.brands.lead')), brandTable, brandForm);

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-claims', id: 'claims' },
      h('div', { class: 'page-head' }, h('h1', {}, t('claims.title')), h('div', { class: 'toolbar' }, before, monthInput, after)),
      h('p', { class: 'hint' }, t('claims.lead')),
      failure,
      batchesBox,
      candidatesBox,
      brandsBox,
    ),
  );
  setTitle(t('claims.title'));
  fillBrand(null);
  drawBrands();
  draw();
  (root.querySelector('#claims-batches tbody tr, #claims-candidates tbody tr') ?? monthInput).focus();

  return {
    dispose() {
      resetTitle();
    },
    onKey(event) {
      if (event.key === 'Escape' && settling !== null) {
        event.preventDefault();
        settling = null;
        draw();
        return;
      }
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 's') {
        if (brandForm.contains(event.target)) {
          event.preventDefault();
          saveBrand();
        }
        return;
      }
      if (isTyping(event.target) || modified(event)) return;
      if (event.key === 'PageUp' || event.key === 'PageDown') {
        event.preventDefault();
        reload(shift(list.month, event.key === 'PageUp' ? -1 : 1));
        return;
      }
      const row = event.target.closest?.('tbody tr');
      if (!row) return;
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const next = event.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling;
        if (next) {
          row.tabIndex = -1;
          next.tabIndex = 0;
          next.focus();
        }
        return;
      }
      if (event.key === 'Enter') {
        const button = row.querySelector('.claim-settle, .candidate-claim, .brand-edit');
        if (button && !button.classList.contains('role-hidden')) {
          event.preventDefault();
          button.click();
        }
      }
    },
  };
}

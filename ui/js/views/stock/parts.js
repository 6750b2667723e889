// 备件 — the parts catalogue: find a part by code, name, barcode or spec, see its stock
// against the minimum, print labels for the parts ticked (or all on the page), and the
// part form (新建备件 / 编辑备件).
import { h, clear, debounce, isTyping } from '../../lib/dom.js';
import { enterMovesOn, errorsFor, field as formField } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { labelDialog } from '../../lib/label-dialog.js';
import { parseQuantity, parseYuan, yuan, yuanInput } from '../../lib/money.js';
import { isSave } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';
import { moveKey, rove } from '../../lib/roving.js';

const PAGE_SIZE = 100;
const DEBOUNCE_MS = 200;
// Several compatible models in one input, like the phones of a customer.
const MODEL_SEPARATORS = /[,，、;；]+/;

/** 低于下限 when the stock on hand is below the part's minimum. */
export function lowChip(part) {
  const short = Number(part.min_stock ?? 0) > 0 && Number(part.on_hand ?? 0) < Number(part.min_stock);
  return short ? h('span', { class: 'chip chip-low' }, t('parts.low')) : null;
}

export async function render(root, ctx) {
  const state = {
    query: ctx.query.get('q') ?? '',
    page: Math.max(1, Number(ctx.query.get('page')) || 1),
    total: 0,
    items: [],
    seq: 0,
    // Parts ticked for labels, by id (kept across pages and searches until printed).
    picked: new Map(),
  };

  const search = h('input', {
    id: 'part-search',
    type: 'search',
    class: 'input input-search',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: t('parts.search.placeholder'),
    'aria-label': t('parts.search.label'),
    'aria-controls': 'parts-table',
    value: state.query,
  });
  const newButton = h(
    'button',
    { type: 'button', id: 'new-part', 'data-needs': 'parts.save', class: 'btn btn-primary', title: t('parts.new.title') },
    t('parts.new'),
    ' ',
    h('kbd', {}, 'Insert'),
  );
  const labelsButton = h('button', { type: 'button', id: 'print-labels', 'data-needs': 'parts.labels', class: 'btn' }, t('labels.open'));
  const pickAll = h('input', { type: 'checkbox', id: 'parts-pick-all', class: 'pick', 'aria-label': t('labels.pick.all') });
  const tbody = h('tbody');
  const table = h(
    'table',
    { id: 'parts-table', class: 'grid' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', class: 'col-pick' }, pickAll),
        h('th', { scope: 'col', class: 'col-pcode' }, t('parts.col.code')),
        h('th', { scope: 'col', class: 'col-pname' }, t('parts.col.name')),
        h('th', { scope: 'col', class: 'col-spec' }, t('parts.col.spec')),
        h('th', { scope: 'col', class: 'col-unit' }, t('parts.col.unit')),
        h('th', { scope: 'col', class: 'col-bin' }, t('parts.col.bin')),
        h('th', { scope: 'col', class: 'col-qty' }, t('parts.col.on_hand')),
        h('th', { scope: 'col', class: 'col-min' }, t('parts.col.min_stock')),
        h('th', { scope: 'col', class: 'col-money' }, t('parts.col.value')),
      ),
    ),
    tbody,
  );
  const empty = h('p', { class: 'empty', id: 'parts-empty', hidden: true, role: 'status' });
  const totalText = h('span', { class: 'pager-total', role: 'status' });
  const pageText = h('span', { class: 'pager-page' });
  const prev = h('button', { type: 'button', class: 'btn', title: 'PageUp' }, t('list.prev'));
  const next = h('button', { type: 'button', class: 'btn', title: 'PageDown' }, t('list.next'));

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-list' },
      h(
        'div',
        { class: 'page-head' },
        h('h1', {}, t('parts.title')),
        h('div', { class: 'toolbar' }, search, newButton, labelsButton),
      ),
      h('div', { class: 'table-wrap' }, table, empty),
      h('div', { class: 'pager' }, totalText, h('span', { class: 'pager-nav' }, prev, pageText, next)),
    ),
  );
  setTitle(t('parts.title'));
  const labels = labelDialog(ctx);
  root.querySelector('.page-list').append(labels.dialog);

  const rows = () => [...tbody.querySelectorAll('tr[data-id]')];
  const open = (id) => ctx.navigate(`#/parts/${id}`);

  function setActive(index) {
    rove(rows(), index, { select: true });
  }

  /** The labels button says what it will print: the ticked parts, else the page. */
  function showPicked() {
    const count = state.picked.size;
    labelsButton.textContent = count ? t('labels.open.picked', { count }) : t('labels.open');
    labelsButton.title = count ? t('labels.open.picked.title', { count }) : t('labels.open.page.title');
    labelsButton.disabled = count === 0 && state.items.length === 0;
    const boxes = [...tbody.querySelectorAll('input.pick')];
    const ticked = boxes.filter((b) => b.checked).length;
    pickAll.checked = boxes.length > 0 && ticked === boxes.length;
    pickAll.indeterminate = ticked > 0 && ticked < boxes.length;
  }

  function pick(part, on) {
    if (on) state.picked.set(part.id, { id: part.id, code: part.code, name: part.name });
    else state.picked.delete(part.id);
    const box = tbody.querySelector(`tr[data-id="${part.id}"] input.pick`);
    if (box) box.checked = on;
    showPicked();
  }

  function row(part) {
    const box = h('input', {
      type: 'checkbox',
      class: 'pick',
      tabIndex: -1,
      checked: state.picked.has(part.id),
      'aria-label': t('labels.pick', { code: part.code }),
      onchange: (event) => pick(part, event.target.checked),
    });
    const openUnlessPicking = (event) => {
      if (!event.target.closest('.col-pick')) open(part.id);
    };
    return h(
      'tr',
      { dataset: { id: String(part.id) }, tabIndex: -1, 'aria-selected': 'false', onclick: openUnlessPicking },
      h('td', { class: 'col-pick' }, box),
      h('td', { class: 'col-pcode num' }, h('a', { href: `#/parts/${part.id}`, tabIndex: -1 }, part.code)),
      h('td', { class: 'col-pname', title: part.name }, part.name),
      h('td', { class: 'col-spec', title: part.spec ?? '' }, part.spec ?? ''),
      h('td', { class: 'col-unit' }, part.unit ?? ''),
      h('td', { class: 'col-bin num' }, part.bin ?? ''),
      h('td', { class: 'col-qty qty' }, String(part.on_hand ?? 0)),
      h('td', { class: 'col-min qty' }, lowChip(part), ' ', String(part.min_stock ?? 0)),
      h('td', { class: 'col-money qty' }, yuan(part.value_fen ?? 0)),
    );
  }

  function show() {
    clear(tbody);
    tbody.append(...state.items.map(row));
    const pages = Math.max(1, Math.ceil(state.total / PAGE_SIZE));
    totalText.textContent = t('parts.total', { total: state.total.toLocaleString() });
    pageText.textContent = t('list.page', { page: state.page, pages });
    prev.disabled = state.page <= 1;
    next.disabled = state.page >= pages;
    pageText.parentElement.hidden = pages <= 1;
    const none = state.items.length === 0;
    empty.hidden = !none;
    table.classList.toggle('is-empty', none);
    if (none) empty.textContent = state.query ? t('parts.empty.query', { query: state.query }) : t('parts.empty.none');
    const first = rows()[0];
    if (first) first.tabIndex = 0;
    showPicked();
  }

  async function load() {
    const seq = ++state.seq;
    ctx.replaceHash(ctx.hashFor('/parts', { q: state.query, page: state.page > 1 ? state.page : '' }));
    const result = await ctx.call('parts.list', { query: state.query, page: state.page, page_size: PAGE_SIZE });
    if (seq !== state.seq || !ctx.isCurrent()) return;
    state.items = result?.items ?? [];
    state.total = Number(result?.total ?? state.items.length);
    show();
  }
  function reload() {
    load().catch((error) => {
      if (!ctx.isCurrent()) return;
      empty.hidden = false;
      empty.classList.add('notice-error');
      empty.textContent = error?.message || String(error);
    });
  }

  const searchSoon = debounce(() => {
    state.query = search.value.trim();
    state.page = 1;
    reload();
  }, DEBOUNCE_MS);
  search.addEventListener('input', searchSoon);
  search.addEventListener('keydown', (event) => {
    if (event.isComposing) return;
    if (event.key === 'Enter') {
      event.preventDefault();
      searchSoon.cancel();
      state.query = search.value.trim();
      state.page = 1;
      load()
        .then(() => setActive(0))
        .catch(reload);
    } else if (event.key === 'ArrowDown') {
      event.preventDefault();
      setActive(0);
    }
  });
  const newPart = () => ctx.navigate('#/parts/new');
  newButton.addEventListener('click', newPart);
  pickAll.addEventListener('change', () => {
    for (const part of state.items) pick(part, pickAll.checked);
  });
  labelsButton.addEventListener('click', () => {
    const chosen = state.picked.size ? [...state.picked.values()] : state.items.map((p) => ({ id: p.id, code: p.code, name: p.name }));
    if (chosen.length) labels.open(chosen, labelsButton);
  });

  function turn(delta) {
    const pages = Math.max(1, Math.ceil(state.total / PAGE_SIZE));
    const page = Math.max(1, Math.min(pages, state.page + delta));
    if (page === state.page) return;
    state.page = page;
    reload();
  }
  prev.addEventListener('click', () => turn(-1));
  next.addEventListener('click', () => turn(1));

  tbody.addEventListener('keydown', (event) => {
    const all = rows();
    const index = all.indexOf(event.target.closest('tr'));
    if (index < 0) return;
    const to = moveKey(event.key, index, all.length);
    if (to !== null) {
      event.preventDefault();
      if (to < 0) search.focus();
      else setActive(to);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      open(all[index].dataset.id);
    } else if (event.key === ' ') {
      // Space ticks the row for labels, as in a list of files.
      event.preventDefault();
      const part = state.items.find((p) => String(p.id) === all[index].dataset.id);
      if (part) pick(part, !state.picked.has(part.id));
    }
  });

  await load();
  search.focus();

  return {
    dispose() {
      searchSoon.cancel();
      labels.close();
      resetTitle();
    },
    onKey(event) {
      if (labels.isOpen()) return;
      if (event.key === 'Insert') {
        event.preventDefault();
        newPart();
      } else if (event.key === 'PageDown' && !isTyping(event.target)) {
        event.preventDefault();
        turn(1);
      } else if (event.key === 'PageUp' && !isTyping(event.target)) {
        event.preventDefault();
        turn(-1);
      } else if (event.key === 'Escape' && event.target === search && search.value) {
        event.preventDefault();
        search.value = '';
        searchSoon();
      }
    },
  };
}

// ---- the part form ------------------------------------------------------------------------

const FIELDS = ['code', 'name', 'spec', 'unit', 'models', 'cost_fen', 'price_fen', 'barcode', 'bin', 'min_stock'];

async function renderForm(root, ctx) {
  const id = ctx.params.id ?? null;
  const editing = id !== null;
  const part = editing ? await ctx.call('parts.get', { id }) : null;
  if (!ctx.isCurrent()) return null;

  const text = (value, extra = {}) =>
    h('input', { class: 'input', type: 'text', autocomplete: 'off', spellcheck: 'false', value: value ?? '', ...extra });
  const controls = {
    code: text(part?.code, { class: 'input num', maxlength: '40' }),
    name: text(part?.name, { class: 'input input-wide', maxlength: '60' }),
    spec: text(part?.spec, { class: 'input input-wide' }),
    unit: text(part?.unit ?? t('part.unit.default'), { maxlength: '8', list: 'part-unit-options' }),
    models: text((part?.models ?? []).join('，'), { class: 'input input-wide' }),
    cost_fen: text(yuanInput(part?.cost_fen), { class: 'input input-money num', inputmode: 'decimal', placeholder: '0.00' }),
    price_fen: text(yuanInput(part?.price_fen), { class: 'input input-money num', inputmode: 'decimal', placeholder: '0.00' }),
    barcode: text(part?.barcode, { class: 'input num' }),
    bin: text(part?.bin, { class: 'input num' }),
    min_stock: text(String(part?.min_stock ?? 0), { class: 'input input-qty num', inputmode: 'numeric' }),
  };
  const field = (name, options = {}) =>
    formField('part', name, controls[name], { label: t(`part.f.${name}`), ...options });

  const save = h('button', { type: 'submit', id: 'part-save', class: 'btn btn-primary', title: t('form.save.title') }, t('form.save'), ' ', h('kbd', {}, 'Ctrl+S'));
  const cancel = h('button', { type: 'button', id: 'part-cancel', class: 'btn', title: t('form.cancel.title') }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
  const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const form = h(
    'form',
    { id: 'part-form', class: 'form', novalidate: true, autocomplete: 'off' },
    formError,
    field('code', { required: true, hint: t('part.f.code.hint') }),
    field('name', { required: true }),
    field('spec'),
    field('unit', { required: true }),
    field('models', { hint: t('part.f.models.hint') }),
    field('cost_fen', { hint: t('part.f.yuan.hint') }),
    field('price_fen', { hint: t('part.f.yuan.hint') }),
    field('barcode', { hint: t('part.f.barcode.hint') }),
    field('bin', { hint: t('part.f.bin.hint') }),
    field('min_stock', { hint: t('part.f.min_stock.hint') }),
    h('datalist', { id: 'part-unit-options' }, ['个', '只', '件', '套', '米', '卷', '台'].map((u) => h('option', { value: u }))),
    h('div', { class: 'form-actions' }, save, cancel),
  );
  const title = editing ? t('part.form.edit') : t('part.form.new');
  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-form' },
      h(
        'div',
        { class: 'page-head' },
        h('a', { href: '#/parts', class: 'crumb' }, t('parts.title')),
        h('span', { class: 'crumb-sep', 'aria-hidden': 'true' }, '›'),
        h('h1', {}, title),
        editing ? h('span', { class: 'page-sub num' }, `${part.code} · ${part.name}`) : null,
      ),
      form,
    ),
  );
  setTitle(title);

  const errors = errorsFor(form, controls, formError);
  let saving = false;
  async function submit() {
    if (saving) return;
    errors.clearAll();
    const cost = parseYuan(controls.cost_fen.value);
    const price = parseYuan(controls.price_fen.value);
    const minStock = controls.min_stock.value.trim() === '' ? 0 : parseQuantity(controls.min_stock.value);
    if (cost === null) return errors.show({ field: 'cost_fen', message: t('money.invalid', { value: controls.cost_fen.value }) });
    if (price === null) return errors.show({ field: 'price_fen', message: t('money.invalid', { value: controls.price_fen.value }) });
    if (minStock === null) return errors.show({ field: 'min_stock', message: t('quantity.invalid', { value: controls.min_stock.value }) });
    const args = {
      code: controls.code.value.trim(),
      name: controls.name.value.trim(),
      spec: controls.spec.value.trim(),
      unit: controls.unit.value.trim(),
      models: controls.models.value
        .split(MODEL_SEPARATORS)
        .map((m) => m.trim())
        .filter(Boolean),
      cost_fen: cost,
      price_fen: price,
      barcode: controls.barcode.value.trim(),
      bin: controls.bin.value.trim(),
      min_stock: minStock,
    };
    if (editing) args.id = id;
    saving = true;
    save.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      const saved = await ctx.call('parts.save', args);
      if (!ctx.isCurrent()) return;
      ctx.toast(t('toast.saved'));
      ctx.navigate(`#/parts/${saved?.id ?? id}`);
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
  const back = () => ctx.navigate(editing ? `#/parts/${id}` : '#/parts');
  cancel.addEventListener('click', back);
  // Enter moves to the next field; from the last one it saves.
  const order = FIELDS.map((name) => controls[name]);
  enterMovesOn(form, () => order, submit);
  controls.code.focus();

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

export const form = { render: renderForm };

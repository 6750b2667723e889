// 设置 › 套打模板 — where each field of the slip lands on the company's pre-printed form
// (millimetres from the form's top-left corner), and the offset that moves everything at
// once to make up for where this printer really puts it. The offset moves in 0.5 mm steps
// (±20 mm): the ± buttons, the arrow keys on the offset pad (each arrow the way the print
// moves), or ↑ ↓ in a value. A sketch of the form shows the boxes where they will print.
// 打印校准页 saves first, then downloads the calibration PDF to lay over a blank form.
import { h, clear } from '../../lib/dom.js';
import { download } from '../../lib/download.js';
import { errorText, errorsFor } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { isSave } from '../../lib/keys.js';

const STEP = 0.5;
const LIMIT = 20;
const SVG_NS = 'http://www.w3.org/2000/svg';
const BOX_KEYS = ['x', 'y', 'w', 'h', 'size'];

/** A typed number ("1.5", "－0.5", "1,5"), or null. */
function number(text) {
  const plain = String(text ?? '')
    .trim()
    .replace(/[－−]/g, '-')
    .replace(/[．，,]/g, '.')
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
  if (!/^-?\d+(\.\d+)?$/.test(plain)) return null;
  return Number(plain);
}

/** A stored millimetre value as typed: 241.3 (the core keeps f32, 241.3000030517578). */
function mm(v) {
  return String(Math.round(Number(v) * 100) / 100);
}

/** An offset as shown: "+1.5", "0.0", "−0.5". */
function offsetText(v) {
  if (v === 0) return '0.0';
  return `${v > 0 ? '+' : '−'}${Math.abs(v).toFixed(1)}`;
}

function svg(tag, attrs = {}) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

export async function render(root, ctx) {
  const view = await ctx.call('slips.template', {});
  if (!ctx.isCurrent()) return null;
  // Each field by its name (never its key): ours in the chosen language, else the core's.
  const coreNames = new Map(view.fields ?? []);
  const names = new Map([...coreNames.keys()].map((key) => [key, t(`slips.template.field.${key}`, {}, coreNames.get(key) || t('slips.template.field.unnamed'))]));
  const order = (view.fields ?? []).map(([key]) => key);
  let saved = view.template;
  let offset = { x: saved.offset_x ?? 0, y: saved.offset_y ?? 0 };
  let dirty = false;

  const paperW = h('input', { class: 'input input-mm num', type: 'text', inputmode: 'decimal', id: 'template-paper_w', name: 'paper_w', value: mm(saved.paper_w), 'aria-label': t('slips.template.paper_w') });
  const paperH = h('input', { class: 'input input-mm num', type: 'text', inputmode: 'decimal', id: 'template-paper_h', name: 'paper_h', value: mm(saved.paper_h), 'aria-label': t('slips.template.paper_h') });
  const offX = h('input', { class: 'input input-mm num', type: 'text', inputmode: 'decimal', id: 'template-offset_x', name: 'offset_x', 'aria-label': t('slips.template.offset_x') });
  const offY = h('input', { class: 'input input-mm num', type: 'text', inputmode: 'decimal', id: 'template-offset_y', name: 'offset_y', 'aria-label': t('slips.template.offset_y') });
  const stepButton = (axis, sign) =>
    h(
      'button',
      {
        type: 'button',
        class: 'btn btn-small btn-step',
        id: `template-offset_${axis}-${sign > 0 ? 'plus' : 'minus'}`,
        title: t(`slips.template.step.${axis}.${sign > 0 ? 'plus' : 'minus'}`),
        'aria-label': t(`slips.template.step.${axis}.${sign > 0 ? 'plus' : 'minus'}`),
        onclick: () => move(axis, sign * STEP),
      },
      sign > 0 ? '+0.5' : '−0.5',
    );
  const padText = h('span', { class: 'offset-pad-text num', id: 'template-offset-text' });
  const pad = h(
    'div',
    { class: 'offset-pad', id: 'template-offset-pad', tabIndex: 0, role: 'group', 'aria-label': t('slips.template.pad'), 'aria-describedby': 'template-offset-text' },
    h('span', { class: 'offset-arrow offset-up', 'aria-hidden': 'true' }, '↑'),
    h('span', { class: 'offset-arrow offset-left', 'aria-hidden': 'true' }, '←'),
    padText,
    h('span', { class: 'offset-arrow offset-right', 'aria-hidden': 'true' }, '→'),
    h('span', { class: 'offset-arrow offset-down', 'aria-hidden': 'true' }, '↓'),
  );
  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'template-save' }, t('form.save'), ' ', h('kbd', {}, 'Ctrl+S'));
  const calibrate = h('button', { type: 'button', class: 'btn', id: 'template-calibration', title: t('slips.template.calibration.title') }, t('slips.template.calibration'));
  const state = h('span', { class: 'hint template-state', id: 'template-state', 'aria-live': 'polite' });
  const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const fieldsError = h('div', { class: 'field-error', dataset: { for: 'fields' }, 'aria-live': 'polite' });
  const tbody = h('tbody');
  const table = h(
    'table',
    { class: 'grid grid-compact template-table', id: 'template-fields', tabIndex: -1 },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', class: 'col-tname' }, t('slips.template.col.field')),
        BOX_KEYS.map((k) => h('th', { scope: 'col', class: 'col-tnum' }, t(`slips.template.col.${k}`))),
      ),
    ),
    tbody,
  );
  const sketch = svg('svg', { class: 'template-sketch', id: 'template-sketch', role: 'img', 'aria-label': t('slips.template.sketch') });

  const inputs = new Map(); // key → {x, y, w, h, size} inputs
  for (const key of order) {
    const box = saved.fields?.[key];
    const row = {};
    const cells = BOX_KEYS.map((k) => {
      const input = h('input', {
        class: `input input-cell num tpl-${k}`,
        type: 'text',
        inputmode: 'decimal',
        value: box ? mm(box[k] ?? (k === 'size' ? 10 : 0)) : '',
        'aria-label': t('slips.template.cell', { field: names.get(key), what: t(`slips.template.col.${k}`) }),
        placeholder: box ? '' : '—',
      });
      row[k] = input;
      return h('td', { class: 'col-tnum' }, input);
    });
    inputs.set(key, row);
    tbody.append(
      h(
        'tr',
        { dataset: { key }, class: box ? '' : 'is-unplaced' },
        h('th', { scope: 'row', class: 'col-tname' }, names.get(key)),
        cells,
      ),
    );
  }

  const controls = { paper_w: paperW, paper_h: paperH, offset_x: offX, offset_y: offY, fields: table };
  const form = h(
    'form',
    { id: 'template-form', class: 'template-form', novalidate: true, autocomplete: 'off' },
    formError,
    h(
      'div',
      { class: 'template-top' },
      h(
        'div',
        { class: 'field field-paper' },
        h('label', { for: 'template-paper_w' }, t('slips.template.paper')),
        h(
          'div',
          { class: 'control' },
          h('div', { class: 'inline' }, paperW, h('span', { class: 'muted' }, '×'), paperH, h('span', { class: 'muted' }, t('slips.template.mm'))),
          h('div', { class: 'field-error', dataset: { for: 'paper_w' }, 'aria-live': 'polite' }),
          h('div', { class: 'field-error', dataset: { for: 'paper_h' }, 'aria-live': 'polite' }),
        ),
      ),
      h(
        'div',
        { class: 'field field-offset', id: 'template-offset' },
        h('label', { for: 'template-offset_x' }, t('slips.template.offset')),
        h(
          'div',
          { class: 'control' },
          h(
            'div',
            { class: 'offset-row' },
            h('div', { class: 'offset-axis' }, h('span', { class: 'offset-label' }, t('slips.template.offset_x')), stepButton('x', -1), offX, stepButton('x', 1), h('span', { class: 'muted' }, t('slips.template.mm'))),
            h('div', { class: 'offset-axis' }, h('span', { class: 'offset-label' }, t('slips.template.offset_y')), stepButton('y', -1), offY, stepButton('y', 1), h('span', { class: 'muted' }, t('slips.template.mm'))),
            pad,
          ),
          h('div', { class: 'field-error', dataset: { for: 'offset_x' }, 'aria-live': 'polite' }),
          h('div', { class: 'field-error', dataset: { for: 'offset_y' }, 'aria-live': 'polite' }),
          h('div', { class: 'hint' }, t('slips.template.offset.hint')),
        ),
      ),
    ),
    h('div', { class: 'form-actions template-actions' }, save, calibrate, state),
    h('div', { class: 'template-body' }, h('div', { class: 'template-table-box' }, fieldsError, h('div', { class: 'table-wrap template-wrap' }, table)), h('div', { class: 'template-sketch-box' }, sketch)),
  );
  const errors = errorsFor(form, controls, formError);

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-template' },
      h(
        'div',
        { class: 'page-head' },
        h('a', { href: '#/settings', class: 'crumb' }, t('settings.title')),
        h('span', { class: 'crumb-sep', 'aria-hidden': 'true' }, '›'),
        h('h1', {}, t('slips.template.title')),
      ),
      h('div', { class: 'card card-template' }, h('p', { class: 'hint card-lead' }, t('slips.template.lead')), form),
    ),
  );

  // ---- what the screen shows -----------------------------------------------------------
  function showOffset() {
    offX.value = offset.x.toFixed(1);
    offY.value = offset.y.toFixed(1);
    padText.textContent = t('slips.template.pad.text', { x: offsetText(offset.x), y: offsetText(offset.y) });
  }

  function showState() {
    state.textContent = dirty ? t('slips.template.unsaved') : t('slips.template.saved', { x: offsetText(saved.offset_x), y: offsetText(saved.offset_y) });
    state.classList.toggle('is-dirty', dirty);
  }

  function markDirty() {
    dirty = true;
    showState();
    drawSketch();
  }

  /** The boxes as typed (unreadable cells left out of the sketch). */
  function drawSketch() {
    const w = number(paperW.value) ?? saved.paper_w;
    const hgt = number(paperH.value) ?? saved.paper_h;
    while (sketch.firstChild) sketch.firstChild.remove();
    sketch.setAttribute('viewBox', `-2 -2 ${w + 4} ${hgt + 4}`);
    sketch.append(svg('rect', { x: 0, y: 0, width: w, height: hgt, class: 'sketch-paper' }));
    for (const [key, row] of inputs) {
      const v = Object.fromEntries(BOX_KEYS.map((k) => [k, number(row[k].value)]));
      if ([v.x, v.y, v.w, v.h].some((n) => n === null)) continue;
      const g = svg('g', { class: 'sketch-box', 'data-key': key });
      g.append(svg('rect', { x: v.x + offset.x, y: v.y + offset.y, width: v.w, height: v.h }));
      if (!key.startsWith('tick_')) {
        const label = svg('text', { x: v.x + offset.x + 1, y: v.y + offset.y + Math.min(v.h - 0.8, 4) });
        label.textContent = names.get(key);
        g.append(label);
      }
      sketch.append(g);
    }
  }

  function move(axis, delta) {
    const next = Math.round((offset[axis] + delta) * 2) / 2;
    if (Math.abs(next) > LIMIT) {
      ctx.toast(t('slips.template.limit', { limit: LIMIT }));
      return;
    }
    offset = { ...offset, [axis]: next };
    errors.clearOne(`offset_${axis}`);
    showOffset();
    markDirty();
  }

  // ---- keys ----------------------------------------------------------------------------
  pad.addEventListener('keydown', (event) => {
    const moves = { ArrowLeft: ['x', -STEP], ArrowRight: ['x', STEP], ArrowUp: ['y', -STEP], ArrowDown: ['y', STEP] }[event.key];
    if (!moves || event.altKey || event.ctrlKey) return;
    event.preventDefault();
    move(...moves);
  });
  for (const [axis, input] of [['x', offX], ['y', offY]]) {
    input.addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
      event.preventDefault();
      const typed = number(input.value);
      if (typed !== null) offset = { ...offset, [axis]: typed };
      move(axis, event.key === 'ArrowUp' ? STEP : -STEP);
    });
    input.addEventListener('input', () => {
      const typed = number(input.value);
      if (typed !== null) {
        offset = { ...offset, [axis]: typed };
        padText.textContent = t('slips.template.pad.text', { x: offsetText(offset.x), y: offsetText(offset.y) });
      }
      markDirty();
    });
    input.addEventListener('blur', () => {
      if (number(input.value) !== null) showOffset();
    });
  }
  for (const el of [paperW, paperH]) el.addEventListener('input', markDirty);
  tbody.addEventListener('input', () => {
    errors.clearOne('fields');
    markDirty();
  });
  // The row being edited is outlined on the sketch.
  tbody.addEventListener('focusin', (event) => {
    const key = event.target.closest('tr')?.dataset.key;
    for (const g of sketch.querySelectorAll('.sketch-box')) g.classList.toggle('is-current', g.dataset.key === key);
  });
  // Enter moves down the column (a table of numbers is typed a column at a time).
  tbody.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.isComposing) return;
    const cell = event.target.closest('td');
    const row = event.target.closest('tr');
    if (!cell || !row) return;
    event.preventDefault();
    const index = [...row.children].indexOf(cell);
    const below = (event.shiftKey ? row.previousElementSibling : row.nextElementSibling)?.children[index]?.querySelector('input');
    (below ?? save).focus();
    below?.select();
  });

  // ---- saving --------------------------------------------------------------------------
  /** The template as typed, or null after showing what cannot be read. */
  function collect() {
    const read = (input, name, label) => {
      const v = number(input.value);
      if (v === null) errors.show({ field: name, message: t('slips.template.number', { what: label, value: input.value }) });
      return v;
    };
    const paper_w = read(paperW, 'paper_w', t('slips.template.paper_w'));
    if (paper_w === null) return null;
    const paper_h = read(paperH, 'paper_h', t('slips.template.paper_h'));
    if (paper_h === null) return null;
    const offset_x = read(offX, 'offset_x', t('slips.template.offset_x'));
    if (offset_x === null) return null;
    const offset_y = read(offY, 'offset_y', t('slips.template.offset_y'));
    if (offset_y === null) return null;
    const fields = {};
    for (const [key, row] of inputs) {
      const typed = BOX_KEYS.map((k) => row[k].value.trim());
      if (typed.every((v) => v === '')) continue; // a field left off the form
      const box = {};
      for (const k of BOX_KEYS) {
        const v = number(row[k].value);
        if (v === null) {
          errors.show({ field: 'fields', message: t('slips.template.cell.invalid', { field: names.get(key), what: t(`slips.template.col.${k}`), value: row[k].value }) });
          row[k].focus();
          row[k].select();
          return null;
        }
        box[k] = v;
      }
      fields[key] = box;
    }
    return { paper_w, paper_h, offset_x, offset_y, fields };
  }

  let busy = false;
  async function submit() {
    if (busy) return false;
    errors.clearAll();
    const template = collect();
    if (!template) return false;
    busy = true;
    save.disabled = true;
    try {
      const out = await ctx.call('slips.template_save', template);
      if (!ctx.isCurrent()) return false;
      saved = out.template;
      offset = { x: saved.offset_x, y: saved.offset_y };
      dirty = false;
      showOffset();
      showState();
      drawSketch();
      ctx.toast(t('slips.template.done', { x: offsetText(saved.offset_x), y: offsetText(saved.offset_y) }));
      return true;
    } catch (error) {
      if (!ctx.isCurrent()) return false;
      errors.show(error);
      return false;
    } finally {
      busy = false;
      save.disabled = false;
    }
  }

  async function calibration() {
    if (dirty && !(await submit())) return;
    calibrate.disabled = true;
    try {
      const out = await ctx.call('slips.calibration', {});
      download(out.file_name, out.content_base64);
      ctx.toast(t('slips.template.calibration.done', { file: out.file_name }));
    } catch (error) {
      errors.show({ message: errorText(error) });
    } finally {
      calibrate.disabled = false;
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  calibrate.addEventListener('click', calibration);
  // Enter in the paper and offset values moves on; from the last one it saves.
  const sequence = [paperW, paperH, offX, offY];
  form.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.isComposing) return;
    const at = sequence.indexOf(event.target);
    if (at < 0) return;
    event.preventDefault();
    if (at === sequence.length - 1) submit();
    else sequence[at + 1].focus();
  });

  showOffset();
  showState();
  drawSketch();
  pad.focus();

  return {
    hasDraft: () => dirty,
    onKey(event) {
      if (isSave(event)) {
        event.preventDefault();
        submit();
      } else if (event.key === 'Escape') {
        event.preventDefault();
        // Leaving with changes unsaved would lose them: say so and stay.
        if (dirty) ctx.toast(t('slips.template.unsaved.esc'));
        else ctx.navigate('#/settings');
      }
    },
  };
}

// 导入客户 — pick a spreadsheet, check how its columns are read, see every row that will
// not be imported (with its row number as Excel shows it and every problem of the row), add
// the models the catalogue lacks (in the same commit as the rows), then import the rest at
// once; the rows left out download as an .xlsx with a 原因 column (下载导入报告).
import { h, clear } from '../../lib/dom.js';
import { download } from '../../lib/download.js';
import { t } from '../../i18n.js';

// The fields a column can feed (core: aftersales::import::FIELDS).
const FIELDS = [
  'name',
  'kind',
  'phones',
  'phone2',
  'address',
  'region',
  'class',
  'source',
  'notes',
  'model_code',
  'serial',
  'purchase_date',
  'install_date',
  'site',
];

/** The file's bytes as base64, which is how a file crosses either door. */
function readBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result ?? '');
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
}

export async function render(root, ctx) {
  // models: code → { create, name, category, months } as the clerk set them in the preview.
  const state = { file: null, content: null, mapping: null, models: new Map(), busy: false, disposed: false };

  const input = h('input', {
    id: 'import-file',
    type: 'file',
    class: 'input',
    accept: '.xlsx,.xls,.csv,.txt',
    'aria-describedby': 'import-file-hint',
  });
  const progress = h(
    'div',
    { id: 'import-progress', class: 'notice', role: 'status', hidden: true },
    h('progress', {}),
    ' ',
    h('span', { class: 'import-progress-text' }),
  );
  const error = h('p', { id: 'import-error', class: 'notice notice-error', role: 'alert', hidden: true });
  const preview = h('div', { id: 'import-preview', hidden: true });
  const result = h('div', { id: 'import-result', hidden: true });

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-import' },
      h(
        'div',
        { class: 'page-head' },
        h('h1', {}, t('import.title')),
        h('div', { class: 'toolbar' }, h('a', { href: '#/customers', class: 'btn btn-quiet' }, t('common.back'))),
      ),
      h(
        'div',
        { class: 'card' },
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'import-file' }, t('import.file')),
          h('div', { class: 'control' }, input, h('div', { class: 'hint', id: 'import-file-hint' }, t('import.file.hint'))),
        ),
      ),
      progress,
      error,
      preview,
      result,
    ),
  );

  let timer = null;
  function busy(on, textKey) {
    state.busy = on;
    progress.hidden = !on;
    clearInterval(timer);
    if (!on) return;
    const started = Date.now();
    const text = progress.querySelector('.import-progress-text');
    const size = Math.max(1, Math.round((state.file?.size ?? 0) / 1024));
    const tick = () => {
      const seconds = Math.floor((Date.now() - started) / 1000);
      text.textContent = t(textKey, { name: state.file?.name ?? '', size, seconds });
    };
    tick();
    timer = setInterval(tick, 1000);
  }

  function showError(e) {
    error.textContent = e?.code === 'network' ? t('error.network') : e?.message || String(e);
    error.hidden = false;
  }

  function args() {
    const newModels = [...state.models.entries()]
      .filter(([, m]) => m.create)
      .map(([code, m]) => ({ code, name: m.name, category: m.category, months: Number(m.months) }));
    return {
      kind: 'customers',
      file_name: state.file.name,
      content_base64: state.content,
      mapping: state.mapping,
      new_models: newModels,
    };
  }

  /** The report of the rows left out, as the core writes it (.xlsx with 原因). */
  function reportButton(id) {
    const button = h(
      'button',
      { type: 'button', id, class: 'btn', 'data-needs': 'import.report', title: t('import.report.title') },
      t('import.report.download'),
    );
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        const out = await ctx.call('import.report', args());
        download(out.file_name, out.content_base64);
        ctx.toast(t('import.report.done', { rows: out.rows, name: out.file_name }));
      } catch (e) {
        showError(e);
      } finally {
        button.disabled = false;
      }
    });
    return button;
  }

  /**
   * The file's models the catalogue lacks: each once, with its rows; ticked ones are added
   * with the rows when the clerk imports (all or nothing). Without the right to keep the
   * catalogue the list is shown, read-only, with what to do instead.
   */
  function modelsCard(p) {
    const unknown = p.unknown_models ?? [];
    if (!unknown.length) return null;
    const can = Boolean(p.can_create_models);
    const rows = unknown.map((u) => {
      const m = state.models.get(u.code);
      const cell = (key, attrs) => {
        const input = h('input', {
          class: 'input',
          disabled: !can,
          dataset: { code: u.code, key },
          'aria-label': t(`import.models.${key}.label`, { code: u.code }),
          ...attrs,
        });
        input.value = m[key];
        input.addEventListener('input', () => (m[key] = input.value));
        return h('td', {}, input);
      };
      const tick = h('input', {
        type: 'checkbox',
        class: 'import-model-create',
        disabled: !can,
        dataset: { code: u.code },
        'aria-label': t('import.models.create.label', { code: u.code }),
      });
      tick.checked = m.create;
      tick.addEventListener('change', () => {
        m.create = tick.checked;
        runPreview();
      });
      return h(
        'tr',
        { dataset: { code: u.code } },
        h('td', {}, tick),
        h('td', { class: 'mono' }, u.code),
        h('td', { class: 'num' }, String(u.rows)),
        cell('name', { placeholder: u.code, maxlength: 60 }),
        cell('category', { maxlength: 40 }),
        cell('months', { type: 'number', min: 1, max: 240, step: 1, class: 'input import-model-months' }),
      );
    });
    return h(
      'div',
      { id: 'import-models', class: 'card' },
      h('h2', {}, t('import.models.title', { count: unknown.length })),
      h('p', { class: can ? 'hint' : 'notice', id: 'import-models-hint' }, t(can ? 'import.models.hint' : 'import.models.forbidden')),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'grid import-models' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['create', 'code', 'rows', 'name', 'category', 'months'].map((k) => h('th', { scope: 'col' }, t(`import.models.col.${k}`))),
            ),
          ),
          h('tbody', {}, rows),
        ),
      ),
    );
  }

  /** New unknown models start ticked (when the user may add them), named by their code. */
  function rememberModels(p) {
    let added = false;
    for (const u of p.unknown_models ?? []) {
      if (state.models.has(u.code)) continue;
      const create = Boolean(p.can_create_models);
      state.models.set(u.code, { create, name: '', category: '', months: String(p.default_warranty_months ?? 12) });
      added ||= create;
    }
    return added;
  }

  function rejectedTable(rejected) {
    if (!rejected.length) return h('p', { class: 'import-none-rejected' }, t('import.rejected.none'));
    return h(
      'div',
      { class: 'table-wrap import-rejected-wrap' },
      h(
        'table',
        { class: 'grid import-rejected' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('import.rejected.row')), h('th', { scope: 'col' }, t('import.rejected.reason')))),
        h(
          'tbody',
          {},
          rejected.map((r) =>
            h(
              'tr',
              { dataset: { row: String(r.row) } },
              h('td', { class: 'num' }, String(r.row)),
              h('td', {}, (r.reasons?.length ? r.reasons : [r.reason]).map((why) => h('div', { class: 'import-reason' }, why))),
            ),
          ),
        ),
      ),
    );
  }

  function fieldSelect(column) {
    const select = h(
      'select',
      { class: 'input import-field', dataset: { header: column.header }, 'aria-label': t('import.map.label', { header: column.header }) },
      h('option', { value: '' }, t('import.field.none')),
      FIELDS.map((f) => h('option', { value: f }, t(`import.field.${f}`))),
    );
    select.value = column.field ?? '';
    select.addEventListener('change', () => {
      state.mapping = Object.fromEntries(
        [...preview.querySelectorAll('select.import-field')].map((s) => [s.dataset.header, s.value || null]),
      );
      runPreview();
    });
    return select;
  }

  function showPreview(p) {
    clear(preview);
    const canCommit = p.to_add.customers + p.to_add.equipment > 0;
    const adding = (p.unknown_models ?? []).filter((u) => u.added).length;
    const commit = h(
      'button',
      { type: 'button', id: 'import-commit', class: 'btn btn-primary', disabled: !canCommit },
      t('import.commit'),
    );
    commit.addEventListener('click', runCommit);
    // Only when the file names models the catalogue lacks (the DOM's own append would
    // print a null as the word "null").
    const models = modelsCard(p);
    preview.append(
      h(
        'div',
        { class: 'card' },
        h('h2', {}, t('import.preview.title', { name: state.file.name })),
        h(
          'p',
          { id: 'import-summary', role: 'status' },
          t('import.preview.summary', {
            rows: p.rows,
            customers: p.to_add.customers,
            equipment: p.to_add.equipment,
            present: p.already_present,
            rejected: p.rejected.length,
          }),
          adding ? ` ${t('import.preview.models', { count: adding })}` : '',
        ),
        h('p', { class: 'hint' }, t('import.map.hint')),
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { id: 'import-columns', class: 'grid' },
            h(
              'thead',
              {},
              h('tr', {}, p.columns.map((c) => h('th', { scope: 'col' }, c.header))),
              h('tr', {}, p.columns.map((c) => h('th', {}, fieldSelect(c)))),
            ),
            h(
              'tbody',
              {},
              p.sample.map((cells) => h('tr', {}, cells.map((cell) => h('td', {}, cell)))),
            ),
          ),
        ),
      ),
      ...(models ? [models] : []),
      h(
        'div',
        { class: 'card' },
        h('h2', {}, t('import.rejected.title', { count: p.rejected.length })),
        rejectedTable(p.rejected),
        h('div', { class: 'toolbar' }, commit, p.rejected.length ? reportButton('import-report-download') : null),
      ),
    );
    preview.hidden = false;
  }

  /** What the focused control of the preview is, to find it again once the preview is redrawn. */
  function focusedControl() {
    const el = document.activeElement;
    if (!el || !preview.contains(el)) return null;
    const { code = '', key = '', header = '' } = el.dataset;
    return { cls: el.className, code, key, header };
  }

  function refocus(was) {
    if (!was) return;
    const again = [...preview.querySelectorAll('input, select, button')].find(
      (el) =>
        el.className === was.cls &&
        (el.dataset.code ?? '') === was.code &&
        (el.dataset.key ?? '') === was.key &&
        (el.dataset.header ?? '') === was.header,
    );
    again?.focus();
  }

  async function runPreview() {
    if (state.busy) return;
    const was = focusedControl();
    error.hidden = true;
    result.hidden = true;
    busy(true, 'import.progress.preview');
    try {
      let p = await ctx.call('import.preview', args());
      if (state.disposed) return;
      // Models met for the first time start ticked: preview again so the counts are the
      // ones the commit will have.
      if (rememberModels(p)) p = await ctx.call('import.preview', args());
      if (state.disposed) return;
      showPreview(p);
      // A tick or a column's field changed by keyboard: the hands stay where they were.
      refocus(was);
    } catch (e) {
      if (state.disposed) return;
      preview.hidden = true;
      showError(e);
    } finally {
      busy(false);
    }
  }

  async function runCommit() {
    if (state.busy) return;
    error.hidden = true;
    busy(true, 'import.progress.commit');
    const controls = [...preview.querySelectorAll('button, select, input')].filter((el) => !el.disabled);
    controls.forEach((el) => (el.disabled = true));
    try {
      const r = await ctx.call('import.commit', args());
      if (state.disposed) return;
      preview.hidden = true;
      clear(result);
      result.append(
        h(
          'div',
          { class: 'card' },
          h('h2', {}, t('import.done.title')),
          h(
            'p',
            { id: 'import-report', role: 'status' },
            t('import.done.summary', {
              customers: r.added.customers,
              equipment: r.added.equipment,
              present: r.already_present,
              rejected: r.rejected.length,
            }),
          ),
          r.models_added?.length
            ? h('p', { id: 'import-models-added' }, t('import.done.models', { count: r.models_added.length, codes: r.models_added.join('、') }))
            : null,
          h('h2', {}, t('import.rejected.title', { count: r.rejected.length })),
          rejectedTable(r.rejected),
          h(
            'div',
            { class: 'toolbar' },
            h('a', { href: '#/customers', class: 'btn btn-primary' }, t('import.done.open')),
            r.rejected.length ? reportButton('import-result-report') : null,
          ),
        ),
      );
      result.hidden = false;
      ctx.toast(t('import.done.toast', { customers: r.added.customers, equipment: r.added.equipment }));
      ctx.refreshInfo();
    } catch (e) {
      if (state.disposed) return;
      controls.forEach((el) => (el.disabled = false));
      showError(e);
    } finally {
      busy(false);
    }
  }

  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    if (!file) return;
    state.file = file;
    state.mapping = null;
    state.models = new Map();
    preview.hidden = true;
    result.hidden = true;
    error.hidden = true;
    busy(true, 'import.progress.read');
    try {
      state.content = await readBase64(file);
    } catch (e) {
      busy(false);
      showError(e);
      return;
    }
    busy(false);
    runPreview();
  });

  input.focus();
  return {
    dispose() {
      state.disposed = true;
      clearInterval(timer);
    },
  };
}

/** 导入 / 导出 for the customer list's toolbar; `query` gives the list's search text. */
export function listButtons(ctx, query) {
  const importLink = h(
    'a',
    { id: 'import-customers', 'data-needs': 'import.preview', href: '#/customers/import', class: 'btn', title: t('list.import.title') },
    t('list.import'),
  );
  const exportButton = h(
    'button',
    { type: 'button', id: 'export-customers', 'data-needs': 'customers.export', class: 'btn', title: t('list.export.title') },
    t('list.export'),
  );
  exportButton.addEventListener('click', async () => {
    exportButton.disabled = true;
    try {
      const out = await ctx.call('customers.export', { query: query() });
      download(out.file_name, out.content_base64);
      ctx.toast(t('list.export.done', { rows: out.rows, name: out.file_name }));
    } catch (e) {
      ctx.toast(e?.message || String(e));
    } finally {
      exportButton.disabled = false;
    }
  });
  return [importLink, exportButton];
}

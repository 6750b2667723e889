// 设置 — in sections, one shown at a time from the section list on the left (↑ ↓ move
// through it), each with at most one save (Ctrl+S saves the section on show): interface language, the work-order number and working hours, the working
// calendar the service-level clocks run on (holidays, make-up working days), the service
// engineers, the service slip (the company as it prints, its logo, terms, numbering, the printer of
// each paper format; links to the 套打 template and the slip continuity report), backups
// (folder, how many automatic ones are kept; a link to 备份与恢复) and the LAN door (open or
// not, port, allowed address ranges), and what this desk is connected to.
import { transport } from '../../api.js';
import { h, clear } from '../../lib/dom.js';
import { errorText, errorsFor, field } from '../../lib/form.js';
import { LANGUAGES, language, setLanguage, t } from '../../i18n.js';
import { deskYear } from '../../lib/dates.js';
import { parseYuan, yuanInput } from '../../lib/money.js';
import { isSave } from '../../lib/keys.js';
import { selectTab, tabKey } from '../../lib/tabs.js';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The sections of 设置, in the order of the section list; each has at most one save. */
const SECTIONS = ['general', 'orders', 'calendar', 'engineers', 'slips', 'backup'];

export async function render(root, ctx) {
  const year = deskYear(new Date());
  const [info, orderSettings, days, engineerList, status] = await Promise.all([
    ctx.refreshInfo().then((i) => i ?? ctx.info()),
    ctx.call('settings.get', {}),
    ctx.call('calendar.list', { year }),
    ctx.call('engineers.list', { all: true }),
    ctx.call('auth.status', {}),
  ]);
  if (!ctx.isCurrent()) return null;
  // What this user may change (the core refuses the rest anyway): a section whose save the
  // user's roles cannot run shows its values read-only, without a save button.
  const permitted = new Set(status?.commands ?? []);
  const may = (command) => permitted.has(command);

  const choose = h(
    'select',
    { id: 'settings-language', class: 'input', value: language(), 'aria-describedby': 'settings-language-hint' },
    LANGUAGES.map((code) => h('option', { value: code, lang: code }, t(`lang.${code}`))),
  );
  choose.addEventListener('change', async () => {
    await setLanguage(choose.value);
    ctx.relabel();
  });

  const row = (labelKey, value, cls = '') => [
    h('dt', {}, t(labelKey)),
    h('dd', { class: cls }, value ?? t('file.empty')),
  ];

  const general = h(
    'div',
    { id: 'settings-general' },
    h(
      'div',
      { class: 'card' },
      h('h2', {}, t('settings.section.general')),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'settings-language' }, t('settings.language')),
        h('div', { class: 'control' }, choose, h('div', { class: 'hint', id: 'settings-language-hint' }, t('settings.language.hint'))),
      ),
    ),
    h(
      'div',
      { class: 'card settings-links' },
      h('h2', {}, t('settings.catalogue')),
      h(
        'a',
        { href: '#/settings/models', id: 'settings-models', class: 'settings-link' },
        h('span', { class: 'settings-link-title' }, t('models.title'), ' ›'),
        h('span', { class: 'hint' }, t('models.lead')),
      ),
      h(
        'a',
        { href: '#/settings/slip-template', id: 'settings-slip-template', class: 'settings-link' },
        h('span', { class: 'settings-link-title' }, t('slips.template.title'), ' ›'),
        h('span', { class: 'hint' }, t('slips.template.link.lead')),
      ),
      h(
        'a',
        { href: '#/slips/continuity', id: 'settings-slip-continuity', class: 'settings-link', dataset: { needs: 'slips.continuity' } },
        h('span', { class: 'settings-link-title' }, t('slips.continuity.title'), ' ›'),
        h('span', { class: 'hint' }, t('slips.continuity.link.lead')),
      ),
      h(
        'a',
        { href: '#/settings/notify', id: 'settings-notify', class: 'settings-link', dataset: { needs: 'notify.settings' } },
        h('span', { class: 'settings-link-title' }, t('notify.title'), ' ›'),
        h('span', { class: 'hint' }, t('notify.link.lead')),
      ),
      h(
        'a',
        { href: '#/settings/commission', id: 'settings-commission', class: 'settings-link', dataset: { needs: 'reports.commission_rules' } },
        h('span', { class: 'settings-link-title' }, t('commission.title'), ' ›'),
        h('span', { class: 'hint' }, t('commission.link.lead')),
      ),
      h(
        'a',
        { href: '#/backup', id: 'settings-backup', class: 'settings-link', dataset: { needs: 'backup.list' } },
        h('span', { class: 'settings-link-title' }, t('backup.title'), ' ›'),
        h('span', { class: 'hint' }, t('settings.backup.link.lead')),
      ),
    ),
    h(
      'div',
      { class: 'card' },
      h('h2', {}, t('settings.about')),
      h(
        'dl',
        { class: 'details' },
        row('settings.version', info?.version, 'num'),
        row('settings.user', info?.user?.name),
        row('settings.data', info?.data_file, 'path'),
        row('settings.customers', info?.customers?.toLocaleString?.(), 'num'),
        row('settings.transport', t(`settings.transport.${transport()}`)),
      ),
    ),
  );

  const panels = {
    general,
    orders: orderSettingsCard(ctx, orderSettings, may('settings.save')),
    calendar: calendarCard(ctx, year, days ?? {}, may('calendar.save'), may('calendar.notice.load')),
    engineers: engineersCard(ctx, engineerList?.items ?? [], may('engineers.save')),
    slips: slipSettingsCard(ctx, orderSettings, may('settings.save')),
    backup: backupSettingsCard(ctx, orderSettings, may('settings.save'), (status?.user?.roles ?? []).includes('admin')),
  };
  const tabs = {};
  for (const name of SECTIONS) {
    const panel = panels[name];
    panel.classList.add('settings-panel');
    panel.setAttribute('role', 'tabpanel');
    panel.setAttribute('aria-labelledby', `settings-tab-${name}`);
    tabs[name] = h(
      'button',
      {
        type: 'button',
        role: 'tab',
        class: 'settings-tab',
        id: `settings-tab-${name}`,
        'aria-controls': panel.id,
        dataset: { section: name },
        onclick: () => choose_(name, true),
      },
      t(`settings.section.${name}`),
    );
  }
  const tabList = h(
    'div',
    { class: 'settings-tabs', role: 'tablist', 'aria-orientation': 'vertical', 'aria-label': t('settings.sections') },
    SECTIONS.map((name) => tabs[name]),
  );
  tabList.addEventListener('keydown', (event) => {
    const at = event.target.dataset?.section;
    if (!at) return;
    const key = { ArrowDown: 'ArrowRight', ArrowUp: 'ArrowLeft' }[event.key] ?? event.key;
    const next = tabKey(SECTIONS, at, key);
    if (!next) return;
    event.preventDefault();
    choose_(next, true);
  });
  let shown = SECTIONS.includes(ctx.query?.get?.('section')) ? ctx.query.get('section') : 'general';
  function choose_(name, focus) {
    shown = name;
    selectTab(tabs, name, { panels, focus });
    ctx.replaceHash(ctx.hashFor('/settings', name === 'general' ? {} : { section: name }));
  }

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-settings' },
      h('div', { class: 'page-head' }, h('h1', {}, t('settings.title'))),
      h('div', { class: 'settings-layout' }, tabList, h('div', { class: 'settings-panels' }, SECTIONS.map((name) => panels[name]))),
    ),
  );
  selectTab(tabs, shown, { panels });
  if (shown === 'general') choose.focus();
  else tabs[shown].focus();
  return {
    onKey(event) {
      // Ctrl+S saves the section on show: the form the focus is in, else the section's one
      // form (from the section list). A read-only section has nothing to save.
      if (!isSave(event)) return;
      event.preventDefault();
      const form = document.activeElement?.closest?.('form.settings-form') ?? panels[shown].querySelector('form.settings-form');
      if (form && form.dataset.readonly !== 'true') form.requestSubmit();
    },
  };
}

/**
 * A section the user may not change: every control read-only (disabled), the save button
 * gone (also hidden by the frame through its data-needs) and a line saying who may.
 */
function readOnly(form, save, whoKey) {
  form.dataset.readonly = 'true';
  for (const el of form.querySelectorAll('input, select, textarea, button')) el.disabled = true;
  save.hidden = true;
  const actions = save.closest('.form-actions');
  if (actions) actions.hidden = true;
  form.prepend(h('p', { class: 'notice settings-readonly' }, t('settings.readonly', { who: t(whoKey) })));
}

/** Enter moves through `sequence()`; from the last control it calls `submit`. */
function enterSubmits(form, sequence, submit) {
  form.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.isComposing || event.ctrlKey || event.altKey || event.shiftKey) return;
    if (event.target.tagName === 'BUTTON') return;
    const list = sequence();
    const target = event.target.type === 'radio' ? list.find((el) => el.name === event.target.name) : event.target;
    const at = list.indexOf(target);
    if (at < 0) return;
    event.preventDefault();
    if (at === list.length - 1) submit();
    else list[at + 1].focus();
  });
}

// ---- 工单与工作时间 ---------------------------------------------------------------------------

function orderSettingsCard(ctx, current, canSave) {
  const controls = {
    order_prefix: h('input', { class: 'input input-prefix num', type: 'text', maxlength: '8', autocomplete: 'off', value: current?.order_prefix ?? '' }),
    work_start: h('input', { class: 'input input-time num', type: 'time', value: current?.work_start ?? '08:30' }),
    work_end: h('input', { class: 'input input-time num', type: 'time', value: current?.work_end ?? '17:30' }),
  };
  const example = h('span', { class: 'hint', id: 'order-prefix-example' });
  const showExample = () => {
    const prefix = controls.order_prefix.value.trim().toUpperCase();
    example.textContent = t('settings.orders.example', { number: `${prefix}${deskYear(new Date())}000001` });
  };
  controls.order_prefix.addEventListener('input', showExample);
  showExample();
  const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'order-settings-save', dataset: { needs: 'settings.save' } }, t('form.save'), ' ', h('kbd', {}, 'Ctrl+S'));
  const hours = h(
    'div',
    { class: 'field field-hours' },
    h('label', { for: 'settings-work_start' }, t('settings.orders.hours')),
    h(
      'div',
      { class: 'control' },
      h('div', { class: 'inline' }, controls.work_start, h('span', { class: 'muted' }, t('order.to')), controls.work_end),
      h('div', { class: 'field-error', dataset: { for: 'work_start' }, 'aria-live': 'polite' }),
      h('div', { class: 'field-error', dataset: { for: 'work_end' }, 'aria-live': 'polite' }),
      h('div', { class: 'hint' }, t('settings.orders.hours.hint')),
    ),
  );
  controls.work_start.id = 'settings-work_start';
  controls.work_start.name = 'work_start';
  controls.work_end.id = 'settings-work_end';
  controls.work_end.name = 'work_end';
  controls.work_end.setAttribute('aria-label', t('settings.orders.work_end'));
  const prefixField = field('settings', 'order_prefix', controls.order_prefix, { label: t('settings.orders.prefix') });
  prefixField.querySelector('.control').append(example);
  const form = h(
    'form',
    { class: 'settings-form', id: 'order-settings-form', novalidate: true, autocomplete: 'off' },
    formError,
    prefixField,
    hours,
    h('div', { class: 'form-actions' }, save),
  );
  const errors = errorsFor(form, controls, formError);
  let busy = false;
  async function submit() {
    if (busy) return;
    busy = true;
    save.disabled = true;
    errors.clearAll();
    try {
      const saved = await ctx.call('settings.save', {
        order_prefix: controls.order_prefix.value.trim(),
        work_start: controls.work_start.value,
        work_end: controls.work_end.value,
      });
      controls.order_prefix.value = saved.order_prefix;
      showExample();
      ctx.toast(t('toast.saved'));
    } catch (error) {
      errors.show(error);
    } finally {
      busy = false;
      save.disabled = false;
    }
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  enterSubmits(form, () => [controls.order_prefix, controls.work_start, controls.work_end], submit);
  if (!canSave) readOnly(form, save, 'settings.readonly.settings');
  return h('div', { class: 'card', id: 'settings-orders' }, h('h2', {}, t('settings.orders')), h('p', { class: 'hint card-lead' }, t('settings.orders.lead')), form);
}

// ---- 服务单 ------------------------------------------------------------------------------------

/** The largest logo file the core takes (settings `company_logo`). */
const LOGO_MAX_BYTES = 512 * 1024;

/**
 * 公司标志: a file input (PNG or JPEG), a preview of the logo as it is now or as chosen, and a
 * button that removes it. `value()` is what `settings.save` takes as `company_logo`:
 * `undefined` when untouched, `''` to remove it, a `data:` URL when a file was chosen. Also
 * used by the first-run wizard. DOM: `#{prefix}-company_logo`, `#{prefix}-logo-preview`,
 * `#{prefix}-logo-remove`; errors under `.field-error[data-for=company_logo]`.
 */
export function logoPicker(prefix, current, { label, hint }) {
  const input = h('input', { class: 'input input-file', type: 'file', accept: 'image/png,image/jpeg', name: 'company_logo' });
  const preview = h('img', { id: `${prefix}-logo-preview`, class: 'logo-preview', alt: t('slips.settings.logo.preview') });
  preview.style.maxHeight = '56px';
  preview.style.maxWidth = '200px';
  preview.style.margin = '4px 0';
  const none = h('span', { class: 'muted', id: `${prefix}-logo-none` }, t('slips.settings.logo.none'));
  const remove = h('button', { type: 'button', class: 'btn btn-quiet', id: `${prefix}-logo-remove` }, t('slips.settings.logo.remove'));
  let shown = current || '';
  let changed;
  const wrap = field(prefix, 'company_logo', input, { label, hint });
  const error = wrap.querySelector('.field-error');
  const show = () => {
    // (Shown or not by its style: an inline style would override the hidden attribute.)
    preview.style.display = shown ? 'block' : 'none';
    if (shown) preview.src = shown;
    else preview.removeAttribute('src');
    none.hidden = Boolean(shown);
    remove.hidden = !shown;
  };
  // After the form's own change listener, which clears the field's error line.
  const refuse = (message) => {
    input.value = '';
    setTimeout(() => {
      error.textContent = message;
    });
  };
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (!file) return;
    // The core checks again (and decodes the picture); these only answer at once.
    if (!['image/png', 'image/jpeg'].includes(file.type)) return refuse(t('slips.settings.logo.type', { name: file.name }));
    if (file.size > LOGO_MAX_BYTES) return refuse(t('slips.settings.logo.too_big', { size: Math.ceil(file.size / 1024) }));
    const reader = new FileReader();
    reader.addEventListener('load', () => {
      shown = String(reader.result);
      changed = shown;
      show();
    });
    reader.readAsDataURL(file);
  });
  remove.addEventListener('click', () => {
    shown = '';
    changed = '';
    input.value = '';
    error.textContent = '';
    show();
  });
  wrap.querySelector('.control').prepend(preview, none);
  wrap.querySelector('.control').insertBefore(h('div', { class: 'inline' }, input, remove), error);
  show();
  return {
    field: wrap,
    control: input,
    value: () => changed,
    /** After saving: what the core now has. */
    saved(url) {
      shown = url || '';
      changed = undefined;
      input.value = '';
      show();
    },
  };
}

const PRINTER_PAPERS = ['a4', 'a5', 'continuous', 'thermal', 'label'];
/** Papers whose printer may be an ESC/POS thermal printer (issue 18), and how it is reached. */
const ESCPOS_PAPERS = ['thermal', 'label'];
const PRINTER_KINDS = ['system', 'escpos_network', 'escpos_raw'];

function slipSettingsCard(ctx, current, canSave) {
  const text = (name, max, extra = {}) =>
    h('input', { class: 'input input-wide', type: 'text', maxlength: String(max), autocomplete: 'off', value: current?.[name] ?? '', ...extra });
  const controls = {
    company_name: text('company_name', 40),
    company_hotline: text('company_hotline', 40, { class: 'input input-hotline num', inputmode: 'tel' }),
    company_address: text('company_address', 100),
    // 进度查询网址 (issue 20): the slip's QR code becomes this + /s/{code}.
    public_url: text('public_url', 200, { class: 'input input-wide num', inputmode: 'url', spellcheck: 'false', placeholder: 'https://fuwu.example.com' }),
    slip_terms: h('textarea', { class: 'input input-wide', rows: 4, maxlength: '600', value: current?.slip_terms ?? '' }),
    slip_prefix: h('input', { class: 'input input-prefix num', type: 'text', maxlength: '8', autocomplete: 'off', value: current?.slip_prefix ?? '' }),
    repair_warranty_days: h('input', { class: 'input input-days num', type: 'text', inputmode: 'numeric', autocomplete: 'off', value: String(current?.repair_warranty_days ?? '') }),
    // 检测费 (issue 21): billed when a customer refuses the quote; printed on the quote.
    diagnostic_fee_fen: h('input', { class: 'input input-money num', type: 'text', inputmode: 'decimal', autocomplete: 'off', value: current ? yuanInput(current.diagnostic_fee_fen ?? 0) : '' }),
    // 保养提前天数 (issue 21, 定期保养): a plan's order is made this many days ahead.
    maintenance_days_ahead: h('input', { class: 'input input-days num', type: 'text', inputmode: 'numeric', maxlength: '2', autocomplete: 'off', value: String(current?.maintenance_days_ahead ?? '') }),
  };
  const printers = Object.fromEntries(
    PRINTER_PAPERS.map((paper) => [
      paper,
      h('input', {
        class: 'input input-printer',
        type: 'text',
        maxlength: '100',
        autocomplete: 'off',
        id: `settings-printer-${paper}`,
        name: `printer-${paper}`,
        value: current?.printers?.[paper] ?? '',
        placeholder: t('slips.settings.printer.default'),
        'aria-label': t('slips.settings.printer.label', { paper: t(`slips.paper.${paper}`) }),
      }),
    ]),
  );
  // How the roll printers are reached: the placeholder says what to write for each.
  const kinds = Object.fromEntries(
    ESCPOS_PAPERS.map((paper) => {
      const kind = h(
        'select',
        {
          class: 'input input-printer-kind',
          id: `settings-printer-kind-${paper}`,
          name: `printer-kind-${paper}`,
          'aria-label': t('slips.settings.printer_kind.label', { paper: t(`slips.paper.${paper}`) }),
        },
        PRINTER_KINDS.map((k) => h('option', { value: k }, t(`slips.settings.printer_kind.${k}`))),
      );
      kind.value = current?.printer_kinds?.[paper] ?? 'system';
      const placeholder = () => {
        printers[paper].placeholder = t(kind.value === 'system' ? 'slips.settings.printer.default' : `slips.settings.printer_kind.${kind.value}.placeholder`);
      };
      kind.addEventListener('change', placeholder);
      placeholder();
      return [paper, kind];
    }),
  );
  const logo = logoPicker('settings', current?.company_logo, { label: t('slips.settings.logo'), hint: t('slips.settings.logo.hint') });
  const example = h('span', { class: 'hint', id: 'slip-prefix-example' });
  const showExample = () => {
    example.textContent = t('slips.settings.prefix.example', { number: `${controls.slip_prefix.value.trim().toUpperCase()}${deskYear(new Date())}000001` });
  };
  controls.slip_prefix.addEventListener('input', showExample);
  showExample();
  const printerTable = h(
    'table',
    { class: 'printer-table', id: 'settings-printers', tabIndex: -1 },
    h(
      'tbody',
      {},
      PRINTER_PAPERS.map((paper) =>
        h(
          'tr',
          { dataset: { paper } },
          h('th', { scope: 'row' }, h('label', { for: `settings-printer-${paper}` }, t(`slips.paper.${paper}`))),
          h('td', {}, printers[paper], kinds[paper] ? h('div', { class: 'printer-kind' }, kinds[paper]) : ''),
        ),
      ),
    ),
  );
  const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'slip-settings-save', dataset: { needs: 'settings.save' } }, t('form.save'), ' ', h('kbd', {}, 'Ctrl+S'));
  const prefixField = field('settings', 'slip_prefix', controls.slip_prefix, { label: t('slips.settings.prefix'), hint: t('slips.settings.prefix.hint') });
  prefixField.querySelector('.control').append(example);
  // The days with their unit beside them.
  const daysField = field('settings', 'repair_warranty_days', controls.repair_warranty_days, { label: t('slips.settings.warranty_days'), hint: t('slips.settings.warranty_days.hint') });
  daysField.querySelector('.control').prepend(h('div', { class: 'inline' }, controls.repair_warranty_days, h('span', { class: 'muted' }, t('slips.settings.days'))));
  const form = h(
    'form',
    { class: 'settings-form slip-settings-form', id: 'slip-settings-form', novalidate: true, autocomplete: 'off' },
    formError,
    h(
      'div',
      { class: 'slip-settings-columns' },
      h(
        'div',
        {},
        field('settings', 'company_name', controls.company_name, { label: t('slips.settings.company_name'), required: true }),
        field('settings', 'company_hotline', controls.company_hotline, { label: t('slips.settings.company_hotline') }),
        field('settings', 'company_address', controls.company_address, { label: t('slips.settings.company_address') }),
        field('settings', 'public_url', controls.public_url, { label: t('slips.settings.public_url'), hint: t('slips.settings.public_url.hint') }),
        logo.field,
        field('settings', 'slip_terms', controls.slip_terms, { label: t('slips.settings.terms'), hint: t('slips.settings.terms.hint') }),
      ),
      h(
        'div',
        {},
        prefixField,
        daysField,
        field('settings', 'diagnostic_fee_fen', controls.diagnostic_fee_fen, { label: t('slips.settings.diagnostic_fee'), hint: t('slips.settings.diagnostic_fee.hint') }),
        field('settings', 'maintenance_days_ahead', controls.maintenance_days_ahead, { label: t('slips.settings.maintenance_days'), hint: t('slips.settings.maintenance_days.hint') }),
        h(
          'div',
          { class: 'field field-printers' },
          h('span', { class: 'label' }, t('slips.settings.printers')),
          h(
            'div',
            { class: 'control' },
            printerTable,
            h('div', { class: 'field-error', dataset: { for: 'printers' }, 'aria-live': 'polite' }),
            // The desktop as a LAN client keeps its own printers (src-tauri/src/remote/print.rs).
            h('div', { class: 'hint', id: 'settings-printers-hint' }, ctx.info?.()?.server ? t('slips.settings.printers.hint.client', { server: ctx.info().server }) : t('slips.settings.printers.hint')),
            h('div', { class: 'hint' }, t('slips.settings.printer_kind.hint')),
          ),
        ),
      ),
    ),
    h('div', { class: 'form-actions' }, save),
  );
  const errors = errorsFor(form, { ...controls, company_logo: logo.control, printers: printerTable }, formError);
  printerTable.addEventListener('input', () => errors.clearOne('printers'));
  printerTable.addEventListener('change', () => errors.clearOne('printers'));
  let busy = false;
  async function submit() {
    if (busy) return;
    errors.clearAll();
    const days = controls.repair_warranty_days.value.trim();
    if (!/^\d{1,4}$/.test(days)) {
      errors.show({ field: 'repair_warranty_days', message: t('slips.settings.warranty_days.invalid', { value: days }) });
      return;
    }
    const fee = parseYuan(controls.diagnostic_fee_fen.value);
    if (fee === null) {
      errors.show({ field: 'diagnostic_fee_fen', message: t('slips.settings.diagnostic_fee.invalid', { value: controls.diagnostic_fee_fen.value.trim() }) });
      return;
    }
    const ahead = controls.maintenance_days_ahead.value.trim();
    if (!/^\d{1,2}$/.test(ahead)) {
      errors.show({ field: 'maintenance_days_ahead', message: t('slips.settings.maintenance_days.invalid', { value: ahead }) });
      return;
    }
    busy = true;
    save.disabled = true;
    try {
      const saved = await ctx.call('settings.save', {
        company_name: controls.company_name.value.trim(),
        company_hotline: controls.company_hotline.value.trim(),
        company_address: controls.company_address.value.trim(),
        public_url: controls.public_url.value.trim(),
        slip_terms: controls.slip_terms.value.trim(),
        slip_prefix: controls.slip_prefix.value.trim(),
        repair_warranty_days: Number(days),
        diagnostic_fee_fen: fee,
        maintenance_days_ahead: Number(ahead),
        printers: Object.fromEntries(PRINTER_PAPERS.map((paper) => [paper, printers[paper].value.trim()])),
        printer_kinds: Object.fromEntries(ESCPOS_PAPERS.map((paper) => [paper, kinds[paper].value])),
        company_logo: logo.value(),
      });
      // A network printer's address comes back with its port (9100 when left out).
      for (const paper of PRINTER_PAPERS) printers[paper].value = saved.printers?.[paper] ?? '';
      controls.slip_prefix.value = saved.slip_prefix;
      controls.public_url.value = saved.public_url ?? '';
      logo.saved(saved.company_logo);
      showExample();
      ctx.toast(t('toast.saved'));
    } catch (error) {
      errors.show(error);
    } finally {
      busy = false;
      save.disabled = false;
    }
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  enterSubmits(
    form,
    () => [
      controls.company_name,
      controls.company_hotline,
      controls.company_address,
      controls.public_url,
      controls.slip_prefix,
      controls.repair_warranty_days,
      controls.diagnostic_fee_fen,
      controls.maintenance_days_ahead,
      ...PRINTER_PAPERS.map((paper) => printers[paper]),
      ...ESCPOS_PAPERS.map((paper) => kinds[paper]),
    ],
    submit,
  );
  if (!canSave) readOnly(form, save, 'settings.readonly.settings');
  return h(
    'div',
    { class: 'card', id: 'settings-slips' },
    h('h2', {}, t('slips.settings.title')),
    h('p', { class: 'hint card-lead' }, t('slips.settings.lead')),
    form,
  );
}

// ---- 备份与局域网 -------------------------------------------------------------------------------

/** Settings only the administrator may change (the core refuses them to anyone else): the
 * backup folder, network paths and every `lan_` setting. */
const adminOnly = (key) => key.startsWith('lan_') || key === 'backup_folder' || key === 'allow_network_paths';

function backupSettingsCard(ctx, current, canSave, isAdmin) {
  const controls = {
    backup_folder: h('input', { class: 'input input-wide', type: 'text', maxlength: '260', autocomplete: 'off', spellcheck: 'false', value: current?.backup_folder ?? '' }),
    backup_keep: h('input', { class: 'input input-days num', type: 'text', inputmode: 'numeric', autocomplete: 'off', value: String(current?.backup_keep ?? 14) }),
    lan_open: h('input', { type: 'checkbox', checked: Boolean(current?.lan_open) }),
    lan_port: h('input', { class: 'input input-days num', type: 'text', inputmode: 'numeric', autocomplete: 'off', value: String(current?.lan_port ?? 8765) }),
    lan_allow: h('input', { class: 'input input-wide num', type: 'text', maxlength: '1000', autocomplete: 'off', spellcheck: 'false', value: current?.lan_allow ?? '' }),
    lan_names: h('input', { class: 'input input-wide', type: 'text', maxlength: '2600', autocomplete: 'off', spellcheck: 'false', value: current?.lan_names ?? '' }),
    lan_plain_http: h('input', { type: 'checkbox', checked: Boolean(current?.lan_plain_http) }),
    allow_network_paths: h('input', { type: 'checkbox', checked: Boolean(current?.allow_network_paths) }),
  };
  controls.lan_open.id = 'settings-lan_open';
  controls.lan_open.name = 'lan_open';
  controls.lan_plain_http.id = 'settings-lan_plain_http';
  controls.lan_plain_http.name = 'lan_plain_http';
  controls.allow_network_paths.id = 'settings-allow_network_paths';
  controls.allow_network_paths.name = 'allow_network_paths';
  // The LAN certificate's fingerprint, to read out to a second desk (read only).
  const fingerprint = h('input', {
    class: 'input input-wide num',
    type: 'text',
    readonly: true,
    spellcheck: 'false',
    value: current?.lan_fingerprint ?? t('settings.lan_fingerprint.none'),
  });
  const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'backup-settings-save', dataset: { needs: 'settings.save' } }, t('form.save'), ' ', h('kbd', {}, 'Ctrl+S'));
  const form = h(
    'form',
    { class: 'settings-form', id: 'backup-settings-form', novalidate: true, autocomplete: 'off' },
    formError,
    field('settings', 'backup_folder', controls.backup_folder, { label: t('settings.backup_folder'), hint: t('settings.backup_folder.hint') }),
    field('settings', 'backup_keep', controls.backup_keep, { label: t('settings.backup_keep'), hint: t('settings.backup_keep.hint') }),
    h(
      'div',
      { class: 'field field-allow_network_paths' },
      h('span', { class: 'label' }, t('settings.allow_network_paths')),
      h(
        'div',
        { class: 'control' },
        h('label', { class: 'check', for: 'settings-allow_network_paths' }, controls.allow_network_paths, ' ', t('settings.allow_network_paths.label')),
        h('div', { class: 'field-error', dataset: { for: 'allow_network_paths' }, 'aria-live': 'polite' }),
        h('div', { class: 'hint' }, t('settings.allow_network_paths.hint')),
      ),
    ),
    h(
      'div',
      { class: 'field field-lan_open' },
      h('span', { class: 'label' }, t('settings.lan_open')),
      h(
        'div',
        { class: 'control' },
        h('label', { class: 'check', for: 'settings-lan_open' }, controls.lan_open, ' ', t('settings.lan_open.label')),
        h('div', { class: 'field-error', dataset: { for: 'lan_open' }, 'aria-live': 'polite' }),
        h('div', { class: 'hint' }, t('settings.lan_open.hint')),
      ),
    ),
    field('settings', 'lan_port', controls.lan_port, { label: t('settings.lan_port'), hint: t('settings.lan_port.hint') }),
    field('settings', 'lan_allow', controls.lan_allow, { label: t('settings.lan_allow'), hint: t('settings.lan_allow.hint') }),
    field('settings', 'lan_names', controls.lan_names, { label: t('settings.lan_names'), hint: t('settings.lan_names.hint') }),
    field('settings', 'lan_fingerprint', fingerprint, { label: t('settings.lan_fingerprint'), hint: t('settings.lan_fingerprint.hint') }),
    h(
      'div',
      { class: 'field field-lan_plain_http' },
      h('span', { class: 'label' }, t('settings.lan_plain_http')),
      h(
        'div',
        { class: 'control' },
        h('label', { class: 'check', for: 'settings-lan_plain_http' }, controls.lan_plain_http, ' ', t('settings.lan_plain_http.label')),
        h('div', { class: 'field-error', dataset: { for: 'lan_plain_http' }, 'aria-live': 'polite' }),
        h('div', { class: 'hint' }, t('settings.lan_plain_http.hint')),
      ),
    ),
    h('div', { class: 'form-actions' }, save),
  );
  const errors = errorsFor(form, controls, formError);
  let busy = false;
  async function submit() {
    if (busy) return;
    errors.clearAll();
    const keep = controls.backup_keep.value.trim();
    if (!/^\d{1,3}$/.test(keep)) {
      errors.show({ field: 'backup_keep', message: t('settings.backup_keep.invalid', { value: keep }) });
      return;
    }
    const port = controls.lan_port.value.trim();
    if (!/^\d{1,5}$/.test(port)) {
      errors.show({ field: 'lan_port', message: t('settings.lan_port.invalid', { value: port }) });
      return;
    }
    busy = true;
    save.disabled = true;
    try {
      const args = {
        backup_folder: controls.backup_folder.value.trim(),
        backup_keep: Number(keep),
        lan_open: controls.lan_open.checked,
        lan_port: Number(port),
        lan_allow: controls.lan_allow.value.trim(),
        lan_names: controls.lan_names.value.trim(),
        lan_plain_http: controls.lan_plain_http.checked,
        allow_network_paths: controls.allow_network_paths.checked,
      };
      // A manager saves only what is theirs; the administrator's settings stay as shown.
      if (!isAdmin) for (const key of Object.keys(args)) if (adminOnly(key)) delete args[key];
      const saved = await ctx.call('settings.save', args);
      controls.lan_allow.value = saved.lan_allow;
      controls.lan_names.value = saved.lan_names;
      ctx.toast(t('toast.saved'));
    } catch (error) {
      errors.show(error);
    } finally {
      busy = false;
      save.disabled = false;
    }
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  enterSubmits(form, () => [controls.backup_folder, controls.backup_keep, controls.allow_network_paths, controls.lan_open, controls.lan_port, controls.lan_allow, controls.lan_names, controls.lan_plain_http].filter((el) => !el.disabled), submit);
  if (!canSave) readOnly(form, save, 'settings.readonly.settings');
  else if (!isAdmin) {
    // The administrator's settings, shown read-only to a manager with a note saying why.
    for (const [key, control] of Object.entries(controls)) {
      if (!adminOnly(key)) continue;
      control.disabled = true;
      control.closest('.field')?.classList.add('field-admin-only');
      control.closest('.control')?.append(h('div', { class: 'hint admin-only-note' }, t('settings.admin_only')));
    }
  }
  return h(
    'div',
    { class: 'card', id: 'settings-backup-lan' },
    h('h2', {}, t('settings.backup')),
    h('p', { class: 'hint card-lead' }, t('settings.backup.lead')),
    form,
  );
}

// ---- 工作日历 ---------------------------------------------------------------------------------

function calendarCard(ctx, firstYear, firstList, canSave, canLoad) {
  let shownYear = firstYear;
  const yearSelect = h(
    'select',
    { class: 'input input-year', id: 'calendar-year', 'aria-label': t('settings.calendar.year'), value: String(firstYear) },
    [firstYear - 1, firstYear, firstYear + 1].map((y) => h('option', { value: String(y) }, t('settings.calendar.year.option', { year: y }))),
  );
  const listBox = h('div', { class: 'calendar-list' });
  const listError = h('p', { class: 'notice notice-error', role: 'alert', hidden: true });

  const dayInput = h('input', { class: 'input input-date num', type: 'text', inputmode: 'numeric', autocomplete: 'off', placeholder: `${firstYear}-10-01` });
  const kinds = h('div', { class: 'segmented', id: 'calendar-kind', role: 'radiogroup', tabIndex: -1, 'aria-label': t('settings.calendar.kind') });
  for (const kind of ['off', 'work']) {
    kinds.append(
      h(
        'label',
        { class: 'segment', for: `calendar-kind-${kind}` },
        h('input', { type: 'radio', name: 'kind', value: kind, id: `calendar-kind-${kind}`, checked: kind === 'off' }),
        h('span', {}, t(`settings.calendar.${kind}`)),
      ),
    );
  }
  const nameInput = h('input', { class: 'input', type: 'text', maxlength: '20', autocomplete: 'off', placeholder: t('settings.calendar.name.placeholder') });
  const controls = { day: dayInput, kind: kinds, name: nameInput };
  const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const add = h('button', { type: 'submit', class: 'btn btn-primary', id: 'calendar-save', dataset: { needs: 'calendar.save' } }, t('settings.calendar.save'), ' ', h('kbd', {}, 'Ctrl+S'));
  const form = h(
    'form',
    { class: 'settings-form', id: 'calendar-form', novalidate: true, autocomplete: 'off' },
    formError,
    field('calendar', 'day', dayInput, { label: t('settings.calendar.day'), hint: t('equipment.f.date.hint') }),
    h(
      'div',
      { class: 'field field-kind' },
      h('span', { class: 'label' }, t('settings.calendar.kind')),
      h('div', { class: 'control' }, kinds, h('div', { class: 'field-error', dataset: { for: 'kind' }, 'aria-live': 'polite' })),
    ),
    field('calendar', 'name', nameInput, { label: t('settings.calendar.name') }),
    h('div', { class: 'form-actions' }, add),
  );
  const errors = errorsFor(form, controls, formError);

  // Where the year's official days come from (the State Council's notice), or that they
  // are missing.
  const sourceLine = h('p', { class: 'calendar-source', id: 'calendar-source', 'aria-live': 'polite' });
  function showSource(official) {
    clear(sourceLine);
    sourceLine.classList.toggle('is-missing', !official);
    if (!official) {
      sourceLine.append(t('settings.calendar.source.missing', { year: shownYear }));
      return;
    }
    sourceLine.append(
      h('span', { class: 'chip chip-source-official' }, t('settings.calendar.source.official')),
      ' ',
      h('span', { id: 'calendar-source-name' }, official.source),
      ' ',
      h(
        'span',
        { class: 'muted' },
        official.origin === 'loaded'
          ? t('settings.calendar.source.loaded', { who: official.loaded_by ?? '', at: official.loaded_at ?? '' })
          : t('settings.calendar.source.shipped'),
      ),
    );
  }

  function showDays(items) {
    clear(listBox);
    if (items.length === 0) {
      listBox.append(h('p', { class: 'empty empty-small', id: 'calendar-empty' }, t('settings.calendar.empty', { year: shownYear })));
      return;
    }
    listBox.append(
      h(
        'table',
        { class: 'grid grid-compact', id: 'calendar-days' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col', class: 'col-date' }, t('settings.calendar.day')),
            h('th', { scope: 'col', class: 'col-weekday' }, t('settings.calendar.weekday')),
            h('th', { scope: 'col', class: 'col-daykind' }, t('settings.calendar.kind')),
            h('th', { scope: 'col' }, t('settings.calendar.name')),
            h('th', { scope: 'col', class: 'col-source' }, t('settings.calendar.source')),
            h('th', { scope: 'col', class: 'col-act' }, h('span', { class: 'visually-hidden' }, t('settings.calendar.normal'))),
          ),
        ),
        h(
          'tbody',
          {},
          items.map((d) => {
            const weekday = WEEKDAYS[new Date(`${d.day}T12:00:00Z`).getUTCDay()];
            const own = d.source === 'manager';
            // The manager's entry over an official day says what the notice had.
            const differs = own && d.official_kind ? t('settings.calendar.source.over', { kind: t(`settings.calendar.${d.official_kind === 'work' ? 'work' : 'off'}`) }) : '';
            return h(
              'tr',
              { dataset: { day: d.day, kind: d.kind, source: d.source } },
              h('td', { class: 'col-date num' }, d.day),
              h('td', { class: 'col-weekday' }, t(`settings.weekday.${weekday}`)),
              h('td', { class: 'col-daykind' }, h('span', { class: `chip chip-day-${d.kind === 'work' ? 'work' : 'off'}` }, t(`settings.calendar.${d.kind === 'work' ? 'work' : 'off'}`))),
              h('td', { title: d.name ?? '' }, d.name ?? ''),
              h(
                'td',
                { class: 'col-source' },
                h('span', { class: `chip chip-source-${own ? 'manager' : 'official'}` }, t(`settings.calendar.source.${own ? 'manager' : 'official'}`)),
                differs ? h('span', { class: 'calendar-over muted' }, ' ', differs) : null,
              ),
              h(
                'td',
                { class: 'col-act' },
                own
                  ? h(
                      'button',
                      {
                        type: 'button',
                        class: 'btn btn-small calendar-normal',
                        dataset: { day: d.day, needs: 'calendar.save' },
                        title: t(d.official_kind ? 'settings.calendar.normal.official.title' : 'settings.calendar.normal.title'),
                        onclick: () => saveDay({ day: d.day, kind: 'normal', name: '' }),
                      },
                      t(d.official_kind ? 'settings.calendar.normal.official' : 'settings.calendar.normal'),
                    )
                  : null,
              ),
            );
          }),
        ),
      ),
    );
  }

  async function loadYear(y) {
    shownYear = y;
    listError.hidden = true;
    try {
      const result = await ctx.call('calendar.list', { year: y });
      if (shownYear === y) {
        showSource(result?.official ?? null);
        showDays(result?.items ?? []);
      }
    } catch (error) {
      listError.textContent = errorText(error);
      listError.hidden = false;
    }
  }
  yearSelect.addEventListener('change', () => loadYear(Number(yearSelect.value)));

  let busy = false;
  async function saveDay(args) {
    if (busy) return;
    busy = true;
    add.disabled = true;
    errors.clearAll();
    listError.hidden = true;
    try {
      const result = await ctx.call('calendar.save', args);
      // The core answers with the year of the day saved: show that year.
      const y = Number(String(result?.items?.[0]?.day ?? args.day).slice(0, 4)) || shownYear;
      if (args.kind === 'normal') {
        ctx.toast(t('settings.calendar.normal.done', { day: args.day }));
        await loadYear(shownYear);
      } else {
        if (![...yearSelect.options].some((o) => o.value === String(y))) yearSelect.append(h('option', { value: String(y) }, t('settings.calendar.year.option', { year: y })));
        yearSelect.value = String(y);
        shownYear = y;
        showSource(result?.official ?? null);
        showDays(result?.items ?? []);
        dayInput.value = '';
        nameInput.value = '';
        ctx.toast(t('settings.calendar.done'));
        dayInput.focus();
      }
    } catch (error) {
      if (args.kind === 'normal') {
        listError.textContent = errorText(error);
        listError.hidden = false;
      } else {
        errors.show(error);
        if (error?.field === 'kind') kinds.querySelector('input:checked')?.focus();
      }
    } finally {
      busy = false;
      add.disabled = false;
    }
  }
  const submit = () =>
    saveDay({ day: dayInput.value.trim(), kind: kinds.querySelector('input:checked')?.value ?? 'off', name: nameInput.value.trim() });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  enterSubmits(form, () => [dayInput, kinds.querySelector('input:checked'), nameInput], submit);
  showSource(firstList.official ?? null);
  showDays(firstList.items ?? []);
  const addHead = h('h3', { class: 'subhead' }, t('settings.calendar.add'));
  const notice = canLoad
    ? noticeLoader(ctx, firstYear, (result) => {
        const y = Number(result?.official?.year ?? shownYear);
        if (![...yearSelect.options].some((o) => o.value === String(y))) yearSelect.append(h('option', { value: String(y) }, t('settings.calendar.year.option', { year: y })));
        yearSelect.value = String(y);
        shownYear = y;
        showSource(result?.official ?? null);
        showDays(result?.items ?? []);
      })
    : null;
  // Read-only: the list stays, the form to add a day goes.
  const note = canSave ? null : h('p', { class: 'notice settings-readonly' }, t('settings.readonly', { who: t('settings.readonly.calendar') }));
  if (!canSave) {
    form.dataset.readonly = 'true';
    form.hidden = true;
    addHead.hidden = true;
  }

  return h(
    'div',
    { class: 'card', id: 'settings-calendar' },
    h('div', { class: 'section-head' }, h('h2', {}, t('settings.calendar')), h('div', { class: 'toolbar' }, yearSelect)),
    h('p', { class: 'hint card-lead' }, t('settings.calendar.lead')),
    note,
    sourceLine,
    listError,
    listBox,
    addHead,
    form,
    notice,
  );
}

/** A text file of at most this size is read into the notice box (a notice is ~3 KB). */
const NOTICE_FILE_BYTES = 64 * 1024;

/**
 * 载入国务院节假日通知: paste the notice (or open it as a .txt file), preview the days the
 * desk read from it, confirm. The core reads the text again on confirm and loads it whole
 * or not at all; the manager's own days are kept.
 */
function noticeLoader(ctx, thisYear, loaded) {
  const yearSelect = h(
    'select',
    { class: 'input input-year' },
    [h('option', { value: '0' }, t('settings.calendar.notice.year.text'))].concat(
      [thisYear, thisYear + 1].map((y) => h('option', { value: String(y) }, t('settings.calendar.year.option', { year: y }))),
    ),
  );
  yearSelect.value = '0';
  const text = h('textarea', { class: 'input input-wide calendar-notice-text', rows: '6', maxlength: '20000', spellcheck: false, placeholder: t('settings.calendar.notice.placeholder') });
  // Choosing a file is not typing: it does not make the screen ask before leaving.
  const file = h('input', { type: 'file', accept: '.txt,text/plain', class: 'visually-hidden', id: 'calendar-notice-file', tabIndex: -1, dataset: { noDirty: '' } });
  const open = h('button', { type: 'button', class: 'btn', id: 'calendar-notice-open' }, t('settings.calendar.notice.file'));
  // Previewing is not saving: a plain button (the section's one save stays 保存日期); Ctrl+S
  // in this form submits it, which previews.
  const preview = h('button', { type: 'button', class: 'btn btn-primary', id: 'calendar-notice-preview', dataset: { needs: 'calendar.notice.preview' } }, t('settings.calendar.notice.preview'));
  const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const result = h('div', { class: 'calendar-notice-result', id: 'calendar-notice-result', hidden: true, 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'settings-form calendar-notice-form', id: 'calendar-notice-form', novalidate: true, autocomplete: 'off' },
    formError,
    field('calendar-notice', 'year', yearSelect, { label: t('settings.calendar.year') }),
    field('calendar-notice', 'text', text, { label: t('settings.calendar.notice.text'), hint: t('settings.calendar.notice.hint') }),
    h('div', { class: 'form-actions' }, open, file, preview),
  );
  const errors = errorsFor(form, { year: yearSelect, text }, formError);
  const args = () => ({ text: text.value, year: Number(yearSelect.value) });

  // A file is read here into the box (UTF-8, else GB18030 as Notepad on a Chinese Windows
  // saves it), then previewed: the same path as pasting.
  open.addEventListener('click', () => file.click());
  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    file.value = '';
    if (!chosen) return;
    errors.clearAll();
    if (chosen.size > NOTICE_FILE_BYTES) {
      errors.show({ field: 'text', message: t('settings.calendar.notice.file.big', { kb: NOTICE_FILE_BYTES / 1024 }) });
      return;
    }
    const bytes = new Uint8Array(await chosen.arrayBuffer());
    try {
      text.value = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      text.value = new TextDecoder('gb18030').decode(bytes);
    }
    show();
  });

  let busy = false;
  async function show() {
    if (busy) return;
    busy = true;
    preview.disabled = true;
    errors.clearAll();
    clear(result);
    result.hidden = true;
    try {
      const p = await ctx.call('calendar.notice.preview', args());
      showPreview(p);
    } catch (error) {
      errors.show(error);
    } finally {
      busy = false;
      preview.disabled = false;
    }
  }

  const span = (days) => {
    if (!days.length) return '—';
    const md = (d) => t('settings.calendar.notice.md', { m: Number(d.slice(5, 7)), d: Number(d.slice(8, 10)) });
    return days.length === 1 ? md(days[0]) : `${md(days[0])} – ${md(days[days.length - 1])}`;
  };

  function showPreview(p) {
    clear(result);
    const kept = (p.days ?? []).filter((d) => d.manager_kind);
    const confirm = h('button', { type: 'button', class: 'btn btn-primary', id: 'calendar-notice-load', dataset: { needs: 'calendar.notice.load' } }, t('settings.calendar.notice.load', { year: p.year }));
    const cancel = h('button', { type: 'button', class: 'btn', id: 'calendar-notice-cancel' }, t('settings.calendar.notice.cancel'));
    // Element.append would write a null as the text "null": the optional lines go through h.
    result.append(
      h('p', { class: 'calendar-notice-summary', id: 'calendar-notice-summary' }, t('settings.calendar.notice.found', { year: p.year, off: p.off_count, work: p.work_count })),
      h('p', { class: 'muted', id: 'calendar-notice-source' }, t('settings.calendar.notice.source', { source: p.source })),
      h('div', {}, p.replaces ? h('p', { class: 'notice notice-replaces' }, t('settings.calendar.notice.replaces', { source: p.replaces.source })) : null),
      h(
        'table',
        { class: 'grid grid-compact', id: 'calendar-notice-items' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, t('settings.calendar.name')),
            h('th', { scope: 'col' }, t('settings.calendar.notice.off')),
            h('th', { scope: 'col', class: 'num' }, t('settings.calendar.notice.days')),
            h('th', { scope: 'col' }, t('settings.calendar.notice.work')),
          ),
        ),
        h(
          'tbody',
          {},
          (p.items ?? []).map((i) =>
            h(
              'tr',
              {},
              h('td', {}, i.name),
              h('td', { class: 'num' }, span(i.off)),
              h('td', { class: 'num' }, String(i.off.length)),
              h('td', { class: 'num' }, i.work.length ? i.work.map((d) => span([d])).join('、') : '—'),
            ),
          ),
        ),
      ),
      h('div', {}, kept.length ? h('p', { class: 'muted', id: 'calendar-notice-kept' }, t('settings.calendar.notice.kept', { days: kept.map((d) => d.day).join('、') })) : null),
      h('div', { class: 'form-actions' }, cancel, confirm),
    );
    result.hidden = false;
    cancel.addEventListener('click', () => {
      clear(result);
      result.hidden = true;
      text.focus();
    });
    confirm.addEventListener('click', async () => {
      confirm.disabled = true;
      try {
        const listed = await ctx.call('calendar.notice.load', args());
        clear(result);
        result.hidden = true;
        text.value = '';
        loaded(listed);
        ctx.toast(t('settings.calendar.notice.done', { year: p.year }));
      } catch (error) {
        confirm.disabled = false;
        errors.show(error);
      }
    });
    confirm.focus();
  }

  preview.addEventListener('click', () => show());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    show();
  });
  return h(
    'div',
    { class: 'calendar-notice', id: 'calendar-notice' },
    h('h3', { class: 'subhead' }, t('settings.calendar.notice')),
    h('p', { class: 'hint' }, t('settings.calendar.notice.lead')),
    form,
    result,
  );
}

// ---- 工程师 -----------------------------------------------------------------------------------

function engineersCard(ctx, first, canSave) {
  let editing = null; // the engineer in the form, or null for a new one
  const listBox = h('div', { class: 'engineer-list' });
  const title = h('h3', { class: 'subhead', id: 'engineer-form-title' });
  const controls = {
    name: h('input', { class: 'input', type: 'text', maxlength: '20', autocomplete: 'off' }),
    phone: h('input', { class: 'input num', type: 'text', inputmode: 'tel', autocomplete: 'off' }),
    region: h('input', { class: 'input input-wide', type: 'text', maxlength: '60', autocomplete: 'off' }),
    active: h('input', { type: 'checkbox', checked: true }),
  };
  controls.active.id = 'engineer-active';
  controls.active.name = 'active';
  const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'engineer-save', dataset: { needs: 'engineers.save' } }, t('form.save'), ' ', h('kbd', {}, 'Ctrl+S'));
  const reset = h('button', { type: 'button', class: 'btn', id: 'engineer-new' }, t('settings.engineers.new'));
  const form = h(
    'form',
    { class: 'settings-form', id: 'engineer-form', novalidate: true, autocomplete: 'off' },
    formError,
    field('engineer', 'name', controls.name, { label: t('settings.engineers.name'), required: true }),
    field('engineer', 'phone', controls.phone, { label: t('settings.engineers.phone') }),
    field('engineer', 'region', controls.region, { label: t('settings.engineers.region'), hint: t('settings.engineers.region.hint') }),
    h(
      'div',
      { class: 'field field-active' },
      h('span', { class: 'label' }),
      h(
        'div',
        { class: 'control' },
        h('label', { class: 'check', for: 'engineer-active' }, controls.active, ' ', t('settings.engineers.active')),
        h('div', { class: 'hint' }, t('settings.engineers.active.hint')),
      ),
    ),
    h('div', { class: 'form-actions' }, save, reset),
  );
  const errors = errorsFor(form, controls, formError);

  function fillForm(engineer) {
    editing = engineer;
    errors.clearAll();
    title.textContent = engineer ? t('settings.engineers.edit', { name: engineer.name }) : t('settings.engineers.add');
    form.dataset.id = engineer ? String(engineer.id) : '';
    controls.name.value = engineer?.name ?? '';
    controls.phone.value = engineer?.phone ?? '';
    controls.region.value = engineer?.region ?? '';
    controls.active.checked = engineer ? engineer.active : true;
    reset.hidden = !engineer;
  }

  function showList(items) {
    clear(listBox);
    if (items.length === 0) {
      listBox.append(h('p', { class: 'empty empty-small', id: 'engineers-empty' }, t('settings.engineers.empty')));
      return;
    }
    listBox.append(
      h(
        'table',
        { class: 'grid grid-compact', id: 'engineers-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col', class: 'col-ename' }, t('settings.engineers.name')),
            h('th', { scope: 'col', class: 'col-ephone' }, t('settings.engineers.phone')),
            h('th', { scope: 'col' }, t('settings.engineers.region')),
            h('th', { scope: 'col', class: 'col-estatus' }, t('settings.engineers.status')),
            h('th', { scope: 'col', class: 'col-act' }, h('span', { class: 'visually-hidden' }, t('file.edit'))),
          ),
        ),
        h(
          'tbody',
          {},
          items.map((e) =>
            h(
              'tr',
              { dataset: { id: String(e.id) }, class: e.active ? '' : 'is-inactive' },
              h('td', { class: 'col-ename' }, e.name, e.van_store_id ? h('span', { class: 'muted' }, ` · ${t('board.engineer.van')}`) : null),
              h('td', { class: 'col-ephone num' }, e.phone ?? ''),
              h('td', { title: e.region ?? '' }, e.region ?? ''),
              h('td', { class: 'col-estatus' }, h('span', { class: `chip ${e.active ? 'chip-day-work' : 'chip-kind'}` }, t(e.active ? 'settings.engineers.on' : 'settings.engineers.off'))),
              h(
                'td',
                { class: 'col-act' },
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'btn btn-small engineer-edit',
                    dataset: { id: String(e.id), needs: 'engineers.save' },
                    onclick: () => {
                      fillForm(e);
                      controls.name.focus();
                      controls.name.select();
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

  let busy = false;
  async function submit() {
    if (busy) return;
    busy = true;
    save.disabled = true;
    errors.clearAll();
    try {
      const saved = await ctx.call('engineers.save', {
        id: editing?.id ?? null,
        name: controls.name.value.trim(),
        phone: controls.phone.value.trim(),
        region: controls.region.value.trim(),
        active: controls.active.checked,
      });
      const list = await ctx.call('engineers.list', { all: true });
      showList(list?.items ?? []);
      fillForm(null);
      ctx.toast(t('settings.engineers.saved', { name: saved.name }));
      controls.name.focus();
    } catch (error) {
      errors.show(error);
    } finally {
      busy = false;
      save.disabled = false;
    }
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  reset.addEventListener('click', () => {
    fillForm(null);
    controls.name.focus();
  });
  enterSubmits(form, () => [controls.name, controls.phone, controls.region, controls.active], submit);
  showList(first);
  fillForm(null);
  // Read-only: the list stays, the form to add or change an engineer goes.
  const note = canSave ? null : h('p', { class: 'notice settings-readonly' }, t('settings.readonly', { who: t('settings.readonly.engineers') }));
  if (!canSave) {
    form.dataset.readonly = 'true';
    form.hidden = true;
    title.hidden = true;
  }

  return h(
    'div',
    { class: 'card', id: 'settings-engineers' },
    h('h2', {}, t('settings.engineers')),
    h('p', { class: 'hint card-lead' }, t('settings.engineers.lead')),
    note,
    listBox,
    title,
    form,
  );
}

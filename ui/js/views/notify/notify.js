// 通知 — status messages to the customer (manager): the channels (SMS through Aliyun or
// Tencent Cloud, the 企业微信 group robot, the WeChat service account) with a test send
// each, a template per status and channel with its switch, the provider's template code
// and approval and a live preview filled with a real order's values, and the latest
// attempts. Secrets are typed in, never shown back: the screen only says whether one is
// set, and a field left empty keeps it.
import { h, clear, debounce } from '../../lib/dom.js';
import { errorText, errorsFor, field } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { deskDateTime } from '../../lib/dates.js';
import { isSave } from '../../lib/keys.js';

const STATUSES = ['registered', 'dispatched', 'waiting_parts', 'completed', 'called_back', 'maintenance_due'];
const CHANNELS = ['sms', 'wecom', 'wechat'];

/** The channels' settings, in the order of the form: [key, kind]. */
const GROUPS = [
  ['sms', [['sms_provider', 'provider'], ['sms_per_second', 'text']]],
  ['aliyun', [['aliyun_endpoint', 'text'], ['aliyun_access_key_id', 'text'], ['aliyun_access_key_secret', 'secret'], ['aliyun_sign_name', 'text']]],
  ['tencent', [['tencent_endpoint', 'text'], ['tencent_region', 'text'], ['tencent_secret_id', 'text'], ['tencent_secret_key', 'secret'], ['tencent_sdk_app_id', 'text'], ['tencent_sign_name', 'text']]],
  ['wecom', [['wecom_webhook', 'secret'], ['wecom_msgtype', 'msgtype']]],
  ['wechat', [['wechat_endpoint', 'text'], ['wechat_app_id', 'text'], ['wechat_app_secret', 'secret']]],
];

export async function render(root, ctx) {
  const [shown, templates, log] = await Promise.all([
    ctx.call('notify.settings', {}),
    ctx.call('notify.templates', {}),
    ctx.call('notify.log', { limit: 30 }),
  ]);
  if (!ctx.isCurrent()) return null;
  let current = shown;
  let items = templates.items ?? [];

  // ---- channels -----------------------------------------------------------------------
  const controls = {};
  function control(key, kind) {
    if (kind === 'provider') {
      return h('select', { class: 'input', value: current.values[key] ?? '' }, ['', 'aliyun', 'tencent'].map((p) => h('option', { value: p }, t(`notify.provider.${p || 'none'}`))));
    }
    if (kind === 'msgtype') {
      return h('select', { class: 'input', value: current.values[key] ?? 'text' }, ['text', 'markdown'].map((p) => h('option', { value: p }, p)));
    }
    if (kind === 'secret') {
      const set = current.secrets_set.includes(key);
      return h('input', { class: 'input input-wide', type: 'password', autocomplete: 'new-password', placeholder: t(set ? 'notify.secret.set' : 'notify.secret.unset'), dataset: { secret: set ? 'set' : 'unset' } });
    }
    return h('input', { class: 'input input-wide', type: 'text', autocomplete: 'off', spellcheck: 'false', value: current.values[key] ?? '' });
  }
  const channelError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'notify-settings-save' }, t('form.save'), ' ', h('kbd', {}, 'Ctrl+S'));
  const channelForm = h('form', { class: 'settings-form', id: 'notify-settings-form', novalidate: true, autocomplete: 'off' }, channelError);
  for (const [group, keys] of GROUPS) {
    const box = h('fieldset', { class: 'notify-group', id: `notify-group-${group}` }, h('legend', {}, t(`notify.group.${group}`)));
    for (const [key, kind] of keys) {
      controls[key] = control(key, kind);
      box.append(field('notify', key, controls[key], { label: t(`notify.key.${key}`) }));
    }
    channelForm.append(box);
  }
  channelForm.append(h('div', { class: 'form-actions' }, save));
  // Every error of this form names `values`: it goes to the form's box.
  const channelErrors = errorsFor(channelForm, {}, channelError);
  channelForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    channelErrors.clearAll();
    const values = {};
    for (const [, keys] of GROUPS) {
      for (const [key, kind] of keys) {
        const v = controls[key].value.trim();
        if (kind === 'secret') {
          if (v) values[key] = v;
        } else if (v !== (current.values[key] ?? '')) values[key] = v;
      }
    }
    try {
      current = await ctx.call('notify.save_settings', { values });
      for (const [, keys] of GROUPS) {
        for (const [key, kind] of keys) {
          if (kind !== 'secret') continue;
          const set = current.secrets_set.includes(key);
          controls[key].value = '';
          controls[key].placeholder = t(set ? 'notify.secret.set' : 'notify.secret.unset');
          controls[key].dataset.secret = set ? 'set' : 'unset';
        }
      }
      ctx.toast(t('notify.saved'));
    } catch (error) {
      channelErrors.show(error);
    }
  });

  // ---- test sends -----------------------------------------------------------------------
  const testChannel = h('select', { class: 'input', id: 'notify-test-channel' }, CHANNELS.map((c) => h('option', { value: c }, t(`notify.channel.${c}`))));
  const testTo = h('input', { class: 'input', id: 'notify-test-to', type: 'text', autocomplete: 'off', placeholder: t('notify.test.to') });
  const testResult = h('p', { class: 'notice', id: 'notify-test-result', role: 'status', hidden: true });
  const testButton = h('button', { type: 'button', class: 'btn', id: 'notify-test' }, t('notify.test'));
  testButton.addEventListener('click', async () => {
    testButton.disabled = true;
    testResult.hidden = true;
    try {
      const r = await ctx.call('notify.test', { channel: testChannel.value, to: testTo.value.trim() });
      testResult.textContent = `${t(r.sent ? 'notify.test.sent' : 'notify.test.not_sent')}：${r.reply}`;
      testResult.className = r.sent ? 'notice notice-ok' : 'notice notice-error';
      await reloadLog();
    } catch (error) {
      testResult.textContent = errorText(error);
      testResult.className = 'notice notice-error';
    } finally {
      testResult.hidden = false;
      testButton.disabled = false;
    }
  });

  // ---- templates ------------------------------------------------------------------------
  const pickStatus = h('select', { class: 'input', id: 'notify-status' }, STATUSES.map((s) => h('option', { value: s }, t(`notify.status.${s}`))));
  const pickChannel = h('select', { class: 'input', id: 'notify-channel' }, CHANNELS.map((c) => h('option', { value: c }, t(`notify.channel.${c}`))));
  const enabled = h('input', { type: 'checkbox', id: 'notify-enabled' });
  const body = h('textarea', { class: 'input input-wide notify-body', rows: 4, maxlength: '500', spellcheck: 'false' });
  const code = h('input', { class: 'input', type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: '64' });
  const approved = h('input', { type: 'checkbox', id: 'notify-approved' });
  const preview = h('div', { class: 'notify-preview', id: 'notify-preview', 'aria-live': 'polite' });
  const fieldsLine = h('p', { class: 'hint', id: 'notify-fields' }, t('notify.fields', { fields: (templates.fields ?? []).join(' ') }));
  const templateError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const saveTemplate = h('button', { type: 'submit', class: 'btn btn-primary', id: 'notify-template-save' }, t('notify.template.save'));
  const templateForm = h(
    'form',
    { class: 'settings-form', id: 'notify-template-form', novalidate: true, autocomplete: 'off' },
    templateError,
    h('div', { class: 'notify-pick' }, field('notify', 'status', pickStatus, { label: t('notify.status') }), field('notify', 'channel', pickChannel, { label: t('notify.channel') })),
    h('label', { class: 'check' }, enabled, ' ', t('notify.enabled')),
    field('notify', 'body', body, { label: t('notify.body') }),
    fieldsLine,
    h('div', { class: 'notify-approval' }, field('notify', 'provider_template', code, { label: t('notify.provider_template'), hint: t('notify.provider_template.hint') }), h('label', { class: 'check' }, approved, ' ', t('notify.approved'))),
    h('div', { class: 'field' }, h('span', { class: 'label' }, t('notify.preview')), preview),
    h('div', { class: 'form-actions' }, saveTemplate),
  );
  const templateErrors = errorsFor(templateForm, { body, provider_template: code, status: pickStatus, channel: pickChannel }, templateError);
  const chosen = () => items.find((i) => i.status === pickStatus.value && i.channel === pickChannel.value);
  function showTemplate() {
    templateErrors.clearAll();
    const it = chosen();
    enabled.checked = !!it?.enabled;
    body.value = it?.body ?? '';
    code.value = it?.provider_template ?? '';
    approved.checked = !!it?.approved;
    const needsApproval = pickChannel.value !== 'wecom';
    code.disabled = !needsApproval;
    approved.disabled = !needsApproval;
    refreshPreview();
  }
  const refreshPreview = debounce(async () => {
    try {
      const p = await ctx.call('notify.preview', { status: pickStatus.value, channel: pickChannel.value, body: body.value });
      clear(preview);
      preview.append(
        h('div', { class: 'notify-preview-text' }, p.text),
        h('div', { class: 'hint' }, p.order_number ? t('notify.preview.order', { number: p.order_number }) : t('notify.preview.example')),
      );
      if (p.wechat?.length) preview.append(h('ul', { class: 'notify-wechat' }, p.wechat.map(([k, v]) => h('li', {}, h('code', {}, k), ' ', v))));
      preview.classList.remove('is-error');
    } catch (error) {
      clear(preview);
      preview.append(errorText(error));
      preview.classList.add('is-error');
    }
  }, 250);
  body.addEventListener('input', refreshPreview);
  pickStatus.addEventListener('change', showTemplate);
  pickChannel.addEventListener('change', showTemplate);
  templateForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    templateErrors.clearAll();
    try {
      const saved = await ctx.call('notify.save_template', {
        status: pickStatus.value,
        channel: pickChannel.value,
        enabled: enabled.checked,
        body: body.value,
        provider_template: code.value.trim(),
        approved: approved.checked,
      });
      items = items.map((i) => (i.status === saved.status && i.channel === saved.channel ? saved : i));
      showOverview();
      ctx.toast(t('notify.template.saved'));
    } catch (error) {
      templateErrors.show(error);
    }
  });

  // The switches at a glance: one row per status, one cell per channel.
  const overview = h('div', { class: 'table-wrap' });
  function showOverview() {
    clear(overview);
    overview.append(
      h(
        'table',
        { class: 'grid grid-compact', id: 'notify-overview' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('notify.status')), CHANNELS.map((c) => h('th', { scope: 'col' }, t(`notify.channel.${c}`))))),
        h(
          'tbody',
          {},
          STATUSES.map((s) =>
            h(
              'tr',
              { dataset: { status: s } },
              h('th', { scope: 'row' }, t(`notify.status.${s}`)),
              CHANNELS.map((c) => {
                const it = items.find((i) => i.status === s && i.channel === c);
                const state = !it?.enabled ? 'off' : c !== 'wecom' && !it.approved ? 'unapproved' : 'on';
                return h(
                  'td',
                  { dataset: { channel: c, state } },
                  h(
                    'button',
                    {
                      type: 'button',
                      class: `btn btn-small chip chip-notify-${state}`,
                      onclick: () => {
                        pickStatus.value = s;
                        pickChannel.value = c;
                        showTemplate();
                        body.focus();
                      },
                    },
                    t(`notify.state.${state}`),
                  ),
                );
              }),
            ),
          ),
        ),
      ),
    );
  }

  // ---- the log --------------------------------------------------------------------------
  const logBox = h('div', { class: 'table-wrap' });
  function showLog(entries) {
    clear(logBox);
    if (!entries.length) {
      logBox.append(h('p', { class: 'empty', id: 'notify-log-empty' }, t('notify.log.empty')));
      return;
    }
    logBox.append(
      h(
        'table',
        { class: 'grid grid-compact', id: 'notify-log' },
        h('thead', {}, h('tr', {}, ['at', 'order', 'channel', 'to', 'body', 'status', 'reply'].map((k) => h('th', { scope: 'col' }, t(`notify.log.${k}`))))),
        h(
          'tbody',
          {},
          entries.map((a) =>
            h(
              'tr',
              { dataset: { status: a.status } },
              h('td', { class: 'num' }, deskDateTime(a.at)),
              h('td', {}, a.order_id ? h('a', { href: `#/orders/${a.order_id}` }, a.order_number) : t('notify.log.test')),
              h('td', {}, a.channel_label),
              h('td', { class: 'num' }, a.recipient),
              h('td', { class: 'notify-log-body' }, a.body),
              h('td', {}, h('span', { class: `chip chip-notify-${a.status}` }, a.status_label)),
              h('td', { class: 'notify-log-reply' }, a.reply),
            ),
          ),
        ),
      ),
    );
  }
  async function reloadLog() {
    try {
      showLog((await ctx.call('notify.log', { limit: 30 })).items ?? []);
    } catch {
      // The list stays as it was; the next action will try again.
    }
  }

  const page = h(
      'div',
      { class: 'page notify-page' },
      h('header', { class: 'page-head' }, h('h1', {}, t('notify.title')), h('a', { href: '#/settings', class: 'btn' }, t('notify.back'), ' ', h('kbd', {}, 'Esc'))),
      h('p', { class: 'hint card-lead' }, t('notify.lead')),
      h('section', { class: 'card', id: 'notify-templates' }, h('h2', {}, t('notify.templates')), overview, templateForm),
      h('section', { class: 'card', id: 'notify-channels' }, h('h2', {}, t('notify.channels')), channelForm, h('div', { class: 'notify-test-row' }, testChannel, testTo, testButton), testResult),
      h('section', { class: 'card', id: 'notify-attempts' }, h('h2', {}, t('notify.log.title')), logBox),
    );
  clear(root);
  root.append(page);
  showOverview();
  showTemplate();
  showLog(log.items ?? []);
  pickStatus.focus();

  page.addEventListener('keydown', (event) => {
    if (isSave(event)) {
      event.preventDefault();
      const form = event.target.closest('form') ?? templateForm;
      form.requestSubmit();
    } else if (event.key === 'Escape' && !event.defaultPrevented) {
      location.hash = '#/settings';
    }
  });
  return {};
}

// The status messages' parts of other screens: the customer file's 通知 section (opt-out
// and the WeChat openid, editable by the desk) and the order timeline's entries for the
// messages sent or not sent about the order (who, what, the provider's reply, the outcome).
import { h, clear } from '../../lib/dom.js';
import { errorText, errorsFor, field } from '../../lib/form.js';
import { t } from '../../i18n.js';

/** The customer file's 通知 section: a card, filled once its choices have loaded; the save
 * button hides for a user who may not change them (the core refuses it anyway). */
export function customerNotifySection(ctx, customerId) {
  const section = h('section', { class: 'card file-section', id: 'customer-notify' }, h('div', { class: 'section-head' }, h('h2', {}, t('notify.customer.title'))));
  const optOut = h('input', { type: 'checkbox', id: 'customer-notify-opt-out' });
  const openid = h('input', { class: 'input', type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: '64' });
  const state = h('p', { class: 'hint', id: 'customer-notify-state' });
  const error = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', class: 'btn', id: 'customer-notify-save', dataset: { needs: 'notify.save_customer' } }, t('notify.customer.save'));
  const form = h(
    'form',
    { class: 'settings-form notify-customer-form', novalidate: true, autocomplete: 'off' },
    error,
    h('label', { class: 'check' }, optOut, ' ', t('notify.customer.opt_out')),
    field('customer-notify', 'wechat_openid', openid, { label: t('notify.customer.openid'), hint: t('notify.customer.openid.hint') }),
    state,
    h('div', { class: 'form-actions' }, save),
  );
  const errors = errorsFor(form, { wechat_openid: openid }, error);
  function show(choice) {
    optOut.checked = !!choice.opt_out;
    openid.value = choice.wechat_openid ?? '';
    state.textContent = t(choice.opt_out ? 'notify.customer.state.out' : 'notify.customer.state.in');
    section.dataset.optOut = choice.opt_out ? 'true' : 'false';
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.clearAll();
    try {
      show(await ctx.call('notify.save_customer', { customer_id: customerId, opt_out: optOut.checked, wechat_openid: openid.value.trim() }));
      ctx.toast(t('notify.customer.saved'));
    } catch (e) {
      errors.show(e);
    }
  });
  section.append(form);
  ctx.call('notify.customer', { customer_id: customerId }).then(show, (e) => {
    clear(form);
    form.append(h('p', { class: 'notice notice-error' }, errorText(e)));
  });
  return section;
}

/** The order's messages as timeline entries ({at, title, detail, user, kind}). */
export async function orderNotices(call, orderId) {
  try {
    const log = await call('notify.log', { order_id: orderId });
    return (log.items ?? []).map((a) => ({
      at: a.at,
      kind: `notify-${a.status}`,
      user: '',
      title: t('notify.timeline.title', { channel: a.channel_label, status: a.status_label }),
      detail: [a.recipient ? t('notify.timeline.to', { to: a.recipient }) : '', a.body, a.reply ? t('notify.timeline.reply', { reply: a.reply }) : '']
        .filter(Boolean)
        .join(' · '),
    }));
  } catch {
    // A user who may not read the log sees the order's own timeline.
    return [];
  }
}

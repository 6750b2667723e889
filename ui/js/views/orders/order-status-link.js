// 进度查询链接 (issue 20): the order's status page, which the customer opens without
// logging in (the slip's QR code carries it once 设置 has the public address). The order
// file shows the link with 复制链接, and 作废并换新 (clerk, manager) behind a confirmation:
// the old link and every printed QR code stop working at once.
import { h } from '../../lib/dom.js';
import { errorText } from '../../lib/form.js';
import { t } from '../../i18n.js';

/**
 * The link as the customer opens it: the core's `status_url` (public address set), else
 * this browser door's own address, else (the desktop window) only the path.
 */
export function statusAddress(order) {
  if (!order?.status_path) return null;
  if (order.status_url) return order.status_url;
  if (location.protocol === 'http:' || location.protocol === 'https:') return `${location.origin}${order.status_path}`;
  return order.status_path;
}

/** The link's row of the order file; `reload()` reads the order again after a revoke. */
export function statusLink(order, { ctx, reload }) {
  if (!order?.status_path) return null;
  const address = statusAddress(order);
  const field = h('input', {
    type: 'text',
    readOnly: true,
    id: 'order-status-link',
    class: 'input num status-link',
    value: address,
    'aria-label': t('order.f.status_link'),
    spellcheck: 'false',
  });
  field.addEventListener('focus', () => field.select());
  const copy = h('button', { type: 'button', class: 'btn btn-small', id: 'order-status-link-copy' }, t('order.status_link.copy'));
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      ctx.toast(t('order.status_link.copied'));
    } catch {
      field.focus();
      field.select();
      ctx.toast(t('order.status_link.copy_failed'));
    }
  });
  const revoke = h(
    'button',
    { type: 'button', class: 'btn btn-small btn-quiet-danger', id: 'order-status-link-revoke', dataset: { needs: 'orders.status_code_revoke' } },
    t('order.status_link.revoke'),
  );
  const error = h('p', { class: 'notice notice-error', role: 'alert', hidden: true });
  const yes = h('button', { type: 'button', class: 'btn btn-primary btn-danger', id: 'order-status-link-revoke-yes' }, t('order.status_link.revoke.yes'));
  const no = h('button', { type: 'button', class: 'btn', id: 'order-status-link-revoke-no' }, t('order.status_link.revoke.no'), ' ', h('kbd', {}, 'Esc'));
  const dialog = h(
    'dialog',
    { class: 'panel status-link-dialog', id: 'order-status-link-dialog', 'aria-labelledby': 'order-status-link-dialog-title' },
    h('div', { class: 'panel-head' }, h('h2', { id: 'order-status-link-dialog-title' }, t('order.status_link.revoke.title'))),
    h('p', {}, t('order.status_link.revoke.lead')),
    error,
    h('div', { class: 'panel-actions' }, yes, no),
  );
  const close = () => {
    if (dialog.open) dialog.close();
    revoke.focus();
  };
  // The dialog keeps its keys: no order letter fires underneath.
  dialog.addEventListener('keydown', (event) => {
    event.stopPropagation();
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
    }
  });
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    close();
  });
  no.addEventListener('click', close);
  revoke.addEventListener('click', () => {
    error.hidden = true;
    dialog.showModal();
    no.focus();
  });
  let busy = false;
  yes.addEventListener('click', async () => {
    if (busy) return;
    busy = true;
    yes.disabled = true;
    try {
      await ctx.call('orders.status_code_revoke', { order_id: order.id });
      if (dialog.open) dialog.close();
      ctx.toast(t('order.status_link.revoked'));
      await reload();
      document.getElementById('order-status-link-revoke')?.focus();
    } catch (e) {
      error.textContent = errorText(e);
      error.hidden = false;
    } finally {
      busy = false;
      yes.disabled = false;
    }
  });
  return h(
    'div',
    { class: 'status-link-box' },
    h('div', { class: 'inline status-link-row' }, field, copy, revoke),
    order.status_url ? null : h('p', { class: 'hint', id: 'order-status-link-hint' }, t('order.status_link.no_public_url')),
    dialog,
  );
}

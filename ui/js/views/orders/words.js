// An order's words, shared by the intake, the board, the order file, the customer file and
// the follow-up and report screens: the JSON's statuses, kinds, channels, modes and
// priorities, their labels and chips.
import { h } from '../../lib/dom.js';
import { t } from '../../i18n.js';

export const STATUSES = ['registered', 'dispatched', 'in_progress', 'waiting_parts', 'completed', 'called_back', 'closed', 'cancelled'];
export const KINDS = ['repair', 'maintenance', 'installation', 'inspection', 'consultation'];
export const CHANNELS = ['phone', 'walk_in', 'on_site', 'proactive'];
export const MODES = ['phone_help', 'on_site', 'carry_in'];
export const PRIORITIES = ['normal', 'urgent'];
export const FEE_KINDS = ['labour', 'callout', 'other'];
export const PAY_METHODS = ['cash', 'transfer', 'wechat', 'alipay', 'on_account'];

export function orderKindLabel(kind) {
  return t(`order.kind.${KINDS.includes(kind) ? kind : 'repair'}`);
}

export function statusLabel(status) {
  return t(`order.status.${STATUSES.includes(status) ? status : 'registered'}`);
}

/** The order's status as a chip with text (never colour alone). */
export function statusChip(status, { id } = {}) {
  const known = STATUSES.includes(status) ? status : 'registered';
  return h('span', { class: `chip chip-status chip-status-${known}`, dataset: { status: known }, id }, statusLabel(known));
}

export function priorityChip(priority) {
  return priority === 'urgent' ? h('span', { class: 'chip chip-urgent' }, t('order.priority.urgent')) : null;
}

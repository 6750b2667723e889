// How values look on screen: chips with text, phones in display form (times: dates.js).
import { h } from './dom.js';
import { t } from '../i18n.js';

export function kindLabel(kind) {
  return t(kind === 'company' ? 'kind.company' : 'kind.person');
}

const CLASSES = ['normal', 'vip', 'key'];

export function classLabel(cls) {
  return t(`class.${CLASSES.includes(cls) ? cls : 'normal'}`);
}

/** Status-like values are chips with text, never colour alone. */
export function classChip(cls) {
  const known = CLASSES.includes(cls) ? cls : 'normal';
  return h('span', { class: `chip chip-${known}` }, classLabel(known));
}

export function kindChip(kind) {
  return h('span', { class: `chip chip-kind` }, kindLabel(kind));
}

export function phoneDisplay(phone) {
  if (!phone) return '';
  if (typeof phone === 'string') return phone;
  return phone.display || phone.number || '';
}

const WARRANTY = ['in', 'out', 'unknown'];

/** 保内 / 保外 / 未知 as a chip; the core's reason is its tooltip. */
export function warrantyChip(warranty, { id } = {}) {
  const status = WARRANTY.includes(warranty?.status) ? warranty.status : 'unknown';
  const overridden = Boolean(warranty?.override);
  return h(
    'span',
    {
      class: `chip chip-warranty chip-warranty-${status}`,
      title: warranty?.reason ?? '',
      dataset: { status },
      id,
    },
    t(`warranty.${status}`),
    overridden ? h('span', { class: 'chip-note' }, t('warranty.overridden.short')) : null,
  );
}

const REMEDIES = ['return', 'exchange', 'repair', 'none'];

/**
 * 三包 (issue 21): the remedy of a covered machine as a chip — 三包可退货 / 可换货 / 修理 /
 * 不适用 — with the core's sentence (the rule and its dates) as its tooltip; null when the
 * model is not covered (no `sanbao`).
 */
export function sanbaoChip(sanbao, { id } = {}) {
  if (!sanbao) return null;
  const remedy = REMEDIES.includes(sanbao.remedy) ? sanbao.remedy : 'none';
  return h(
    'span',
    { class: `chip chip-sanbao chip-sanbao-${remedy}`, title: sanbao.reason ?? '', dataset: { remedy }, id },
    t(`sanbao.${remedy}`),
    sanbao.until ? h('span', { class: 'chip-note num' }, t('sanbao.until', { until: sanbao.until })) : null,
  );
}

export function warrantyLabel(status) {
  return t(`warranty.${WARRANTY.includes(status) ? status : 'unknown'}`);
}

/** A "YYYY-MM-DD" from the core, or a dash when missing. */
export function dateText(value) {
  return value ? String(value) : '—';
}

// One to three digits: a phone number being typed, which the core's customer search
// answers with no one until the fourth digit (archive::customers::number_being_typed).
export const NUMBER_BEING_TYPED = /^[0-9０-９]{1,3}$/;

// The service-level clocks (3分钟回电确认, 24小时答复, 2天交回服务单) as words and chips:
// the order file, the board, the day board, complaints and reports show them alike.
import { h } from '../../lib/dom.js';
import { deskDateTime } from '../../lib/dates.js';
import { t } from '../../i18n.js';

const CLOCK_KINDS = ['confirm', 'reply', 'slip'];
const CLOCK_STATES = ['running', 'warning', 'broken', 'paused', 'kept', 'missed', 'stopped'];

/** A clock's state, one the screen knows ('running' for anything new). */
export function clockState(clock) {
  return CLOCK_STATES.includes(clock?.state) ? clock.state : 'running';
}

/** Minutes as "12 分钟", "3 小时 20 分", "2 天 1 小时"; under one minute "不到 1 分钟". */
export function durationText(minutes) {
  const m = Math.abs(Number(minutes ?? 0));
  if (m < 1) return t('clock.less_than_minute');
  if (m < 60) return t('clock.minutes', { m });
  if (m < 24 * 60) {
    const hours = Math.floor(m / 60);
    const rest = m % 60;
    return rest ? t('clock.hours_minutes', { h: hours, m: rest }) : t('clock.hours', { h: hours });
  }
  const days = Math.floor(m / (24 * 60));
  const hours = Math.floor((m % (24 * 60)) / 60);
  return hours ? t('clock.days_hours', { d: days, h: hours }) : t('clock.days', { d: days });
}

export function clockLabel(clock) {
  return t(`clock.${CLOCK_KINDS.includes(clock?.kind) ? clock.kind : 'confirm'}`);
}

/** What a clock says now: time left, about to break, broken by how much, or its outcome. */
export function clockStateText(clock) {
  const state = clockState(clock);
  const left = clock?.minutes_left;
  if (state === 'running') return t('clock.state.running', { left: durationText(left) });
  if (state === 'warning') return t('clock.state.warning', { left: durationText(left) });
  if (state === 'broken') return t('clock.state.broken', { over: durationText(left) });
  // Standing still (待料 / 待客户): what was left when the pause began, or how much over.
  if (state === 'paused') return Number(left) < 0 ? t('clock.state.paused_over', { over: durationText(left) }) : t('clock.state.paused', { left: durationText(left) });
  return t(`clock.state.${state}`);
}

/** A compact chip for the board: "3分钟回电确认 · 即将超时，剩 不到 1 分钟". */
export function clockChip(clock) {
  const state = clockState(clock);
  return h(
    'span',
    {
      class: `chip chip-clock chip-clock-${state}`,
      dataset: { kind: clock?.kind ?? '', state },
      title: t('clock.due', { due: deskDateTime(clock?.due) }),
    },
    state === 'warning' || state === 'broken' ? h('span', { class: 'clock-mark', 'aria-hidden': 'true' }, state === 'broken' ? '✕ ' : '! ') : null,
    `${clockLabel(clock)} · ${clockStateText(clock)}`,
  );
}

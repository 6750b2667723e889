// What the clerk may do next with an order. The core decides it (the `actions` field of
// every order JSON: names in display order, `main` on the step the order waits for, already
// filtered by the logged-in user's roles); this module only knows how each one is drawn and
// started: its keyboard letter, and whether it opens a form in the action panel or makes a
// move (or runs a command) straight away.
import { h } from '../../lib/dom.js';
import { t } from '../../i18n.js';

/** name → keyboard letter, and the move it makes when it needs no form. */
export const ACTIONS = {
  confirm: { key: 'C', form: true },
  assign: { key: 'D', form: true },
  reassign: { key: 'D', form: true },
  start: { key: 'S', move: 'in_progress' },
  resume: { key: 'S', move: 'in_progress' },
  reopen: { key: 'R', form: true },
  wait: { key: 'W', form: true },
  complete: { key: 'F', form: true },
  pay: { key: 'P', form: true },
  called_back: { key: 'B', move: 'called_back' },
  close: { key: 'L', move: 'closed' },
  cancel: { key: 'X', form: true },
  contact: { key: 'E', form: true },
  // 暂停 / 恢复 the clocks (issue 21): one letter, only one of them is offered at a time.
  pause: { key: 'H', form: true },
  unpause: { key: 'H', command: 'orders.unpause' },
  // 保外报价 (issue 21): the forms are in the order's 保外报价 card (order-quotes.js).
  quote: { key: 'Q', jump: true },
  quote_decision: { key: 'A', jump: true },
};

/** The order's actions as the core sent them, those this screen knows how to start. */
export function orderActions(order) {
  return (order?.actions ?? []).filter((a) => ACTIONS[a?.name]);
}

/** Whether the core offers `name` on this order now. */
export function offers(order, name) {
  return orderActions(order).some((a) => a.name === name);
}

/** The action a keyboard letter starts on this order, if the core offers one. */
export function actionForLetter(order, letter) {
  return orderActions(order).find((a) => ACTIONS[a.name].key === letter)?.name ?? null;
}

/**
 * The buttons of the action bar: the main step as the primary button, an overdue
 * confirmation call as an urgent one, cancelling as a quiet danger.
 */
export function actionButtons(order, { pressed, run }) {
  const confirmClock = (order.clocks ?? []).find((c) => c.kind === 'confirm');
  return orderActions(order).map(({ name, main }) => {
    const urgent = name === 'confirm' && ['warning', 'broken'].includes(confirmClock?.state);
    const cls = ['btn'];
    if (main || urgent) cls.push('btn-primary');
    if (urgent) cls.push('btn-urgent');
    if (name === 'cancel') cls.push('btn-quiet-danger');
    return h(
      'button',
      {
        type: 'button',
        class: cls.join(' '),
        dataset: { action: name },
        title: t(`order.action.${name}.title`),
        'aria-pressed': pressed === name ? 'true' : null,
        onclick: () => run(name),
      },
      t(`order.action.${name}`),
      ' ',
      h('kbd', {}, ACTIONS[name].key),
    );
  });
}

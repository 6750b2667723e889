// 投诉单 — one complaint from registration to close: who and what, the 24-hour reply clock
// (escalated to the manager, in red, when it is about to break or broke unanswered), every
// step in the timeline, and the next steps: 指派 a handler (any time before the close),
// 答复 (justified or not, the measures taken, what the customer was told: stops the clock),
// 关闭 with the customer's feedback. A refused step shows the core's message at its field
// and keeps what was typed. Keys A R C, Ctrl+S in a step, Esc closes it or goes back.
import { h, clear, isTyping } from '../../lib/dom.js';
import { errorsFor, field } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { choiceField, choiceRow, enterSequence } from '../../lib/choice-row.js';
import { clockStateText, durationText } from '../orders/clocks.js';
import { deskDateTime } from '../../lib/dates.js';
import { againstLabel, causeLabel, channelLabel, complaintStatusChip, escalatedChip } from './complaints.js';
import { ctrlHeld, isSave } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';
import { timelineList } from '../../lib/timeline.js';

const CLOCK_STATES = ['running', 'warning', 'broken', 'kept', 'missed', 'stopped'];
const EVENT_KINDS = ['created', 'assigned', 'replied', 'closed'];
const ACTIONS = { assign: 'A', reply: 'R', close: 'C' };

function actionsFor(k) {
  if (k.status === 'closed') return [];
  const list = ['assign'];
  if (k.status === 'open') list.push('reply');
  if (k.status === 'replied') list.push('close');
  return list;
}

function mainAction(k) {
  if (k.status === 'open') return k.handler ? 'reply' : 'assign';
  if (k.status === 'replied') return 'close';
  return null;
}

export async function render(root, ctx) {
  const { id } = ctx.params;
  let k = await ctx.call('complaints.get', { id });
  if (!ctx.isCurrent()) return null;

  const head = h('header', { class: 'file-head complaint-head' });
  const escalation = h('p', { class: 'escalation-strip', id: 'complaint-escalation', role: 'alert', hidden: true });
  const actionBar = h('div', { class: 'toolbar order-actions', id: 'complaint-actions', role: 'toolbar', 'aria-label': t('complaint.actions') });
  const notice = h('p', { class: 'notice notice-error', id: 'complaint-error', role: 'alert', hidden: true });
  const panel = h('section', { class: 'card order-panel', id: 'complaint-action', hidden: true, 'aria-live': 'polite' });
  const details = h('dl', { class: 'details details-2col', id: 'complaint-details' });
  const clockBox = h('section', { class: 'order-clocks-box' });
  const timeline = h('section', { class: 'card file-section' });
  const back = h('a', { href: '#/complaints', class: 'btn', title: 'Esc' }, t('complaint.back'), ' ', h('kbd', {}, 'Esc'));
  let panelState = null; // {action, element, submit, focus}
  let busy = false;

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-file page-order page-complaint' },
      h(
        'article',
        { id: 'complaint-file', class: 'card', dataset: { id: String(k.id) } },
        head,
        escalation,
        h('div', { class: 'order-bar' }, actionBar, back),
        notice,
        panel,
        h('div', { class: 'order-columns' }, details, clockBox),
      ),
      timeline,
    ),
  );

  function showHead() {
    clear(head);
    head.append(
      h(
        'div',
        { class: 'file-title' },
        h('span', { class: 'file-kicker' }, t('complaint.kicker', { channel: channelLabel(k.channel), against: againstLabel(k.against) })),
        h('h1', { class: 'order-number num', id: 'complaint-number' }, k.number),
        h('span', { class: 'file-chips' }, complaintStatusChip(k.status, { id: 'complaint-status' }), k.escalated ? escalatedChip({ id: 'complaint-escalated' }) : null),
      ),
    );
    const file = root.querySelector('#complaint-file');
    file.dataset.status = k.status;
    file.dataset.escalated = String(Boolean(k.escalated));
    clear(escalation);
    escalation.hidden = !k.escalated;
    if (k.escalated) {
      const left = k.reply_clock?.minutes_left ?? 0;
      escalation.append(
        h('strong', {}, t('complaint.escalation.title')),
        ' ',
        left >= 0
          ? t('complaint.escalation.left', { due: deskDateTime(k.reply_clock?.due), left: durationText(left) })
          : t('complaint.escalation.over', { due: deskDateTime(k.reply_clock?.due), over: durationText(left) }),
      );
    }
    setTitle(k.number);
  }

  function showActions() {
    const hadFocus = actionBar.contains(document.activeElement) ? document.activeElement.dataset.action : null;
    clear(actionBar);
    const list = actionsFor(k);
    const main = mainAction(k);
    for (const action of list) {
      actionBar.append(
        h(
          'button',
          {
            type: 'button',
            class: `btn${action === main ? ' btn-primary' : ''}${action === 'reply' && k.escalated ? ' btn-urgent' : ''}`,
            dataset: { action },
            title: t(`complaint.action.${action}.title`),
            'aria-pressed': panelState?.action === action ? 'true' : null,
            onclick: () => run(action),
          },
          t(`complaint.action.${action}`),
          ' ',
          h('kbd', {}, ACTIONS[action]),
        ),
      );
    }
    if (list.length === 0) actionBar.append(h('span', { class: 'muted', id: 'complaint-final' }, t('complaint.final')));
    if (hadFocus) (actionBar.querySelector(`[data-action="${hadFocus}"]`) ?? actionBar.querySelector('button') ?? back).focus();
  }

  function item(label, value, { id: elId, cls = '' } = {}) {
    const empty = value === null || value === undefined || value === '';
    return [h('dt', {}, label), h('dd', { class: `${cls}${empty ? ' is-empty' : ''}`.trim(), id: elId }, empty ? t('file.empty') : value)];
  }

  function showDetails() {
    clear(details);
    const verdict = k.justified === null || k.justified === undefined ? null : t(k.justified ? 'complaint.justified.yes' : 'complaint.justified.no');
    details.append(
      ...[
        item(t('complaint.f.customer'), h('a', { href: `#/customers/${k.customer_id}`, id: 'complaint-customer' }, k.customer)),
        item(t('complaint.f.order'), k.order_id ? h('a', { href: `#/orders/${k.order_id}`, id: 'complaint-order' }, k.order_number) : null),
        item(t('complaint.f.cause'), causeLabel(k.cause, k.cause_label)),
        item(t('complaint.f.engineer'), k.engineer ?? null),
        item(t('complaint.f.created'), deskDateTime(k.created_at), { cls: 'num' }),
        item(t('complaint.f.handler'), k.handler || null, { id: 'complaint-handler' }),
        item(t('complaint.f.content'), k.content, { id: 'complaint-content', cls: 'notes' }),
        verdict ? item(t('complaint.f.justified'), verdict, { id: 'complaint-justified' }) : null,
        k.measures ? item(t('complaint.f.measures'), k.measures, { id: 'complaint-measures', cls: 'notes' }) : null,
        k.reply ? item(t('complaint.f.reply'), k.reply, { id: 'complaint-reply', cls: 'notes' }) : null,
        k.feedback ? item(t('complaint.f.feedback'), k.feedback, { id: 'complaint-feedback', cls: 'notes' }) : null,
      ]
        .filter(Boolean)
        .flat(),
    );
  }

  function showClock() {
    clear(clockBox);
    const c = k.reply_clock ?? {};
    const state = CLOCK_STATES.includes(c.state) ? c.state : 'running';
    clockBox.append(
      h('h2', {}, t('complaint.clock')),
      h(
        'ul',
        { class: 'clock-list', id: 'complaint-clock' },
        h(
          'li',
          { class: `clock clock-${state}`, dataset: { kind: 'reply', state } },
          h('span', { class: 'clock-label' }, t('clock.reply')),
          h('span', { class: `chip chip-clock chip-clock-${state} clock-state` }, clockStateText({ ...c, state })),
          h('span', { class: 'clock-due num muted' }, c.done_at ? t('clock.done_at', { at: deskDateTime(c.done_at) }) : t('clock.due', { due: deskDateTime(c.due) })),
        ),
      ),
    );
  }

  function showTimeline() {
    clear(timeline);
    const events = k.events ?? [];
    timeline.append(
      h('div', { class: 'section-head' }, h('h2', {}, t('complaint.timeline'))),
      timelineList(events, {
        id: 'complaint-timeline',
        className: 'order-timeline complaint-timeline',
        kindOf: (e) => e.kind ?? '',
        titleOf: (e) => t(`complaint.event.${EVENT_KINDS.includes(e.kind) ? e.kind : 'created'}`),
        withUser: true,
      }),
    );
  }

  function show() {
    showHead();
    showActions();
    showDetails();
    showClock();
    showTimeline();
  }

  async function reload() {
    try {
      k = await ctx.call('complaints.get', { id });
      if (ctx.isCurrent()) show();
    } catch {
      // The refusal is on screen already.
    }
  }

  function closePanel({ focus = true } = {}) {
    const was = panelState?.action;
    panelState = null;
    clear(panel);
    panel.hidden = true;
    showActions();
    if (focus) (actionBar.querySelector(`[data-action="${was}"]`) ?? actionBar.querySelector('button') ?? back).focus();
  }

  async function send(args, { done, onError }) {
    if (busy) return;
    busy = true;
    notice.hidden = true;
    try {
      const result = await ctx.call('complaints.update', { id, ...args });
      if (!ctx.isCurrent()) return;
      k = result;
      if (panelState) closePanel({ focus: false });
      show();
      ctx.toast(done);
      (actionBar.querySelector('.btn-primary') ?? actionBar.querySelector('button') ?? back).focus();
    } catch (error) {
      if (!ctx.isCurrent()) return;
      onError(error);
      await reload();
    } finally {
      busy = false;
    }
  }

  function panelForm(action, { lead, fields, controls }) {
    const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
    const save = h('button', { type: 'submit', class: 'btn btn-primary', id: `complaint-${action}-save` }, t(`complaint.${action}.save`), ' ', h('kbd', {}, 'Ctrl+S'));
    const close = h('button', { type: 'button', class: 'btn', onclick: () => closePanel() }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
    const form = h(
      'form',
      { id: `complaint-${action}-form`, class: 'panel-form', novalidate: true, autocomplete: 'off', dataset: { action } },
      h('h2', {}, t(`complaint.${action}.title`, { number: k.number })),
      lead ? h('p', { class: 'hint panel-lead' }, lead) : null,
      formError,
      fields,
      h('div', { class: 'form-actions form-actions-plain' }, save, close),
    );
    // A step's own error, or one naming no field of the form ("step"), goes in the box.
    const errors = errorsFor(form, controls, formError);
    return { form, errors };
  }

  function assignForm() {
    const handler = h('input', { class: 'input', type: 'text', maxlength: '20', value: k.handler ?? '', placeholder: t('complaint.assign.placeholder') });
    const { form, errors } = panelForm('assign', {
      lead: t('complaint.assign.lead'),
      fields: [field('complaint-assign', 'handler', handler, { label: t('complaint.f.handler'), required: true })],
      controls: { handler },
    });
    const submit = () => {
      errors.clearAll();
      const name = handler.value.trim();
      send({ step: 'assign', handler: name }, { done: t('complaint.done.assign', { name }), onError: errors.show });
    };
    form.addEventListener('submit', (e) => (e.preventDefault(), submit()));
    enterSequence(form, () => [handler], submit);
    return { action: 'assign', element: form, submit, focus: () => (handler.focus(), handler.select()) };
  }

  function replyForm() {
    const justified = choiceRow({
      prefix: 'complaint-reply',
      name: 'justified',
      values: ['yes', 'no'],
      label: (v) => t(`complaint.justified.${v}`),
      onPick: () => measures.focus(),
    });
    const measures = h('textarea', { class: 'input input-wide', rows: 3, maxlength: '1000', placeholder: t('complaint.measures.placeholder') });
    const reply = h('textarea', { class: 'input input-wide', rows: 3, maxlength: '1000', placeholder: t('complaint.reply.placeholder') });
    const { form, errors } = panelForm('reply', {
      lead: t('complaint.reply.lead'),
      fields: [
        choiceField('justified', justified, t('complaint.f.justified'), { required: true }),
        field('complaint-reply', 'measures', measures, { label: t('complaint.f.measures'), required: true }),
        field('complaint-reply', 'reply', reply, { label: t('complaint.f.reply'), required: true, hint: t('complaint.reply.hint') }),
      ],
      controls: { justified: justified.element, measures, reply },
    });
    const submit = () => {
      errors.clearAll();
      const args = { step: 'reply', measures: measures.value.trim(), reply: reply.value.trim() };
      if (justified.value()) args.justified = justified.value() === 'yes';
      send(args, {
        done: t('complaint.done.reply'),
        onError: (error) => {
          errors.show(error);
          if (error?.field === 'justified') justified.focus();
        },
      });
    };
    form.addEventListener('submit', (e) => (e.preventDefault(), submit()));
    enterSequence(form, () => [justified.control(), measures, reply], submit);
    return { action: 'reply', element: form, submit, focus: () => justified.focus() };
  }

  function closeForm() {
    const feedback = h('input', { class: 'input input-wide', type: 'text', maxlength: '500', placeholder: t('complaint.close.placeholder') });
    const { form, errors } = panelForm('close', {
      lead: t('complaint.close.lead'),
      fields: [field('complaint-close', 'feedback', feedback, { label: t('complaint.f.feedback'), required: true })],
      controls: { feedback },
    });
    const submit = () => {
      errors.clearAll();
      send({ step: 'close', feedback: feedback.value.trim() }, { done: t('complaint.done.close'), onError: errors.show });
    };
    form.addEventListener('submit', (e) => (e.preventDefault(), submit()));
    enterSequence(form, () => [feedback], submit);
    return { action: 'close', element: form, submit, focus: () => feedback.focus() };
  }

  function run(action) {
    if (!actionsFor(k).includes(action)) return;
    if (panelState?.action === action) {
      panelState.focus();
      return;
    }
    if (panelState) closePanel({ focus: false });
    notice.hidden = true;
    panelState = { assign: assignForm, reply: replyForm, close: closeForm }[action]();
    panel.append(panelState.element);
    panel.hidden = false;
    showActions();
    panelState.focus();
  }

  show();
  (actionBar.querySelector('.btn-primary') ?? actionBar.querySelector('button') ?? back).focus();

  return {
    hasDraft: () => panelState !== null,
    dispose() {
      resetTitle();
    },
    onKey(event) {
      const ctrl = ctrlHeld(event);
      if (isSave(event)) {
        event.preventDefault();
        panelState?.submit();
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        if (panelState) closePanel();
        else ctx.navigate('#/complaints');
        return;
      }
      if (panelState || isTyping(event.target) || ctrl || event.altKey || event.key.length !== 1) return;
      const letter = event.key.toUpperCase();
      const action = Object.keys(ACTIONS).find((a) => ACTIONS[a] === letter);
      if (action && actionsFor(k).includes(action)) {
        event.preventDefault();
        run(action);
      }
    },
  };
}

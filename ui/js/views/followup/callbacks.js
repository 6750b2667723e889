// 回访 — the phone follow-up after a repair (DOMAIN.md "Callback": next working day, two at
// most). The queue on the left, overdue first, then due, then not yet due; the chosen
// callback on the right with what to say (the core's script, this order's facts filled
// in), the earlier attempts, and the record: 接通/未接通, solved or not, 满意/基本满意/
// 不满意, remarks. When the customer is 不满意, 转投诉 opens a complaint in the same save
// (cause, and the content taken from the remarks until the clerk writes their own).
// Not reached: the attempt is kept and the callback stays in the queue.
// Keys: ↑↓ in the queue, Enter to the record; in it 1/2/3 pick a choice and move on, Enter
// moves on and saves from the last field, Ctrl+S saves, Esc back to the queue.
import { h, clear, isTyping } from '../../lib/dom.js';
import { errorText, errorsFor, field } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { choiceField, choiceRow, enterSequence } from '../../lib/choice-row.js';
import { deskDateTime } from '../../lib/dates.js';
import { statusChip } from '../orders/words.js';
import { ctrlHeld, isSave, modified } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';
import { selectTab } from '../../lib/tabs.js';

const STATES = ['overdue', 'due', 'upcoming', 'done'];
const RANK = { overdue: 0, due: 1, upcoming: 2, done: 3 };
export const SATISFACTION = ['satisfied', 'basically', 'unsatisfied'];
const AGAINST = ['order', 'engineer', 'company'];

/** 已逾期 / 到期 / 未到期 / 已回访 as a chip with text. */
export function callbackStateChip(state) {
  const known = STATES.includes(state) ? state : 'upcoming';
  return h('span', { class: `chip chip-callback chip-callback-${known}`, dataset: { state: known } }, t(`callbacks.state.${known}`));
}

/** "期限 11-25 10:00" — the latest the call may be made (its two days). */
function deadlineText(c) {
  const at = deskDateTime(c.overdue);
  return at ? t('callbacks.deadline', { at: at.slice(5) }) : '';
}

function outcomeText(c) {
  if (c.status !== 'done') return '';
  const parts = [t(c.solved ? 'callbacks.solved.yes' : 'callbacks.solved.no')];
  if (SATISFACTION.includes(c.satisfaction)) parts.push(t(`callbacks.satisfaction.${c.satisfaction}`));
  if (c.remarks) parts.push(c.remarks);
  return parts.join(' · ');
}

export async function render(root, ctx) {
  const state = {
    tab: ctx.query.get('done') === '1' ? 'done' : 'open',
    items: [],
    selected: ctx.params.id ?? (Number(ctx.query.get('id')) || null),
    causes: [],
    draft: false,
  };

  const counts = h('span', { class: 'page-sub', id: 'callbacks-counts', 'aria-live': 'polite' });
  const result = h('div', { class: 'notice notice-ok', id: 'callback-result', role: 'status', hidden: true });
  const failure = h('p', { class: 'notice notice-error', id: 'callbacks-error', role: 'alert', hidden: true });
  const tabs = {
    open: h('button', { type: 'button', class: 'tab', role: 'tab', id: 'callbacks-tab-open' }, t('callbacks.tab.open')),
    done: h('button', { type: 'button', class: 'tab', role: 'tab', id: 'callbacks-tab-done' }, t('callbacks.tab.done')),
  };
  const queue = h('ul', { class: 'callback-queue', id: 'callback-queue', role: 'listbox', 'aria-label': t('callbacks.queue') });
  const detail = h('section', { class: 'card callback-detail', id: 'callback-detail', 'aria-live': 'polite' });

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-callbacks', id: 'callbacks' },
      h('div', { class: 'page-head' }, h('h1', {}, t('callbacks.title')), counts, h('div', { class: 'tabs', role: 'tablist' }, tabs.open, tabs.done)),
      failure,
      result,
      h('div', { class: 'callbacks-layout' }, h('div', { class: 'callback-queue-box' }, queue), detail),
    ),
  );
  setTitle(t('callbacks.title'));

  const causesReady = ctx
    .call('complaints.causes', {})
    .then((r) => (state.causes = r?.items ?? []))
    .catch(() => (state.causes = []));

  // ---- the queue ------------------------------------------------------------------------
  function showTabs() {
    selectTab(tabs, state.tab, { roving: false });
  }

  async function load() {
    const data = await ctx.call('callbacks.queue', { status: state.tab });
    if (!ctx.isCurrent()) return false;
    // The most urgent first: overdue, due, not yet due (the core sorts by due time).
    state.items = (data?.items ?? []).slice().sort((a, b) => (RANK[a.state] ?? 9) - (RANK[b.state] ?? 9));
    clear(counts);
    if (state.tab === 'open') {
      counts.append(t('callbacks.counts', { total: state.items.length, due: data?.due ?? 0 }));
      if (data?.overdue) counts.append(' ', h('span', { class: 'chip chip-callback chip-callback-overdue' }, t('callbacks.counts.overdue', { count: data.overdue })));
    } else counts.textContent = t('callbacks.counts.done', { count: state.items.length });
    failure.hidden = true;
    return true;
  }

  function showQueue() {
    clear(queue);
    if (state.items.length === 0) {
      queue.append(h('li', { class: 'empty empty-small', id: 'callback-queue-empty', role: 'presentation' }, t(state.tab === 'open' ? 'callbacks.empty' : 'callbacks.empty.done')));
      return;
    }
    for (const c of state.items) {
      const selected = c.id === state.selected;
      queue.append(
        h(
          'li',
          {
            class: `callback-item callback-item-${c.state}`,
            role: 'option',
            tabIndex: selected ? 0 : -1,
            'aria-selected': String(selected),
            dataset: { id: String(c.id), state: c.state, orderId: String(c.order_id) },
            onclick: () => select(c.id, { focus: 'item' }),
          },
          h('span', { class: 'callback-item-top' }, h('strong', { class: 'callback-item-name' }, c.customer), callbackStateChip(c.state)),
          h('span', { class: 'callback-item-line num' }, c.phone),
          h('span', { class: 'callback-item-line muted' }, `${c.order_number} · ${c.model || t('callbacks.nomachine')}`),
          h('span', { class: 'callback-item-line muted num' }, c.status === 'done' ? t('callbacks.done_at', { at: deskDateTime(c.done_at) }) : deadlineText(c)),
        ),
      );
    }
    if (!queue.querySelector('[tabindex="0"]')) queue.querySelector('li[role=option]')?.setAttribute('tabindex', '0');
  }

  // ---- the chosen callback ---------------------------------------------------------------
  let form = null; // {submit, focusFirst}

  function showNone() {
    clear(detail);
    delete detail.dataset.id;
    form = null;
    detail.append(h('p', { class: 'empty', id: 'callback-none' }, t(state.tab === 'open' ? 'callbacks.none' : 'callbacks.none.done')));
  }

  function showDetail(c) {
    clear(detail);
    form = null;
    state.draft = false;
    detail.dataset.id = String(c.id);
    const facts = [
      [t('callbacks.f.order'), h('a', { href: `#/orders/${c.order_id}`, id: 'callback-order' }, c.order_number)],
      [t('callbacks.f.machine'), c.model || '—'],
      [t('callbacks.f.fault'), c.fault || '—'],
      [t('callbacks.f.work_done'), c.work_done || '—'],
      [t('callbacks.f.engineer'), c.engineer || '—'],
      [t('callbacks.f.completed'), deskDateTime(c.completed_at)],
      [t('callbacks.f.deadline'), h('span', { class: 'num' }, deskDateTime(c.due), ' – ', deskDateTime(c.overdue))],
    ];
    // Left: what to know and what to say; right: the record, beside it, without scrolling.
    const info = h(
      'div',
      { class: 'callback-info' },
      h('div', { class: 'callback-script-box' }, h('h2', {}, t('callbacks.script')), h('p', { class: 'callback-script', id: 'callback-script' }, c.script)),
      h('dl', { class: 'details callback-facts' }, facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    );
    if (c.attempts?.length) {
      info.append(
        h(
          'div',
          { class: 'callback-attempts-box' },
          h('h2', {}, t('callbacks.attempts', { count: c.attempts.length })),
          h(
            'ol',
            { class: 'callback-attempts', id: 'callback-attempts' },
            c.attempts.map((a) =>
              h(
                'li',
                { dataset: { reached: String(a.reached) } },
                h('span', { class: 'num muted' }, deskDateTime(a.at)),
                h('span', {}, a.user),
                h('span', { class: `chip ${a.reached ? 'chip-callback-done' : 'chip-callback-upcoming'} chip-callback` }, t(a.reached ? 'callbacks.reached.yes' : 'callbacks.reached.no')),
                a.note ? h('span', { class: 'muted' }, a.note) : null,
              ),
            ),
          ),
        ),
      );
    }
    const side = h('div', { class: 'callback-side' });
    detail.append(
      h(
        'header',
        { class: 'callback-head' },
        h(
          'div',
          { class: 'callback-who' },
          h('a', { href: `#/customers/${c.customer_id}`, class: 'callback-name', id: 'callback-customer' }, c.customer),
          h('span', { class: 'callback-phone num', id: 'callback-phone' }, c.phone),
          callbackStateChip(c.state),
        ),
      ),
      h('div', { class: 'callback-body' }, info, side),
    );
    if (c.status === 'done') {
      side.append(h('p', { class: 'callback-outcome', id: 'callback-outcome' }, h('strong', {}, t('callbacks.outcome')), ' ', outcomeText(c)));
      return;
    }
    form = recordForm(c);
    side.append(form.element);
  }

  function recordForm(c) {
    const prefix = 'callback';
    const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
    const touched = () => {
      state.draft = true;
    };
    const next = (row) => () => {
      const list = sequence().filter((el) => el && !el.closest('[hidden]'));
      const at = list.indexOf(row.control());
      (list[at + 1] ?? save).focus();
    };
    const reached = choiceRow({
      prefix,
      name: 'reached',
      values: ['yes', 'no'],
      label: (v) => t(`callbacks.reached.${v}`),
      onChange: () => (touched(), sync()),
      onPick: () => next(reached)(),
    });
    const solved = choiceRow({
      prefix,
      name: 'solved',
      values: ['yes', 'no'],
      label: (v) => t(`callbacks.solved.${v}`),
      onChange: touched,
      onPick: () => next(solved)(),
    });
    const satisfaction = choiceRow({
      prefix,
      name: 'satisfaction',
      values: SATISFACTION,
      label: (v) => t(`callbacks.satisfaction.${v}`),
      onChange: () => (touched(), sync()),
      onPick: () => next(satisfaction)(),
    });
    const remarks = h('input', { class: 'input input-wide', type: 'text', maxlength: '300', placeholder: t('callbacks.remarks.placeholder') });
    const toComplaint = h('input', { type: 'checkbox', id: 'callback-to-complaint', name: 'complaint' });
    const cause = h('select', { class: 'input' });
    const against = h('select', { class: 'input' }, AGAINST.map((a) => h('option', { value: a }, t(`complaint.against.${a}`))));
    const content = h('textarea', { class: 'input input-wide', rows: 2, maxlength: '1000' });
    let contentEdited = false;
    causesReady.then(() => {
      clear(cause);
      for (const [key, label] of state.causes) cause.append(h('option', { value: key }, t(`complaint.cause.${key}`) || label));
      cause.value = 'quality';
    });
    remarks.addEventListener('input', () => {
      touched();
      if (!contentEdited) content.value = remarks.value;
    });
    content.addEventListener('input', () => {
      touched();
      contentEdited = content.value !== remarks.value;
    });

    const outcomeFields = h(
      'div',
      { class: 'callback-outcome-fields' },
      choiceField('solved', solved, t('callbacks.f.solved'), { required: true }),
      choiceField('satisfaction', satisfaction, t('callbacks.f.satisfaction'), { required: true }),
    );
    const complaintDetails = h(
      'div',
      { class: 'callback-complaint-fields', hidden: true },
      h('div', { class: 'field-pair' }, field('callback-complaint', 'cause', cause, { label: t('callbacks.complaint.cause') }), field('callback-complaint', 'against', against, { label: t('callbacks.complaint.against') })),
      field('callback-complaint', 'content', content, { label: t('callbacks.complaint.content'), hint: t('callbacks.complaint.content.hint') }),
    );
    const complaintBox = h(
      'div',
      { class: 'callback-complaint', id: 'callback-complaint', hidden: true },
      h(
        'label',
        { class: 'check callback-complaint-check', for: 'callback-to-complaint' },
        toComplaint,
        h('strong', {}, t('callbacks.complaint.check')),
        ' ',
        h('kbd', {}, 'T'),
        h('span', { class: 'muted' }, t('callbacks.complaint.hint')),
      ),
      h('div', { class: 'field-error', dataset: { for: 'complaint' }, 'aria-live': 'polite' }),
      complaintDetails,
    );
    toComplaint.addEventListener('change', () => (touched(), sync()));
    const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'callback-save' }, t('callbacks.save'), ' ', h('kbd', {}, 'Ctrl+S'));

    const element = h(
      'form',
      { class: 'callback-form', id: 'callback-form', novalidate: true, autocomplete: 'off' },
      h('h2', {}, t('callbacks.record')),
      formError,
      choiceField('reached', reached, t('callbacks.f.reached'), { required: true }),
      outcomeFields,
      field(prefix, 'remarks', remarks, { label: t('callbacks.f.remarks') }),
      complaintBox,
      h('div', { class: 'form-actions form-actions-plain' }, save),
    );
    const controls = {
      reached: reached.element,
      solved: solved.element,
      satisfaction: satisfaction.element,
      remarks,
      complaint: toComplaint,
      cause,
      against,
      content,
      order_id: against,
      engineer_id: against,
    };
    const errors = errorsFor(element, controls, formError);

    function sync() {
      const isReached = reached.value() === 'yes';
      outcomeFields.hidden = !isReached;
      const unhappy = isReached && satisfaction.value() === 'unsatisfied';
      complaintBox.hidden = !unhappy;
      complaintDetails.hidden = !(unhappy && toComplaint.checked);
      save.firstChild.textContent = t(reached.value() === 'no' ? 'callbacks.save.missed' : unhappy && toComplaint.checked ? 'callbacks.save.complaint' : 'callbacks.save');
    }
    function sequence() {
      return [reached.control(), solved.control(), satisfaction.control(), remarks, toComplaint, cause, against, content];
    }
    sync();

    let busy = false;
    async function submit() {
      if (busy) return;
      errors.clearAll();
      const r = reached.value();
      if (!r) {
        errors.show({ field: 'reached', message: t('callbacks.reached.missing') });
        reached.focus();
        return;
      }
      const args = { id: c.id, reached: r === 'yes', remarks: remarks.value.trim() };
      if (r === 'yes') {
        if (solved.value()) args.solved = solved.value() === 'yes';
        args.satisfaction = satisfaction.value() ?? '';
        if (args.satisfaction === 'unsatisfied' && toComplaint.checked) {
          args.complaint = { cause: cause.value, against: against.value, content: content.value.trim() };
        }
      }
      busy = true;
      save.disabled = true;
      try {
        const done = await ctx.call('callbacks.record', args);
        if (!ctx.isCurrent()) return;
        state.draft = false;
        await recorded(done, args);
      } catch (error) {
        if (!ctx.isCurrent()) return;
        errors.show(error);
        // A radio row takes the focus on its chosen (or first) button.
        if (['reached', 'solved', 'satisfaction'].includes(error?.field)) ({ reached, solved, satisfaction })[error.field].focus();
      } finally {
        busy = false;
        save.disabled = false;
      }
    }
    element.addEventListener('submit', (e) => (e.preventDefault(), submit()));
    enterSequence(element, sequence, submit);
    element.addEventListener('keydown', (event) => {
      // T ticks 转投诉 from anywhere in the record but a text field.
      if ((event.key === 't' || event.key === 'T') && !isTyping(event.target) && !complaintBox.hidden && !modified(event)) {
        event.preventDefault();
        toComplaint.checked = !toComplaint.checked;
        toComplaint.dispatchEvent(new Event('change'));
        (toComplaint.checked ? cause : toComplaint).focus();
      }
    });
    return { element, submit, focusFirst: () => reached.focus() };
  }

  /** After a save: say what happened (with links), then the queue moves on. */
  async function recorded(done, args) {
    const cb = done.callback;
    const order = done.order;
    clear(result);
    const bits = [];
    if (!args.reached) {
      bits.push(t('callbacks.result.missed', { customer: cb.customer, count: cb.attempts?.length ?? 1 }));
    } else {
      bits.push(t('callbacks.result.done', { customer: cb.customer }), ' ');
      bits.push(h('a', { href: `#/orders/${order.id}`, id: 'callback-result-order' }, order.number), ' ', statusChip(order.status));
      if (done.complaint) {
        bits.push(' ', t('callbacks.result.complaint'), ' ', h('a', { href: `#/complaints/${done.complaint.id}`, id: 'callback-result-complaint' }, done.complaint.number));
      }
    }
    result.append(...bits);
    result.hidden = false;
    ctx.toast(done.complaint ? t('callbacks.toast.complaint', { number: done.complaint.number }) : args.reached ? t('callbacks.toast.done') : t('callbacks.toast.missed'));
    const at = state.items.findIndex((i) => i.id === cb.id);
    if (!(await load())) return;
    // Reached: the next one in the queue. Not reached: it stays chosen, with its attempts.
    const stay = state.items.find((i) => i.id === cb.id);
    const nextItem = stay ?? state.items[Math.min(Math.max(at, 0), state.items.length - 1)] ?? null;
    select(nextItem?.id ?? null, { focus: 'item' });
  }

  function select(id, { focus = null } = {}) {
    const c = state.items.find((i) => i.id === id) ?? null;
    state.selected = c?.id ?? null;
    showQueue();
    if (c) showDetail(c);
    else showNone();
    // The address follows the choice (#/callbacks?id=…), so a reload comes back to it.
    ctx.replaceHash(ctx.hashFor('/callbacks', { id: c?.id, done: state.tab === 'done' ? '1' : '' }));
    if (focus === 'item') (queue.querySelector('li[aria-selected="true"]') ?? queue.querySelector('li')).focus?.({ preventScroll: false });
    if (focus === 'form') form?.focusFirst();
  }

  async function switchTab(tab) {
    if (state.tab === tab) return;
    state.tab = tab;
    showTabs();
    try {
      if (!(await load())) return;
      select(state.items[0]?.id ?? null, { focus: 'item' });
    } catch (error) {
      failure.textContent = errorText(error);
      failure.hidden = false;
    }
  }
  tabs.open.addEventListener('click', () => switchTab('open'));
  tabs.done.addEventListener('click', () => switchTab('done'));

  showTabs();
  if (!(await load())) return null;
  // A callback asked for by its id that is not in this list (done, or beyond the page).
  if (state.selected && !state.items.some((i) => i.id === state.selected)) {
    try {
      const one = await ctx.call('callbacks.get', { id: state.selected });
      if (!ctx.isCurrent()) return null;
      if (one.status === 'done' && state.tab === 'open') {
        state.tab = 'done';
        showTabs();
        await load();
      }
      if (!state.items.some((i) => i.id === one.id)) state.items.unshift(one);
    } catch {
      state.selected = null;
    }
  }
  const first = state.items.find((i) => i.id === state.selected) ?? state.items[0] ?? null;
  select(first?.id ?? null, { focus: ctx.params.id || ctx.query.get('id') ? 'form' : 'item' });
  if (!first) ctx.focusView();

  function moveInQueue(step) {
    const items = [...queue.querySelectorAll('li[role=option]')];
    const at = items.findIndex((li) => li.dataset.id === String(state.selected));
    const next = items[Math.min(Math.max(at + step, 0), items.length - 1)];
    if (next) select(Number(next.dataset.id), { focus: 'item' });
  }

  return {
    hasDraft: () => state.draft,
    dispose() {
      resetTitle();
    },
    onKey(event) {
      const ctrl = ctrlHeld(event);
      if (isSave(event)) {
        event.preventDefault();
        form?.submit();
        return;
      }
      const inQueue = queue.contains(event.target);
      if (event.key === 'Escape') {
        if (!inQueue) {
          event.preventDefault();
          (queue.querySelector('li[aria-selected="true"]') ?? queue.querySelector('li'))?.focus();
        }
        return;
      }
      if (!inQueue || ctrl || event.altKey) return;
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        moveInQueue(event.key === 'ArrowDown' ? 1 : -1);
      } else if (event.key === 'Home' || event.key === 'End') {
        event.preventDefault();
        moveInQueue(event.key === 'Home' ? -1e6 : 1e6);
      } else if (event.key === 'Enter') {
        event.preventDefault();
        form?.focusFirst();
      }
    },
  };
}

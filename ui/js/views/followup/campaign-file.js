// 主动服务活动 — one campaign: how far it has got (recorded, fine, faults, still being
// repaired, not reached, left), its machines grouped by account (a chain's branches under
// their head office), each account with its 服务报告 (the PDF the core draws for it). A
// result is recorded where the machine is listed: 正常, 故障 with what was found and, ticked
// by default, 转工单 (the core opens a work order, channel 主动服务, in the same step), or
// 联系不上. Keys: ↑↓ between machines, O F U open the result for the machine, Enter saves,
// Esc closes it; P downloads the report of the account the machine belongs to.
import { h, clear, isTyping } from '../../lib/dom.js';
import { errorText, errorsFor } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { download, unprintableText } from '../../lib/download.js';
import { choiceRow, enterSequence } from '../../lib/choice-row.js';
import { deskDateTime } from '../../lib/dates.js';
import { statusChip } from '../orders/words.js';
import { campaignKindChip, progressBar } from './campaigns.js';
import { ctrlHeld, isSave } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';
import { roveTo } from '../../lib/roving.js';

const TASK_STATUSES = ['open', 'ok', 'fault', 'unreachable'];
const RESULTS = ['ok', 'fault', 'unreachable'];
const KEYS = { o: 'ok', f: 'fault', u: 'unreachable' };
const DONE_ORDER = ['completed', 'called_back', 'closed'];
// Above this many customers the page does not look each one up for its head office; the
// machines are then grouped by their own customer.
const MAX_LOOKUPS = 300;

export function taskChip(status) {
  const known = TASK_STATUSES.includes(status) ? status : 'open';
  return h('span', { class: `chip chip-task chip-task-${known}`, dataset: { status: known } }, t(`campaign.task.${known}`));
}

/** A fault whose work order is not finished yet (the core's "still open"). */
function stillOpen(task) {
  return task.status === 'fault' && !DONE_ORDER.includes(task.order_status);
}

function counts(tasks) {
  const c = { total: tasks.length, done: 0, ok: 0, fault: 0, still_open: 0, unreachable: 0, open: 0 };
  for (const task of tasks) {
    if (task.status === 'open') c.open += 1;
    else c.done += 1;
    if (task.status === 'ok') c.ok += 1;
    if (task.status === 'fault') c.fault += 1;
    if (task.status === 'unreachable') c.unreachable += 1;
    if (stillOpen(task)) c.still_open += 1;
  }
  return c;
}

/**
 * Each customer's account: the head office for a branch, else itself. One look-up for a
 * campaign chosen by customer (its branches come with it); else one per customer.
 */
async function accountsFor(ctx, campaign) {
  const accounts = new Map();
  const ids = [...new Set(campaign.tasks.map((task) => task.customer_id))];
  const root = campaign.criteria?.customer_id;
  if (root) {
    try {
      const head = await ctx.call('customers.get', { id: root });
      const account = head.parent ? { id: head.parent.id, name: head.parent.name } : { id: head.id, name: head.name };
      accounts.set(head.id, account);
      for (const b of head.branches ?? []) accounts.set(b.id, account);
    } catch {
      // Grouped by customer below.
    }
  }
  const missing = ids.filter((id) => !accounts.has(id));
  if (missing.length <= MAX_LOOKUPS) {
    const queue = missing.slice();
    const worker = async () => {
      while (queue.length) {
        const id = queue.shift();
        try {
          const c = await ctx.call('customers.get', { id });
          accounts.set(id, c.parent ? { id: c.parent.id, name: c.parent.name } : { id: c.id, name: c.name });
        } catch {
          // Left to its own group.
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(6, queue.length) }, worker));
  }
  for (const task of campaign.tasks) {
    if (!accounts.has(task.customer_id)) accounts.set(task.customer_id, { id: task.customer_id, name: task.customer });
  }
  return accounts;
}

export async function render(root, ctx) {
  const { id } = ctx.params;
  let campaign = await ctx.call('campaigns.get', { id });
  if (!ctx.isCurrent()) return null;
  const accounts = await accountsFor(ctx, campaign);
  if (!ctx.isCurrent()) return null;

  const state = { onlyOpen: false, open: null /* {taskId, submit, close} */, draft: false };
  const progress = h('section', { class: 'card campaign-progress', id: 'campaign-progress', 'aria-live': 'polite' });
  const onlyOpen = h('input', { type: 'checkbox', id: 'campaign-only-open' });
  const groupsBox = h('div', { class: 'campaign-accounts', id: 'campaign-accounts' });

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-campaign', id: 'campaign-file', dataset: { id: String(campaign.id) } },
      h(
        'div',
        { class: 'page-head' },
        h('a', { href: '#/campaigns', class: 'crumb' }, t('campaigns.title')),
        h('span', { class: 'crumb-sep' }, '›'),
        h('h1', { id: 'campaign-name' }, campaign.name),
        campaignKindChip(campaign.kind),
        h('span', { class: 'page-sub num' }, t('campaign.created', { at: deskDateTime(campaign.created_at) })),
        h('div', { class: 'toolbar' }, h('label', { class: 'check', for: 'campaign-only-open' }, onlyOpen, t('campaign.only_open'))),
      ),
      progress,
      groupsBox,
    ),
  );
  setTitle(campaign.name);

  function showProgress() {
    const c = counts(campaign.tasks);
    clear(progress);
    const stat = (key, value, cls = '') =>
      h('span', { class: `campaign-stat ${cls}`.trim(), dataset: { count: key } }, h('span', { class: 'campaign-stat-label' }, t(`campaign.count.${key}`)), h('strong', { class: 'num' }, String(value)));
    progress.append(
      h('div', { class: 'campaign-progress-bar' }, progressBar(c.done, c.total, { id: 'campaign-progress-bar' })),
      h(
        'div',
        { class: 'campaign-stats' },
        stat('total', c.total),
        stat('done', c.done),
        stat('ok', c.ok, 'is-ok'),
        stat('fault', c.fault, c.fault ? 'is-fault' : ''),
        stat('still_open', c.still_open, c.still_open ? 'is-open' : ''),
        stat('unreachable', c.unreachable),
        stat('open', c.open),
      ),
    );
  }

  /** Accounts in the order their first machine comes (the core sorts by customer name). */
  function groups() {
    const list = new Map();
    for (const task of campaign.tasks) {
      const account = accounts.get(task.customer_id);
      if (!list.has(account.id)) list.set(account.id, { account, tasks: [] });
      list.get(account.id).tasks.push(task);
    }
    return [...list.values()];
  }

  function taskRow(task, account) {
    // A branch's machine says which branch; the site (锅炉房, 3楼) says where.
    const branch = task.customer_id !== account.id;
    const place = [branch ? h('strong', {}, task.customer) : null, branch && task.site ? ' · ' : null, task.site ? h('span', { class: 'muted' }, task.site) : null].filter(Boolean);
    const actions =
      task.status === 'open'
        ? RESULTS.map((r) =>
            h(
              'button',
              { type: 'button', class: `btn btn-small task-act task-act-${r}`, dataset: { result: r }, tabIndex: -1, title: t(`campaign.act.${r}.title`), onclick: () => openForm(task.id, r) },
              t(`campaign.act.${r}`),
              ' ',
              h('kbd', {}, Object.keys(KEYS).find((k) => KEYS[k] === r).toUpperCase()),
            ),
          )
        : null;
    return h(
      'tr',
      { class: `campaign-task task-${task.status}`, tabIndex: -1, dataset: { id: String(task.id), status: task.status, customerId: String(task.customer_id), accountId: String(account.id) } },
      h('td', { class: 'col-tplace', title: [task.customer, task.site].filter(Boolean).join(' · ') }, place.length ? place : h('span', { class: 'muted' }, t('campaign.site.none'))),
      h('td', { class: 'col-tmodel', title: task.model }, task.model),
      h('td', { class: 'col-tserial num' }, h('a', { href: `#/equipment/${task.equipment_id}`, tabIndex: -1 }, task.serial)),
      h('td', { class: 'col-tstatus' }, taskChip(task.status), stillOpen(task) ? h('span', { class: 'chip chip-task-open-fault' }, t('campaign.task.still_open')) : null),
      h('td', { class: 'col-tresult', title: task.result }, task.result),
      h('td', { class: 'col-torder' }, task.order_id ? [h('a', { href: `#/orders/${task.order_id}`, class: 'task-order num', tabIndex: -1 }, task.order_number), ' ', statusChip(task.order_status)] : null),
      h('td', { class: 'col-tact' }, actions),
    );
  }

  function showGroups() {
    clear(groupsBox);
    state.open = null;
    for (const { account, tasks } of groups()) {
      const c = counts(tasks);
      const shown = state.onlyOpen ? tasks.filter((task) => task.status === 'open') : tasks;
      const error = h('p', { class: 'notice notice-error campaign-account-error', role: 'alert', hidden: true });
      const report = h(
        'button',
        { type: 'button', class: 'btn campaign-report', dataset: { customerId: String(account.id) }, title: t('campaign.report.title', { name: account.name }) },
        t('campaign.report'),
        ' ',
        h('kbd', {}, 'P'),
      );
      report.addEventListener('click', () => downloadReport(account, report, error));
      groupsBox.append(
        h(
          'section',
          { class: 'card campaign-account', dataset: { customerId: String(account.id) } },
          h(
            'div',
            { class: 'section-head' },
            h('h2', {}, h('a', { href: `#/customers/${account.id}` }, account.name)),
            h('span', { class: 'section-count account-counts' }, t('campaign.account.counts', { done: c.done, total: c.total, fault: c.fault, still_open: c.still_open })),
            h('div', { class: 'toolbar' }, report),
          ),
          error,
          shown.length
            ? h(
                'table',
                { class: 'grid grid-compact campaign-tasks' },
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    ['place', 'model', 'serial', 'status', 'result', 'order', 'act'].map((k) => h('th', { scope: 'col', class: `col-t${k}` }, t(`campaign.col.${k}`))),
                  ),
                ),
                h('tbody', {}, shown.map((task) => taskRow(task, account))),
              )
            : h('p', { class: 'empty empty-small' }, t('campaign.account.all_done')),
        ),
      );
    }
    const first = groupsBox.querySelector('tr.campaign-task');
    if (first) first.tabIndex = 0;
  }

  async function downloadReport(account, button, error) {
    button.disabled = true;
    error.hidden = true;
    try {
      const file = await ctx.call('campaigns.report', { id: campaign.id, customer_id: account.id });
      if (!ctx.isCurrent()) return;
      download(file.file_name, file.content_base64);
      ctx.toast([t('campaign.report.done', { name: account.name }), unprintableText(file)].filter(Boolean).join('；'));
    } catch (e) {
      if (!ctx.isCurrent()) return;
      error.textContent = errorText(e);
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  }

  function rowOf(taskId) {
    return groupsBox.querySelector(`tr.campaign-task[data-id="${taskId}"]`);
  }

  function focusRow(row) {
    if (!row) return;
    roveTo([...groupsBox.querySelectorAll('tr.campaign-task')], row);
  }

  function closeForm({ focus = true } = {}) {
    if (!state.open) return;
    const { taskId, element } = state.open;
    element.remove();
    state.open = null;
    state.draft = false;
    if (focus) focusRow(rowOf(taskId));
  }

  /** The result of one machine, in a row under it. */
  function openForm(taskId, result) {
    const task = campaign.tasks.find((x) => x.id === taskId);
    if (!task || task.status !== 'open') return;
    if (state.open?.taskId === taskId) {
      state.open.setResult(result);
      return;
    }
    closeForm({ focus: false });
    const row = rowOf(taskId);
    if (!row) return;
    const prefix = `task-${taskId}`;
    const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
    const status = choiceRow({
      prefix,
      name: 'status',
      values: RESULTS,
      value: result,
      ariaLabel: t('campaign.f.status'),
      label: (v) => t(`campaign.act.${v}`),
      onChange: () => sync(),
      onPick: () => text.focus(),
    });
    const text = h('input', { class: 'input task-result', id: `${prefix}-result`, type: 'text', maxlength: '300', 'aria-label': t('campaign.f.result') });
    const openOrder = h('input', { type: 'checkbox', class: 'task-open-order', id: `${prefix}-open_order`, checked: true });
    const orderBox = h('label', { class: 'check task-open-order-label', for: openOrder.id }, openOrder, t('campaign.open_order'));
    const save = h('button', { type: 'submit', class: 'btn btn-primary btn-small task-save' }, t('campaign.task.save'), ' ', h('kbd', {}, 'Enter'));
    const cancel = h('button', { type: 'button', class: 'btn btn-small task-cancel', onclick: () => closeForm() }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
    const form = h(
      'form',
      { class: 'task-form', id: `${prefix}-form`, novalidate: true, autocomplete: 'off', dataset: { taskId: String(taskId) } },
      h(
        'div',
        { class: 'task-form-line' },
        status.element,
        h('div', { class: 'task-result-box' }, text, h('div', { class: 'field-error', dataset: { for: 'result' }, 'aria-live': 'polite' })),
        h('div', { class: 'task-order-box' }, orderBox, h('div', { class: 'field-error', dataset: { for: 'open_order' }, 'aria-live': 'polite' })),
        save,
        cancel,
      ),
      h('div', { class: 'field-error', dataset: { for: 'status' }, 'aria-live': 'polite' }),
      formError,
    );
    const errors = errorsFor(form, { status: status.element, result: text, open_order: openOrder }, formError);
    const colspan = row.children.length;
    const element = h('tr', { class: 'task-form-row' }, h('td', { colspan: String(colspan) }, form));
    row.after(element);

    function sync() {
      const fault = status.value() === 'fault';
      orderBox.parentElement.hidden = !fault;
      text.placeholder = t(`campaign.result.placeholder.${status.value() ?? 'ok'}`);
    }
    sync();
    text.addEventListener('input', () => (state.draft = text.value.trim() !== ''));

    let busy = false;
    async function submit() {
      if (busy) return;
      errors.clearAll();
      const chosen = status.value();
      const args = { task_id: taskId, status: chosen ?? '', result: text.value.trim(), open_order: chosen === 'fault' && openOrder.checked };
      busy = true;
      save.disabled = true;
      try {
        const updated = await ctx.call('campaigns.record', args);
        if (!ctx.isCurrent()) return;
        state.draft = false;
        recorded(updated);
      } catch (e) {
        if (!ctx.isCurrent()) return;
        errors.show(e);
        if (e?.field === 'status') status.focus();
      } finally {
        busy = false;
        save.disabled = false;
      }
    }
    form.addEventListener('submit', (e) => (e.preventDefault(), submit()));
    enterSequence(form, () => [status.control(), text], submit);
    state.open = {
      taskId,
      element,
      submit,
      setResult: (r) => {
        status.set(r);
        sync();
        text.focus();
      },
    };
    text.focus();
  }

  function recorded(updated) {
    const at = campaign.tasks.findIndex((x) => x.id === updated.id);
    if (at >= 0) campaign.tasks[at] = updated;
    const label = t(`campaign.task.${TASK_STATUSES.includes(updated.status) ? updated.status : 'ok'}`);
    ctx.toast(updated.order_number ? t('campaign.toast.order', { number: updated.order_number }) : t('campaign.toast.recorded', { status: label }));
    // The next machine still to do after this one, in the order on screen.
    const order = [...groupsBox.querySelectorAll('tr.campaign-task')].map((r) => Number(r.dataset.id));
    const from = order.indexOf(updated.id);
    const nextId = order.slice(from + 1).find((tid) => campaign.tasks.find((x) => x.id === tid)?.status === 'open');
    showProgress();
    showGroups();
    focusRow(rowOf(nextId) ?? rowOf(updated.id) ?? groupsBox.querySelector('tr.campaign-task'));
  }

  onlyOpen.addEventListener('change', () => {
    state.onlyOpen = onlyOpen.checked;
    showGroups();
  });

  showProgress();
  showGroups();
  focusRow(groupsBox.querySelector('tr.task-open') ?? groupsBox.querySelector('tr.campaign-task'));

  function move(row, step) {
    const all = [...groupsBox.querySelectorAll('tr.campaign-task')];
    const at = all.indexOf(row);
    focusRow(all[Math.min(Math.max(at + step, 0), all.length - 1)]);
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
        state.open?.submit();
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        if (state.open) closeForm();
        else ctx.navigate('#/campaigns');
        return;
      }
      if (isTyping(event.target) || ctrl || event.altKey) return;
      const row = event.target.closest?.('tr.campaign-task');
      if (!row) return;
      const key = event.key.toLowerCase();
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        move(row, event.key === 'ArrowDown' ? 1 : -1);
      } else if (KEYS[key] && row.dataset.status === 'open') {
        event.preventDefault();
        openForm(Number(row.dataset.id), KEYS[key]);
      } else if (key === 'p') {
        event.preventDefault();
        row.closest('.campaign-account')?.querySelector('.campaign-report')?.click();
      }
    },
  };
}

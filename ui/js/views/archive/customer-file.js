// 客户档案 — everything the desk knows about one customer: details, head office or
// branches, machines with their warranty, work orders, the timeline, and merging another
// file into it. 新建工单 (F2) opens the phone intake with this customer chosen.
import { h, clear, isTyping } from '../../lib/dom.js';
import { customerPicker } from '../../lib/customer-picker.js';
import { errorText } from '../../lib/form.js';
import { classChip, dateText, kindChip, phoneDisplay, warrantyChip } from '../../lib/format.js';
import { t } from '../../i18n.js';
import { deskDate, deskDateTime } from '../../lib/dates.js';
import { orderKindLabel, statusChip } from '../orders/words.js';
import { modified } from '../../lib/keys.js';
import { resetTitle, setTitle } from '../../lib/title.js';
import { rove } from '../../lib/roving.js';
import { timelineList } from '../../lib/timeline.js';
import { customerNotifySection } from '../notify/notify-parts.js';

// `merged_away` (this file went into another) is sent by the core beside the contract's kinds.
const TIMELINE_KINDS = ['created', 'updated', 'merged', 'merged_away', 'equipment_added', 'warranty_override', 'exported', 'order'];
const ORDERS_SHOWN = 20;

function item(labelKey, value, extraClass = '') {
  const empty = value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
  return [
    h('dt', {}, t(labelKey)),
    h('dd', { class: `${extraClass}${empty ? ' is-empty' : ''}`.trim() }, empty ? t('file.empty') : value),
  ];
}

function customerLink(ref) {
  return h('a', { href: `#/customers/${ref.id}`, class: 'customer-link' }, ref.name);
}

/** Calls a command; a failure becomes a message in that section, not a broken page. */
async function settle(promise) {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

export async function render(root, ctx) {
  const { id } = ctx.params;
  const highlight = Number(ctx.query.get('equipment')) || null;
  const customer = await ctx.call('customers.get', { id });
  if (!ctx.isCurrent()) return null;
  const merged = customer.merged_into != null;
  const [machines, timeline, mergedInto, orders] = await Promise.all([
    settle(ctx.call('equipment.list', { customer_id: id })),
    settle(ctx.call('customers.timeline', { id })),
    merged ? settle(ctx.call('customers.get', { id: customer.merged_into })) : Promise.resolve(null),
    settle(ctx.call('orders.list', { customer_id: id, status: 'all', page: 1, page_size: ORDERS_SHOWN })),
  ]);
  if (!ctx.isCurrent()) return null;

  const goEdit = () => ctx.navigate(`#/customers/${customer.id}/edit`);
  const goAdd = () => ctx.navigate(`#/customers/${customer.id}/equipment/new`);
  const openMachine = (machineId) => ctx.navigate(`#/equipment/${machineId}`);
  const newOrderHash = `#/orders/new?customer=${customer.id}`;

  const edit = h(
    'button',
    { type: 'button', id: 'customer-edit', 'data-needs': 'customers.update', class: 'btn btn-primary', title: t('file.edit.title'), onclick: goEdit },
    t('file.edit'),
    ' ',
    h('kbd', {}, 'E'),
  );
  const addMachine = h(
    'button',
    { type: 'button', id: 'add-equipment', class: 'btn', title: t('equipment.add.title'), onclick: goAdd },
    t('equipment.add'),
    ' ',
    h('kbd', {}, 'Insert'),
  );
  const newOrder = h(
    'a',
    { href: newOrderHash, id: 'customer-new-order', 'data-needs': 'orders.create', class: 'btn', title: t('customer.new_order.title') },
    t('customer.new_order'),
    ' ',
    h('kbd', {}, 'F2'),
  );
  const mergeButton = h(
    'button',
    { type: 'button', id: 'customer-merge', 'data-needs': 'customers.merge', class: 'btn', title: t('merge.button.title') },
    t('merge.button'),
  );
  const back = h('a', { href: '#/customers', class: 'btn', title: 'Esc' }, t('common.back'), ' ', h('kbd', {}, 'Esc'));

  // ---- details ------------------------------------------------------------------------
  const phones = (customer.phones ?? []).map((p) => h('li', { class: 'num' }, phoneDisplay(p)));
  const branches = customer.branches ?? [];
  const mergedNotice = merged
    ? h(
        'p',
        { id: 'merged-notice', class: 'notice notice-merged', role: 'note' },
        t('file.merged.lead'),
        ' ',
        mergedInto?.ok
          ? customerLink(mergedInto.value)
          : h('a', { href: `#/customers/${customer.merged_into}` }, t('file.merged.number', { id: customer.merged_into })),
        ' ',
        t('file.merged.tail'),
      )
    : null;

  // ---- machines -----------------------------------------------------------------------
  const equipmentSection = machineSection();
  function machineSection() {
    const heading = h('div', { class: 'section-head' }, h('h2', {}, t('equipment.title')));
    if (!machines.ok) {
      return h(
        'section',
        { class: 'card file-section', id: 'equipment-section' },
        heading,
        h('p', { class: 'notice notice-error' }, errorText(machines.error)),
      );
    }
    const items = machines.value?.items ?? [];
    const showOwner = items.some((m) => m.customer_id !== customer.id);
    heading.append(h('span', { class: 'section-count' }, t('equipment.count', { count: items.length })));
    if (!merged) heading.append(h('div', { class: 'toolbar' }, addMachine));
    if (items.length === 0) {
      return h(
        'section',
        { class: 'card file-section', id: 'equipment-section' },
        heading,
        h('p', { class: 'empty empty-small', id: 'equipment-empty' }, merged ? t('equipment.empty.merged') : t('equipment.empty')),
      );
    }
    const rows = items.map((m) =>
      h(
        'tr',
        {
          dataset: { id: String(m.id) },
          tabIndex: -1,
          'aria-selected': 'false',
          class: m.id === highlight ? 'is-highlighted' : null,
          onclick: () => openMachine(m.id),
        },
        h('td', { class: 'col-model', title: m.model?.name ?? '' }, h('a', { href: `#/equipment/${m.id}`, tabIndex: -1 }, m.model?.code ?? ''), ' ', h('span', { class: 'muted' }, m.model?.name ?? '')),
        h('td', { class: 'col-serial num' }, m.serial),
        h('td', { class: 'col-date num' }, dateText(m.purchase_date)),
        h('td', { class: 'col-date num' }, dateText(m.install_date)),
        h('td', { class: 'col-site', title: m.site ?? '' }, m.site ?? ''),
        showOwner
          ? h(
              'td',
              { class: 'col-owner', title: m.customer_name ?? '' },
              m.customer_id === customer.id ? t('equipment.owner.self') : m.customer_name ?? '',
            )
          : null,
        h('td', { class: 'col-warranty' }, warrantyChip(m.warranty)),
      ),
    );
    const table = h(
      'table',
      { id: 'equipment-list', class: 'grid grid-compact' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col', class: 'col-model' }, t('equipment.col.model')),
          h('th', { scope: 'col', class: 'col-serial' }, t('equipment.col.serial')),
          h('th', { scope: 'col', class: 'col-date' }, t('equipment.col.purchase')),
          h('th', { scope: 'col', class: 'col-date' }, t('equipment.col.install')),
          h('th', { scope: 'col', class: 'col-site' }, t('equipment.col.site')),
          showOwner ? h('th', { scope: 'col', class: 'col-owner' }, t('equipment.col.owner')) : null,
          h('th', { scope: 'col', class: 'col-warranty' }, t('equipment.col.warranty')),
        ),
      ),
      h('tbody', {}, rows),
    );
    return h(
      'section',
      { class: 'card file-section', id: 'equipment-section' },
      heading,
      h('div', { class: 'table-wrap table-wrap-inline' }, table),
      h('p', { class: 'hint' }, t('equipment.hint')),
    );
  }

  // ---- work orders --------------------------------------------------------------------
  function ordersSection() {
    const heading = h('div', { class: 'section-head' }, h('h2', {}, t('customer.orders')));
    if (!orders.ok) {
      return h('section', { class: 'card file-section', id: 'orders-section' }, heading, h('p', { class: 'notice notice-error' }, errorText(orders.error)));
    }
    const items = orders.value?.items ?? [];
    heading.append(
      h('span', { class: 'section-count' }, orders.value?.more ? t('customer.orders.more', { count: items.length }) : t('customer.orders.count', { count: items.length })),
    );
    if (items.length === 0) {
      return h(
        'section',
        { class: 'card file-section', id: 'orders-section' },
        heading,
        h('p', { class: 'empty empty-small', id: 'customer-orders-empty' }, merged ? t('customer.orders.empty.merged') : t('customer.orders.empty')),
      );
    }
    const rows = items.map((o) =>
      h(
        'tr',
        { dataset: { id: String(o.id), status: o.status }, onclick: () => ctx.navigate(`#/orders/${o.id}`) },
        h('td', { class: 'col-number num' }, h('a', { href: `#/orders/${o.id}` }, o.number)),
        h('td', { class: 'col-date num' }, deskDate(o.created_at)),
        h('td', { class: 'col-okind' }, orderKindLabel(o.kind)),
        h('td', { class: 'col-model', title: o.equipment ? `${o.equipment.model} ${o.equipment.serial}` : '' }, o.equipment?.model ?? ''),
        h('td', { class: 'col-fault', title: o.fault ?? '' }, o.fault ?? ''),
        h('td', { class: 'col-engineer' }, o.engineer?.name ?? ''),
        h('td', { class: 'col-ostatus' }, statusChip(o.status)),
      ),
    );
    return h(
      'section',
      { class: 'card file-section', id: 'orders-section' },
      heading,
      h(
        'div',
        { class: 'table-wrap table-wrap-inline' },
        h(
          'table',
          { id: 'customer-orders', class: 'grid grid-compact' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col', class: 'col-number' }, t('customer.orders.col.number')),
              h('th', { scope: 'col', class: 'col-date' }, t('customer.orders.col.date')),
              h('th', { scope: 'col', class: 'col-okind' }, t('customer.orders.col.kind')),
              h('th', { scope: 'col', class: 'col-model' }, t('customer.orders.col.machine')),
              h('th', { scope: 'col', class: 'col-fault' }, t('customer.orders.col.fault')),
              h('th', { scope: 'col', class: 'col-engineer' }, t('customer.orders.col.engineer')),
              h('th', { scope: 'col', class: 'col-ostatus' }, t('customer.orders.col.status')),
            ),
          ),
          h('tbody', {}, rows),
        ),
      ),
    );
  }

  // ---- timeline -----------------------------------------------------------------------
  function timelineSection() {
    const heading = h('div', { class: 'section-head' }, h('h2', {}, t('timeline.title')));
    if (!timeline.ok) {
      return h('section', { class: 'card file-section' }, heading, h('p', { class: 'notice notice-error' }, errorText(timeline.error)));
    }
    const items = timeline.value?.items ?? [];
    return h(
      'section',
      { class: 'card file-section' },
      heading,
      items.length === 0
        ? h('p', { class: 'empty empty-small', id: 'customer-timeline' }, t('timeline.empty'))
        : timelineList(items, {
            id: 'customer-timeline',
            kindOf: (entry) => (TIMELINE_KINDS.includes(entry.kind) ? entry.kind : 'other'),
            chipOf: (entry, kind) => h('span', { class: `chip chip-timeline chip-timeline-${kind}` }, t(`timeline.kind.${kind}`)),
          }),
    );
  }

  // ---- merge --------------------------------------------------------------------------
  const merge = mergeDialog(ctx, customer);
  mergeButton.addEventListener('click', () => merge.open());

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-file' },
      mergedNotice,
      h(
        'article',
        {
          id: 'customer-file',
          class: `card${merged ? ' is-merged' : ''}`,
          dataset: { id: String(customer.id) },
          'aria-labelledby': 'customer-file-name',
        },
        h(
          'header',
          { class: 'file-head' },
          h(
            'div',
            { class: 'file-title' },
            h('span', { class: 'file-kicker' }, t('file.title')),
            h('h1', { class: 'customer-name', id: 'customer-file-name' }, customer.name),
            h(
              'span',
              { class: 'file-chips' },
              kindChip(customer.kind),
              classChip(customer.class),
              merged ? h('span', { class: 'chip chip-merged' }, t('file.merged.chip')) : null,
              customer.parent ? h('span', { class: 'chip chip-kind' }, t('file.branch.chip')) : null,
              branches.length ? h('span', { class: 'chip chip-kind' }, t('file.head.chip')) : null,
            ),
          ),
          h('div', { class: 'toolbar' }, merged ? null : edit, merged ? null : newOrder, merged ? null : mergeButton, back),
        ),
        h(
          'dl',
          { class: 'details details-2col' },
          item('file.phones', phones.length ? h('ul', { class: 'phones' }, phones) : null),
          item('file.region', customer.region),
          item('file.address', customer.address),
          item('file.source', customer.source),
          customer.parent
            ? item('file.parent', h('span', { id: 'customer-parent' }, customerLink(customer.parent)))
            : null,
          branches.length
            ? item(
                'file.branches',
                h('ul', { id: 'customer-branches', class: 'branches' }, branches.map((b) => h('li', {}, customerLink(b)))),
              )
            : null,
          item('file.notes', customer.notes, 'notes'),
          item('file.id', String(customer.id), 'num'),
          item('file.created', deskDateTime(customer.created_at), 'num'),
          item('file.updated', deskDateTime(customer.updated_at), 'num'),
        ),
      ),
      equipmentSection,
      ordersSection(),
      merged ? null : customerNotifySection(ctx, id),
      timelineSection(),
      merge.dialog,
    ),
  );
  setTitle(customer.name);

  // ---- keys ---------------------------------------------------------------------------
  const machineRows = () => [...root.querySelectorAll('#equipment-list tbody tr[data-id]')];
  function setActive(index, focus = true) {
    rove(machineRows(), index, { focus, select: true });
  }
  root.querySelector('#equipment-list tbody')?.addEventListener('keydown', (event) => {
    const all = machineRows();
    const index = all.indexOf(event.target.closest('tr'));
    if (index < 0) return;
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setActive(index + 1);
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive(index - 1);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      openMachine(all[index].dataset.id);
    }
  });

  const marked = machineRows().findIndex((row) => Number(row.dataset.id) === highlight);
  if (marked >= 0) setActive(marked);
  else {
    setActive(0, false);
    (merged ? back : edit).focus();
  }

  return {
    // F2 here takes a call from this customer.
    newOrderHash: () => (merged ? null : newOrderHash),
    dispose() {
      merge.close();
      resetTitle();
    },
    onKey(event) {
      if (merge.isOpen()) return; // the dialog handles its own keys
      if (isTyping(event.target) || modified(event)) return;
      if ((event.key === 'e' || event.key === 'E') && !merged) {
        event.preventDefault();
        goEdit();
      } else if (event.key === 'Insert' && !merged) {
        event.preventDefault();
        goAdd();
      } else if (event.key === 'Escape') {
        event.preventDefault();
        ctx.navigate('#/customers');
      }
    },
  };
}

/**
 * 合并客户: choose the other file, read exactly what will happen, confirm. The file on
 * screen is kept; the other one is marked merged (never deleted).
 */
function mergeDialog(ctx, keep) {
  const body = h('div', { class: 'merge-body' });
  const dialog = h(
    'dialog',
    { id: 'merge-dialog', class: 'panel panel-wide', 'aria-labelledby': 'merge-title' },
    h(
      'div',
      { class: 'panel-head' },
      h('h2', { id: 'merge-title' }, t('merge.title', { name: keep.name })),
    ),
    body,
  );
  let busy = false;

  function stepChoose() {
    const picker = customerPicker({
      call: ctx.call,
      id: 'merge-other',
      placeholder: t('merge.pick.placeholder'),
      accept: (c) => c.id !== keep.id && c.merged_into == null,
      onChange: (other) => {
        if (other) stepConfirm(other);
      },
    });
    const cancel = h('button', { type: 'button', class: 'btn', id: 'merge-cancel', onclick: close }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
    clear(body);
    body.append(
      h('p', {}, t('merge.pick.lead', { name: keep.name })),
      h('label', { for: 'merge-other', class: 'block-label' }, t('merge.pick.label')),
      picker.element,
      h('div', { class: 'panel-actions' }, cancel),
    );
    picker.focus();
  }

  async function stepConfirm(otherRef) {
    clear(body);
    body.append(h('p', { class: 'muted' }, t('common.loading')));
    const [other, machines] = await Promise.all([
      settle(ctx.call('customers.get', { id: otherRef.id })),
      settle(ctx.call('equipment.list', { customer_id: otherRef.id })),
    ]);
    if (!dialog.open) return;
    if (!other.ok) {
      clear(body);
      body.append(h('p', { class: 'notice notice-error' }, errorText(other.error)));
      return;
    }
    const o = other.value;
    // Only its own machines move; a branch's machines stay with the branch (which moves).
    const own = (machines.ok ? machines.value?.items ?? [] : []).filter((m) => m.customer_id === o.id);
    const keepNumbers = new Set((keep.phones ?? []).map((p) => p.number));
    const newPhones = (o.phones ?? []).filter((p) => !keepNumbers.has(p.number));
    const branches = o.branches ?? [];
    const error = h('p', { class: 'notice notice-error', role: 'alert', hidden: true });
    const confirm = h(
      'button',
      { type: 'button', id: 'merge-confirm', class: 'btn btn-danger' },
      t('merge.confirm', { other: o.name, keep: keep.name }),
    );
    const backButton = h('button', { type: 'button', class: 'btn', onclick: stepChoose }, t('merge.other'));
    const cancel = h('button', { type: 'button', class: 'btn', id: 'merge-cancel', onclick: close }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
    confirm.addEventListener('click', async () => {
      if (busy) return;
      busy = true;
      confirm.disabled = true;
      error.hidden = true;
      try {
        await ctx.call('customers.merge', { keep_id: keep.id, merge_id: o.id });
        close();
        ctx.toast(t('merge.done', { other: o.name }));
        ctx.refreshInfo();
        ctx.navigate(`#/customers/${keep.id}`);
      } catch (e) {
        error.textContent = errorText(e);
        error.hidden = false;
        confirm.disabled = false;
      } finally {
        busy = false;
      }
    });
    clear(body);
    body.append(
      h(
        'div',
        { id: 'merge-summary', class: 'merge-summary' },
        h(
          'p',
          { class: 'merge-pair' },
          h('span', { class: 'merge-from' }, o.name, h('span', { class: 'muted' }, ` #${o.id}`)),
          h('span', { class: 'merge-arrow', 'aria-hidden': 'true' }, ' → '),
          h('span', { class: 'merge-to' }, keep.name, h('span', { class: 'muted' }, ` #${keep.id}`)),
        ),
        h('p', {}, t('merge.what', { other: o.name, keep: keep.name })),
        h(
          'ul',
          { class: 'merge-list' },
          h('li', {}, t('merge.what.machines', { count: own.length })),
          branches.length ? h('li', {}, t('merge.what.branches', { count: branches.length })) : null,
          h(
            'li',
            {},
            newPhones.length
              ? t('merge.what.phones', { phones: newPhones.map(phoneDisplay).join('，') })
              : t('merge.what.phones.none'),
          ),
          h('li', {}, t('merge.what.fill')),
          h('li', {}, t('merge.what.history')),
          h('li', {}, t('merge.what.marked', { other: o.name })),
        ),
        h('p', { class: 'merge-warning' }, t('merge.irreversible')),
      ),
      error,
      h('div', { class: 'panel-actions' }, confirm, backButton, cancel),
    );
    cancel.focus();
  }

  function open() {
    if (!dialog.open) dialog.showModal();
    stepChoose();
  }
  function close() {
    if (dialog.open) dialog.close();
  }
  return { dialog, open, close, isOpen: () => dialog.open };
}

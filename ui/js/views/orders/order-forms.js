// The action panel's forms of the order file: 回电确认, 派工/改派, the reason for 待件,
// 重新打开 and 取消, 暂停计时 (what the order waits for), 完工 (diagnosis, work, parts, fees, the reason for a fee in warranty, the
// late slip's reason; confirmed with a summary before anything happens), 收款 and 修改联系人
// (the contact and phone the slip prints, in any status).
// Each builds its form for the panel and sends its step through the page; the page keeps
// the order and decides which forms are offered (the core's `actions`).
//
// `page`: { order (the order on show, read each time), id, ctx, send(command, args, {done,
// onError}), show(), loadSlips(), closePanel(), actionBar, back }.
import { h, clear, debounce } from '../../lib/dom.js';
import { errorText, errorsFor, field } from '../../lib/form.js';
import { deskInput } from '../../lib/dates.js';
import { parseQuantity, parseSignedYuan, parseYuan, yuan, yuanInput } from '../../lib/money.js';
import { t } from '../../i18n.js';
import { FEE_KINDS, PAY_METHODS } from './words.js';
import { isSave } from '../../lib/keys.js';

/** name of an action → the builder of its panel form, for the order file `page`. */
export function orderForms(page) {
  /** The frame of a panel form: title, error box, fields, save and close buttons. */
  function panelForm(action, { title, lead, fields, saveLabel, danger = false, formId }) {
    const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
    const save = h('button', { type: 'submit', class: `btn ${danger ? 'btn-danger' : 'btn-primary'}`, id: `${formId}-save` }, saveLabel, ' ', h('kbd', {}, 'Ctrl+S'));
    const close = h('button', { type: 'button', class: 'btn', id: `${formId}-close`, onclick: () => page.closePanel() }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
    const form = h(
      'form',
      { id: formId, class: 'panel-form', novalidate: true, autocomplete: 'off', dataset: { action } },
      h('h2', {}, title),
      lead ? h('p', { class: 'hint panel-lead' }, lead) : null,
      formError,
      fields,
      h('div', { class: 'form-actions form-actions-plain' }, save, close),
    );
    return { form, formError, save };
  }

  /** Enter moves through `sequence()`; from the last control it submits. Textareas keep Shift+Enter. */
  function enterOrder(form, sequence, submit) {
    form.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' || event.isComposing || event.ctrlKey || event.altKey) return;
      const target = event.target;
      if (target.tagName === 'BUTTON' || (target.tagName === 'TEXTAREA' && event.shiftKey)) return;
      if (target.closest('.part-find') && target.getAttribute('aria-expanded') === 'true') return;
      const list = sequence().filter((el) => el && !el.disabled && !el.closest('[hidden]'));
      const at = list.indexOf(target.type === 'radio' ? list.find((el) => el.name === target.name) ?? target : target);
      if (at < 0) return;
      event.preventDefault();
      if (at === list.length - 1) submit();
      else list[at + 1].focus();
    });
  }

  // 回电确认
  function confirmForm(action) {
    const note = h('input', { class: 'input input-wide', type: 'text', maxlength: '200', placeholder: t('order.confirm.placeholder') });
    const controls = { note };
    const { form, formError } = panelForm(action, {
      title: t('order.confirm.title'),
      lead: t('order.confirm.lead'),
      fields: [field('confirm', 'note', note, { label: t('order.f.note') })],
      saveLabel: t('order.confirm.save'),
      formId: 'confirm-form',
    });
    const errors = errorsFor(form, controls, formError);
    const submit = () => {
      errors.clearAll();
      page.send('orders.confirm', { note: note.value.trim() }, { done: t('order.done.confirm'), onError: errors.show });
    };
    form.addEventListener('submit', (e) => (e.preventDefault(), submit()));
    enterOrder(form, () => [note], submit);
    return { action, element: form, submit, focus: () => note.focus() };
  }

  // 取消 · 重新处理 · 待料: one reason line (required for the first two).
  function reasonForm(action) {
    const required = action !== 'wait';
    const reason = h('input', { class: 'input input-wide', type: 'text', maxlength: '200', placeholder: t(`order.${action}.placeholder`) });
    const controls = { reason, status: null };
    const { form, formError } = panelForm(action, {
      title: t(`order.${action}.title`, { number: page.order.number }),
      lead: t(`order.${action}.lead`),
      fields: [field(action, 'reason', reason, { label: t(`order.${action}.reason`), required })],
      saveLabel: t(`order.${action}.save`),
      danger: action === 'cancel',
      formId: `${action}-form`,
    });
    const errors = errorsFor(form, controls, formError);
    const to = { cancel: 'cancelled', reopen: 'in_progress', wait: 'waiting_parts' }[action];
    const submit = () => {
      errors.clearAll();
      if (required && !reason.value.trim()) {
        errors.show({ field: 'reason', message: t(`order.${action}.reason.missing`) });
        return;
      }
      page.send('orders.move', { to, reason: reason.value.trim() }, { done: t(`order.done.${action}`), onError: errors.show });
    };
    form.addEventListener('submit', (e) => (e.preventDefault(), submit()));
    enterOrder(form, () => [reason], submit);
    return { action, element: form, submit, focus: () => reason.focus() };
  }

  // 暂停计时: what the order waits for (parts, or the customer) and a note; the core stops
  // the reply and slip clocks until 恢复 or the order's next move.
  function pauseForm(action) {
    const reasons = ['parts', 'customer_unreachable', 'customer_away', 'quote_pending'];
    const reason = h(
      'select',
      { class: 'input' },
      reasons.map((r) => h('option', { value: r }, t(`order.pause.reason.${r}`))),
    );
    const note = h('input', { class: 'input input-wide', type: 'text', maxlength: '200', placeholder: t('order.pause.placeholder') });
    const controls = { reason, note, pause: null, status: null };
    const { form, formError } = panelForm(action, {
      title: t('order.pause.title', { number: page.order.number }),
      lead: t('order.pause.lead'),
      fields: [
        field('pause', 'reason', reason, { label: t('order.pause.reason'), required: true }),
        field('pause', 'note', note, { label: t('order.f.note') }),
      ],
      saveLabel: t('order.pause.save'),
      formId: 'pause-form',
    });
    const errors = errorsFor(form, controls, formError);
    const submit = () => {
      errors.clearAll();
      page.send('orders.pause', { reason: reason.value, note: note.value.trim() }, { done: t('order.done.pause'), onError: errors.show });
    };
    form.addEventListener('submit', (e) => (e.preventDefault(), submit()));
    enterOrder(form, () => [reason, note], submit);
    return { action, element: form, submit, focus: () => reason.focus() };
  }

  // 修改联系人: the contact and phone the order copied, corrected in any status (the money
  // does not change); the core reads the phone and keeps the change in the timeline.
  function contactForm(action) {
    const contact = h('input', { class: 'input', type: 'text', maxlength: '40', value: page.order.contact ?? '', autocomplete: 'off' });
    const phone = h('input', { class: 'input num', type: 'tel', maxlength: '40', value: page.order.phone ?? '', autocomplete: 'off' });
    const controls = { contact, phone };
    const { form, formError } = panelForm(action, {
      title: t('order.contact.title', { number: page.order.number }),
      lead: t('order.contact.lead'),
      fields: [
        field('contact', 'contact', contact, { label: t('order.f.contact'), required: true }),
        field('contact', 'phone', phone, { label: t('order.f.phone'), hint: t('order.contact.phone.hint') }),
      ],
      saveLabel: t('order.contact.save'),
      formId: 'contact-form',
    });
    const errors = errorsFor(form, controls, formError);
    const submit = () => {
      errors.clearAll();
      if (!contact.value.trim()) {
        errors.show({ field: 'contact', message: t('order.contact.missing') });
        return;
      }
      page.send('orders.set_contact', { order_id: page.order.id, contact: contact.value.trim(), phone: phone.value.trim() }, { done: t('order.done.contact'), onError: errors.show });
    };
    form.addEventListener('submit', (e) => (e.preventDefault(), submit()));
    enterOrder(form, () => [contact, phone], submit);
    // Esc with typing asks first (保存 / 放弃 / 继续编辑), as the other forms do.
    return { action, element: form, submit, askOnEsc: true, focus: () => (contact.focus(), contact.select()) };
  }

  // 派工 / 改派: the core's ranking with its reasons; the first is chosen.
  function assignForm(action) {
    const reassign = action === 'reassign';
    const list = h('div', { class: 'engineer-choices', id: 'assign-engineers', role: 'radiogroup', 'aria-label': t('order.assign.engineer') });
    list.append(h('p', { class: 'muted' }, t('common.loading')));
    const startFrom = deskInput(page.order.appointment_from);
    const from = h('input', { class: 'input input-when num', type: 'datetime-local', value: startFrom });
    const to = h('input', { class: 'input input-when num', type: 'datetime-local', value: deskInput(page.order.appointment_to) });
    const reason = h('input', { class: 'input input-wide', type: 'text', maxlength: '200', placeholder: t('order.reassign.placeholder') });
    const firstRadio = () => list.querySelector('input[type=radio]:checked') ?? list.querySelector('input[type=radio]');
    const controls = { engineer_id: list, appointment_from: from, appointment_to: to, reason };
    list.tabIndex = -1;
    const engineerField = h(
      'div',
      { class: 'field field-engineer_id' },
      h('span', { class: 'label' }, t('order.assign.engineer')),
      h('div', { class: 'control' }, list, h('div', { class: 'field-error', dataset: { for: 'engineer_id' }, 'aria-live': 'polite' })),
    );
    const when = h(
      'div',
      { class: 'field field-appointment' },
      h('label', { for: 'assign-appointment_from' }, t('order.f.appointment')),
      h(
        'div',
        { class: 'control' },
        h('div', { class: 'inline' }, from, h('span', { class: 'muted' }, t('order.to')), to),
        h('div', { class: 'field-error', dataset: { for: 'appointment_from' }, 'aria-live': 'polite' }),
        h('div', { class: 'field-error', dataset: { for: 'appointment_to' }, 'aria-live': 'polite' }),
        h('div', { class: 'hint' }, t('order.appointment.hint')),
      ),
    );
    from.id = 'assign-appointment_from';
    to.id = 'assign-appointment_to';
    to.setAttribute('aria-label', t('order.appointment.to'));
    const { form, formError } = panelForm(action, {
      title: t(reassign ? 'order.reassign.title' : 'order.assign.title'),
      lead: reassign ? t('order.reassign.lead', { name: page.order.engineer?.name ?? '' }) : t('order.assign.lead'),
      fields: [engineerField, when, reassign ? field('assign', 'reason', reason, { label: t('order.reassign.reason'), required: true }) : null],
      saveLabel: t(reassign ? 'order.reassign.save' : 'order.assign.save'),
      formId: 'assign-form',
    });
    const errors = errorsFor(form, controls, formError);
    const names = new Map();
    let ready = false;
    (async () => {
      try {
        const result = await page.ctx.call('orders.suggest', { id: page.id });
        if (!page.ctx.isCurrent() || !form.isConnected) return;
        const items = result?.items ?? [];
        clear(list);
        if (items.length === 0) {
          list.append(
            h(
              'p',
              { class: 'empty empty-small', id: 'assign-none' },
              t('order.assign.none'),
              ' ',
              h('a', { href: '#/settings?section=engineers', 'data-needs': 'engineers.save' }, t('order.assign.none.link')),
            ),
          );
          return;
        }
        // No engineer's regions cover the address: the core says so, above the list.
        if (result.notice) list.append(h('p', { class: 'notice notice-uncovered', id: 'assign-uncovered', role: 'status' }, result.notice));
        const current = page.order.engineer?.id ?? null;
        const pick = items.find((s) => s.engineer.id !== current) ?? items[0];
        items.forEach((s, n) => {
          names.set(String(s.engineer.id), s.engineer.name);
          const radio = h('input', {
            type: 'radio',
            name: 'engineer_id',
            value: String(s.engineer.id),
            id: `assign-engineer-${s.engineer.id}`,
            checked: s === pick,
          });
          list.append(
            h(
              'label',
              { class: `engineer-choice${s === pick ? ' is-suggested' : ''}`, for: radio.id, dataset: { id: String(s.engineer.id), rank: String(n + 1) } },
              radio,
              h(
                'span',
                { class: 'engineer-choice-text' },
                h(
                  'span',
                  { class: 'engineer-choice-name' },
                  s.engineer.name,
                  n === 0 ? h('span', { class: 'chip chip-suggested' }, t('order.assign.best')) : null,
                  s.engineer.id === current ? h('span', { class: 'chip chip-kind' }, t('order.assign.current')) : null,
                  s.region ? null : h('span', { class: 'chip chip-uncovered', title: s.region_note }, t('order.assign.uncovered')),
                ),
                h('span', { class: 'engineer-choice-reason' }, s.reason),
              ),
            ),
          );
        });
        ready = true;
        // The list came after the panel opened: move there unless the clerk went on typing.
        const at = document.activeElement;
        if ((at === from && from.value === startFrom) || at === document.body || page.actionBar.contains(at)) firstRadio()?.focus();
      } catch (error) {
        if (!form.isConnected) return;
        clear(list);
        list.append(h('p', { class: 'notice notice-error' }, errorText(error)));
      }
    })();
    const submit = () => {
      errors.clearAll();
      const chosen = list.querySelector('input[type=radio]:checked');
      if (!ready || !chosen) {
        errors.show({ field: 'engineer_id', message: t('order.assign.choose') });
        return;
      }
      if (reassign && !reason.value.trim()) {
        errors.show({ field: 'reason', message: t('order.reassign.reason.missing') });
        return;
      }
      page.send(
        'orders.assign',
        { engineer_id: Number(chosen.value), reason: reason.value.trim(), appointment_from: from.value, appointment_to: to.value },
        { done: t(reassign ? 'order.done.reassign' : 'order.done.assign', { name: names.get(chosen.value) ?? '' }), onError: errors.show },
      );
    };
    form.addEventListener('submit', (e) => (e.preventDefault(), submit()));
    enterOrder(form, () => [firstRadio(), from, to, reassign ? reason : null], submit);
    return { action, element: form, submit, focus: () => (firstRadio() ?? from).focus() };
  }

  // 收款: method, amount (default: what is still owed), note; a refund is negative with a reason.
  function payForm(action) {
    const methods = h('div', { class: 'segmented', id: 'pay-method', role: 'radiogroup', 'aria-label': t('order.pay.method') });
    for (const m of PAY_METHODS) {
      methods.append(
        h(
          'label',
          { class: 'segment', for: `pay-method-${m}` },
          h('input', { type: 'radio', name: 'method', value: m, id: `pay-method-${m}`, checked: m === 'cash' }),
          h('span', {}, t(`order.pay.${m}`)),
        ),
      );
    }
    const owed = Math.max(0, page.order.outstanding_fen);
    const amount = h('input', { class: 'input input-money num', type: 'text', inputmode: 'decimal', value: owed > 0 ? yuanInput(owed) : '' });
    const note = h('input', { class: 'input input-wide', type: 'text', maxlength: '200' });
    const checked = () => methods.querySelector('input:checked');
    const controls = { method: methods, amount_fen: amount, note, id: null };
    methods.tabIndex = -1;
    const { form, formError } = panelForm(action, {
      title: t('order.pay.title'),
      lead: t('order.pay.lead', { total: yuan(page.order.total_fen), paid: yuan(page.order.paid_fen), owed: yuan(page.order.outstanding_fen) }),
      fields: [
        h(
          'div',
          { class: 'field field-method' },
          h('span', { class: 'label' }, t('order.pay.method')),
          h('div', { class: 'control' }, methods, h('div', { class: 'field-error', dataset: { for: 'method' }, 'aria-live': 'polite' })),
        ),
        field('pay', 'amount_fen', amount, { label: t('order.pay.amount'), hint: t('order.pay.amount.hint') }),
        field('pay', 'note', note, { label: t('order.f.note'), hint: t('order.pay.note.hint') }),
      ],
      saveLabel: t('order.pay.save'),
      formId: 'pay-form',
    });
    const errors = errorsFor(form, controls, formError);
    methods.addEventListener('change', () => {
      const onAccount = checked()?.value === 'on_account';
      amount.disabled = onAccount;
      if (onAccount) amount.value = yuanInput(owed);
    });
    const submit = () => {
      errors.clearAll();
      const method = checked()?.value ?? 'cash';
      const fen = method === 'on_account' ? owed : parseSignedYuan(amount.value);
      if (fen === null) {
        errors.show({ field: 'amount_fen', message: t('money.invalid', { value: amount.value }) });
        return;
      }
      const done = method === 'on_account' ? t('order.done.on_account') : fen < 0 ? t('order.done.refund', { amount: yuan(-fen) }) : t('order.done.pay', { amount: yuan(fen) });
      page.send('orders.pay', { method, amount_fen: fen, note: note.value.trim() }, { done, onError: errors.show });
    };
    form.addEventListener('submit', (e) => (e.preventDefault(), submit()));
    enterOrder(form, () => [checked(), amount, note], submit);
    return { action, element: form, submit, focus: () => (owed > 0 ? amount : checked()).focus() };
  }

  // 完工: diagnosis, work done, parts used (found by code, name or barcode), fees in yuan.
  function completeForm(action) {
    const inWarranty = page.order.warranty === 'in';
    const diagnosis = h('input', { class: 'input input-wide', type: 'text', maxlength: '500', value: page.order.diagnosis ?? '' });
    const workDone = h('textarea', { class: 'input input-wide', rows: 2, maxlength: '500' });
    const lateReason = h('input', { class: 'input input-wide', type: 'text', maxlength: '200' });
    // A fee on an order in warranty needs its reason (the core refuses it without one).
    const feeReason = h('input', { class: 'input input-wide', type: 'text', maxlength: '200', placeholder: t('order.complete.fee_reason.placeholder') });
    const slip = (page.order.clocks ?? []).find((c) => c.kind === 'slip');
    const partsBody = h('tbody');
    const feesBody = h('tbody');
    const partsTable = h(
      'table',
      { class: 'line-table', id: 'complete-parts', tabIndex: -1 },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t('order.complete.part')),
          h('th', { scope: 'col', class: 'col-store' }, t('order.complete.store')),
          h('th', { scope: 'col', class: 'col-qty' }, t('order.complete.quantity')),
          h('th', { scope: 'col', class: 'col-money' }, t('order.complete.charged')),
          h('th', { scope: 'col', class: 'col-act' }, h('span', { class: 'visually-hidden' }, t('order.line.remove'))),
        ),
      ),
      partsBody,
    );
    const feesTable = h(
      'table',
      { class: 'line-table', id: 'complete-fees', tabIndex: -1 },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col', class: 'col-fee-kind' }, t('order.complete.fee_kind')),
          h('th', { scope: 'col' }, t('order.complete.fee_description')),
          h('th', { scope: 'col', class: 'col-money' }, t('order.complete.fee_amount')),
          h('th', { scope: 'col', class: 'col-act' }, h('span', { class: 'visually-hidden' }, t('order.line.remove'))),
        ),
      ),
      feesBody,
    );
    const total = h('div', { class: 'complete-total', id: 'complete-total', 'aria-live': 'polite' });
    const addPart = h('button', { type: 'button', class: 'btn btn-small', id: 'complete-add-part', title: t('order.complete.add_part.title') }, t('order.complete.add_part'), ' ', h('kbd', {}, 'Insert'));
    const addFee = h('button', { type: 'button', class: 'btn btn-small', id: 'complete-add-fee' }, t('order.complete.add_fee'));
    // The line tables take the focus for their errors, but not errorsFor's listeners: the
    // `change` that fires when the focus leaves a quantity would clear the message at once.
    const standIn = (table) => ({
      focus: () => table.focus(),
      setAttribute: (name, value) => table.setAttribute(name, value),
      removeAttribute: (name) => table.removeAttribute(name),
    });
    const controls = { diagnosis, work_done: workDone, parts: standIn(partsTable), fees: standIn(feesTable), fee_reason: feeReason, late_reason: lateReason, status: null };
    const feeReasonField = field('complete', 'fee_reason', feeReason, { label: t('order.complete.fee_reason'), hint: t('order.complete.fee_reason.hint'), required: true });
    feeReasonField.hidden = true;
    const lateField = field('complete', 'late_reason', lateReason, { label: t('order.complete.late_reason'), hint: t('order.complete.late_reason.hint'), required: true });
    lateField.hidden = slip?.state !== 'broken';
    const partsField = h(
      'div',
      { class: 'field field-parts' },
      h('span', { class: 'label' }, t('order.complete.parts')),
      h(
        'div',
        { class: 'control' },
        partsTable,
        h('div', { class: 'field-error', dataset: { for: 'parts' }, 'aria-live': 'polite' }),
        h('div', { class: 'line-actions' }, addPart, h('span', { class: 'hint' }, t(inWarranty ? 'order.complete.parts.free' : 'order.complete.parts.hint'))),
      ),
    );
    const feesField = h(
      'div',
      { class: 'field field-fees' },
      h('span', { class: 'label' }, t('order.complete.fees')),
      h(
        'div',
        { class: 'control' },
        feesTable,
        h('div', { class: 'field-error', dataset: { for: 'fees' }, 'aria-live': 'polite' }),
        h('div', { class: 'line-actions' }, addFee, h('span', { class: 'hint' }, t('order.complete.fees.hint'))),
        total,
      ),
    );
    const { form, formError } = panelForm(action, {
      title: t('order.complete.title'),
      lead: t(inWarranty ? 'order.complete.lead.in' : 'order.complete.lead.out'),
      fields: [
        field('complete', 'diagnosis', diagnosis, { label: t('order.f.diagnosis') }),
        field('complete', 'work_done', workDone, { label: t('order.f.work_done'), required: true, hint: t('order.complete.work_done.hint') }),
        partsField,
        feesField,
        feeReasonField,
        lateField,
      ],
      saveLabel: t('order.complete.review'),
      formId: 'complete-form',
    });
    form.classList.add('complete-form');
    const errors = errorsFor(form, controls, formError);
    partsTable.addEventListener('input', () => errors.clearOne('parts'));
    feesTable.addEventListener('input', () => errors.clearOne('fees'));

    // Stores are read once per form; parts come with their stock per store.
    let stores = [];
    let vanStore = null;
    const storesReady = page.ctx.call('stores.list', {}).then((r) => {
      stores = r?.items ?? [];
      vanStore = stores.find((s) => s.kind === 'van' && page.order.engineer && s.engineer === page.order.engineer.name) ?? null;
    }).catch(() => {});

    const partLines = [];
    const feeLines = [];

    function partLine() {
      const line = { part: null, el: null };
      const find = h('input', {
        class: 'input part-find-input',
        type: 'text',
        autocomplete: 'off',
        spellcheck: 'false',
        placeholder: t('order.complete.part.placeholder'),
        role: 'combobox',
        'aria-expanded': 'false',
        'aria-autocomplete': 'list',
        'aria-label': t('order.complete.part'),
      });
      const results = h('ul', { class: 'picker-results part-results', role: 'listbox', hidden: true });
      const store = h('select', { class: 'input part-store', 'aria-label': t('order.complete.store'), disabled: true });
      const qty = h('input', { class: 'input part-qty num', type: 'text', inputmode: 'numeric', value: '1', 'aria-label': t('order.complete.quantity') });
      const charged = h('span', { class: 'num part-charged' });
      const remove = h('button', { type: 'button', class: 'btn btn-quiet btn-small line-remove', title: t('order.line.remove'), 'aria-label': t('order.line.remove') }, '✕');
      const lineError = h('div', { class: 'field-error line-error', 'aria-live': 'polite' });
      line.find = find;
      line.store = store;
      line.qty = qty;
      line.charged = charged;
      line.lineError = lineError;
      let items = [];
      let active = -1;
      let seq = 0;

      function closeList() {
        results.hidden = true;
        find.setAttribute('aria-expanded', 'false');
        active = -1;
      }
      function setActive(i) {
        const all = [...results.querySelectorAll('li[role=option]')];
        if (!all.length) return;
        active = (i + all.length) % all.length;
        all.forEach((li, n) => li.setAttribute('aria-selected', n === active ? 'true' : 'false'));
        all[active].scrollIntoView({ block: 'nearest' });
      }
      async function choose(part) {
        await storesReady;
        line.part = part;
        find.value = `${part.code} ${part.name}`;
        find.classList.add('is-chosen');
        closeList();
        const stock = new Map((part.stock ?? []).map((s) => [s.store_id, s.on_hand]));
        clear(store);
        for (const s of stores) {
          store.append(h('option', { value: String(s.id) }, t('order.complete.store.option', { store: s.name, on_hand: stock.get(s.id) ?? 0, unit: part.unit ?? '' })));
        }
        // The engineer's van first when it holds the part, else the store that has most.
        const van = vanStore && (stock.get(vanStore.id) ?? 0) > 0 ? vanStore.id : null;
        const best = [...stock.entries()].sort((a, b) => b[1] - a[1])[0];
        const main = stores.find((s) => s.kind === 'main');
        store.value = String(van ?? (best && best[1] > 0 ? best[0] : main?.id ?? stores[0]?.id ?? ''));
        store.disabled = false;
        lineError.textContent = '';
        updateTotal();
        qty.focus();
        qty.select();
      }
      function showList(query) {
        clear(results);
        if (items.length === 0) {
          results.append(h('li', { class: 'picker-none', role: 'presentation' }, t('order.complete.part.none', { query })));
        } else {
          for (const p of items) {
            const onHand = (p.stock ?? []).map((s) => `${s.store_name} ${s.on_hand}`).join(' · ') || t('order.complete.part.nostock');
            results.append(
              h(
                'li',
                {
                  role: 'option',
                  'aria-selected': 'false',
                  dataset: { id: String(p.id), code: p.code },
                  onmousedown: (event) => {
                    event.preventDefault();
                    choose(p);
                  },
                },
                h('span', { class: 'picker-name' }, `${p.code} ${p.name}`, p.spec ? h('span', { class: 'muted' }, ` ${p.spec}`) : null),
                h('span', { class: 'picker-meta' }, `${yuan(p.price_fen)} · ${onHand}`),
              ),
            );
          }
        }
        results.hidden = false;
        find.setAttribute('aria-expanded', 'true');
        active = -1;
      }
      async function search() {
        const query = find.value.trim();
        const mine = ++seq;
        if (!query) {
          closeList();
          return;
        }
        try {
          const r = await page.ctx.call('parts.list', { query, page: 1, page_size: 8 });
          if (mine !== seq || !form.isConnected) return;
          items = r?.items ?? [];
          showList(query);
        } catch (error) {
          if (mine !== seq) return;
          clear(results);
          results.append(h('li', { class: 'picker-none notice-error', role: 'presentation' }, errorText(error)));
          results.hidden = false;
        }
      }
      const searchSoon = debounce(search, 200);
      line.dispose = () => searchSoon.cancel();
      find.addEventListener('input', () => {
        if (line.part) {
          line.part = null;
          find.classList.remove('is-chosen');
          store.disabled = true;
          clear(store);
          updateTotal();
        }
        searchSoon();
      });
      find.addEventListener('keydown', async (event) => {
        if (event.isComposing) return;
        if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
          event.preventDefault();
          if (results.hidden) {
            searchSoon.cancel();
            await search();
            setActive(0);
          } else setActive(active + (event.key === 'ArrowDown' ? 1 : -1));
        } else if (event.key === 'Enter' && !line.part) {
          event.preventDefault();
          event.stopPropagation();
          // A scanner's burst ends in Enter before the debounce: look it up now.
          if (results.hidden || active < 0) {
            searchSoon.cancel();
            await search();
          }
          const text = find.value.trim().toUpperCase();
          const exact = items.find((p) => p.code.toUpperCase() === text || (p.barcode && p.barcode.toUpperCase() === text));
          const pick = active >= 0 ? items[active] : exact ?? (items.length === 1 ? items[0] : null);
          if (pick) choose(pick);
          else if (items.length) setActive(0);
        } else if (event.key === 'Escape' && !results.hidden) {
          event.preventDefault();
          event.stopPropagation();
          closeList();
        }
      });
      find.addEventListener('blur', () => {
        searchSoon.cancel();
        seq += 1;
        closeList();
      });
      qty.addEventListener('input', () => {
        lineError.textContent = '';
        qty.removeAttribute('aria-invalid');
        updateTotal();
      });
      store.addEventListener('change', updateTotal);
      remove.addEventListener('click', () => {
        line.dispose();
        partLines.splice(partLines.indexOf(line), 1);
        line.el.remove();
        updateTotal();
        (partLines[0]?.find ?? addPart).focus();
      });
      line.el = h(
        'tr',
        { class: 'part-line' },
        h('td', {}, h('div', { class: 'part-find' }, find, results), lineError),
        h('td', { class: 'col-store' }, store),
        h('td', { class: 'col-qty' }, qty),
        h('td', { class: 'col-money qty' }, charged),
        h('td', { class: 'col-act' }, remove),
      );
      partLines.push(line);
      partsBody.append(line.el);
      return line;
    }

    function feeLine(kind = 'labour') {
      const line = {};
      const kindSelect = h(
        'select',
        { class: 'input fee-kind', 'aria-label': t('order.complete.fee_kind'), value: kind },
        FEE_KINDS.map((k) => h('option', { value: k }, t(`order.fee.${k}`))),
      );
      const description = h('input', { class: 'input fee-description', type: 'text', maxlength: '60', 'aria-label': t('order.complete.fee_description') });
      const amount = h('input', { class: 'input fee-amount num', type: 'text', inputmode: 'decimal', placeholder: '0.00', 'aria-label': t('order.complete.fee_amount') });
      const remove = h('button', { type: 'button', class: 'btn btn-quiet btn-small line-remove', title: t('order.line.remove'), 'aria-label': t('order.line.remove') }, '✕');
      const lineError = h('div', { class: 'field-error line-error', 'aria-live': 'polite' });
      Object.assign(line, { kind: kindSelect, description, amount, lineError });
      amount.addEventListener('input', () => {
        lineError.textContent = '';
        amount.removeAttribute('aria-invalid');
        updateTotal();
      });
      remove.addEventListener('click', () => {
        feeLines.splice(feeLines.indexOf(line), 1);
        line.el.remove();
        updateTotal();
        addFee.focus();
      });
      line.el = h(
        'tr',
        { class: 'fee-line' },
        h('td', { class: 'col-fee-kind' }, kindSelect),
        h('td', {}, description),
        h('td', { class: 'col-money' }, amount, lineError),
        h('td', { class: 'col-act' }, remove),
      );
      feeLines.push(line);
      feesBody.append(line.el);
      return line;
    }

    function updateTotal() {
      let partsFen = 0;
      let unreadable = false;
      for (const line of partLines) {
        const q = parseQuantity(line.qty.value);
        const fen = line.part && q ? (inWarranty ? 0 : line.part.price_fen * q) : 0;
        line.charged.textContent = line.part ? (inWarranty ? t('order.line.free') : yuan(fen)) : '';
        partsFen += fen;
      }
      let feesFen = 0;
      for (const line of feeLines) {
        const fen = parseYuan(line.amount.value);
        if (fen === null) unreadable = true;
        else feesFen += fen;
      }
      // In warranty, a fee asks for its reason.
      const askReason = inWarranty && feesFen > 0;
      if (feeReasonField.hidden === askReason) feeReasonField.hidden = !askReason;
      clear(total);
      total.append(
        h('span', {}, t('order.complete.total.parts'), ' ', h('span', { class: 'num' }, yuan(partsFen))),
        h('span', {}, t('order.complete.total.fees'), ' ', h('span', { class: 'num' }, unreadable ? '—' : yuan(feesFen))),
        h('strong', {}, t('order.total'), ' ', h('span', { class: 'num', id: 'complete-total-amount' }, unreadable ? '—' : yuan(partsFen + feesFen))),
      );
    }

    partLine();
    feeLine('labour');
    updateTotal();
    addPart.addEventListener('click', () => partLine().find.focus());
    addFee.addEventListener('click', () => feeLine('other').kind.focus());
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Insert' && !event.ctrlKey && !event.altKey) {
        event.preventDefault();
        event.stopPropagation();
        partLine().find.focus();
      }
    });

    /** The completion as typed, checked here first; null (with the errors shown) if not. */
    function collect() {
      errors.clearAll();
      for (const line of [...partLines, ...feeLines]) line.lineError.textContent = '';
      if (!workDone.value.trim()) {
        errors.show({ field: 'work_done', message: t('order.complete.work_done.missing') });
        return null;
      }
      const parts = [];
      for (const line of partLines) {
        const typed = line.find.value.trim();
        if (!line.part) {
          if (!typed) continue;
          line.lineError.textContent = t('order.complete.part.pick');
          line.find.focus();
          return null;
        }
        const q = parseQuantity(line.qty.value);
        if (!q) {
          line.lineError.textContent = t('quantity.invalid', { value: line.qty.value });
          line.qty.setAttribute('aria-invalid', 'true');
          line.qty.focus();
          line.qty.select();
          return null;
        }
        parts.push({ part_id: line.part.id, store_id: Number(line.store.value), quantity: q, line });
      }
      const fees = [];
      for (const line of feeLines) {
        const fen = parseYuan(line.amount.value);
        if (fen === null) {
          line.lineError.textContent = t('money.invalid', { value: line.amount.value });
          line.amount.setAttribute('aria-invalid', 'true');
          line.amount.focus();
          line.amount.select();
          return null;
        }
        if (fen > 0) fees.push({ kind: line.kind.value, description: line.description.value.trim(), amount_fen: fen });
      }
      const charged = fees.reduce((sum, f) => sum + f.amount_fen, 0);
      if (inWarranty && charged > 0 && !feeReason.value.trim()) {
        errors.show({ field: 'fee_reason', message: t('order.complete.fee_reason.missing', { amount: yuan(charged) }) });
        return null;
      }
      return { parts, fees };
    }

    // 完工 confirms first: what leaves which store, what the customer owes; only 确认完工
    // completes (Enter in the last field only gets here).
    const summary = h('div', { class: 'complete-summary', id: 'complete-summary' });
    const confirmError = h('p', { class: 'notice notice-error', role: 'alert', hidden: true });
    const confirmTitle = h('h2', { id: 'complete-confirm-title', tabIndex: -1 }, t('order.complete.confirm.title', { number: page.order.number }));
    const confirmYes = h('button', { type: 'button', class: 'btn btn-primary', id: 'complete-confirm' }, t('order.complete.save'));
    const confirmNo = h('button', { type: 'button', class: 'btn', id: 'complete-back' }, t('order.complete.confirm.back'), ' ', h('kbd', {}, 'Esc'));
    const confirmDialog = h(
      'dialog',
      { class: 'panel complete-confirm', id: 'complete-confirm-dialog', 'aria-labelledby': 'complete-confirm-title', 'aria-describedby': 'complete-summary' },
      h('div', { class: 'panel-head' }, confirmTitle),
      summary,
      confirmError,
      h('div', { class: 'panel-actions' }, confirmYes, confirmNo),
    );
    form.append(confirmDialog);
    let pending = null; // the completion on review
    function closeConfirm(focus = true) {
      pending = null;
      if (confirmDialog.open) confirmDialog.close();
      if (focus) (form.querySelector('[aria-invalid=true]') ?? form.querySelector(`#${form.id}-save`))?.focus();
    }
    confirmNo.addEventListener('click', () => closeConfirm());
    // The dialog keeps its keys: Esc goes back to the form (never closes the panel with what
    // was typed), Ctrl+S does nothing here, and no order letter fires underneath.
    confirmDialog.addEventListener('keydown', (event) => {
      event.stopPropagation();
      if (event.key === 'Escape') {
        event.preventDefault();
        closeConfirm();
      } else if (isSave(event)) event.preventDefault();
    });
    confirmDialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      closeConfirm();
    });

    function storeText(id) {
      const store = stores.find((s) => s.id === id);
      if (!store) return t('order.complete.confirm.store.unknown', { id });
      return t(store.kind === 'van' ? 'order.complete.confirm.store.van' : 'order.complete.confirm.store.main', { store: store.name });
    }

    function review(done) {
      const partsFen = inWarranty ? 0 : done.parts.reduce((sum, p) => sum + p.line.part.price_fen * p.quantity, 0);
      const feesFen = done.fees.reduce((sum, f) => sum + f.amount_fen, 0);
      const totalFen = partsFen + feesFen;
      const owed = Math.max(0, totalFen - (page.order.paid_fen ?? 0));
      clear(summary);
      summary.append(
        h('h3', { class: 'subhead' }, t('order.complete.confirm.parts')),
        done.parts.length
          ? h(
              'ul',
              { class: 'plain-list', id: 'complete-summary-parts' },
              done.parts.map((p) =>
                h(
                  'li',
                  { dataset: { part: String(p.part_id), store: String(p.store_id) } },
                  t('order.complete.confirm.part', {
                    part: `${p.line.part.code} ${p.line.part.name}`,
                    quantity: p.quantity,
                    unit: p.line.part.unit ?? '',
                    store: storeText(p.store_id),
                  }),
                ),
              ),
            )
          : h('p', { class: 'muted', id: 'complete-summary-parts' }, t('order.complete.confirm.no_parts')),
        h('h3', { class: 'subhead' }, t('order.complete.confirm.money')),
        h(
          'dl',
          { class: 'details complete-summary-money' },
          h('dt', {}, t('order.complete.total.parts')),
          h('dd', { class: 'num' }, inWarranty && done.parts.length ? t('order.complete.confirm.parts_free') : yuan(partsFen)),
          h('dt', {}, t('order.complete.total.fees')),
          h('dd', { class: 'num' }, yuan(feesFen)),
          inWarranty && feesFen > 0 ? [h('dt', {}, t('order.complete.fee_reason')), h('dd', { id: 'complete-summary-reason' }, feeReason.value.trim())] : null,
          h('dt', {}, t('order.complete.confirm.due')),
          h('dd', {}, h('strong', { class: 'num', id: 'complete-summary-due' }, yuan(owed))),
        ),
      );
      confirmError.hidden = true;
      pending = done;
      if (!confirmDialog.open) confirmDialog.showModal();
      // Not on 确认完工: a second Enter must not complete the order.
      confirmTitle.focus();
    }

    const submit = () => {
      const done = collect();
      if (done) review(done);
    };
    confirmYes.addEventListener('click', () => {
      if (!pending) return;
      const { parts, fees } = pending;
      const args = {
        diagnosis: diagnosis.value.trim(),
        work_done: workDone.value.trim(),
        parts: parts.map(({ part_id, store_id, quantity }) => ({ part_id, store_id, quantity })),
        fees,
        fee_reason: feeReason.value.trim(),
        late_reason: lateReason.value.trim(),
      };
      confirmYes.disabled = true;
      page
        .send('orders.complete', args, {
          done: t('order.done.complete'),
          onError: (error) => {
            closeConfirm(false);
            // The core asks for the late reason only when the slip is late: show the field then.
            if (error?.field === 'late_reason') lateField.hidden = false;
            if (error?.field === 'fee_reason') feeReasonField.hidden = false;
            errors.show(error);
          },
        })
        .finally(() => {
          confirmYes.disabled = false;
          if (confirmDialog.isConnected && confirmDialog.open) closeConfirm(false);
        });
    });
    form.addEventListener('submit', (e) => (e.preventDefault(), submit()));
    enterOrder(
      form,
      () => [
        diagnosis,
        workDone,
        ...partLines.flatMap((l) => [l.find, l.store, l.qty]),
        ...feeLines.flatMap((l) => [l.kind, l.description, l.amount]),
        feeReason,
        lateReason,
      ],
      submit,
    );
    return {
      action,
      element: form,
      submit,
      focus: () => (diagnosis.value ? workDone : diagnosis).focus(),
      dispose: () => {
        partLines.forEach((l) => l.dispose());
        if (confirmDialog.open) confirmDialog.close();
      },
    };
  }

  return {
    confirm: confirmForm,
    assign: assignForm,
    reassign: assignForm,
    reopen: reasonForm,
    wait: reasonForm,
    cancel: reasonForm,
    complete: completeForm,
    pay: payForm,
    contact: contactForm,
    pause: pauseForm,
  };
}

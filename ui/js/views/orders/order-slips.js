// The order file's 服务单 and 客户意见 sections: the one-click print button and its options
// (打印服务单, Ctrl+P), the order's slips with their prints, reprints and voids, and from
// completion on the customer's opinion and signature (签名板).
//
// `page`: { order (the order on show, read each time; a saved opinion replaces it), id, ctx,
// show(), reload(), back }.
import { h, clear } from '../../lib/dom.js';
import { errorText, errorsFor, field } from '../../lib/form.js';
import { deskDateTime } from '../../lib/dates.js';
import { isSave } from '../../lib/keys.js';
import { signaturePad, signatureSvg } from '../../lib/signature-pad.js';
import { choiceText, remembered as rememberedSlip, slipDialog, voidDialog } from '../../lib/slip-dialog.js';
import { t } from '../../i18n.js';

/** Statuses in which the customer's opinion and signature are taken (完工 and after). */
export const DONE = ['completed', 'called_back', 'closed'];
const OPINIONS = ['satisfied', 'basically', 'unsatisfied'];

/** The slips and opinion sections of the order file `page`. */
export function orderSlips(page) {
  // 服务单: the one-click button (the way, paper and parts used last on this desk), the
  // options, the order's slips, and the customer's opinion and signature.
  const slipQuick = h('button', { type: 'button', class: 'btn btn-slip', id: 'order-slip-print' });
  const slipOptions = h(
    'button',
    { type: 'button', class: 'btn btn-slip-options', id: 'order-slip-options', title: t('slips.options.title'), 'aria-label': t('slips.options.title'), 'aria-haspopup': 'dialog' },
    '▾',
  );
  const slipButtons = h('div', { class: 'slip-buttons', role: 'group', 'aria-label': t('slips.title'), dataset: { needs: 'slips.print' } }, slipQuick, slipOptions);
  const slipsBox = h('section', { class: 'card file-section order-slips', id: 'order-slips', 'aria-labelledby': 'order-slips-title' });
  const opinionBox = h('section', { class: 'card file-section order-opinion', id: 'order-opinion', 'aria-labelledby': 'order-opinion-title' });
  let slips = null; // the order's slips, oldest first; null until read
  let slipsError = null;
  const printDialog = slipDialog(page.ctx, {
    onPrinted: () => {
      loadSlips();
      page.reload();
    },
  });
  const voider = voidDialog(page.ctx, {
    onVoided: (slip) => {
      loadSlips().then(() => slipsBox.querySelector(`tr[data-number="${slip.number}"] .slip-state`)?.focus());
      page.reload();
    },
  });
  // What the page knows of the opinion saved: the core's fields when it sends them, else
  // what was saved from this page.
  let savedOpinion = null;
  let opinionDraft = null; // {opinion, remarks} typed but not saved, kept across re-renders
  let pad = null;

  // ---- 服务单 ------------------------------------------------------------------------------
  const printable = () => page.order.status !== 'cancelled';

  function showSlipButtons() {
    slipButtons.hidden = !printable();
    const choice = rememberedSlip();
    clear(slipQuick);
    slipQuick.dataset.way = choice.way;
    slipQuick.append(t(`slips.quick.${choice.way}`), h('span', { class: 'slip-choice' }, choiceText(choice)), ' ', h('kbd', {}, 'Ctrl+P'));
    slipQuick.title = t(`slips.quick.${choice.way}.title`, { choice: choiceText(choice) });
  }

  async function loadSlips() {
    try {
      const result = await page.ctx.call('slips.list', { order_id: page.id });
      slips = result?.items ?? [];
      slipsError = null;
    } catch (error) {
      slipsError = errorText(error);
    }
    if (page.ctx.isCurrent()) {
      showSlips();
      showSlipButtons();
    }
  }

  function showSlips() {
    const hadFocus = slipsBox.contains(document.activeElement) ? document.activeElement.id || document.activeElement.dataset.number : null;
    clear(slipsBox);
    const live = (slips ?? []).filter((s) => !s.void);
    slipsBox.append(
      h(
        'div',
        { class: 'section-head' },
        h('h2', { id: 'order-slips-title' }, t('slips.history')),
        h('span', { class: 'section-count' }, slips ? t('slips.history.count', { n: slips.length }) : ''),
        h('a', { href: '#/slips/continuity', class: 'section-link', id: 'order-slips-continuity' }, t('slips.continuity.link')),
      ),
    );
    if (slipsError) {
      slipsBox.append(h('p', { class: 'notice notice-error', role: 'alert' }, slipsError));
      return;
    }
    if (!slips) {
      slipsBox.append(h('p', { class: 'muted' }, t('common.loading')));
      return;
    }
    if (slips.length === 0) {
      slipsBox.append(h('p', { class: 'empty empty-small', id: 'order-slips-empty' }, t(printable() ? 'slips.history.empty' : 'slips.history.cancelled')));
      return;
    }
    slipsBox.append(
      h(
        'table',
        { class: 'grid grid-compact slip-table', id: 'order-slip-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col', class: 'col-slip-number' }, t('slips.col.number')),
            h('th', { scope: 'col', class: 'col-slip-at' }, t('slips.col.created')),
            h('th', { scope: 'col', class: 'col-slip-prints' }, t('slips.col.prints')),
            h('th', { scope: 'col', class: 'col-slip-reprints' }, t('slips.col.reprints')),
            h('th', { scope: 'col', class: 'col-slip-state' }, t('slips.col.state')),
            h('th', { scope: 'col', class: 'col-act' }, h('span', { class: 'visually-hidden' }, t('slips.void'))),
          ),
        ),
        h(
          'tbody',
          {},
          slips.map((s) =>
            h(
              'tr',
              { dataset: { number: s.number, state: s.void ? 'void' : 'live', prints: String(s.prints) }, class: s.void ? 'is-void' : '' },
              h('td', { class: 'col-slip-number num' }, s.number),
              h('td', { class: 'col-slip-at num' }, deskDateTime(s.created_at)),
              h('td', { class: 'col-slip-prints qty' }, String(s.prints)),
              h('td', { class: 'col-slip-reprints qty' }, String(Math.max(0, s.prints - 1))),
              h(
                'td',
                { class: 'col-slip-state', title: s.void ? t('slips.voided.title', { at: deskDateTime(s.void.at), user: s.void.user, reason: s.void.reason }) : '' },
                h('span', { class: `chip slip-state ${s.void ? 'chip-slip-void' : 'chip-slip-live'}`, tabIndex: -1 }, t(s.void ? 'slips.state.void' : 'slips.state.live')),
                s.void ? h('span', { class: 'slip-void-reason' }, ` ${s.void.reason}`) : null,
              ),
              h(
                'td',
                { class: 'col-act' },
                s.void
                  ? null
                  : h(
                      'button',
                      {
                        type: 'button',
                        class: 'btn btn-small btn-quiet-danger slip-void',
                        dataset: { number: s.number, needs: 'slips.void' },
                        title: t('slips.void.button.title', { number: s.number }),
                        onclick: (event) => voider.open(s, event.currentTarget),
                      },
                      t('slips.void'),
                    ),
              ),
            ),
          ),
        ),
      ),
    );
    if (live.length === 0 && printable()) slipsBox.append(h('p', { class: 'hint', id: 'order-slips-next' }, t('slips.history.next')));
    if (hadFocus) (slipsBox.querySelector(`#${CSS.escape(hadFocus)}`) ?? slipsBox.querySelector(`[data-number="${CSS.escape(hadFocus)}"]`))?.focus();
  }

  function openPrint(from) {
    // Ctrl+P too: not for a user whose roles may not print (the buttons are hidden then).
    if (!printable() || slipButtons.classList.contains('role-hidden') || printDialog.isOpen() || voider.isOpen()) return;
    printDialog.open(page.order, from ?? document.activeElement);
  }
  slipQuick.addEventListener('click', async () => {
    if (slipQuick.disabled) return;
    slipQuick.disabled = true;
    try {
      await printDialog.quick(page.order, slipQuick);
    } finally {
      slipQuick.disabled = false;
      showSlipButtons();
      if (!printDialog.isOpen() && slipQuick.isConnected) slipQuick.focus();
    }
  });
  slipOptions.addEventListener('click', () => openPrint(slipOptions));
  printDialog.dialog.addEventListener('close', showSlipButtons);

  // ---- 客户意见与签名 ---------------------------------------------------------------------
  function opinionFromOrder() {
    // The core's order carries these once it sends them (see docs/contract-slips-ui.md).
    if (page.order.opinion === undefined) return savedOpinion;
    return { opinion: page.order.opinion ?? '', remarks: page.order.opinion_remarks ?? '', signature: page.order.signature ?? [] };
  }

  function showOpinion() {
    const done = DONE.includes(page.order.status);
    opinionBox.hidden = !done;
    if (!done) {
      clear(opinionBox);
      pad = null;
      return;
    }
    // A re-render (after a step or a print) keeps what the clerk has ticked and drawn.
    if (opinionBox.contains(document.activeElement) && pad) return;
    const strokesBefore = pad?.strokes() ?? [];
    const saved = opinionFromOrder();
    const draft = opinionDraft ?? { opinion: saved?.opinion ?? '', remarks: saved?.remarks ?? '' };
    clear(opinionBox);

    const ticks = h('div', { class: 'segmented opinion-ticks', id: 'opinion-ticks', role: 'radiogroup', 'aria-label': t('slips.opinion'), tabIndex: -1 });
    for (const o of OPINIONS) {
      ticks.append(
        h(
          'label',
          { class: 'segment', for: `opinion-${o}` },
          h('input', { type: 'radio', name: 'opinion', value: o, id: `opinion-${o}`, checked: draft.opinion === o }),
          h('span', {}, t(`slips.opinion.${o}`)),
        ),
      );
    }
    const remarks = h('input', { class: 'input input-wide', type: 'text', maxlength: '200', autocomplete: 'off', placeholder: t('slips.opinion.remarks.placeholder'), value: draft.remarks });
    pad = signaturePad({ id: 'signature-pad' });
    if (strokesBefore.length) pad.setStrokes(strokesBefore);
    const keep = () => {
      opinionDraft = { opinion: ticks.querySelector('input:checked')?.value ?? '', remarks: remarks.value };
    };
    ticks.addEventListener('change', keep);
    remarks.addEventListener('input', keep);

    const savedBox = h('div', { class: 'opinion-saved', id: 'opinion-saved' });
    if (saved && (saved.opinion || saved.remarks || saved.signature?.length)) {
      savedBox.append(
        h(
          'p',
          { class: 'opinion-saved-line' },
          h('span', { class: 'chip chip-opinion', dataset: { opinion: saved.opinion || 'none' } }, saved.opinion ? t(`slips.opinion.${saved.opinion}`) : t('slips.opinion.none')),
          saved.remarks ? h('span', { class: 'opinion-saved-remarks' }, saved.remarks) : null,
        ),
        saved.signature?.length
          ? h('figure', { class: 'opinion-signature', id: 'opinion-signature' }, signatureSvg(saved.signature), h('figcaption', { class: 'hint' }, t('slips.signature.saved')))
          : h('p', { class: 'hint', id: 'opinion-unsigned' }, t('slips.signature.none')),
      );
    } else {
      // Without the core's fields the last opinion recorded is read from the timeline.
      const last = [...(page.order.events ?? [])].reverse().find((e) => e.kind === 'opinion');
      savedBox.append(h('p', { class: 'hint', id: 'opinion-none' }, last ? t('slips.opinion.recorded', { detail: last.detail ?? '', at: deskDateTime(last.at) }) : t('slips.opinion.empty')));
    }

    const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
    const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'opinion-save' }, t('slips.opinion.save'), ' ', h('kbd', {}, 'Ctrl+S'));
    const signatureField = h(
      'div',
      { class: 'field field-signature' },
      h('label', { for: 'signature-pad-canvas' }, t('slips.signature')),
      h('div', { class: 'control' }, pad.element, h('div', { class: 'field-error', dataset: { for: 'signature' }, 'aria-live': 'polite' }), h('div', { class: 'hint' }, t('slips.signature.hint'))),
    );
    const form = h(
      'form',
      { id: 'opinion-form', class: 'opinion-form', novalidate: true, autocomplete: 'off', dataset: { needs: 'slips.opinion' } },
      formError,
      h(
        'div',
        { class: 'field field-opinion' },
        h('span', { class: 'label' }, t('slips.opinion')),
        h('div', { class: 'control' }, ticks, h('div', { class: 'field-error', dataset: { for: 'opinion' }, 'aria-live': 'polite' })),
      ),
      field('opinion', 'remarks', remarks, { label: t('slips.opinion.remarks') }),
      signatureField,
      h('div', { class: 'form-actions' }, save),
    );
    const errors = errorsFor(form, { opinion: ticks, remarks, signature: pad.canvas, order_id: null }, formError);
    let saving = false;
    async function submit() {
      if (saving) return;
      errors.clearAll();
      const opinion = ticks.querySelector('input:checked')?.value ?? '';
      // An empty pad keeps a signature already saved; 清除 on it then signing anew replaces it.
      const signature = pad.isEmpty() ? saved?.signature ?? [] : pad.strokes();
      saving = true;
      save.disabled = true;
      try {
        const result = await page.ctx.call('slips.opinion', { order_id: page.id, opinion, remarks: remarks.value.trim(), signature });
        if (!page.ctx.isCurrent()) return;
        savedOpinion = { opinion, remarks: remarks.value.trim(), signature };
        opinionDraft = null;
        page.order = result;
        pad = null;
        document.activeElement?.blur();
        page.show();
        page.ctx.toast(t('slips.opinion.done'));
        (opinionBox.querySelector('#opinion-save') ?? page.back).focus();
      } catch (error) {
        if (!page.ctx.isCurrent()) return;
        errors.show(error);
      } finally {
        saving = false;
        save.disabled = false;
      }
    }
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit();
    });
    form.addEventListener('keydown', (event) => {
      if (isSave(event)) {
        event.preventDefault();
        event.stopPropagation();
        submit();
      } else if (event.key === 'Enter' && !event.isComposing && event.target === remarks) {
        event.preventDefault();
        pad.canvas.focus();
      } else if (event.key === 'Enter' && !event.isComposing && event.target.name === 'opinion') {
        event.preventDefault();
        remarks.focus();
      }
    });
    opinionBox.append(
      h(
        'div',
        { class: 'section-head' },
        h('h2', { id: 'order-opinion-title' }, t('slips.opinion.title')),
        h('span', { class: 'section-count' }, t('slips.opinion.lead')),
      ),
      h('div', { class: 'opinion-columns' }, form, savedBox),
    );
  }

  return {
    slipButtons,
    slipQuick,
    slipsBox,
    opinionBox,
    dialogs: [printDialog.dialog, voider.dialog],
    /** Draws the print buttons, the slips and the opinion for the order on show. */
    show() {
      showOpinion();
      showSlipButtons();
      showSlips();
    },
    loadSlips,
    openPrint,
    /** A dialog of this section is open: the page leaves the keys to it. */
    dialogOpen: () => printDialog.isOpen() || voider.isOpen(),
    /** A signature drawn and not saved yet. */
    hasSignature: () => Boolean(pad && !pad.isEmpty()),
    dispose() {
      printDialog.close();
      voider.close();
    },
  };
}

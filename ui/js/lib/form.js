// Small pieces every form on the desk shares: a labelled field with its error line, and
// showing the core's {code, message, field} under that field (focus moves there, nothing
// typed is lost).
import { h } from './dom.js';
import { t } from '../i18n.js';

/**
 * A label + control + error line (+ hint). The control gets `id = prefix-name` and
 * `name = name`; the error line is `.field-error[data-for=name]`.
 */
export function field(prefix, name, control, { label, hint, required } = {}) {
  const id = `${prefix}-${name}`;
  control.id = id;
  if (!control.name) control.name = name;
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : null;
  control.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
  if (required) control.setAttribute('aria-required', 'true');
  return h(
    'div',
    { class: `field field-${name}` },
    h(
      'label',
      { for: id },
      label,
      required ? h('span', { class: 'required', title: t('form.required') }, ' *') : null,
    ),
    h(
      'div',
      { class: 'control' },
      control,
      h('div', { class: 'field-error', id: errorId, dataset: { for: name }, 'aria-live': 'polite' }),
      hint ? h('div', { class: 'hint', id: hintId }, hint) : null,
    ),
  );
}

/** Message for an error object from api.call, in the clerk's words. */
export function errorText(error) {
  return error?.code === 'network' ? t('error.network') : error?.message || String(error);
}

/**
 * Error display for one form. `controls` maps field names to the element that takes the
 * focus; `formError` is the box for errors that name no (known) field.
 */
export function errorsFor(form, controls, formError) {
  const box = (name) => form.querySelector(`.field-error[data-for="${name}"]`);
  function clearOne(name) {
    const el = box(name);
    if (el) el.textContent = '';
    controls[name]?.removeAttribute?.('aria-invalid');
  }
  function clearAll() {
    for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
    for (const control of Object.values(controls)) control?.removeAttribute?.('aria-invalid');
    formError.hidden = true;
    formError.textContent = '';
  }
  /**
   * Puts every message of the error under its field: the core's `fields` list when a
   * form was refused as a whole, else its one `field`. Messages for no known field go to
   * the form's box. The first refused field takes the focus (unless `focus` is false).
   * Returns the element focused, or that would have been.
   */
  function show(error, { focus = true } = {}) {
    const list = Array.isArray(error?.fields) && error.fields.length ? error.fields : [{ field: error?.field, message: errorText(error) }];
    const loose = [];
    let first = null;
    for (const item of list) {
      const name = item?.field;
      const control = name ? controls[name] : null;
      const where = name ? box(name) : null;
      if (control && where) {
        where.textContent = item.message || errorText(error);
        control.setAttribute('aria-invalid', 'true');
        first ??= control;
      } else {
        loose.push(item?.message || errorText(error));
      }
    }
    if (loose.length) {
      formError.textContent = loose.join(' ');
      formError.hidden = false;
      formError.tabIndex = -1;
      first ??= formError;
    }
    if (focus && first) {
      first.focus();
      if (first.tagName === 'INPUT' && first.type === 'text') first.select();
    }
    return first;
  }
  // A field's message goes when the clerk edits it: typing in a text box, a new choice in
  // a list or a tick. Not on a text box's `change`, which fires when the focus leaves it
  // (showing the errors moves the focus, and must not wipe the message just put there).
  const edited = (el) => (el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && !['checkbox', 'radio'].includes(el.type)) ? 'input' : 'change');
  for (const [name, control] of Object.entries(controls)) {
    if (control?.addEventListener) control.addEventListener(edited(control), () => clearOne(name));
  }
  return { clearOne, clearAll, show };
}

/** Enter moves through `order`; from the last control it calls `submit`. */
export function enterMovesOn(form, order, submit) {
  form.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.isComposing || event.ctrlKey || event.altKey || event.shiftKey) return;
    if (event.target.tagName === 'TEXTAREA' || event.target.tagName === 'BUTTON') return;
    const list = order();
    const index = list.indexOf(event.target);
    if (index < 0) return;
    event.preventDefault();
    if (index === list.length - 1) submit();
    else list[index + 1].focus();
  });
}

/**
 * A form's send: `work` runs once at a time with the `save` button off meanwhile; the
 * form's messages are cleared first and a refusal (thrown `{field, message}` or the core's
 * error) goes under its field.
 */
export function sender(save, errors, work) {
  let busy = false;
  return async () => {
    if (busy) return;
    busy = true;
    save.disabled = true;
    errors.clearAll();
    try {
      await work();
    } catch (error) {
      errors.show(error);
    } finally {
      busy = false;
      save.disabled = false;
    }
  };
}

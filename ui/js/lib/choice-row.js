// A row of choices drawn as buttons (a radio group): the follow-up screens' way of asking
// 接通/未接通, 满意/基本满意/不满意, 属实/不属实, 正常/故障/联系不上. Tab reaches the
// row, the arrows move within it (the browser's own radio behaviour), and the digit keys
// 1…n pick the nth choice at once and hand the focus on (`onPick`), so a clerk on the
// phone records a call with a few keystrokes. The digits are printed on the buttons.
import { h } from './dom.js';

/**
 * @param {object} o
 * @param {string} o.prefix id prefix; the group is `${prefix}-${name}`, each radio `${prefix}-${name}-${value}`
 * @param {string} o.name the field name (the core's, so errors land under it)
 * @param {string[]} o.values the choices, in the order of their digits
 * @param {Function} o.label value → text on the button
 * @param {string|null} [o.value] the choice made at the start (none when null)
 * @param {string} [o.ariaLabel]
 * @param {Function} [o.onChange] value → void, after every change
 * @param {Function} [o.onPick] called after a digit picked a choice (to move on)
 */
export function choiceRow({ prefix, name, values, label, value = null, ariaLabel, onChange = () => {}, onPick = () => {} }) {
  const group = h('div', {
    class: 'segmented choice-row',
    id: `${prefix}-${name}`,
    role: 'radiogroup',
    tabIndex: -1,
    'aria-label': ariaLabel ?? null,
  });
  const inputs = values.map((v, n) => {
    const input = h('input', { type: 'radio', name: `${prefix}-${name}`, value: v, id: `${prefix}-${name}-${v}`, checked: v === value });
    input.addEventListener('change', () => onChange(v));
    group.append(
      h(
        'label',
        { class: 'segment', for: input.id },
        input,
        h('span', {}, values.length > 1 ? h('kbd', { class: 'choice-digit', 'aria-hidden': 'true' }, String(n + 1)) : null, label(v)),
      ),
    );
    return input;
  });
  group.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
    const n = Number(event.key);
    if (!Number.isInteger(n) || n < 1 || n > inputs.length) return;
    event.preventDefault();
    event.stopPropagation();
    set(values[n - 1]);
    inputs[n - 1].focus();
    onChange(values[n - 1]);
    onPick(values[n - 1]);
  });

  function set(v) {
    for (const input of inputs) input.checked = input.value === v;
  }

  return {
    element: group,
    inputs,
    /** The chosen value, or null. */
    value: () => inputs.find((i) => i.checked)?.value ?? null,
    set,
    /** Focus on the chosen button, else the first. */
    focus: () => (inputs.find((i) => i.checked) ?? inputs[0]).focus(),
    /** The control that stands for the row in an Enter sequence (the chosen or first radio). */
    control: () => inputs.find((i) => i.checked) ?? inputs[0],
  };
}

/** A labelled field around a choice row, with its error line (`.field-error[data-for=name]`). */
export function choiceField(name, row, labelText, { hint, required } = {}) {
  row.element.setAttribute('aria-label', labelText);
  return h(
    'div',
    { class: `field field-${name}` },
    h('span', { class: 'label' }, labelText, required ? h('span', { class: 'required' }, ' *') : null),
    h(
      'div',
      { class: 'control' },
      row.element,
      h('div', { class: 'field-error', dataset: { for: name }, 'aria-live': 'polite' }),
      hint ? h('div', { class: 'hint' }, hint) : null,
    ),
  );
}

/**
 * Enter moves through `sequence()` (controls; a radio stands for its whole row) and from
 * the last one calls `submit`. Shift+Enter keeps a new line in a textarea.
 */
export function enterSequence(form, sequence, submit) {
  form.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.isComposing || event.ctrlKey || event.altKey) return;
    const target = event.target;
    if (target.tagName === 'BUTTON' || target.tagName === 'A') return;
    if (target.tagName === 'TEXTAREA' && event.shiftKey) return;
    if (target.getAttribute('aria-expanded') === 'true') return; // a picker's open list
    const list = sequence().filter((el) => el && !el.disabled && !el.closest('[hidden]'));
    const same = (el) => el === target || (target.type === 'radio' && el.type === 'radio' && el.name === target.name);
    const at = list.findIndex(same);
    if (at < 0) return;
    event.preventDefault();
    if (at === list.length - 1) submit();
    else list[at + 1].focus();
  });
}

// Tiny DOM builder: h('td', {class: 'num'}, text, child…). Text is always set as text,
// never parsed as HTML, so customer data cannot inject markup.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  let initialValue;
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'value') initialValue = value;
    else if (name === 'class') el.className = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name in el && typeof value !== 'string') el[name] = value;
    else el.setAttribute(name, value === true ? '' : value);
  }
  append(el, children);
  // After the children, so that a <select> already has its options.
  if (initialValue !== undefined) el.value = initialValue;
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
}

/** Returns a function that delays calls to `fn` until `ms` passed without a new call. */
export function debounce(fn, ms) {
  let timer = null;
  const debounced = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  debounced.cancel = () => clearTimeout(timer);
  return debounced;
}

/** True when a key event happens inside something the clerk types into. */
export function isTyping(target) {
  if (!(target instanceof Element)) return false;
  return target.matches('input, textarea, select, [contenteditable="true"]');
}

// The one search box at the top (F3 / Ctrl+K): as the clerk types, a dropdown of customers,
// machines and work orders from `search.global`, each saying what matched. ↑↓ choose, Enter
// opens the customer file (a machine opens its customer's file with that machine marked; an
// order number opens the order). Enter with nothing chosen keeps the old behaviour: the
// customer list, filtered by the text.
import { h, clear, debounce } from './lib/dom.js';
import { t } from './i18n.js';

const DEBOUNCE_MS = 150;
const LIMIT = 12;
const MATCHED = ['phone', 'name', 'address', 'serial', 'order'];
const KINDS = ['customer', 'equipment', 'order'];

/** Where a search result leads: the customer file, with the machine marked if it is one. */
export function resultHash(item) {
  if (item.kind === 'order' && item.order_id != null) return `#/orders/${item.order_id}`;
  const base = `#/customers/${item.customer_id}`;
  return item.kind === 'equipment' && item.equipment_id != null
    ? `${base}?equipment=${item.equipment_id}`
    : base;
}

export function initGlobalSearch({ call, navigate, hashFor }) {
  const form = document.getElementById('global-search-form');
  const input = document.getElementById('global-search');
  const list = h('ul', {
    id: 'global-search-results',
    class: 'search-results',
    role: 'listbox',
    hidden: true,
    'aria-label': t('search.results.label'),
  });
  form.append(list);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', list.id);
  input.setAttribute('aria-expanded', 'false');

  const state = { items: [], active: -1, seq: 0, query: '' };

  const options = () => [...list.querySelectorAll('li[role="option"]')];

  function close() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    state.active = -1;
  }

  function setActive(index) {
    const all = options();
    if (all.length === 0) return;
    // Past either end means "nothing chosen" again, so Enter goes to the list.
    const i = index < -1 ? all.length - 1 : index >= all.length ? -1 : index;
    state.active = i;
    all.forEach((li, n) => li.setAttribute('aria-selected', n === i ? 'true' : 'false'));
    if (i >= 0) {
      input.setAttribute('aria-activedescendant', all[i].id);
      all[i].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function open(item) {
    close();
    // The box is for the next customer on the phone; the file now says who this is.
    input.value = '';
    state.items = [];
    input.blur();
    navigate(resultHash(item));
  }

  function option(item, n) {
    const matched = MATCHED.includes(item.matched) ? item.matched : 'name';
    const kind = KINDS.includes(item.kind) ? item.kind : 'customer';
    return h(
      'li',
      {
        id: `global-search-option-${n}`,
        role: 'option',
        class: `search-result search-result-${kind}`,
        'aria-selected': 'false',
        dataset: {
          kind,
          customerId: String(item.customer_id),
          equipmentId: item.equipment_id == null ? '' : String(item.equipment_id),
          orderId: item.order_id == null ? '' : String(item.order_id),
          matched,
        },
        // mousedown, not click: the input must not lose the focus (and close the list) first.
        onmousedown: (event) => {
          event.preventDefault();
          open(item);
        },
      },
      h('span', { class: `result-kind result-kind-${kind}` }, t(`search.kind.${kind}`)),
      h(
        'span',
        { class: 'result-text' },
        h('span', { class: 'result-title' }, item.title ?? ''),
        h('span', { class: 'result-detail' }, item.detail ?? ''),
      ),
      h('span', { class: 'chip chip-matched' }, t(`search.matched.${matched}`)),
    );
  }

  function show() {
    clear(list);
    if (!state.query) {
      close();
      return;
    }
    if (state.items.length === 0) {
      list.append(h('li', { class: 'search-none', role: 'presentation' }, t('search.none', { query: state.query })));
    } else {
      list.append(...state.items.map(option));
      list.append(h('li', { class: 'search-foot', role: 'presentation' }, t('search.foot')));
    }
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    state.active = -1;
  }

  async function lookUp() {
    const query = input.value.trim();
    const seq = ++state.seq;
    state.query = query;
    if (!query) {
      state.items = [];
      close();
      return;
    }
    try {
      const result = await call('search.global', { query, limit: LIMIT });
      if (seq !== state.seq || document.activeElement !== input) return;
      state.items = result?.items ?? [];
    } catch (error) {
      if (seq !== state.seq) return;
      state.items = [];
      clear(list);
      list.append(h('li', { class: 'search-none notice-error', role: 'presentation' }, error?.message || String(error)));
      list.hidden = false;
      return;
    }
    show();
  }
  const lookUpSoon = debounce(lookUp, DEBOUNCE_MS);

  input.addEventListener('input', lookUpSoon);
  input.addEventListener('focus', () => {
    if (input.value.trim() && state.items.length && state.query === input.value.trim()) show();
  });
  input.addEventListener('blur', () => {
    lookUpSoon.cancel();
    close();
  });
  input.addEventListener('keydown', (event) => {
    if (event.isComposing) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (list.hidden) {
        lookUpSoon.cancel();
        lookUp().then(() => setActive(event.key === 'ArrowDown' ? 0 : -2));
        return;
      }
      setActive(state.active + (event.key === 'ArrowDown' ? 1 : -1));
    } else if (event.key === 'Enter' && !list.hidden && state.active >= 0) {
      event.preventDefault();
      open(state.items[state.active]);
    } else if (event.key === 'Escape' && !list.hidden) {
      // First Esc closes the list; the next one (the frame's) leaves the box.
      event.preventDefault();
      lookUpSoon.cancel();
      close();
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    lookUpSoon.cancel();
    state.seq += 1;
    close();
    const text = input.value.trim();
    navigate(hashFor('/customers', { q: text, focus: 'results' }));
  });
}

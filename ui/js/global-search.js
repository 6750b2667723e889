// The one search box at the top (F3 / Ctrl+K): as the clerk types, a dropdown of customers,
// machines and work orders from `search.global`, each saying what matched. ↑↓ choose, Enter
// opens the chosen one (a machine opens its customer's file with that machine marked; an
// order number opens the order); Enter with nothing chosen opens the only hit if there is
// exactly one, else the customer list, filtered by the text.
//
// Search as you type keeps up with the hands: each keystroke asks at once unless a request
// is already out; then, when it returns, the latest text is asked for (at most one request
// in flight, the keystrokes between coalesce into one). A reply is painted only if its
// query is still the text in the box. A single digit is not asked for.
import { h, clear } from './lib/dom.js';
import { t } from './i18n.js';

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

let resetBox = () => {};

/** Empties the box and forgets its results (logout: the next clerk sees nothing of them). */
export function resetGlobalSearch() {
  resetBox();
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

  // items/query: the results on show and the text they are for; asked: the text of the
  // request in flight (null when none); idle: resolves when no request is out.
  const state = { items: [], active: -1, seq: 0, query: '', asked: null, idle: Promise.resolve() };

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
    list.dataset.query = state.query;
    input.setAttribute('aria-expanded', 'true');
    state.active = -1;
  }

  const wanted = () => input.value.trim();
  // One digit finds nothing a clerk looks for (phones go by 4 digits, orders by more) and
  // is the core's slowest question at a million customers: wait for the second.
  const tooShort = (text) => /^[0-9０-９]$/.test(text);

  /** Asks for the box's text now, unless a request is out (its return asks for the latest). */
  function lookUp() {
    const query = wanted();
    if (!query || tooShort(query)) {
      state.seq += 1;
      state.query = '';
      state.items = [];
      close();
      return state.idle;
    }
    if (state.asked !== null) return state.idle;
    if (query === state.query && !list.hidden) return state.idle;
    let finished;
    state.idle = new Promise((resolve) => {
      finished = resolve;
    });
    ask(query, ++state.seq).finally(finished);
    return state.idle;
  }

  async function ask(query, seq) {
    state.asked = query;
    let result;
    let failure = null;
    try {
      result = await call('search.global', { query, limit: LIMIT });
    } catch (error) {
      failure = error;
    }
    state.asked = null;
    // Reset or logout meanwhile: this reply belongs to nobody.
    if (seq !== state.seq) return;
    const latest = wanted();
    if (latest && latest !== query) {
      // The clerk typed on: this reply is stale, never painted; ask for the text now.
      if (tooShort(latest)) lookUp();
      else await ask(latest, ++state.seq);
      return;
    }
    if (!latest || document.activeElement !== input) return;
    if (failure) {
      state.items = [];
      state.query = '';
      clear(list);
      list.append(h('li', { class: 'search-none notice-error', role: 'presentation' }, failure?.message || String(failure)));
      list.hidden = false;
      return;
    }
    state.query = query;
    state.items = result?.items ?? [];
    show();
  }

  resetBox = () => {
    state.seq += 1;
    state.items = [];
    state.query = '';
    input.value = '';
    close();
    clear(list);
    delete list.dataset.query;
  };

  input.addEventListener('input', lookUp);
  input.addEventListener('focus', () => {
    if (wanted() && state.items.length && state.query === wanted()) show();
  });
  input.addEventListener('blur', close);
  input.addEventListener('keydown', (event) => {
    if (event.isComposing) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (list.hidden) {
        lookUp().then(() => {
          if (!list.hidden) setActive(event.key === 'ArrowDown' ? 0 : -2);
        });
        return;
      }
      setActive(state.active + (event.key === 'ArrowDown' ? 1 : -1));
    } else if (event.key === 'Enter' && !list.hidden && state.active >= 0) {
      event.preventDefault();
      open(state.items[state.active]);
    } else if (event.key === 'Escape' && !list.hidden) {
      // First Esc closes the list; the next one (the frame's) leaves the box.
      event.preventDefault();
      close();
    }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = wanted();
    // The results for this very text decide: wait for them if they are on their way.
    if (text && (state.query !== text || state.asked !== null)) {
      lookUp();
      await state.idle;
      if (wanted() !== text) return;
    }
    if (text && state.query === text && state.items.length === 1) {
      open(state.items[0]);
      return;
    }
    state.seq += 1;
    close();
    navigate(hashFor('/customers', { q: text, focus: 'results' }));
  });
}

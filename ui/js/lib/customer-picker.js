// A search-select over customers (`customers.search`): type part of a name or a phone,
// ↑↓ and Enter choose, Esc closes the list, × clears. Used for the head office of a
// branch and for the other file in a merge.
import { h, clear, debounce } from './dom.js';
import { NUMBER_BEING_TYPED, kindLabel, phoneDisplay } from './format.js';
import { t } from '../i18n.js';

const DEBOUNCE_MS = 200;

/**
 * @param {object} o
 * @param {Function} o.call api call
 * @param {string} o.id id of the text input (the list is `${id}-results`, the × `${id}-clear`)
 * @param {Function} [o.accept] customer → bool, which customers may be chosen
 * @param {Function} [o.onChange] called with the chosen customer or null
 * @param {{id:number,name:string}|null} [o.initial]
 */
export function customerPicker({ call, id, placeholder, accept = () => true, onChange = () => {}, initial = null }) {
  let chosen = initial ? { ...initial } : null;
  let items = [];
  let active = -1;
  let seq = 0;

  const input = h('input', {
    id,
    type: 'text',
    class: 'input picker-input',
    autocomplete: 'off',
    spellcheck: 'false',
    role: 'combobox',
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': `${id}-results`,
    placeholder: placeholder ?? t('picker.placeholder'),
    value: chosen?.name ?? '',
  });
  const clearButton = h(
    'button',
    { type: 'button', id: `${id}-clear`, class: 'btn btn-quiet picker-clear', title: t('picker.clear'), 'aria-label': t('picker.clear') },
    '×',
  );
  const list = h('ul', { id: `${id}-results`, class: 'picker-results', role: 'listbox', hidden: true });
  const element = h('div', { class: 'picker' }, input, clearButton, list);

  function sync() {
    clearButton.hidden = !chosen;
    element.classList.toggle('is-chosen', Boolean(chosen));
    element.dataset.chosenId = chosen ? String(chosen.id) : '';
  }
  sync();

  function closeList() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function setActive(i) {
    const all = [...list.querySelectorAll('li[role="option"]')];
    if (all.length === 0) return;
    active = (i + all.length) % all.length;
    all.forEach((li, n) => li.setAttribute('aria-selected', n === active ? 'true' : 'false'));
    input.setAttribute('aria-activedescendant', all[active].id);
    all[active].scrollIntoView({ block: 'nearest' });
  }

  function choose(customer) {
    chosen = customer ? { ...customer } : null;
    input.value = chosen?.name ?? '';
    closeList();
    sync();
    onChange(chosen);
  }

  function showList(query) {
    clear(list);
    if (items.length === 0) {
      list.append(h('li', { class: 'picker-none', role: 'presentation' }, NUMBER_BEING_TYPED.test(query) ? t('picker.digits') : t('picker.none', { query })));
    } else {
      items.forEach((customer, n) => {
        const phones = (customer.phones ?? []).map(phoneDisplay).filter(Boolean).join('，');
        list.append(
          h(
            'li',
            {
              id: `${id}-option-${n}`,
              role: 'option',
              'aria-selected': 'false',
              dataset: { id: String(customer.id) },
              onmousedown: (event) => {
                event.preventDefault();
                choose(customer);
              },
            },
            h('span', { class: 'picker-name' }, customer.name),
            h('span', { class: 'picker-meta' }, [kindLabel(customer.kind), phones, customer.address].filter(Boolean).join(' · ')),
          ),
        );
      });
    }
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    active = -1;
  }

  async function search() {
    const query = input.value.trim();
    const mine = ++seq;
    if (!query) {
      closeList();
      return;
    }
    try {
      const result = await call('customers.search', { query, page: 1, page_size: 30 });
      if (mine !== seq) return;
      items = (result?.items ?? []).filter(accept).slice(0, 10);
      showList(query);
    } catch (error) {
      if (mine !== seq) return;
      clear(list);
      list.append(h('li', { class: 'picker-none notice-error', role: 'presentation' }, error?.message || String(error)));
      list.hidden = false;
    }
  }
  const searchSoon = debounce(search, DEBOUNCE_MS);

  input.addEventListener('input', () => {
    if (chosen) {
      // Typing over a choice starts a new search; the old choice goes.
      chosen = null;
      sync();
      onChange(null);
    }
    searchSoon();
  });
  input.addEventListener('keydown', (event) => {
    if (event.isComposing) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (list.hidden) {
        searchSoon.cancel();
        search().then(() => setActive(0));
      } else {
        setActive(active + (event.key === 'ArrowDown' ? 1 : -1));
      }
    } else if (event.key === 'Enter' && !list.hidden) {
      event.preventDefault();
      event.stopPropagation();
      if (active >= 0) choose(items[active]);
      else if (items.length === 1) choose(items[0]);
    } else if (event.key === 'Escape' && !list.hidden) {
      event.preventDefault();
      event.stopPropagation();
      closeList();
    }
  });
  input.addEventListener('blur', () => {
    searchSoon.cancel();
    seq += 1;
    closeList();
    // Half-typed text that chose nothing is not left looking like a choice.
    if (!chosen) input.value = '';
  });
  clearButton.addEventListener('click', () => {
    choose(null);
    input.focus();
  });

  return {
    element,
    input,
    value: () => chosen,
    set: (customer) => choose(customer),
    focus: () => input.focus(),
  };
}

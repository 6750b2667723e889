// 客户档案 — everything the desk knows about one customer.
import { h, clear, isTyping } from '../dom.js';
import { classChip, kindChip, localDateTime, phoneDisplay } from '../format.js';
import { t } from '../i18n.js';

function item(labelKey, value, extraClass = '') {
  const empty = value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
  return [
    h('dt', {}, t(labelKey)),
    h('dd', { class: `${extraClass}${empty ? ' is-empty' : ''}`.trim() }, empty ? t('file.empty') : value),
  ];
}

export async function render(root, ctx) {
  const { id } = ctx.params;
  const customer = await ctx.call('customers.get', { id });
  if (!ctx.isCurrent()) return null;

  const edit = h(
    'button',
    { type: 'button', id: 'customer-edit', class: 'btn btn-primary', title: t('file.edit.title') },
    t('file.edit'),
    ' ',
    h('kbd', {}, 'E'),
  );
  const back = h('a', { href: '#/customers', class: 'btn', title: 'Esc' }, t('common.back'), ' ', h('kbd', {}, 'Esc'));
  const goEdit = () => ctx.navigate(`#/customers/${customer.id}/edit`);
  edit.addEventListener('click', goEdit);

  const phones = (customer.phones ?? []).map((p) => h('li', { class: 'num' }, phoneDisplay(p)));

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-file' },
      h(
        'article',
        { id: 'customer-file', class: 'card', dataset: { id: String(customer.id) }, 'aria-labelledby': 'customer-file-name' },
        h(
          'header',
          { class: 'file-head' },
          h(
            'div',
            { class: 'file-title' },
            h('span', { class: 'file-kicker' }, t('file.title')),
            h('h1', { class: 'customer-name', id: 'customer-file-name' }, customer.name),
            h('span', { class: 'file-chips' }, kindChip(customer.kind), classChip(customer.class)),
          ),
          h('div', { class: 'toolbar' }, edit, back),
        ),
        h(
          'dl',
          { class: 'details' },
          item('file.phones', phones.length ? h('ul', { class: 'phones' }, phones) : null),
          item('file.region', customer.region),
          item('file.address', customer.address),
          item('file.notes', customer.notes, 'notes'),
          item('file.id', String(customer.id), 'num'),
          item('file.created', localDateTime(customer.created_at), 'num'),
          item('file.updated', localDateTime(customer.updated_at), 'num'),
        ),
      ),
    ),
  );
  document.title = `${customer.name} · ${t('app.title')}`;
  edit.focus();

  return {
    dispose() {
      document.title = t('app.title');
    },
    onKey(event) {
      if (isTyping(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === 'e' || event.key === 'E') {
        event.preventDefault();
        goEdit();
      } else if (event.key === 'Escape') {
        event.preventDefault();
        ctx.navigate('#/customers');
      }
    },
  };
}

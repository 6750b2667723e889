// 用户管理 (administrator): every account with its roles; add one, change roles, reset a
// password, deactivate (accounts are never deleted: the audit trail names them).
import { h, clear } from '../../lib/dom.js';
import { errorsFor, field } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { deskDateTime } from '../../lib/dates.js';

export const ROLES = ['clerk', 'dispatcher', 'engineer', 'storekeeper', 'manager', 'admin'];

export function roleNames(roles) {
  return (roles ?? []).map((r) => t(`role.${r}`)).join('、');
}

export async function render(root, ctx) {
  const list = await ctx.call('users.list', {});
  if (!ctx.isCurrent()) return null;
  const editId = ctx.query.get('edit');
  const editing = editId === 'new' ? {} : list.items.find((u) => String(u.id) === editId) ?? null;

  const rows = list.items.map((u) =>
    h(
      'tr',
      { class: u.active ? '' : 'row-inactive', dataset: { login: u.login } },
      h('td', {}, u.login),
      h('td', {}, u.name),
      h('td', {}, roleNames(u.roles)),
      h('td', {}, u.active ? t('users.active') : t('users.inactive')),
      h('td', {}, deskDateTime(u.created_at)),
      h(
        'td',
        {},
        h('a', { href: ctx.hashFor('/users', { edit: u.id }), class: 'btn btn-quiet user-edit' }, t('users.edit')),
      ),
    ),
  );

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-users' },
      h(
        'div',
        { class: 'page-head' },
        h('h1', {}, t('users.title')),
        h('a', { href: ctx.hashFor('/users', { edit: 'new' }), class: 'btn btn-primary', id: 'user-new' }, t('users.new')),
      ),
      editing ? userForm(ctx, editing) : null,
      h(
        'table',
        { class: 'grid', id: 'users-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['login', 'name', 'roles', 'state', 'created'].map((k) => h('th', {}, t(`users.col.${k}`))),
            h('th', {}),
          ),
        ),
        h('tbody', {}, rows),
      ),
    ),
  );
  return {};
}

function userForm(ctx, user) {
  const isNew = user.id === undefined;
  const c = {
    login: h('input', { class: 'input', type: 'text', value: user.login ?? '', autocomplete: 'off' }),
    name: h('input', { class: 'input', type: 'text', value: user.name ?? '' }),
    password: h('input', { class: 'input', type: 'password', autocomplete: 'new-password' }),
    active: h('input', { type: 'checkbox', checked: user.active ?? true }),
  };
  const boxes = ROLES.map((role) =>
    h(
      'label',
      { class: 'check' },
      h('input', { type: 'checkbox', name: 'roles', value: role, checked: (user.roles ?? []).includes(role) }),
      ' ',
      t(`role.${role}`),
    ),
  );
  c.roles = h('div', { class: 'checks', tabIndex: -1, id: 'user-roles' }, boxes);
  const formError = h('p', { class: 'notice notice-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'user-save' }, t('users.save'));
  const form = h(
    'form',
    { class: 'card', id: 'user-form', novalidate: true },
    h('h2', {}, isNew ? t('users.new') : t('users.edit.title', { login: user.login })),
    field('user', 'login', c.login, { label: t('users.col.login'), required: true }),
    field('user', 'name', c.name, { label: t('users.col.name'), required: true, hint: t('users.name.hint') }),
    field('user', 'roles', c.roles, { label: t('users.col.roles'), required: true }),
    field('user', 'password', c.password, {
      label: isNew ? t('users.password.new') : t('users.password.reset'),
      required: isNew,
      hint: isNew ? t('users.password.hint') : t('users.password.reset.hint'),
    }),
    field('user', 'active', c.active, { label: t('users.active') }),
    formError,
    h(
      'div',
      { class: 'actions' },
      save,
      h('a', { href: ctx.hashFor('/users'), class: 'btn btn-quiet' }, t('common.cancel')),
    ),
  );
  const errors = errorsFor(form, c, formError);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.clearAll();
    save.disabled = true;
    try {
      const roles = [...form.querySelectorAll('input[name="roles"]:checked')].map((b) => b.value);
      await ctx.call('users.save', {
        id: user.id,
        login: c.login.value,
        name: c.name.value,
        roles,
        active: c.active.checked,
        password: c.password.value || null,
      });
      ctx.toast(t('users.saved'));
      ctx.navigate(ctx.hashFor('/users'));
    } catch (error) {
      errors.show(error);
    } finally {
      save.disabled = false;
    }
  });
  setTimeout(() => (isNew ? c.login : c.name).focus(), 0);
  return form;
}

// 用户管理 (administrator): every account with its roles and the service engineer it works
// as; add one, change roles, link an engineer (我的工单), reset a password, deactivate
// (accounts are never deleted: the audit trail names them). The list and the form look
// and work like the other screens: ↑ ↓ Enter in the table, Insert for a new account,
// Enter through the form, Ctrl+S saves, Esc goes back (asking once when something typed
// would be lost).
import { h, clear, isTyping } from '../../lib/dom.js';
import { enterMovesOn, errorsFor, errorText, field } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { deskDateTime } from '../../lib/dates.js';
import { isSave, modified } from '../../lib/keys.js';
import { moveKey, rove } from '../../lib/roving.js';
import { resetTitle, setTitle } from '../../lib/title.js';

export const ROLES = ['clerk', 'dispatcher', 'engineer', 'storekeeper', 'manager', 'admin'];

export function roleNames(roles) {
  return (roles ?? []).map((r) => t(`role.${r}`)).join('、');
}

/** The linked engineer as a cell shows it: name, and 已停用 for one who left. */
function engineerText(engineer) {
  if (!engineer) return '';
  return engineer.active ? engineer.name : t('users.engineer.inactive', { name: engineer.name });
}

export async function render(root, ctx) {
  const page = h('section', { class: 'page page-users', id: 'users' });
  clear(root);
  root.append(page);
  const editId = ctx.query.get('edit');
  return editId ? renderForm(page, ctx, editId) : renderList(page, ctx);
}

/** The loading line, then the error with 重试 if the read fails; resolves with the data. */
async function loadInto(page, ctx, read, retry) {
  page.append(h('p', { class: 'empty users-loading', role: 'status' }, t('common.loading')));
  try {
    return await read();
  } catch (error) {
    if (!ctx.isCurrent()) return null;
    // Refused by the core (another role's screen): the reason, as every screen shows it.
    if (error?.code === 'forbidden' || error?.code === 'unauthorized') throw error;
    clear(page);
    const again = h('button', { type: 'button', class: 'btn btn-primary', id: 'users-retry' }, t('users.retry'));
    again.addEventListener('click', retry);
    page.append(h('div', { class: 'users-error' }, h('p', { class: 'notice notice-error', role: 'alert' }, errorText(error)), again));
    again.focus();
    return null;
  }
}

// ---- the list -------------------------------------------------------------------------------

async function renderList(page, ctx) {
  const list = await loadInto(page, ctx, () => ctx.call('users.list', {}), () => ctx.navigate(ctx.hashFor('/users')));
  if (!list || !ctx.isCurrent()) return null;
  const edit = (id) => ctx.navigate(ctx.hashFor('/users', { edit: id }));

  const rows = list.items.map((u) =>
    h(
      'tr',
      {
        class: u.active ? '' : 'row-inactive',
        tabIndex: -1,
        'aria-selected': 'false',
        dataset: { id: String(u.id), login: u.login },
        onclick: () => edit(u.id),
      },
      h('td', { class: 'col-login num', title: u.login }, h('a', { href: ctx.hashFor('/users', { edit: u.id }), tabIndex: -1, class: 'user-edit' }, u.login)),
      h('td', { class: 'col-uname', title: u.name }, u.name),
      h('td', { class: 'col-roles', title: roleNames(u.roles) }, roleNames(u.roles)),
      h('td', { class: 'col-engineer', title: engineerText(u.engineer) }, engineerText(u.engineer)),
      h('td', { class: 'col-state' }, h('span', { class: `chip ${u.active ? 'chip-normal' : 'chip-inactive'}` }, u.active ? t('users.active') : t('users.inactive'))),
      h('td', { class: 'col-created num' }, deskDateTime(u.created_at)),
    ),
  );
  const tbody = h('tbody', {}, rows);
  const newButton = h(
    'a',
    { href: ctx.hashFor('/users', { edit: 'new' }), class: 'btn btn-primary', id: 'user-new', title: t('users.new.title') },
    t('users.new'),
    ' ',
    h('kbd', {}, 'Insert'),
  );
  clear(page);
  page.classList.add('page-list');
  page.append(
    h('div', { class: 'page-head' }, h('h1', {}, t('users.title')), h('div', { class: 'toolbar' }, newButton)),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'grid', id: 'users-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['login', 'name', 'roles', 'engineer', 'state', 'created'].map((k) =>
              h('th', { scope: 'col', class: `col-${k === 'name' ? 'uname' : k}` }, t(`users.col.${k}`)),
            ),
          ),
        ),
        tbody,
      ),
    ),
    h('div', { class: 'pager' }, h('span', { class: 'pager-total', role: 'status' }, t('users.total', { count: list.items.length }))),
  );
  setTitle(t('users.title'));

  const all = () => [...tbody.querySelectorAll('tr[data-id]')];
  tbody.addEventListener('keydown', (event) => {
    const items = all();
    const index = items.indexOf(event.target.closest('tr'));
    if (index < 0 || modified(event)) return;
    const to = moveKey(event.key, index, items.length);
    if (to !== null) {
      event.preventDefault();
      rove(items, Math.max(0, to), { select: true });
    } else if (event.key === 'Enter') {
      event.preventDefault();
      edit(items[index].dataset.id);
    }
  });
  rove(all(), 0, { select: true });

  return {
    dispose() {
      resetTitle();
    },
    onKey(event) {
      if (modified(event) || isTyping(event.target)) return;
      if (event.key === 'Insert') {
        event.preventDefault();
        edit('new');
      } else if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && !event.target.closest?.('tbody')) {
        event.preventDefault();
        rove(all(), 0, { select: true });
      }
    },
  };
}

// ---- the form -------------------------------------------------------------------------------

async function renderForm(page, ctx, editId) {
  const data = await loadInto(
    page,
    ctx,
    () => Promise.all([ctx.call('users.list', {}), ctx.call('engineers.list', { all: true })]),
    () => ctx.navigate(ctx.hashFor('/users', { edit: editId })),
  );
  if (!data || !ctx.isCurrent()) return null;
  const [list, engineers] = data;
  const isNew = editId === 'new';
  const user = isNew ? {} : list.items.find((u) => String(u.id) === editId);
  if (!user) {
    clear(page);
    page.append(h('p', { class: 'notice notice-error', role: 'alert' }, t('users.missing', { id: editId })), h('a', { href: ctx.hashFor('/users') }, t('users.title')));
    return null;
  }

  // Engineers on offer: the active ones, and the account's own link even if he left. One
  // linked to another account is shown but cannot be chosen (at most one account each).
  const takenBy = new Map(list.items.filter((u) => u.engineer && u.id !== user.id).map((u) => [u.engineer.id, u.login]));
  const offered = (engineers.items ?? []).filter((e) => e.active || e.id === user.engineer?.id);
  const engineerSelect = h(
    'select',
    { class: 'input', value: user.engineer ? String(user.engineer.id) : '' },
    h('option', { value: '' }, t('users.engineer.none')),
    offered.map((e) =>
      h(
        'option',
        { value: String(e.id), disabled: takenBy.has(e.id) },
        takenBy.has(e.id)
          ? t('users.engineer.taken', { name: e.name, login: takenBy.get(e.id) })
          : e.active
            ? `${e.name}${e.region ? ` · ${e.region}` : ''}`
            : t('users.engineer.inactive', { name: e.name }),
      ),
    ),
  );
  const c = {
    login: h('input', { class: 'input num', type: 'text', value: user.login ?? '', autocomplete: 'off', spellcheck: 'false', maxlength: '32' }),
    name: h('input', { class: 'input', type: 'text', value: user.name ?? '', autocomplete: 'off', maxlength: '20' }),
    engineer_id: engineerSelect,
    password: h('input', { class: 'input', type: 'password', autocomplete: 'new-password', maxlength: '128' }),
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

  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'user-save', title: t('form.save.title') }, t('users.save'), ' ', h('kbd', {}, 'Ctrl+S'));
  const cancel = h('button', { type: 'button', class: 'btn', id: 'user-cancel', title: t('form.cancel.title') }, t('form.cancel'), ' ', h('kbd', {}, 'Esc'));
  const formError = h('p', { class: 'notice notice-error form-error', role: 'alert', hidden: true });
  const form = h(
    'form',
    { class: 'form', id: 'user-form', novalidate: true, autocomplete: 'off' },
    formError,
    field('user', 'login', c.login, { label: t('users.col.login'), required: true, hint: t('users.login.hint') }),
    field('user', 'name', c.name, { label: t('users.col.name'), required: true, hint: t('users.name.hint') }),
    field('user', 'roles', c.roles, { label: t('users.col.roles'), required: true }),
    field('user', 'engineer_id', c.engineer_id, { label: t('users.col.engineer'), hint: t('users.engineer.hint') }),
    field('user', 'password', c.password, {
      label: isNew ? t('users.password.new') : t('users.password.reset'),
      required: isNew,
      hint: isNew ? t('users.password.hint') : t('users.password.reset.hint'),
    }),
    field('user', 'active', c.active, { label: t('users.active') }),
    h('div', { class: 'form-actions' }, save, cancel),
  );
  const title = isNew ? t('users.new') : t('users.edit.title', { login: user.login });
  clear(page);
  page.classList.add('page-form');
  page.append(
    h(
      'div',
      { class: 'page-head' },
      h('a', { href: ctx.hashFor('/users'), class: 'crumb' }, t('users.title')),
      h('span', { class: 'crumb-sep', 'aria-hidden': 'true' }, '›'),
      h('h1', {}, title),
      isNew ? null : h('span', { class: 'page-sub' }, user.name),
    ),
    form,
  );
  setTitle(title);

  // Something typed that a step back would lose.
  let dirty = false;
  form.addEventListener('input', () => {
    dirty = true;
  });
  form.addEventListener('change', () => {
    dirty = true;
  });

  const errors = errorsFor(form, c, formError);
  let saving = false;
  async function submit() {
    if (saving) return;
    errors.clearAll();
    const roles = [...form.querySelectorAll('input[name="roles"]:checked')].map((b) => b.value);
    const engineer = c.engineer_id.value;
    saving = true;
    save.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      await ctx.call('users.save', {
        id: user.id,
        login: c.login.value.trim(),
        name: c.name.value.trim(),
        roles,
        active: c.active.checked,
        password: c.password.value || null,
        engineer_id: engineer ? Number(engineer) : null,
      });
      if (!ctx.isCurrent()) return;
      dirty = false;
      ctx.toast(t('users.saved'));
      ctx.navigate(ctx.hashFor('/users'));
    } catch (error) {
      if (ctx.isCurrent()) errors.show(error);
    } finally {
      saving = false;
      save.disabled = false;
      form.removeAttribute('aria-busy');
    }
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  const back = () => ctx.navigate(ctx.hashFor('/users'));
  /** Esc: back to the list; with unsaved changes, the first Esc says so and a second one leaves. */
  // Esc leaves like any way out: the frame asks 保存 / 放弃 / 继续编辑 while `hasDraft`.
  function escape() {
    back();
  }
  cancel.addEventListener('click', () => {
    dirty = false;
    back();
  });
  enterMovesOn(form, () => [c.login, c.name, c.engineer_id, c.password], submit);
  (isNew ? c.login : c.name).focus();

  return {
    hasDraft: () => dirty,
    dispose() {
      resetTitle();
    },
    onKey(event) {
      if (isSave(event)) {
        event.preventDefault();
        submit();
      } else if (event.key === 'Escape') {
        event.preventDefault();
        escape();
      }
    },
  };
}

// 登录 and 首次使用: the two screens shown before anyone is logged in. The first-run
// wizard creates the administrator and the company as it prints on slips (the LAN, the
// backups and the printers are the administrator's, later, under 设置); the login screen
// takes a login name and password. Both end by handing the session to the frame.
//
// The wizard needs the desk's one-time setup code. The desktop window puts it in itself;
// in a browser it comes from the address `serve` printed (…/#setup=12345678) or is typed
// into 首次设置码.
import { call, setSession, transport } from '../../api.js';
import { h, clear } from '../../lib/dom.js';
import { errorsFor, field } from '../../lib/form.js';
import { t } from '../../i18n.js';
import { logoPicker } from './settings.js';

function input(name, type = 'text', extra = {}) {
  return h('input', { class: 'input', type, name, autocomplete: 'off', spellcheck: 'false', ...extra });
}

function submitting(button, busy) {
  button.disabled = busy;
  button.setAttribute('aria-busy', busy ? 'true' : 'false');
}

/**
 * The login screen. `done(loggedIn)` is called with auth.login's answer; `message` says
 * why the screen is shown (a session that ended, a restore).
 */
export function renderLogin(root, done, message = '') {
  const login = input('login', 'text', { autocomplete: 'username' });
  const password = input('password', 'password', { autocomplete: 'current-password' });
  const formError = h('p', { class: 'notice notice-error', role: 'alert', hidden: true });
  const button = h('button', { type: 'submit', class: 'btn btn-primary', id: 'login-submit' }, t('login.submit'));
  const form = h(
    'form',
    { class: 'card login-card', id: 'login', novalidate: true },
    h('h1', {}, t('login.title')),
    message ? h('p', { class: 'notice', id: 'login-notice', role: 'status' }, message) : null,
    field('login', 'login', login, { label: t('login.login'), required: true }),
    field('login', 'password', password, { label: t('login.password'), required: true }),
    formError,
    h('div', { class: 'actions' }, button),
    h('p', { class: 'hint' }, t('login.hint')),
  );
  const errors = errorsFor(form, { login, password }, formError);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.clearAll();
    submitting(button, true);
    try {
      const out = await call('auth.login', { login: login.value, password: password.value });
      setSession(out.session);
      done(out);
    } catch (error) {
      password.value = '';
      errors.show(error);
    } finally {
      submitting(button, false);
    }
  });
  clear(root);
  root.append(h('section', { class: 'page page-login' }, form));
  login.focus();
}

/** The setup code carried in the address (`#setup=12345678`), or ''. */
function codeFromAddress() {
  const match = /(?:^#|[#&])setup=([0-9-]{1,16})(?:&|$)/.exec(location.hash);
  return match ? match[1] : '';
}

/** The first-run wizard: the administrator, then the company. */
export function renderSetup(root, done) {
  // The desktop window hands the code over itself; a browser needs it.
  const needsCode = transport() !== 'desktop';
  const setupCode = needsCode
    ? input('setup_code', 'text', { value: codeFromAddress(), inputmode: 'numeric', maxlength: 16 })
    : null;
  const c = {
    login: input('login', 'text', { value: 'admin' }),
    name: input('name'),
    password: input('password', 'password', { autocomplete: 'new-password' }),
    password_again: input('password_again', 'password', { autocomplete: 'new-password' }),
    company_name: input('company_name'),
    company_hotline: input('company_hotline', 'tel'),
    company_address: input('company_address'),
    order_prefix: input('order_prefix', 'text', { value: 'WO', maxlength: 8 }),
    slip_prefix: input('slip_prefix', 'text', { value: 'FW', maxlength: 8 }),
  };
  const formError = h('p', { class: 'notice notice-error', role: 'alert', hidden: true });
  const button = h('button', { type: 'submit', class: 'btn btn-primary', id: 'setup-submit' }, t('setup.submit'));
  const f = (name, required = false, hint = null) =>
    field('setup', name, c[name], { label: t(`setup.${name}`), required, hint });
  // Optional: a PNG or JPEG for the head of the slips (also under 设置 › 服务单 later).
  const logo = logoPicker('setup', '', { label: t('setup.company_logo'), hint: t('setup.company_logo.hint') });
  c.company_logo = logo.control;
  const form = h(
    'form',
    { class: 'card setup-card', id: 'setup', novalidate: true },
    h('h1', {}, t('setup.title')),
    h('p', {}, t('setup.intro')),
    setupCode
      ? field('setup', 'setup_code', setupCode, {
          label: t('setup.setup_code'),
          required: true,
          hint: t('setup.setup_code.hint'),
        })
      : null,
    h(
      'fieldset',
      {},
      h('legend', {}, t('setup.admin')),
      f('login', true),
      f('name', true),
      f('password', true, t('setup.password.hint')),
      f('password_again', true),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, t('setup.company')),
      f('company_name', true, t('setup.company_name.hint')),
      f('company_hotline'),
      f('company_address'),
      logo.field,
      f('order_prefix', false, t('setup.order_prefix.hint')),
      f('slip_prefix', false, t('setup.slip_prefix.hint')),
    ),
    formError,
    h('div', { class: 'actions' }, button),
  );
  // The core names settings fields by their own names; map them onto ours.
  const errors = errorsFor(form, setupCode ? { ...c, setup_code: setupCode } : c, formError);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.clearAll();
    submitting(button, true);
    try {
      const out = await call('auth.setup', {
        ...(setupCode ? { setup_code: setupCode.value } : {}),
        login: c.login.value,
        name: c.name.value,
        password: c.password.value,
        password_again: c.password_again.value,
        settings: {
          company_name: c.company_name.value,
          company_hotline: c.company_hotline.value,
          company_address: c.company_address.value,
          order_prefix: c.order_prefix.value,
          slip_prefix: c.slip_prefix.value,
          company_logo: logo.value(),
        },
      });
      setSession(out.session);
      done(out);
    } catch (error) {
      // A refusal of the code (missing, wrong, too many tries) belongs under its field.
      const aboutCode = setupCode && error?.code === 'forbidden' && !error.field;
      errors.show(aboutCode ? { ...error, field: 'setup_code' } : error);
    } finally {
      submitting(button, false);
    }
  });
  clear(root);
  root.append(h('section', { class: 'page page-login' }, form));
  (setupCode && !setupCode.value ? setupCode : c.name).focus();
}

/** 修改密码: a dialog over the current screen; nothing else is lost. */
export function openPasswordDialog(toast) {
  const c = {
    old_password: input('old_password', 'password', { autocomplete: 'current-password' }),
    new_password: input('new_password', 'password', { autocomplete: 'new-password' }),
    new_password_again: input('new_password_again', 'password', { autocomplete: 'new-password' }),
  };
  const formError = h('p', { class: 'notice notice-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, t('users.save'));
  const cancel = h('button', { type: 'button', class: 'btn btn-quiet' }, t('common.cancel'));
  const form = h(
    'form',
    { novalidate: true },
    h('h2', {}, t('password.title')),
    field('password', 'old_password', c.old_password, { label: t('password.old'), required: true }),
    field('password', 'new_password', c.new_password, {
      label: t('password.new'),
      required: true,
      hint: t('setup.password.hint'),
    }),
    field('password', 'new_password_again', c.new_password_again, { label: t('password.again'), required: true }),
    formError,
    h('div', { class: 'actions' }, save, cancel),
  );
  const dialog = h('dialog', { class: 'panel', id: 'password-dialog' }, form);
  const errors = errorsFor(form, c, formError);
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.clearAll();
    submitting(save, true);
    try {
      await call('auth.password', {
        old_password: c.old_password.value,
        new_password: c.new_password.value,
        new_password_again: c.new_password_again.value,
      });
      dialog.close();
      toast(t('password.saved'));
    } catch (error) {
      errors.show(error);
    } finally {
      submitting(save, false);
    }
  });
  document.body.append(dialog);
  dialog.showModal();
  c.old_password.focus();
}

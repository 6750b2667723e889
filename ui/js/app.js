// The frame: navigation, routing by location hash, global keys, status bar, toasts, help.
import { call, session, sessionArrived, setSession, whenSignedOut } from './api.js';
import { h, clear } from './lib/dom.js';
import { initI18n, t, translateTree } from './i18n.js';
import * as customerList from './views/archive/customer-list.js';
import * as customerForm from './views/archive/customer-form.js';
import * as customerFile from './views/archive/customer-file.js';
import * as customerImport from './views/archive/customer-import.js';
import * as settings from './views/people/settings.js';
import * as equipmentForm from './views/archive/equipment-form.js';
import * as equipmentFile from './views/archive/equipment-file.js';
import * as models from './views/archive/models.js';
import * as parts from './views/stock/parts.js';
import * as partFile from './views/stock/part-file.js';
import * as stocktake from './views/stock/stocktake.js';
import * as stockReport from './views/stock/stock-report.js';
import * as intake from './views/orders/intake.js';
import * as orderFile from './views/orders/order-file.js';
import * as board from './views/orders/board.js';
import * as mine from './views/orders/mine.js';
import * as loaners from './views/orders/loaners.js';
import * as claims from './views/claims/claims.js';
import * as reports from './views/reports/reports.js';
import * as commissionRules from './views/reports/commission-rules.js';
import * as slipContinuity from './views/slips/slip-continuity.js';
import * as slipTemplate from './views/slips/slip-template.js';
import * as day from './views/followup/day.js';
import * as callbacks from './views/followup/callbacks.js';
import * as complaints from './views/followup/complaints.js';
import * as complaintForm from './views/followup/complaint-form.js';
import * as complaintFile from './views/followup/complaint-file.js';
import * as campaigns from './views/followup/campaigns.js';
import * as campaignForm from './views/followup/campaign-form.js';
import * as campaignFile from './views/followup/campaign-file.js';
import * as users from './views/people/users.js';
import * as backup from './views/people/backup.js';
import * as audit from './views/people/audit.js';
import * as ringPopup from './views/calls/ring-popup.js';
import * as notify from './views/notify/notify.js';
import { openPasswordDialog, renderLogin, renderSetup } from './views/people/login.js';
import { initGlobalSearch, resetGlobalSearch } from './global-search.js';
import { deskDateTime } from './lib/dates.js';
import { isCtrl, isSave } from './lib/keys.js';
import { resetTitle } from './lib/title.js';
import { askLeave, asking, createDirtyTracker } from './lib/dirty.js';
import { errorPanel } from './lib/loading.js';
import { fitTables } from './lib/fit.js';
import { clearDrafts } from './lib/store.js';

// path pattern → view module, area for the navigation, params from the match
const ROUTES = [
  { pattern: /^\/customers\/?$/, view: customerList, area: 'customers', params: () => ({}) },
  { pattern: /^\/customers\/new$/, view: customerForm, area: 'customers', params: () => ({}) },
  { pattern: /^\/customers\/import$/, view: customerImport, area: 'customers', params: () => ({}) },
  {
    pattern: /^\/customers\/(\d+)$/,
    view: customerFile,
    area: 'customers',
    params: (m) => ({ id: Number(m[1]) }),
  },
  {
    pattern: /^\/customers\/(\d+)\/edit$/,
    view: customerForm,
    area: 'customers',
    params: (m) => ({ id: Number(m[1]) }),
  },
  { pattern: /^\/settings\/?$/, view: settings, area: 'settings', params: () => ({}) },
  { pattern: /^\/settings\/models\/?$/, view: models, area: 'settings', params: () => ({}) },
  { pattern: /^\/settings\/notify\/?$/, view: notify, area: 'settings', params: () => ({}) },
  { pattern: /^\/settings\/commission\/?$/, view: commissionRules, area: 'settings', params: () => ({}) },
  { pattern: /^\/settings\/slip-template\/?$/, view: slipTemplate, area: 'settings', params: () => ({}) },
  { pattern: /^\/slips\/continuity\/?$/, view: slipContinuity, area: 'settings', params: () => ({}) },
  {
    pattern: /^\/customers\/(\d+)\/equipment\/new$/,
    view: equipmentForm,
    area: 'customers',
    params: (m) => ({ customerId: Number(m[1]) }),
  },
  {
    pattern: /^\/equipment\/(\d+)$/,
    view: equipmentFile,
    area: 'customers',
    params: (m) => ({ id: Number(m[1]) }),
  },
  {
    pattern: /^\/equipment\/(\d+)\/edit$/,
    view: equipmentForm,
    area: 'customers',
    params: (m) => ({ id: Number(m[1]) }),
  },
  { pattern: /^\/parts\/?$/, view: parts, area: 'parts', params: () => ({}) },
  { pattern: /^\/parts\/new$/, view: parts.form, area: 'parts', params: () => ({}) },
  { pattern: /^\/parts\/(\d+)$/, view: partFile, area: 'parts', params: (m) => ({ id: Number(m[1]) }) },
  { pattern: /^\/parts\/(\d+)\/edit$/, view: parts.form, area: 'parts', params: (m) => ({ id: Number(m[1]) }) },
  { pattern: /^\/stock-report\/?$/, view: stockReport, area: 'stock-report', params: () => ({}) },
  { pattern: /^\/reports\/?$/, view: reports, area: 'reports', params: () => ({}) },
  { pattern: /^\/stocktake\/?$/, view: stocktake, area: 'stocktake', params: () => ({}) },
  { pattern: /^\/stocktake\/(\d+)$/, view: stocktake, area: 'stocktake', params: (m) => ({ id: Number(m[1]) }) },
  { pattern: /^\/orders\/new$/, view: intake, area: 'intake', params: () => ({}) },
  { pattern: /^\/orders\/(\d+)$/, view: orderFile, area: 'board', params: (m) => ({ id: Number(m[1]) }) },
  { pattern: /^\/board\/?$/, view: board, area: 'board', params: () => ({}) },
  { pattern: /^\/mine\/?$/, view: mine, area: 'mine', params: () => ({}) },
  { pattern: /^\/loaners\/?$/, view: loaners, area: 'loaners', params: () => ({}) },
  { pattern: /^\/claims\/?$/, view: claims, area: 'claims', params: () => ({}) },
  { pattern: /^\/day\/?$/, view: day, area: 'day', params: () => ({}) },
  { pattern: /^\/callbacks\/?$/, view: callbacks, area: 'callbacks', params: () => ({}) },
  { pattern: /^\/callbacks\/(\d+)$/, view: callbacks, area: 'callbacks', params: (m) => ({ id: Number(m[1]) }) },
  { pattern: /^\/complaints\/?$/, view: complaints, area: 'complaints', params: () => ({}) },
  { pattern: /^\/complaints\/new$/, view: complaintForm, area: 'complaints', params: () => ({}) },
  { pattern: /^\/complaints\/(\d+)$/, view: complaintFile, area: 'complaints', params: (m) => ({ id: Number(m[1]) }) },
  { pattern: /^\/campaigns\/?$/, view: campaigns, area: 'campaigns', params: () => ({}) },
  { pattern: /^\/campaigns\/new$/, view: campaignForm, area: 'campaigns', params: () => ({}) },
  { pattern: /^\/campaigns\/(\d+)$/, view: campaignFile, area: 'campaigns', params: (m) => ({ id: Number(m[1]) }) },
  { pattern: /^\/users\/?$/, view: users, area: 'users', params: () => ({}) },
  { pattern: /^\/backup\/?$/, view: backup, area: 'settings', params: () => ({}) },
  { pattern: /^\/audit\/?$/, view: audit, area: 'audit', params: () => ({}) },
];
const HOME = '#/day';

const viewRoot = document.getElementById('view');
let current = null; // {view, handle} of the screen on show
let renderSeq = 0;
let appInfo = null;

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/day';
  const [path, search = ''] = raw.split('?');
  return { path, query: new URLSearchParams(search) };
}

/** Builds a hash like #/customers?q=… from a path and query parameters. */
export function hashFor(path, query = {}) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, value);
  }
  const text = search.toString();
  return `#${path}${text ? `?${text}` : ''}`;
}

// ---- leaving a screen: nothing typed is lost --------------------------------------

const dirty = createDirtyTracker(
  viewRoot,
  () => current !== null && !document.body.classList.contains('signed-out'),
);
let shownHash = location.hash; // the address of the screen on show
let allowedHash = null; // a hash change the guard already agreed to
let savingForLeave = false; // the guard's 保存 is running: the view's own navigation waits

/** True when leaving the screen on show would lose typing. */
function viewDirty() {
  const handle = current?.handle;
  if (typeof handle?.isDirty === 'function') return Boolean(handle.isDirty());
  if (typeof handle?.hasDraft === 'function' && handle.hasDraft()) return true;
  return dirty.typed();
}

/** Saves the screen on show for the guard; true when it saved (so leaving is safe). */
async function saveForLeave() {
  const handle = current?.handle;
  savingForLeave = true;
  try {
    if (typeof handle?.save === 'function') {
      const ok = await handle.save();
      await dirty.settle();
      return ok !== false && !viewDirty();
    }
    const form = dirty.form() ?? viewRoot.querySelector('form');
    let submitted = false;
    if (form) {
      // A form the view does not handle must not post the page away.
      const stop = (event) => {
        submitted = event.defaultPrevented;
        event.preventDefault();
      };
      form.addEventListener('submit', stop, { once: true });
      form.requestSubmit();
      form.removeEventListener('submit', stop);
    }
    if (!submitted) {
      // The screen's own Ctrl+S.
      const fake = new KeyboardEvent('keydown', { key: 's', ctrlKey: true, cancelable: true });
      Object.defineProperty(fake, 'target', { value: dirty.form() ?? viewRoot });
      handle?.onKey?.(fake);
    }
    await dirty.settle();
    return !viewDirty();
  } finally {
    savingForLeave = false;
  }
}

/**
 * May the clerk leave the screen on show? Asks 保存 / 放弃 / 继续编辑 when there is unsaved
 * typing; 保存 leaves only when the save went through.
 */
async function mayLeave() {
  if (asking()) return false;
  if (!current || !viewDirty()) return true;
  // A save on its way (Ctrl+S, then a click elsewhere before the answer): its answer
  // decides, the clerk is not asked about typing that is being saved.
  await dirty.settle();
  if (!current || !viewDirty()) return true;
  const focused = document.activeElement;
  const choice = await askLeave();
  if (choice === 'discard') {
    current?.handle?.discard?.();
    return true;
  }
  if (choice === 'save' && (await saveForLeave())) return true;
  if (focused?.isConnected) focused.focus();
  return false;
}

function go(hash) {
  allowedHash = hash;
  if (location.hash === hash) route();
  else location.hash = hash;
}

async function navigate(hash) {
  if (await mayLeave()) go(hash);
}

/** The view's navigate: while the guard saves, the guard decides where to go. */
function viewNavigate(hash) {
  if (!savingForLeave) navigate(hash);
}

async function onHashChange() {
  const target = location.hash;
  if (target === allowedHash || target === shownHash || !current || !viewDirty()) {
    allowedHash = null;
    route();
    return;
  }
  // A link, the browser's Back or a typed address: the screen stays until the clerk says.
  history.replaceState(history.state, '', shownHash);
  if (await mayLeave()) go(target);
}

/** Changes the hash without re-rendering (e.g. the list remembering its query). */
function replaceHash(hash) {
  if (location.hash !== hash) history.replaceState(history.state, '', hash);
  shownHash = location.hash;
}

let toastTimer = null;
function toast(message) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('show'), 2600);
}

/** The screen could not open: the message in the clerk's words and 重试 (runs `retry`). */
function showError(error, retry = route) {
  clear(viewRoot);
  const panel = errorPanel(error, retry, { id: 'view-error', home: HOME });
  viewRoot.append(panel);
  panel.querySelector('button')?.focus({ preventScroll: true });
}

// 「正在加载…」 over the view while its render is pending, after a moment (fast screens do
// not flicker).
const LOADING_DELAY_MS = 150;
const viewLoading = h('div', { id: 'view-loading', class: 'view-loading', role: 'status', hidden: true });
let loadingTimer = null;
function startLoading() {
  clearTimeout(loadingTimer);
  viewRoot.setAttribute('aria-busy', 'true');
  loadingTimer = setTimeout(() => {
    viewLoading.textContent = t('common.loading');
    viewLoading.hidden = false;
  }, LOADING_DELAY_MS);
}
function stopLoading() {
  clearTimeout(loadingTimer);
  viewLoading.hidden = true;
  viewRoot.removeAttribute('aria-busy');
}

const ctx = {
  call,
  navigate,
  hashFor,
  toast,
  showError,
  info: () => appInfo,
  refreshInfo,
  signedOut: (message) => {
    setSession('');
    signIn(message);
  },
  relabel,
  focusView: () => viewRoot.focus({ preventScroll: true }),
};

async function route() {
  const seq = ++renderSeq;
  if (document.body.classList.contains('signed-out')) return;
  const { path, query } = parseHash();
  const match = ROUTES.map((r) => ({ r, m: r.pattern.exec(path) })).find((x) => x.m);

  current?.handle?.dispose?.();
  current = null;
  for (const link of document.querySelectorAll('.sidenav a[data-view]')) {
    if (match && link.dataset.view === match.r.area) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  clear(viewRoot);
  if (!match) {
    viewRoot.append(h('section', { class: 'page' }, h('p', { class: 'notice' }, t('error.notfound.view'))));
    return;
  }
  const isCurrent = () => seq === renderSeq;
  shownHash = location.hash;
  dirty.reset();
  // A view may only rewrite the address of its own screen: once the clerk has moved on (the
  // hash changes at once, the hashchange event comes later) a late debounce must not pull
  // the address back to the old screen.
  const replaceOwnHash = (hash) => {
    if (isCurrent() && parseHash().path === path) replaceHash(hash);
  };
  // A clerk who presses F3 and types into the search box while the screen loads keeps it:
  // the screen's own first focus, when its data arrives, must not take the box away with
  // the keystrokes that follow (found under load: Esc back to the customer file, F3 and
  // an order number, the file finished loading, took the focus and the search's reply was
  // dropped). Only the search box: other focus outside the screen while it loads (the
  // login form at start, a dialog) is not the clerk's typing and is left to the screen.
  const search = document.getElementById('global-search');
  let searching = false;
  const noteSearch = (event) => {
    // Focus landing in the screen is the screen's own doing while it loads.
    if (isCurrent() && !viewRoot.contains(event.target)) searching = event.target === search;
  };
  document.addEventListener('focusin', noteSearch);
  startLoading();
  try {
    const handle = await match.r.view.render(viewRoot, {
      ...ctx,
      call: dirty.wrapCall(call, isCurrent),
      navigate: viewNavigate,
      replaceHash: replaceOwnHash,
      params: match.r.params(match.m),
      query,
      isCurrent,
    });
    if (isCurrent()) {
      current = { view: match.r.view, handle };
      fitTables(viewRoot);
    } else handle?.dispose?.();
  } catch (error) {
    if (isCurrent()) showError(error);
  } finally {
    document.removeEventListener('focusin', noteSearch);
    if (isCurrent()) stopLoading();
    if (isCurrent() && searching && search.value.trim() && document.activeElement !== search) {
      search.focus({ preventScroll: true });
      // A reply that came while the focus was away was not shown: ask again.
      search.dispatchEvent(new Event('input'));
    }
  }
}

async function refreshInfo() {
  try {
    appInfo = await call('app.info', {});
    const user = document.getElementById('status-user');
    user.textContent = appInfo?.user?.name ?? '';
    user.title = users.roleNames(appInfo?.user?.roles);
    const file = document.getElementById('status-data-file');
    // A desktop working with another PC's door (`--server`) names that PC first.
    file.textContent = appInfo?.server
      ? t('status.server', { server: appInfo.server, file: appInfo?.data_file ?? '' })
      : appInfo?.data_file ?? '';
    file.title = file.textContent;
  } catch (error) {
    document.getElementById('status-data-file').textContent =
      error?.code === 'network' ? t('status.offline') : error?.message ?? t('status.offline');
  }
  return appInfo;
}

function tickClock() {
  const el = document.getElementById('status-clock');
  const now = new Date();
  const text = deskDateTime(now);
  if (el.textContent !== text) {
    el.textContent = text;
    el.dateTime = now.toISOString();
  }
}

/** Re-labels the frame and re-renders the current screen after a language switch. */
function relabel() {
  resetTitle();
  translateTree(document);
  route();
}

// ---- keys -------------------------------------------------------------------------

const help = document.getElementById('help-panel');

function openHelp() {
  if (!help.open) help.showModal();
  document.getElementById('help-close').focus();
}

function focusGlobalSearch() {
  const input = document.getElementById('global-search');
  input.focus();
  input.select();
}

function onKeyDown(event) {
  if (event.defaultPrevented || event.isComposing) return;
  const key = event.key;
  if (help.open || asking()) return; // the dialog closes itself on Esc
  if (key === 'F1') {
    event.preventDefault();
    openHelp();
  } else if (key === 'F3' || isCtrl(event, 'k')) {
    event.preventDefault();
    focusGlobalSearch();
  } else if (key === 'F4') {
    event.preventDefault();
    // From a form with typing, the guard asks first (nothing typed is lost).
    if (current?.view !== intake && permitted.has('customers.create')) navigate('#/customers/new');
  } else if (key === 'F2') {
    event.preventDefault();
    if (!permitted.has('orders.create')) return;
    // The phone rings: the intake, with the customer on screen if there is one.
    if (current?.view === intake) current.handle?.focusPhone?.();
    else navigate(current?.handle?.newOrderHash?.() ?? '#/orders/new');
  } else if (key === 'F8') {
    // 来电: the clerk rings the number in by hand (no call centre, no caller-ID box).
    event.preventDefault();
    if (permitted.has('calls.ring')) ringPopup.ask();
  } else if (key === 'Escape' && event.target?.id === 'global-search') {
    event.preventDefault();
    event.target.blur();
    ctx.focusView();
  } else {
    current?.handle?.onKey?.(event);
    // Ctrl+S never opens the browser's "save page" dialog.
    if (isSave(event)) event.preventDefault();
  }
}

function wireFrame() {
  document.addEventListener('keydown', onKeyDown);
  document.getElementById('help-open').addEventListener('click', openHelp);
  document.getElementById('help-close').addEventListener('click', () => help.close());
  help.addEventListener('click', (event) => {
    if (event.target === help) help.close(); // a click on the backdrop
  });
  initGlobalSearch({ call, navigate, hashFor });
  window.addEventListener('hashchange', onHashChange);
  // A reload or closing the browser tab with unsaved typing: the browser's own question.
  window.addEventListener('beforeunload', (event) => {
    // A screen that keeps its own draft (the intake) comes back after a reload as it was.
    if (current && viewDirty() && !current.handle?.keepsDraft) {
      event.preventDefault();
      event.returnValue = '';
    }
  });
  document.querySelector('.frame').append(viewLoading);
}

// ---- who is at the desk ------------------------------------------------------------

// The commands this user may run (auth.status); elements marked data-needs="command" are
// hidden when the user may not run it. The core checks every command anyway.
let permitted = new Set();

function applyPermissions(root = document) {
  for (const el of root.querySelectorAll('[data-needs]')) {
    el.classList.toggle('role-hidden', !permitted.has(el.dataset.needs));
  }
}

function watchPermissions() {
  new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) {
        if (node.nodeType !== Node.ELEMENT_NODE) continue;
        if (node.dataset?.needs) node.classList.toggle('role-hidden', !permitted.has(node.dataset.needs));
        applyPermissions(node);
      }
    }
  }).observe(document.body, { childList: true, subtree: true });
}

/** Shows the login screen (or the first-run wizard), unless this window is logged in. */
async function signIn(message) {
  let status;
  try {
    status = await call('auth.status', {});
  } catch (error) {
    showError(error, () => signIn(message));
    return;
  }
  if (status.user) {
    enter(status);
    return;
  }
  current?.handle?.dispose?.();
  current = null;
  document.body.classList.add('signed-out');
  const done = async () => enter(await call('auth.status', {}), true);
  if (status.needs_setup) renderSetup(viewRoot, done);
  else renderLogin(viewRoot, done, message);
}

/**
 * Opens the desk for the logged-in user. After a login (`fresh`) the day board is the
 * first screen, as every morning (an engineer's account: 我的工单); on a reload the screen
 * stays, if the user may see it.
 */
function enter(status, fresh = false) {
  permitted = new Set(status.commands);
  applyPermissions();
  document.body.classList.toggle('engineer-linked', Boolean(status.user?.engineer_id)); // 我的工单
  document.body.classList.remove('signed-out');
  refreshInfo();
  ringPopup.start({ call, navigate, hashFor }, permitted);
  const links = [...document.querySelectorAll('.sidenav a[data-needs]')];
  const allowed = (hash) => {
    const link = links.find((a) => a.getAttribute('href') === hash);
    return !link || permitted.has(link.dataset.needs);
  };
  const here = location.hash.split('?')[0];
  const first = status.user?.engineer_id ? '#/mine' : HOME;
  let target = fresh ? first : here;
  if (!allowed(target)) target = links.find((a) => permitted.has(a.dataset.needs))?.getAttribute('href') ?? HOME;
  if (target !== location.hash) navigate(target);
  else route();
}

async function signOut() {
  if (!(await mayLeave())) return;
  try {
    await call('auth.logout', { session: session() });
  } catch {
    // Already ended: the login screen is where we go anyway.
  }
  setSession('');
  appInfo = null;
  document.getElementById('status-user').textContent = '';
  forgetUser();
  signIn();
}

/** Nothing of the previous user stays for the next: search box, drafts, remembered lists. */
function forgetUser() {
  current?.handle?.dispose?.();
  current = null;
  ringPopup.stop();
  dirty.reset();
  clear(viewRoot);
  resetGlobalSearch();
  clearDrafts();
  day.forget();
  // The lists remember their query in the address: the next user starts from home.
  history.replaceState(null, '', `${location.pathname}${location.search}${HOME}`);
  shownHash = location.hash;
}

// A page reached over plain HTTP from another PC (the admin chose `lan_plain_http`)
// carries passwords and the archive in clear: a red bar says so on every screen, for good.
function markUnencrypted() {
  const loopback = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i.test(location.hostname);
  if (location.protocol !== 'http:' || loopback) return;
  document.getElementById('unencrypted-banner').hidden = false;
  document.body.classList.add('unencrypted');
}

async function start() {
  markUnencrypted();
  if (sessionArrived || !location.hash || location.hash === '#' || location.hash === '#/') {
    history.replaceState(null, '', `${location.pathname}${location.search}${HOME}`);
  }
  await initI18n();
  resetTitle();
  translateTree(document);
  wireFrame();
  watchPermissions();
  document.getElementById('status-logout').addEventListener('click', signOut);
  document.getElementById('status-password').addEventListener('click', () => openPasswordDialog(toast));
  whenSignedOut(() => {
    if (!document.body.classList.contains('signed-out')) signIn(t('status.signed_out'));
  });
  tickClock();
  setInterval(tickClock, 1000);
  await signIn();
}

start().catch((error) => {
  console.error(error);
  document.body.classList.add('failed');
});

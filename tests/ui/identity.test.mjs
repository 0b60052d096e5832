#!/usr/bin/env node
// Browser test of accounts, workspaces, the org chart and permissions (web/ui) against a running
// creekd that has NOT been set up yet (GET /api/v1/setup says needed):
//
//   CREEK_URL=http://127.0.0.1:18080 node tests/ui/identity.test.mjs
//
// Run it first on a fresh creekd: it does the first-run setup through the page as the harness's
// TEST_ADMIN, whom the other browser tests then sign in as. In order:
//   1. first-run setup through #/setup: a wrong setup code is refused, the one creekd wrote into
//      its data dir (CREEK_DATA_DIR) lands in the new workspace
//   2. sign out; a wrong password is refused with its message; sign in again; My sessions lists
//      this browser's session
//   3. org chart: two departments, one inside the other, and a member added through the form into
//      the inner one, shown in the tree count and the table
//   4. an invite link (with its QR code) opened in a browser with no cookies: register, land in the
//      workspace, in the invite's department
//   4b. an account of another workspace invited by its exact login: no member until it accepts
//      under My invitations in its own browser, then in the workspace
//   4c. an API key made on the Permissions page shows its expiry; rotating it shows a new secret
//      and the old one is refused
//   5. a member of a permission group with edit_app on app A only (made through the API from a
//      separate browser context signed in as the administrator) must first replace the password
//      the administrator set (#/change-password), then sees the edit entry of app A and not of
//      app B, and no Permissions menu
//   6. the sign-in page on a 390x844 phone: no sideways scroll, full-width inputs, big button
// Env, requirements and exit code: see harness.mjs. It fails on any console error, uncaught page
// error, CSP violation or failed request, except the 401 and 403 answers it expects (GET
// /api/v1/me while signed out, a wrong password, a wrong setup code).

import { join } from 'node:path';
import {
  TEST_ADMIN,
  artifacts,
  baseUrl,
  cspViolations,
  fail,
  isolatedContext,
  log,
  openUi,
  problems,
  readSetupCode,
  remaining,
  runBrowserTest,
  sel,
  tid,
  watch,
} from './harness.mjs';

const TIMEOUT_MS = 150_000;
const PHONE = { width: 390, height: 844 };
const PASSWORD = 'creek-ui-member-pass-2';
const EDITOR_OWN_PASSWORD = 'creek-ui-editor-own-3';
const MEMBER = { login: 'zhangsan', name: '张三', title: '销售经理' };
const INVITED = { login: 'lisi', name: '李四' };
const EDITOR = { login: 'wangwu', name: '王五' };
const GUEST = { login: 'zhaoliu', name: '赵六' };
const TEXT = {
  wrongPassword: '登录名或密码错误',
};

// Signed-out pages ask GET /me (401), the wrong-password try gets 401 from POST /session, and the
// wrong setup code 403 from POST /setup.
const allowSignedOut = (url, status) =>
  (status === 401 && /\/api\/v1\/(me|session)$/.test(new URL(url).pathname)) ||
  (status === 403 && new URL(url).pathname === '/api/v1/setup');

async function visible(page, testId, what) {
  try {
    await page.waitForSelector(tid(testId), { state: 'visible', timeout: remaining() });
  } catch {
    fail(`${what}: [data-testid="${testId}"] did not appear (URL ${page.url()})`);
  }
}

async function waitForUrl(page, pattern, what) {
  try {
    await page.waitForURL(pattern, { timeout: remaining() });
  } catch {
    fail(`${what}: URL ${page.url()} never matched ${pattern}`);
  }
  return pattern.exec(page.url());
}

async function fill(page, testId, value) {
  await page.fill(tid(testId), value, { timeout: remaining() });
}

async function click(page, selector) {
  await page.click(selector, { timeout: remaining() });
}

/** Waits until the element's trimmed text contains `expected`. */
async function waitForTextIn(page, testId, expected, what) {
  try {
    await page.waitForFunction(
      ([s, exp]) => document.querySelector(s)?.textContent.includes(exp),
      [tid(testId), expected],
      { timeout: remaining(), polling: 100 },
    );
  } catch {
    const seen = await page.$eval(tid(testId), (el) => el.textContent.trim()).catch(() => null);
    fail(`${what}: expected text with "${expected}", page shows ${JSON.stringify(seen)}`);
  }
}

/** The id of the department shown with this name in the tree (waits for it). */
async function departmentId(page, name) {
  let handle;
  try {
    handle = await page.waitForFunction(
      (n) => {
        const el = [...document.querySelectorAll('[data-testid^="dept-name-"]')].find(
          (e) => e.textContent.trim() === n,
        );
        return el ? Number(el.dataset.testid.slice('dept-name-'.length)) : null;
      },
      name,
      { timeout: remaining(), polling: 100 },
    );
  } catch {
    fail(`department "${name}" did not appear in the tree`);
  }
  return handle.jsonValue();
}

/** An API caller signed in as `account` in its own browser context (its own cookie jar). */
async function apiAs(account) {
  const context = await isolatedContext();
  const res = await context.request.post(`${baseUrl}/api/v1/session`, {
    data: { login: account.login, password: account.password },
    timeout: remaining(),
  });
  if (!res.ok()) fail(`API sign-in as ${account.login}: HTTP ${res.status()} ${await res.text()}`);
  const { csrf_token: csrf } = await res.json();
  return async function call(method, path, data, expected = [200, 201, 204]) {
    const answer = await context.request.fetch(`${baseUrl}${path}`, {
      method,
      data,
      headers: { 'X-Creek-CSRF': csrf },
      timeout: remaining(),
    });
    const text = await answer.text();
    if (!expected.includes(answer.status())) {
      fail(`${method} ${path}: HTTP ${answer.status()} ${text}`);
    }
    return text ? JSON.parse(text) : null;
  };
}

async function firstRunSetup(page) {
  const setup = await page.request.get(`${baseUrl}/api/v1/setup`, { timeout: remaining() });
  const { needed } = await setup.json();
  if (!needed) {
    fail('creekd is set up already: run identity.test.mjs first, on a fresh creekd');
  }
  await openUi(page, 'admin', '');
  await waitForUrl(page, /#\/setup$/, 'a fresh installation opens the setup page');
  await fill(page, 'setup-login', TEST_ADMIN.login);
  await fill(page, 'setup-name', TEST_ADMIN.name);
  await fill(page, 'setup-password', TEST_ADMIN.password);
  await fill(page, 'setup-password2', TEST_ADMIN.password);
  await fill(page, 'setup-workspace', TEST_ADMIN.workspace);
  // A wrong setup code is refused on the page (the first visitor is not the administrator).
  await fill(page, 'setup-code', 'WRNG-WRNG-WRNG-WRNG');
  await click(page, tid('setup-submit'));
  await visible(page, 'setup-error', 'the refusal of a wrong setup code');
  if (!/#\/setup$/.test(page.url())) fail(`a wrong setup code left the setup page: ${page.url()}`);
  await fill(page, 'setup-code', await readSetupCode());
  await page.screenshot({ path: join(artifacts, 'ui-identity-setup.png'), fullPage: true });
  await click(page, tid('setup-submit'));
  const [, ws] = await waitForUrl(page, /#\/w\/([^/]+)\/apps$/, 'after setup');
  await visible(page, 'apps-page', 'the workspace home after setup');
  await waitForTextIn(page, 'ws-current', TEST_ADMIN.workspace, 'workspace switcher');
  await waitForTextIn(page, 'account-name', TEST_ADMIN.name, 'account menu');
  for (const item of ['menu-contacts', 'menu-permissions', 'menu-cluster-nodes']) {
    if (!(await page.isVisible(sel(item)))) fail(`the administrator has no ${item} entry`);
  }
  log(`setup through the page OK, workspace ${ws}`);
  return ws;
}

async function signOutAndIn(page, ws) {
  await click(page, tid('account-menu'));
  await click(page, tid('account-sign-out'));
  await waitForUrl(page, /#\/sign-in$/, 'after signing out');
  await fill(page, 'signin-login', TEST_ADMIN.login);
  await fill(page, 'signin-password', 'not-the-password');
  await click(page, tid('signin-submit'));
  await waitForTextIn(page, 'signin-error', TEXT.wrongPassword, 'a wrong password');
  await fill(page, 'signin-password', TEST_ADMIN.password);
  await click(page, tid('signin-submit'));
  await waitForUrl(page, new RegExp(`#/w/${ws}/apps$`), 'after signing in again');
  await visible(page, 'apps-page', 'the workspace home after signing in');
  log('sign out, wrong password refused, sign in again OK');
}

// My sessions lists this browser's session (marked as the current one).
async function mySessions(page) {
  await click(page, tid('account-menu'));
  await click(page, tid('account-sessions'));
  await visible(page, 'account-sessions-table', 'the My sessions table');
  await page.waitForSelector(`${tid('account-sessions-table')} .current-tag`, {
    state: 'visible',
    timeout: remaining(),
  });
  const text = await page.textContent(tid('account-sessions-table'));
  if (!text.includes('127.0.0.1')) fail(`My sessions shows no address: ${text}`);
  await page.screenshot({ path: join(artifacts, 'ui-identity-sessions.png'), fullPage: true });
  await page.keyboard.press('Escape');
  await page.waitForSelector(tid('account-sessions-table'), {
    state: 'hidden',
    timeout: remaining(),
  });
  log('my sessions listed OK');
}

async function addDepartment(page, name) {
  await click(page, tid('dept-add-child'));
  await visible(page, 'dept-dialog-name', `the dialog for "${name}"`);
  await fill(page, 'dept-dialog-name', name);
  await click(page, tid('dept-dialog-submit'));
  await page.waitForSelector(tid('dept-dialog-name'), { state: 'hidden', timeout: remaining() });
  return departmentId(page, name);
}

async function buildOrgChart(page, ws) {
  await click(page, sel('menu-contacts'));
  await waitForUrl(page, new RegExp(`#/w/${ws}/contacts$`), 'the contacts menu entry');
  await visible(page, 'dept-tree', 'the department tree');
  // The new department is selected after it is made, so the second goes inside the first.
  const sales = await addDepartment(page, '销售部');
  const east = await addDepartment(page, '华东区');
  const nested = await page.evaluate(
    ([inner, outer]) => {
      const node = document.querySelector(`[data-testid="dept-node-${inner}"]`);
      const parent = node?.closest('.el-tree-node')?.parentElement?.closest('.el-tree-node');
      return parent?.querySelector(`[data-testid="dept-name-${outer}"]`) !== null;
    },
    [east, sales],
  );
  if (!nested) fail('华东区 is not shown inside 销售部 in the tree');
  await waitForTextIn(page, 'member-list-title', '销售部 / 华东区', 'the selected department');

  await click(page, tid('member-add'));
  await visible(page, 'member-form-login', 'the new member form');
  await fill(page, 'member-form-login', MEMBER.login);
  await fill(page, 'member-form-password', PASSWORD);
  await fill(page, 'member-form-name', MEMBER.name);
  await fill(page, 'member-form-title', MEMBER.title);
  await click(page, tid('member-form-submit'));
  await page.waitForSelector(tid('member-form-login'), { state: 'hidden', timeout: remaining() });
  try {
    await page.waitForFunction(
      (n) =>
        [...document.querySelectorAll('[data-testid^="member-name-"]')].some(
          (e) => e.textContent.trim() === n,
        ),
      MEMBER.name,
      { timeout: remaining(), polling: 100 },
    );
  } catch {
    fail(`${MEMBER.name} is not in the table of 华东区 after adding`);
  }
  await waitForTextIn(page, `dept-count-${east}`, '1', 'the member count of 华东区');
  const members = await page.request.get(
    `${baseUrl}/api/v1/workspaces/${ws}/members?department_id=${east}`,
    { timeout: remaining() },
  );
  const inEast = (await members.json()).members?.map((m) => m.login) ?? [];
  if (!inEast.includes(MEMBER.login)) fail(`the API lists ${inEast} in 华东区`);
  await page.screenshot({ path: join(artifacts, 'ui-identity-contacts.png'), fullPage: true });
  log(`org chart OK: 销售部 (${sales}) > 华东区 (${east}) with ${MEMBER.name}`);
  return east;
}

async function inviteByLink(page, ws, departmentIdOfLink) {
  await click(page, tid('contacts-tab-invites'));
  await visible(page, 'invite-link-create', 'the invite link form');
  await click(page, tid('invite-link-create'));
  await visible(page, 'invite-link-url', 'the new invite link');
  const url = await page.inputValue(tid('invite-link-url'));
  if (!url.startsWith(`${baseUrl}/#/invite/`)) fail(`the invite link is ${url}`);
  const qr = await page.getAttribute(tid('invite-link-qr'), 'src', { timeout: remaining() });
  if (!qr?.startsWith('data:image/png;base64,')) fail(`the QR code is not an image: ${qr}`);
  await page.screenshot({ path: join(artifacts, 'ui-identity-invite-link.png'), fullPage: true });

  const stranger = await isolatedContext();
  const guest = await stranger.newPage();
  watch(guest, 'invited', { allow: allowSignedOut });
  await openUi(guest, 'invited', url.slice(baseUrl.length + 1));
  await waitForTextIn(guest, 'invite-workspace', TEST_ADMIN.workspace, 'the invite page');
  await fill(guest, 'register-login', INVITED.login);
  await fill(guest, 'register-name', INVITED.name);
  await fill(guest, 'register-password', PASSWORD);
  await click(guest, tid('register-submit'));
  await waitForUrl(guest, new RegExp(`#/w/${ws}/apps$`), 'after registering');
  await visible(guest, 'apps-page', 'the workspace home of the invited');
  await waitForTextIn(guest, 'ws-current', TEST_ADMIN.workspace, 'the invited one’s workspace');
  if (await guest.$(sel('menu-permissions'))) fail('a new member sees the Permissions menu');
  problems.push(...(await cspViolations(guest, 'invited')));

  const answer = await page.request.get(
    `${baseUrl}/api/v1/workspaces/${ws}/members?q=${INVITED.login}`,
    { timeout: remaining() },
  );
  const lisi = (await answer.json()).members?.find((m) => m.login === INVITED.login);
  if (!lisi?.department_ids?.includes(departmentIdOfLink)) {
    fail(`the invited member is not in the invite's department: ${JSON.stringify(lisi)}`);
  }
  log('invite link, QR code, register in a fresh browser, land in the workspace OK');
}

/** The console's members (API, as the admin page sees them). */
async function memberLogins(page, ws) {
  const res = await page.request.get(`${baseUrl}/api/v1/workspaces/${ws}/members?status=all`, {
    timeout: remaining(),
  });
  return (await res.json()).members?.map((m) => m.login) ?? [];
}

// An account of another workspace is invited by its exact login (the answer says nothing about
// the login), is no member until it accepts, and accepts under My invitations in its own browser.
async function inviteExistingAccount(page, ws) {
  const api = await apiAs(TEST_ADMIN);
  const branch = await api('POST', '/api/v1/workspaces', { name: '分公司' });
  await api('POST', `/api/v1/workspaces/${branch.id}/members`, {
    login: GUEST.login,
    name: GUEST.name,
    password: PASSWORD,
  });
  await visible(page, 'invite-login-input', 'the invite-by-login form');
  await fill(page, 'invite-login-input', GUEST.login);
  await click(page, tid('invite-login-submit'));
  await page.waitForFunction(
    () => !document.querySelector('[data-testid="invite-login-input"]')?.value,
    null,
    {
      timeout: remaining(),
      polling: 100,
    },
  );
  if ((await memberLogins(page, ws)).includes(GUEST.login)) {
    fail(`${GUEST.login} became a member before accepting the invitation`);
  }

  const context = await isolatedContext();
  const guest = await context.newPage();
  watch(guest, 'guest', { allow: allowSignedOut });
  await openUi(guest, 'guest', '#/sign-in');
  await fill(guest, 'signin-login', GUEST.login);
  await fill(guest, 'signin-password', PASSWORD);
  await click(guest, tid('signin-submit'));
  // The branch's administrator set the password: the guest chooses their own first.
  await waitForUrl(guest, /#\/change-password/, 'the guest sent to choose their own password');
  await fill(guest, 'change-password-current', PASSWORD);
  await fill(guest, 'change-password-new', EDITOR_OWN_PASSWORD);
  await fill(guest, 'change-password-again', EDITOR_OWN_PASSWORD);
  await click(guest, tid('change-password-submit'));
  await waitForUrl(guest, new RegExp(`#/w/${branch.id}/apps$`), 'the guest signing in');
  await click(guest, tid('account-menu'));
  await click(guest, tid('account-invitations'));
  await visible(guest, `my-invitation-accept-${ws}`, 'the invitation in My invitations');
  await guest.screenshot({
    path: join(artifacts, 'ui-identity-my-invitations.png'),
    fullPage: true,
  });
  await click(guest, tid(`my-invitation-accept-${ws}`));
  await waitForTextIn(guest, 'ws-current', TEST_ADMIN.workspace, 'the workspace after accepting');
  if (!(await memberLogins(page, ws)).includes(GUEST.login)) {
    fail(`${GUEST.login} accepted but is not a member`);
  }
  problems.push(...(await cspViolations(guest, 'guest')));
  log('invite an existing account by login, accepted under My invitations OK');
}

// An API key: made with the default lifetime, its expiry shown in the list; rotating it (after the
// confirmation) shows a new secret once, and the old one stops.
async function apiKeyRotates(page, ws) {
  await click(page, sel('menu-permissions'));
  await visible(page, 'api-key-name', 'the API key form');
  await fill(page, 'api-key-name', 'HR 同步');
  await click(page, tid('api-key-create'));
  await visible(page, 'api-key-value', 'the new API key');
  const first = await page.inputValue(tid('api-key-value'));
  await click(page, tid('api-key-done'));
  await page.waitForSelector(tid('api-key-value'), { state: 'hidden', timeout: remaining() });
  const keys = await page.request.get(`${baseUrl}/api/v1/workspaces/${ws}/api-keys`, {
    timeout: remaining(),
  });
  const key = (await keys.json()).api_keys?.find((k) => first.startsWith(k.prefix));
  if (!key?.expires_at) fail(`the new key has no expiry: ${JSON.stringify(key)}`);
  await visible(page, `api-key-expires-${key.id}`, 'the expiry of the new key');
  await click(page, tid(`api-key-rotate-${key.id}`));
  await click(page, '.confirm-ok');
  await visible(page, 'api-key-value', 'the rotated key');
  const second = await page.inputValue(tid('api-key-value'));
  if (!second || second === first) fail('rotating did not show a new key');
  await page.screenshot({ path: join(artifacts, 'ui-identity-api-key.png'), fullPage: true });
  await click(page, tid('api-key-done'));
  const old = await page.request.get(`${baseUrl}/api/v1/workspaces/${ws}/departments`, {
    headers: { Authorization: `Bearer ${first}` },
    timeout: remaining(),
  });
  if (old.status() !== 401) fail(`the rotated-away key answers ${old.status()}, not 401`);
  log('API key made with an expiry, rotated: new secret shown once, the old one refused OK');
}

async function groupMemberSeesOnlyTheirApp(ws) {
  const api = await apiAs(TEST_ADMIN);
  const appA = await api('POST', `/api/v1/workspaces/${ws}/apps`, { name: '应用甲' });
  const appB = await api('POST', `/api/v1/workspaces/${ws}/apps`, { name: '应用乙' });
  const editor = await api('POST', `/api/v1/workspaces/${ws}/members`, {
    login: EDITOR.login,
    name: EDITOR.name,
    password: PASSWORD,
  });
  await api('POST', `/api/v1/workspaces/${ws}/permission-groups`, {
    name: '应用甲编辑',
    grants: {
      add_app: false,
      edit_app: true,
      delete_app: false,
      manage_data: false,
      view_contacts: false,
      template_center: false,
    },
    all_apps: false,
    app_ids: [appA.id],
    member_ids: [editor.account_id],
  });

  const context = await isolatedContext();
  const page = await context.newPage();
  watch(page, 'editor', { allow: allowSignedOut });
  await openUi(page, 'editor', '#/sign-in');
  await fill(page, 'signin-login', EDITOR.login);
  await fill(page, 'signin-password', PASSWORD);
  await click(page, tid('signin-submit'));
  // The administrator set the editor's password: the editor must choose their own first.
  await waitForUrl(page, /#\/change-password/, 'the editor sent to choose their own password');
  await fill(page, 'change-password-current', PASSWORD);
  await fill(page, 'change-password-new', EDITOR_OWN_PASSWORD);
  await fill(page, 'change-password-again', EDITOR_OWN_PASSWORD);
  await page.screenshot({
    path: join(artifacts, 'ui-identity-change-password.png'),
    fullPage: true,
  });
  await click(page, tid('change-password-submit'));
  await waitForUrl(page, new RegExp(`#/w/${ws}/apps$`), 'the editor signing in');
  await visible(page, `app-card-${appA.id}`, 'app A');
  await visible(page, `app-card-${appB.id}`, 'app B');
  await visible(page, `app-edit-${appA.id}`, 'the edit entry of app A');
  for (const absent of [
    `app-edit-${appB.id}`,
    `app-delete-${appA.id}`,
    `app-delete-${appB.id}`,
    'app-new',
  ]) {
    if (await page.$(tid(absent))) fail(`the group member sees ${absent}`);
  }
  for (const absent of ['menu-permissions', 'menu-contacts']) {
    if (await page.$(sel(absent))) fail(`the group member sees the menu entry ${absent}`);
  }
  await page.screenshot({ path: join(artifacts, 'ui-identity-editor.png'), fullPage: true });
  problems.push(...(await cspViolations(page, 'editor')));
  log('permission group: edit entry for app A only, no Permissions menu OK');
}

async function phoneSignIn() {
  const context = await isolatedContext({ viewport: PHONE });
  const page = await context.newPage();
  watch(page, 'phone', { allow: allowSignedOut });
  await openUi(page, 'phone', '#/sign-in');
  await visible(page, 'signin-login', 'the sign-in page at 390 px');
  const layout = await page.evaluate(() => {
    const box = (s) => document.querySelector(s)?.getBoundingClientRect();
    const [login, password, submit] = [
      '[data-testid="signin-login"]',
      '[data-testid="signin-password"]',
      '[data-testid="signin-submit"]',
    ].map(box);
    return {
      scrollWidth: document.documentElement.scrollWidth,
      login: login && { left: login.left, right: login.right, width: login.width },
      password: password && { width: password.width },
      submit: submit && { width: submit.width, height: submit.height },
    };
  });
  if (layout.scrollWidth > PHONE.width) {
    fail(`at ${PHONE.width} px the sign-in page is ${layout.scrollWidth} px wide`);
  }
  if (!layout.login || layout.login.left < 0 || layout.login.right > PHONE.width) {
    fail(`the login input is not inside the screen: ${JSON.stringify(layout.login)}`);
  }
  // Full width: the card leaves a small margin on each side only.
  if (layout.login.width < 280 || layout.password.width < 280) {
    fail(`the inputs are not full width at ${PHONE.width} px: ${JSON.stringify(layout)}`);
  }
  if (layout.submit.width < 300 || layout.submit.height < 40) {
    fail(`the sign-in button is small at ${PHONE.width} px: ${JSON.stringify(layout.submit)}`);
  }
  for (const testId of ['signin-login', 'signin-password', 'signin-submit']) {
    if (!(await page.isVisible(tid(testId)))) fail(`${testId} is not visible at 390 px`);
  }
  if (!(await page.isVisible(sel('lang-switch')))) fail('no language switch on the sign-in page');
  await page.screenshot({ path: join(artifacts, 'ui-identity-phone-sign-in.png'), fullPage: true });
  problems.push(...(await cspViolations(page, 'phone')));
  log(
    `sign-in page at ${PHONE.width}x${PHONE.height} OK, screenshot ui-identity-phone-sign-in.png`,
  );
}

async function run(context) {
  const page = await context.newPage();
  watch(page, 'admin', { allow: allowSignedOut });
  const ws = await firstRunSetup(page);
  await signOutAndIn(page, ws);
  await mySessions(page);
  const east = await buildOrgChart(page, ws);
  await inviteByLink(page, ws, east);
  await inviteExistingAccount(page, ws);
  await apiKeyRotates(page, ws);
  problems.push(...(await cspViolations(page, 'admin')));
  await groupMemberSeesOnlyTheirApp(ws);
  await phoneSignIn();
}

runBrowserTest(run, { timeoutMs: TIMEOUT_MS });

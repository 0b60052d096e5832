#!/usr/bin/env node
// Browser test of the node health page (web/ui) against a running creekd.
//
//   CREEK_URL=http://127.0.0.1:18080 node tests/ui/health.test.mjs
//
// The console needs a session: the test signs in as the harness's TEST_ADMIN first (setting the
// installation up if nobody has). Env, requirements and exit code: see harness.mjs. It fails on
// any console error, uncaught page error, CSP violation or failed request.

import { join } from 'node:path';
import {
  DESKTOP,
  ROLE_LABELS,
  artifacts,
  cspViolations,
  fail,
  fetchJson,
  log,
  openUi,
  problems,
  remaining,
  runBrowserTest,
  sel,
  signIn,
  textOf,
  waitForText,
  watch,
} from './harness.mjs';

const PHONE = { width: 375, height: 812 };

// Anonymous callers read only the status; the signed-in installation administrator (context) the
// rest, as the console does.
async function fetchHealth(context) {
  const anonymous = await fetchJson('/api/v1/health');
  if (JSON.stringify(anonymous.body) !== '{"status":"ok"}') {
    fail(`anonymous GET /api/v1/health tells more than its status: ${JSON.stringify(anonymous)}`);
  }
  const { status, body } = await fetchJson('/api/v1/health', context);
  if (status !== 200 || body.status !== 'ok') {
    fail(`the node is not healthy: HTTP ${status}, status ${JSON.stringify(body.status)}`);
  }
  if (!body.node?.address || !body.version?.dqlite || !ROLE_LABELS[body.node.role]) {
    fail(
      `GET /api/v1/health lacks node.address, version.dqlite or a known node.role: ${JSON.stringify(body)}`,
    );
  }
  return body;
}

async function run(context) {
  await signIn(context);
  const health = await fetchHealth(context);
  log(`API: status ${health.status}, node ${health.node.address}, dqlite ${health.version.dqlite}`);

  // Desktop, Chinese (the default language), opened by its deep link.
  const page = await context.newPage();
  watch(page, 'desktop');
  await page.setViewportSize(DESKTOP);
  await openUi(page, 'desktop', '#/cluster/health');
  try {
    await page.waitForURL(/#\/cluster\/health$/, { timeout: remaining() });
  } catch {
    fail(`#/cluster/health did not stay open for a signed-in user (URL is ${page.url()})`);
  }
  await waitForText(page, 'health-status', '正常', 'status (zh-CN)');
  await waitForText(page, 'health-node-address', health.node.address, 'node address');
  await waitForText(page, 'health-version-dqlite', health.version.dqlite, 'dqlite version');
  await waitForText(page, 'health-role', ROLE_LABELS[health.node.role].zh, 'role (zh-CN)');
  // The node keeps a read model; idle, it has applied every change.
  await waitForText(page, 'health-read-model-lag', '0 条', 'read model lag (zh-CN)');
  await waitForText(page, 'health-read-model-building', '无', 'read model rebuilds (zh-CN)');
  for (const test of ['health-uptime', 'health-leader', 'health-store', 'health-version-creek']) {
    if (!(await textOf(page, test))) fail(`${test} is missing or empty`);
  }
  if (await page.$(sel('health-error'))) {
    fail(`error box shown: ${await textOf(page, 'health-error')}`);
  }
  await page.screenshot({ path: join(artifacts, 'ui-health.png'), fullPage: true });
  log('zh-CN page OK, screenshot ui-health.png');

  // Switch to English.
  await page.click(sel('lang-switch'), { timeout: remaining() });
  await page.click(sel('lang-option-en'), { timeout: remaining() });
  await waitForText(page, 'health-status', 'OK', 'status (en)');
  await waitForText(page, 'health-role', ROLE_LABELS[health.node.role].en, 'role (en)');
  await page.waitForSelector(sel('lang-option-en'), { state: 'hidden', timeout: remaining() });
  try {
    await page.getByRole('heading', { name: 'Node health' }).waitFor({ timeout: remaining() });
  } catch {
    fail('English heading "Node health" did not appear after switching the language');
  }
  await page.screenshot({ path: join(artifacts, 'ui-health-en.png'), fullPage: true });
  log('language switch to English OK, screenshot ui-health-en.png');
  problems.push(...(await cspViolations(page, 'desktop')));

  // Phone width (the language choice is kept in localStorage).
  const phone = await context.newPage();
  watch(phone, 'phone');
  await phone.setViewportSize(PHONE);
  await openUi(phone, 'phone', '#/cluster/health');
  await waitForText(phone, 'health-status', 'OK', 'status at 375 px (saved language en)');
  await waitForText(
    phone,
    'health-version-dqlite',
    health.version.dqlite,
    'dqlite version (phone)',
  );
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  if (overflow > 0) fail(`at 375 px the page scrolls sideways by ${overflow} px`);
  if (!(await phone.isVisible(sel('menu-toggle')))) fail('at 375 px there is no menu button');
  await phone.screenshot({ path: join(artifacts, 'ui-health-phone.png'), fullPage: true });
  await phone.click(sel('menu-toggle'), { timeout: remaining() });
  try {
    await phone.waitForSelector(sel('menu-cluster-health'), {
      state: 'visible',
      timeout: remaining(),
    });
  } catch {
    fail('at 375 px the menu button did not open the menu');
  }
  log('375 px OK, screenshot ui-health-phone.png');
  problems.push(...(await cspViolations(phone, 'phone')));
}

runBrowserTest(run);

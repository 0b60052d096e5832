#!/usr/bin/env node
// Browser test of the node health page (web/ui) against a running creekd.
//
//   CREEK_URL=http://127.0.0.1:18080 node tests/ui/health.test.mjs
//
// Env: CREEK_URL (required), CREEK_ARTIFACTS (screenshots, default /tmp),
//      CHROMIUM (default /usr/bin/chromium).
// Needs `npm ci` in web/ui (playwright-core comes from there) and Debian's chromium; fonts-noto-cjk
// for readable Chinese in the screenshots. Exit code 0 = pass; otherwise a FAIL line says why.
// It fails on any console error, uncaught page error, CSP violation or failed request.

import { createRequire } from 'node:module';
import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(new URL('../../web/ui/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const TOTAL_TIMEOUT_MS = 60_000;
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const DESKTOP = { width: 1280, height: 800 };
const ROLE_LABELS = {
  voter: { zh: '投票节点', en: 'Voter' },
  standby: { zh: '备用节点', en: 'Standby' },
  spare: { zh: '空闲节点', en: 'Spare' },
};
const PHONE = { width: 375, height: 812 };

const started = Date.now();
const deadline = started + TOTAL_TIMEOUT_MS;
const remaining = () => Math.max(1, deadline - Date.now());

class TestFailure extends Error {}
const fail = (message) => {
  throw new TestFailure(message);
};
const log = (message) =>
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);

const baseUrl = (process.env.CREEK_URL || '').replace(/\/+$/, '');
const artifacts = process.env.CREEK_ARTIFACTS || '/tmp';
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

// Console errors, page errors, CSP violations and failed requests, from every page.
const problems = [];

function watch(page, label) {
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const url = msg.location()?.url || '';
    if (/\/favicon\.(ico|svg)$/.test(url) && /404/.test(msg.text())) return;
    problems.push(`${label}: console error: ${msg.text()} ${url}`.trim());
  });
  page.on('pageerror', (err) => problems.push(`${label}: page error: ${err.message}`));
  page.on('requestfailed', (req) =>
    problems.push(`${label}: request failed: ${req.url()} (${req.failure()?.errorText})`),
  );
  page.on('response', (res) => {
    if (res.status() >= 400 && !/\/favicon\.(ico|svg)$/.test(res.url())) {
      problems.push(`${label}: HTTP ${res.status()} for ${res.url()}`);
    }
  });
}

// Runs before any page script (through DevTools, so the CSP does not apply to it) and records
// CSP violations, including ones Chromium does not log to the console.
function recordCspViolations() {
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(
      `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`,
    );
  });
}

async function cspViolations(page, label) {
  const list = await page.evaluate(() => window.__cspViolations || []);
  return list.map((v) => `${label}: CSP violation: ${v}`);
}

const sel = (test) => `[data-test="${test}"]`;

async function textOf(page, test) {
  const el = await page.$(sel(test));
  return el ? (await el.textContent()).trim() : null;
}

/** Waits until the element's trimmed text equals `expected`; fails with the text last seen. */
async function waitForText(page, test, expected, what) {
  try {
    await page.waitForFunction(
      ([s, exp]) => document.querySelector(s)?.textContent.trim() === exp,
      [sel(test), expected],
      { timeout: remaining(), polling: 100 },
    );
  } catch {
    fail(`${what}: expected "${expected}", page shows ${JSON.stringify(await textOf(page, test))}`);
  }
}

async function fetchHealth() {
  let res;
  try {
    res = await fetch(`${baseUrl}/api/v1/health`, { signal: AbortSignal.timeout(remaining()) });
  } catch (err) {
    fail(`GET ${baseUrl}/api/v1/health failed: ${err.message}`);
  }
  const body = await res.json().catch(() => fail('GET /api/v1/health: body is not JSON'));
  if (res.status !== 200 || body.status !== 'ok') {
    fail(`the node is not healthy: HTTP ${res.status}, status ${JSON.stringify(body.status)}`);
  }
  if (!body.node?.address || !body.version?.dqlite || !ROLE_LABELS[body.node.role]) {
    fail(
      `GET /api/v1/health lacks node.address, version.dqlite or a known node.role: ${JSON.stringify(body)}`,
    );
  }
  return body;
}

async function openUi(page, label) {
  const response = await page.goto(`${baseUrl}/`, { timeout: remaining() });
  if (!response || !response.ok()) fail(`${label}: GET ${baseUrl}/ gave ${response?.status()}`);
  if (!response.headers()['content-security-policy']) {
    fail(`${label}: ${baseUrl}/ was served without a Content-Security-Policy header`);
  }
}

async function run(context) {
  const health = await fetchHealth();
  log(`API: status ${health.status}, node ${health.node.address}, dqlite ${health.version.dqlite}`);

  // Desktop, Chinese (the default language).
  const page = await context.newPage();
  watch(page, 'desktop');
  await page.setViewportSize(DESKTOP);
  await openUi(page, 'desktop');
  try {
    await page.waitForURL(/#\/cluster\/health$/, { timeout: remaining() });
  } catch {
    fail(`/ did not redirect to #/cluster/health (URL is ${page.url()})`);
  }
  await waitForText(page, 'health-status', '正常', 'status (zh-CN)');
  await waitForText(page, 'health-node-address', health.node.address, 'node address');
  await waitForText(page, 'health-version-dqlite', health.version.dqlite, 'dqlite version');
  await waitForText(page, 'health-role', ROLE_LABELS[health.node.role].zh, 'role (zh-CN)');
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
  await openUi(phone, 'phone');
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

async function main() {
  if (!baseUrl) fail('set CREEK_URL, e.g. CREEK_URL=http://127.0.0.1:18080');
  await mkdir(artifacts, { recursive: true });
  const profile = await mkdtemp(join(tmpdir(), 'creek-ui-test-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: DESKTOP,
      timeout: remaining(),
    });
    await context.addInitScript(recordCspViolations);
    await run(context);
  } finally {
    await context?.close().catch((err) => log(`closing the browser: ${err.message}`));
    await rm(profile, { recursive: true, force: true });
  }
  if (problems.length) fail(`browser reported problems:\n  ${problems.join('\n  ')}`);
}

const timer = setTimeout(() => {
  process.stderr.write(`FAIL: timed out after ${TOTAL_TIMEOUT_MS / 1000} s\n`);
  process.exit(2);
}, TOTAL_TIMEOUT_MS + 5_000);

main().then(
  () => {
    clearTimeout(timer);
    log('PASS');
  },
  (err) => {
    clearTimeout(timer);
    const message = err instanceof TestFailure ? err.message : err.stack || String(err);
    process.stderr.write(`FAIL: ${message}\n`);
    if (problems.length && !(err instanceof TestFailure && /browser reported/.test(message))) {
      process.stderr.write(`also seen:\n  ${problems.join('\n  ')}\n`);
    }
    process.exitCode = 1;
  },
);

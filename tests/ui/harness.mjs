// What the browser tests share: launching Debian's chromium through playwright-core against a
// running creekd (CREEK_URL), one deadline for the whole test, and the watch for console errors,
// uncaught page errors, CSP violations and failed requests. Each test is its own process:
//
//   import { runBrowserTest, ... } from './harness.mjs';
//   runBrowserTest(async (context) => { ... fail('why') ... });
//
// Env: CREEK_URL (required), CREEK_ARTIFACTS (screenshots, default /tmp),
//      CHROMIUM (default /usr/bin/chromium), CREEK_DATA_DIR (creekd's data dir, where it wrote the
//      setup code; needed on a fresh creekd).
//
// The console needs a signed-in account (first-run setup, then sign-in): signIn(context) makes the
// context's browser signed in as TEST_ADMIN, setting the installation up first if nobody has.
// identity.test.mjs sets up through the page with the same account, so it must run first on a
// fresh creekd; the other tests then sign in with it.
// Needs `npm ci` in web/ui (playwright-core comes from there) and Debian's chromium; fonts-noto-cjk
// for readable Chinese in the screenshots. Exit code 0 = pass; otherwise a FAIL line says why.

import { createRequire } from 'node:module';
import { mkdtemp, rm, mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';

const require = createRequire(new URL('../../web/ui/package.json', import.meta.url));
const { chromium } = require('playwright-core');

export const TOTAL_TIMEOUT_MS = 60_000;
/** The administrator every browser test signs in as (made by the first-run setup). */
export const TEST_ADMIN = Object.freeze({
  login: 'ui-admin',
  name: '界面测试管理员',
  password: 'creek-ui-test-password-1',
  workspace: '溪流界面测试',
});
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
export const DESKTOP = { width: 1280, height: 800 };
export const ROLE_LABELS = {
  voter: { zh: '投票节点', en: 'Voter' },
  standby: { zh: '备用节点', en: 'Standby' },
  spare: { zh: '空闲节点', en: 'Spare' },
};

const started = Date.now();
let deadline = started + TOTAL_TIMEOUT_MS;
export const remaining = () => Math.max(1, deadline - Date.now());

class TestFailure extends Error {}
export const fail = (message) => {
  throw new TestFailure(message);
};
export const log = (message) =>
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);

export const baseUrl = (process.env.CREEK_URL || '').replace(/\/+$/, '');
export const artifacts = process.env.CREEK_ARTIFACTS || '/tmp';
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

// Console errors, page errors, CSP violations and failed requests, from every page.
export const problems = [];

/**
 * Records the page's problems. `allow(url, status)` names HTTP errors the test expects (e.g. the
 * 401 of GET /api/v1/me while signed out): neither the response nor Chromium's console line about
 * it counts.
 */
export function watch(page, label, { allow = () => false } = {}) {
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const url = msg.location()?.url || '';
    if (/\/favicon\.(ico|svg)$/.test(url) && /404/.test(msg.text())) return;
    const status = /status of (\d{3})/.exec(msg.text());
    if (status && allow(url, Number(status[1]))) return;
    problems.push(`${label}: console error: ${msg.text()} ${url}`.trim());
  });
  page.on('pageerror', (err) => problems.push(`${label}: page error: ${err.message}`));
  page.on('requestfailed', (req) =>
    problems.push(`${label}: request failed: ${req.url()} (${req.failure()?.errorText})`),
  );
  page.on('response', (res) => {
    if (allow(res.url(), res.status())) return;
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

export async function cspViolations(page, label) {
  const list = await page.evaluate(() => window.__cspViolations || []);
  return list.map((v) => `${label}: CSP violation: ${v}`);
}

export const sel = (test) => `[data-test="${test}"]`;
/** Selector of the identity pages' elements (data-testid). */
export const tid = (test) => `[data-testid="${test}"]`;

export async function textOf(page, test) {
  const el = await page.$(sel(test));
  return el ? (await el.textContent()).trim() : null;
}

/** Waits until the element's trimmed text equals `expected`; fails with the text last seen. */
export async function waitForText(page, test, expected, what) {
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

/** GETs an API path of creekd and returns {status, body}; fails if there is no JSON answer. */
/**
 * GET path as JSON; with a browser context, with its cookies (a signed-in session).
 * @param {string} path
 * @param {import('playwright-core').BrowserContext} [context]
 */
export async function fetchJson(path, context) {
  if (context) {
    let res;
    try {
      res = await context.request.get(`${baseUrl}${path}`, { timeout: remaining() });
    } catch (err) {
      fail(`GET ${baseUrl}${path} failed: ${err.message}`);
    }
    const body = await res.json().catch(() => fail(`GET ${path}: body is not JSON`));
    return { status: res.status(), body };
  }
  let res;
  try {
    res = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(remaining()) });
  } catch (err) {
    fail(`GET ${baseUrl}${path} failed: ${err.message}`);
  }
  const body = await res.json().catch(() => fail(`GET ${path}: body is not JSON`));
  return { status: res.status, body };
}

/** Opens the UI (at `hash`, e.g. '#/cluster/nodes') and checks it came with a CSP. */
export async function openUi(page, label, hash = '') {
  const response = await page.goto(`${baseUrl}/${hash}`, { timeout: remaining() });
  if (!response || !response.ok()) fail(`${label}: GET ${baseUrl}/ gave ${response?.status()}`);
  if (!response.headers()['content-security-policy']) {
    fail(`${label}: ${baseUrl}/ was served without a Content-Security-Policy header`);
  }
}

/**
 * The setup code creekd wrote into its data dir (CREEK_DATA_DIR) until it is set up.
 * @returns {Promise<string>}
 */
export async function readSetupCode() {
  const dir = process.env.CREEK_DATA_DIR;
  if (!dir) fail('CREEK_DATA_DIR is not set: the setup needs the code creekd wrote there');
  return (await readFile(join(dir, 'setup.code'), 'utf8')).trim();
}

/**
 * Signs the browser context in as `account` through the API (the cookie lands in the context's
 * jar, shared with its pages), doing the first-run setup with it when the installation needs one.
 * @returns {Promise<object>} the sign-in (or setup) answer, with csrf_token
 */
export async function signIn(context, account = TEST_ADMIN) {
  const url = (path) => `${baseUrl}${path}`;
  const timeout = remaining();
  const setup = await context.request.get(url('/api/v1/setup'), { timeout });
  if (!setup.ok()) fail(`GET /api/v1/setup: HTTP ${setup.status()}`);
  const { needed } = await setup.json();
  const res = needed
    ? await context.request.post(url('/api/v1/setup'), {
        data: {
          login: account.login,
          name: account.name,
          password: account.password,
          workspace_name: account.workspace,
          setup_code: await readSetupCode(),
        },
        timeout,
      })
    : await context.request.post(url('/api/v1/session'), {
        data: { login: account.login, password: account.password },
        timeout,
      });
  if (!res.ok()) {
    fail(`signing in as ${account.login}: HTTP ${res.status()} ${await res.text()}`);
  }
  return res.json();
}

// Isolated contexts (no cookies, no storage) come from a second browser, launched when first asked.
let spareBrowser = null;

/** A new browser context sharing nothing with the test's main one (a second person). */
export async function isolatedContext(options = {}) {
  spareBrowser ??= await chromium.launch({
    executablePath,
    args: CHROMIUM_ARGS,
    headless: true,
    timeout: remaining(),
  });
  const context = await spareBrowser.newContext({ viewport: DESKTOP, ...options });
  await context.addInitScript(recordCspViolations);
  return context;
}

async function main(run) {
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
    await spareBrowser?.close().catch((err) => log(`closing the second browser: ${err.message}`));
    await context?.close().catch((err) => log(`closing the browser: ${err.message}`));
    await rm(profile, { recursive: true, force: true });
  }
  if (problems.length) fail(`browser reported problems:\n  ${problems.join('\n  ')}`);
}

/**
 * Runs one browser test in a fresh profile (so the UI starts in its default language, zh-CN) and
 * sets the exit code. `run(context)` gets the browser context and fails by throwing.
 * @param {{timeoutMs?: number}} [options] the whole test's deadline (default TOTAL_TIMEOUT_MS)
 */
export function runBrowserTest(run, { timeoutMs = TOTAL_TIMEOUT_MS } = {}) {
  deadline = started + timeoutMs;
  const timer = setTimeout(() => {
    process.stderr.write(`FAIL: timed out after ${timeoutMs / 1000} s\n`);
    process.exit(2);
  }, timeoutMs + 5_000);

  main(run).then(
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
}

#!/usr/bin/env node
// What the first screen costs a phone: a browser with nothing cached and no session opens the
// console (it shows the sign-in page, or the setup page on a node not set up yet) at 375 px, and every byte it transfers (headers and bodies
// as sent, i.e. compressed) is counted until the network is idle. Fails above BUDGET (issue 16:
// the first screen loads only what it shows, compressed).
//
//   CREEK_URL=http://127.0.0.1:18080 node tests/ui/first-screen.test.mjs
//
// Env, requirements and exit code: see harness.mjs.

import {
  fail,
  isolatedContext,
  log,
  openUi,
  remaining,
  runBrowserTest,
  tid,
  watch,
} from './harness.mjs';

const PHONE = { width: 375, height: 812 };
const BUDGET = 300 * 1024;

async function run() {
  const context = await isolatedContext({
    viewport: PHONE,
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  // Signed out, the console asks who is signed in and is told: nobody (401).
  watch(page, 'phone, first screen', {
    allow: (url, status) => status === 401 && new URL(url).pathname === '/api/v1/me',
  });
  const sizes = [];
  page.on('requestfinished', (request) => {
    sizes.push(
      request.sizes().then(
        (s) => ({
          url: request.url().replace(/^https?:\/\/[^/]+/, ''),
          bytes: s.responseBodySize + s.responseHeadersSize + s.requestHeadersSize,
          body: s.responseBodySize,
        }),
        () => null,
      ),
    );
  });
  await openUi(page, 'phone', '');
  await page.waitForSelector(`${tid('signin-form')}, ${tid('setup-form')}`, {
    state: 'visible',
    timeout: remaining(),
  });
  await page.waitForLoadState('networkidle', { timeout: remaining() });
  const done = (await Promise.all(sizes)).filter(Boolean);
  const total = done.reduce((n, s) => n + s.bytes, 0);
  const biggest = [...done].sort((a, b) => b.bytes - a.bytes).slice(0, 5);
  log(
    `first screen (sign-in or setup, 375 px, nothing cached): ${done.length} requests, ` +
      `${Math.round(total / 1024)} KiB transferred (budget ${BUDGET / 1024} KiB); biggest: ` +
      biggest.map((s) => `${s.url} ${Math.round(s.bytes / 1024)} KiB`).join(', '),
  );
  if (done.length === 0) fail('no request was counted');
  if (total > BUDGET) {
    fail(`the first screen transferred ${total} bytes, over the budget of ${BUDGET}`);
  }
  await context.close();
}

runBrowserTest(run);

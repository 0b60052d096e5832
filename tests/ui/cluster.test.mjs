#!/usr/bin/env node
// Browser test of the cluster nodes page (web/ui, #/cluster/nodes) against a running creekd.
//
//   CREEK_URL=http://127.0.0.1:18080 node tests/ui/cluster.test.mjs
//
// Made for a single-node creekd (one node: itself, the leader, a voter) and valid for larger
// clusters: it reads GET /api/v1/cluster, then checks that the leader's row shows the leader badge
// and the voter role, and that this node is marked, at desktop width (a table) and at 390 px
// (cards), in Chinese and in English, signed in as the harness's TEST_ADMIN. Env, requirements and
// exit code: see harness.mjs. It fails on any console error, uncaught page error, CSP violation or
// failed request.

import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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

const PHONE = { width: 390, height: 844 };
// How long a freshly started creekd may take to elect itself (GET /api/v1/cluster answers 503).
const LEADER_WAIT_MS = 20_000;
const TEXT = {
  zh: {
    title: '集群节点',
    leader: '主节点',
    self: '本节点',
    nodes: (n) => `共 ${n} 个节点`,
  },
  en: {
    title: 'Cluster nodes',
    leader: 'Leader',
    self: 'This node',
    nodes: (n) => `${n} ${n === 1 ? 'node' : 'nodes'}`,
  },
};
const TABLE_ROWS = `${sel('cluster-table')} .el-table__body tr`;
const CARDS = sel('cluster-card');

async function fetchCluster(context) {
  const until = Date.now() + Math.min(LEADER_WAIT_MS, remaining());
  let answer = await fetchJson('/api/v1/cluster', context);
  while (answer.status === 503 && Date.now() < until) {
    await sleep(250);
    answer = await fetchJson('/api/v1/cluster', context);
  }
  const { status, body } = answer;
  if (status !== 200) fail(`GET /api/v1/cluster: HTTP ${status} ${JSON.stringify(body)}`);
  if (!Array.isArray(body.nodes) || body.nodes.length === 0) {
    fail(`GET /api/v1/cluster lists no nodes: ${JSON.stringify(body)}`);
  }
  const leader = body.nodes.find((n) => n.is_leader === true);
  if (!leader || leader.id !== body.leader_id) {
    fail(`GET /api/v1/cluster names no leader node: ${JSON.stringify(body)}`);
  }
  if (leader.role !== 'voter') fail(`the leader ${leader.id} has role ${leader.role}, not voter`);
  if (!body.nodes.some((n) => n.id === body.self_id)) {
    fail(`GET /api/v1/cluster does not list this node (self_id ${body.self_id})`);
  }
  return { cluster: body, leader };
}

/** What each node item (table row or card) on the page shows. */
function nodeItems(page, itemSelector) {
  return page.evaluate((s) => {
    const text = (item, test) =>
      item.querySelector(`[data-test="${test}"]`)?.textContent.trim() ?? null;
    return [...document.querySelectorAll(s)].map((item) => ({
      id: text(item, 'cluster-node-id'),
      role: text(item, 'cluster-node-role'),
      leader: text(item, 'cluster-node-leader'),
      self: text(item, 'cluster-node-self'),
      status: text(item, 'cluster-node-status'),
      chart: item.querySelector('[data-test="latency-chart"]') !== null,
    }));
  }, itemSelector);
}

/**
 * Waits until the page shows the leader's item with its role, the leader badge, the "this node"
 * tag if the leader is this node, and a latency chart; then checks this node's item is marked.
 */
async function waitForLeader(page, itemSelector, { cluster, leader }, lang, what) {
  const words = TEXT[lang];
  const isSelf = leader.id === cluster.self_id;
  const expected = {
    id: leader.id,
    role: ROLE_LABELS.voter[lang],
    leader: words.leader,
    self: isSelf ? words.self : null,
    chart: true,
  };
  try {
    await page.waitForFunction(
      ([s, exp]) =>
        [...document.querySelectorAll(s)].some((item) => {
          const text = (test) =>
            item.querySelector(`[data-test="${test}"]`)?.textContent.trim() ?? null;
          return (
            text('cluster-node-id') === exp.id &&
            text('cluster-node-role') === exp.role &&
            text('cluster-node-leader') === exp.leader &&
            text('cluster-node-self') === exp.self &&
            item.querySelector('[data-test="latency-chart"]') !== null
          );
        }),
      [itemSelector, expected],
      { timeout: remaining(), polling: 100 },
    );
  } catch {
    fail(
      `${what}: no node item shows ${JSON.stringify(expected)}; the page shows ` +
        JSON.stringify(await nodeItems(page, itemSelector)),
    );
  }
  const items = await nodeItems(page, itemSelector);
  if (items.length !== cluster.nodes.length) {
    fail(`${what}: ${items.length} node items for ${cluster.nodes.length} nodes`);
  }
  const self = items.find((item) => item.id === cluster.self_id);
  if (self?.self !== words.self) fail(`${what}: this node is not marked: ${JSON.stringify(self)}`);
  if (items.filter((item) => item.leader !== null).length !== 1) {
    fail(`${what}: not exactly one leader badge: ${JSON.stringify(items)}`);
  }
}

async function checkPage(page, state, lang, layout, what) {
  const [items, other] = layout === 'table' ? [TABLE_ROWS, CARDS] : [CARDS, TABLE_ROWS];
  try {
    await page.getByRole('heading', { name: TEXT[lang].title }).waitFor({ timeout: remaining() });
  } catch {
    fail(`${what}: heading "${TEXT[lang].title}" did not appear`);
  }
  await waitForLeader(page, items, state, lang, what);
  await waitForText(
    page,
    'cluster-summary-nodes',
    TEXT[lang].nodes(state.cluster.nodes.length),
    `${what}: summary`,
  );
  if (await page.$(other)) fail(`${what}: shows ${layout === 'table' ? 'cards' : 'a table'} too`);
  if (await page.$(sel('cluster-error'))) {
    fail(`${what}: error box shown: ${await textOf(page, 'cluster-error')}`);
  }
}

async function switchLanguage(page, locale) {
  await page.click(sel('lang-switch'), { timeout: remaining() });
  await page.click(sel(`lang-option-${locale}`), { timeout: remaining() });
  await page.waitForSelector(sel(`lang-option-${locale}`), {
    state: 'hidden',
    timeout: remaining(),
  });
}

async function run(context) {
  // The cluster's data is the operator's: sign in as the installation admin first.
  await signIn(context);
  const state = await fetchCluster(context);
  log(
    `API: ${state.cluster.nodes.length} node(s), leader ${state.leader.id} ` +
      `(${state.leader.address}), this node ${state.cluster.self_id}`,
  );

  // Desktop, Chinese (the default language), opened by its deep link.
  const page = await context.newPage();
  watch(page, 'desktop');
  await page.setViewportSize(DESKTOP);
  await openUi(page, 'desktop', '#/cluster/nodes');
  await checkPage(page, state, 'zh', 'table', 'desktop zh-CN');
  const menuActive = await page
    .$eval(sel('menu-cluster-nodes'), (el) => el.classList.contains('is-active'))
    .catch(() => false);
  if (!menuActive) fail('the menu item 集群节点 is missing or not marked as the current page');
  await page.screenshot({ path: join(artifacts, 'ui-cluster.png'), fullPage: true });
  log('zh-CN table OK, screenshot ui-cluster.png');

  await switchLanguage(page, 'en');
  await checkPage(page, state, 'en', 'table', 'desktop en');
  await page.screenshot({ path: join(artifacts, 'ui-cluster-en.png'), fullPage: true });
  log('English table OK, screenshot ui-cluster-en.png');
  problems.push(...(await cspViolations(page, 'desktop')));

  // Phone (the language choice, English, is kept in localStorage), then back to Chinese.
  const phone = await context.newPage();
  watch(phone, 'phone');
  await phone.setViewportSize(PHONE);
  await openUi(phone, 'phone', '#/cluster/nodes');
  await checkPage(phone, state, 'en', 'cards', 'phone en');
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  if (overflow > 0) fail(`at ${PHONE.width} px the page scrolls sideways by ${overflow} px`);
  await phone.screenshot({ path: join(artifacts, 'ui-cluster-phone-en.png'), fullPage: true });
  await switchLanguage(phone, 'zh-CN');
  await checkPage(phone, state, 'zh', 'cards', 'phone zh-CN');
  await phone.screenshot({ path: join(artifacts, 'ui-cluster-phone.png'), fullPage: true });
  log(`${PHONE.width} px cards OK, screenshots ui-cluster-phone{,-en}.png`);
  problems.push(...(await cspViolations(phone, 'phone')));
}

runBrowserTest(run);

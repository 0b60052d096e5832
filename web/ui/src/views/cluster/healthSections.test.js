import { describe, expect, it } from 'vitest';
import { buildHealthSections, healthStatusLabel } from './healthSections.js';
import { i18n } from '../../i18n/index.js';

const HEALTH = {
  status: 'ok',
  node: { id: '1', address: '127.0.0.1:9443', role: 'voter', is_leader: true },
  leader: { id: '1', address: '127.0.0.1:9443' },
  store: { reachable: true, latency_ms: 0.42 },
  version: { creek: '0.1.0', dqlite: '1.11.1', raft: '0.15.0' },
  uptime_s: 12,
  started_at: '2026-11-28T10:00:00Z',
};

function inLocale(locale, fn) {
  const before = i18n.global.locale.value;
  i18n.global.locale.value = locale;
  try {
    return fn({ t: i18n.global.t, te: i18n.global.te });
  } finally {
    i18n.global.locale.value = before;
  }
}

const byTest = (sections) =>
  Object.fromEntries(sections.flatMap((s) => s.rows).map((r) => [r.test, r.value]));

describe('buildHealthSections', () => {
  it('shows every field of a healthy node in Chinese', () => {
    const rows = inLocale('zh-CN', (i18nFns) => byTest(buildHealthSections(HEALTH, i18nFns)));
    expect(rows).toMatchObject({
      'health-node-id': '1',
      'health-node-address': '127.0.0.1:9443',
      'health-role': '投票节点',
      'health-is-leader': '是',
      'health-leader': '127.0.0.1:9443',
      'health-store-reachable': '可达',
      'health-store-latency': '0.42 毫秒',
      'health-version-creek': '0.1.0',
      'health-version-dqlite': '1.11.1',
      'health-version-raft': '0.15.0',
    });
  });

  it('handles no leader, an unreachable store and unknown values in English', () => {
    const degraded = {
      ...HEALTH,
      status: 'degraded',
      node: { id: '2', address: '10.0.0.2:9443', role: 'spare', is_leader: false },
      leader: null,
      store: { reachable: false, latency_ms: null },
      version: { creek: '0.1.0' },
    };
    const rows = inLocale('en', (i18nFns) => byTest(buildHealthSections(degraded, i18nFns)));
    expect(rows).toMatchObject({
      'health-role': 'Spare',
      'health-is-leader': 'No',
      'health-leader': 'None',
      'health-leader-id': 'None',
      'health-store-reachable': 'Unreachable',
      'health-store-latency': 'Unknown',
      'health-version-dqlite': 'Unknown',
    });
  });

  it('shows the read model when the node keeps one', () => {
    expect(inLocale('en', (f) => byTest(buildHealthSections(HEALTH, f)))).not.toHaveProperty(
      'health-read-model-lag',
    );
    const caughtUp = { ...HEALTH, read_model: { lag: 0, building: 0 } };
    expect(inLocale('zh-CN', (f) => byTest(buildHealthSections(caughtUp, f)))).toMatchObject({
      'health-read-model-lag': '0 条',
      'health-read-model-building': '无',
    });
    const behind = { ...HEALTH, read_model: { lag: 1200, building: 2 } };
    const sections = inLocale('en', (f) => buildHealthSections(behind, f));
    expect(byTest(sections)).toMatchObject({
      'health-read-model-lag': '1200 behind',
      'health-read-model-building': '2 workspaces',
    });
    const card = sections.find((s) => s.key === 'readModel');
    expect(card.rows.map((r) => r.tag)).toEqual(['warning', 'warning']);
    const odd = { ...HEALTH, read_model: { lag: 'x' } };
    expect(inLocale('en', (f) => byTest(buildHealthSections(odd, f)))).toMatchObject({
      'health-read-model-lag': 'Unknown',
      'health-read-model-building': 'Unknown',
    });
  });

  it('shows an unknown role as sent', () => {
    const odd = { ...HEALTH, node: { ...HEALTH.node, role: 'observer' } };
    const rows = inLocale('en', (i18nFns) => byTest(buildHealthSections(odd, i18nFns)));
    expect(rows['health-role']).toBe('observer');
  });
});

describe('healthStatusLabel', () => {
  it('translates ok and degraded', () => {
    inLocale('zh-CN', (fns) => {
      expect(healthStatusLabel('ok', fns)).toBe('正常');
      expect(healthStatusLabel('degraded', fns)).toBe('异常');
      expect(healthStatusLabel('weird', fns)).toBe('未知');
    });
    inLocale('en', (fns) => expect(healthStatusLabel('ok', fns)).toBe('OK'));
  });
});

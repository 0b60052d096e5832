import { describe, expect, it } from 'vitest';
import {
  buildClusterSummary,
  buildNodeRows,
  compareNodeIds,
  formatLastContact,
} from './nodeRows.js';
import { i18n } from '../../i18n/index.js';

const node = (fields) => ({
  address: '10.0.0.1:9443',
  role: 'voter',
  is_leader: false,
  reachable: true,
  last_contact_ms: 120,
  version: '0.1.0',
  failure_domain: 0,
  ...fields,
});

const CLUSTER = {
  self_id: '4242',
  leader_id: '1',
  voters_wanted: 3,
  standbys_wanted: 3,
  nodes: [
    node({ id: '9', address: '10.0.0.9:9443', role: 'spare', reachable: false, version: '' }),
    node({ id: '4242', address: '10.0.0.42:9443', last_contact_ms: null, failure_domain: 2 }),
    node({ id: '1', is_leader: true, last_contact_ms: 65000 }),
    node({ id: '10', address: '10.0.0.10:9443', role: 'standby', last_contact_ms: null }),
  ],
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

describe('buildNodeRows', () => {
  it('orders voters, standbys and spares, each by numeric id', () => {
    const rows = inLocale('en', (fns) => buildNodeRows(CLUSTER, fns));
    expect(rows.map((r) => r.id)).toEqual(['1', '4242', '10', '9']);
  });

  it('shows every field in Chinese and marks the leader and this node', () => {
    const rows = inLocale('zh-CN', (fns) => buildNodeRows(CLUSTER, fns));
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(byId['1']).toMatchObject({
      address: '10.0.0.1:9443',
      roleLabel: '投票节点',
      roleTag: 'primary',
      isLeader: true,
      isSelf: false,
      statusLabel: '在线',
      statusTag: 'success',
      lastContact: '1 分钟 5 秒前',
      version: '0.1.0',
      failureDomain: '0',
    });
    expect(byId['4242']).toMatchObject({
      isLeader: false,
      isSelf: true,
      lastContact: '不适用',
      failureDomain: '2',
    });
    expect(byId['10']).toMatchObject({ roleLabel: '备用节点', lastContact: '从未联系' });
    expect(byId['9']).toMatchObject({
      roleLabel: '空闲节点',
      roleTag: 'info',
      statusLabel: '离线',
      statusTag: 'danger',
      version: '未知',
    });
  });

  it('translates to English', () => {
    const rows = inLocale('en', (fns) => buildNodeRows(CLUSTER, fns));
    expect(rows.map((r) => [r.roleLabel, r.statusLabel])).toEqual([
      ['Voter', 'Online'],
      ['Voter', 'Online'],
      ['Standby', 'Online'],
      ['Spare', 'Offline'],
    ]);
    expect(rows[0].lastContact).toBe('1 minute 5 seconds ago');
  });

  it('marks a reachable node whose data disk is low, in both languages', () => {
    const low = {
      self_id: '1',
      leader_id: '1',
      nodes: [{ id: '2', role: 'spare', reachable: true, disk_low: true }],
    };
    const [zh] = inLocale('zh-CN', (fns) => buildNodeRows(low, fns));
    expect(zh).toMatchObject({ diskLow: true, statusTag: 'warning' });
    expect(zh.statusLabel).toContain('磁盘将满');
    const [en] = inLocale('en', (fns) => buildNodeRows(low, fns));
    expect(en.statusLabel).toBe('Disk nearly full (spare until freed)');
    const [gone] = inLocale('en', (fns) =>
      buildNodeRows({ nodes: [{ id: '2', reachable: false, disk_low: true }] }, fns),
    );
    expect(gone.statusLabel).toBe('Offline');
  });

  it('takes the leader from leader_id too, and shows odd values as unknown or as sent', () => {
    const odd = {
      self_id: '',
      leader_id: '7',
      nodes: [{ id: '7', role: 'observer', failure_domain: 'rack1' }, null],
    };
    const [row] = inLocale('en', (fns) => buildNodeRows(odd, fns));
    expect(row).toMatchObject({
      id: '7',
      address: 'Unknown',
      roleLabel: 'observer',
      roleTag: 'info',
      isLeader: true,
      isSelf: false,
      reachable: false,
      lastContact: 'Never',
      failureDomain: 'Unknown',
    });
  });
});

describe('buildClusterSummary', () => {
  const summaryOf = (cluster, locale) =>
    inLocale(locale, (fns) =>
      Object.fromEntries(
        buildClusterSummary(cluster, buildNodeRows(cluster, fns), fns).map((i) => [i.key, i]),
      ),
    );

  it('counts nodes, roles and online nodes in Chinese', () => {
    const s = summaryOf(CLUSTER, 'zh-CN');
    expect(s.nodes.text).toBe('共 4 个节点');
    expect(s.leader).toEqual({ key: 'leader', text: '主节点：10.0.0.1:9443' });
    expect(s.voters.text).toBe('投票节点 2/3');
    expect(s.standbys.text).toBe('备用节点 1/3');
    expect(s.online).toMatchObject({ text: '在线 3/4', tone: 'danger' });
  });

  it('uses English plurals and flags a missing leader', () => {
    const one = { ...CLUSTER, leader_id: '', nodes: [node({ id: '1' })] };
    const s = summaryOf(one, 'en');
    expect(s.nodes.text).toBe('1 node');
    expect(s.leader).toMatchObject({ text: 'No leader', tone: 'danger' });
    expect(s.voters.text).toBe('Voters 1/3');
    expect(s.online.tone).toBeUndefined();
    expect(summaryOf(CLUSTER, 'en').nodes.text).toBe('4 nodes');
  });

  it('names a leader that is not in the list by its id', () => {
    const s = summaryOf({ ...CLUSTER, leader_id: '77', nodes: [] }, 'en');
    expect(s.leader.text).toBe('Leader: 77');
  });
});

describe('formatLastContact', () => {
  it('reads milliseconds, longer durations, never and nonsense', () => {
    inLocale('zh-CN', ({ t }) => {
      expect(formatLastContact(120, t)).toBe('120 毫秒前');
      expect(formatLastContact(999.6, t)).toBe('1000 毫秒前');
      expect(formatLastContact(3725000, t)).toBe('1 小时 2 分钟前');
      expect(formatLastContact(null, t)).toBe('从未联系');
      expect(formatLastContact(-1, t)).toBe('未知');
      expect(formatLastContact('5', t)).toBe('未知');
    });
    inLocale('en', ({ t }) => {
      expect(formatLastContact(0, t)).toBe('0 ms ago');
      expect(formatLastContact(1000, t)).toBe('1 second ago');
      expect(formatLastContact(undefined, t)).toBe('Never');
    });
  });
});

describe('compareNodeIds', () => {
  it('compares decimal u64 ids as numbers without losing precision', () => {
    const ids = ['18446744073709551615', '2', '18446744073709551614', '10', 'x'];
    expect([...ids].sort(compareNodeIds)).toEqual([
      '2',
      '10',
      '18446744073709551614',
      '18446744073709551615',
      'x',
    ]);
  });
});

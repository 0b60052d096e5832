import process from 'node:process';
import { describe, expect, it } from 'vitest';
import { fromLocalInput, toApiDateTime, toLocalInput } from './datetime.js';
import { buildRegionTree } from './regions.js';

describe('datetime conversions', () => {
  it('goes between API times (UTC) and local input values', () => {
    const tz = process.env.TZ;
    process.env.TZ = 'Asia/Shanghai';
    try {
      expect(toLocalInput('2026-11-28T01:30:00Z')).toBe('2026-11-28T09:30');
      expect(fromLocalInput('2026-11-28T09:30')).toBe('2026-11-28T01:30:00Z');
      expect(fromLocalInput('')).toBeNull();
      expect(toLocalInput(null)).toBe('');
      expect(toApiDateTime(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)))).toBe(
        '2026-01-02T03:04:05Z',
      );
      expect(toApiDateTime(new Date('nope'))).toBeNull();
    } finally {
      process.env.TZ = tz;
    }
  });
});

describe('region tree', () => {
  it('nests cities and districts under their codes', () => {
    const tree = buildRegionTree({
      province_list: { 110000: '北京市', 440000: '广东省' },
      city_list: { 110100: '北京市', 440300: '深圳市', 440100: '广州市' },
      county_list: { 110101: '东城区', 440305: '南山区', 990101: '无主' },
    });
    expect(tree.map((p) => p.label)).toEqual(['北京市', '广东省']);
    expect(tree[1].children.map((c) => c.value)).toEqual(['广州市', '深圳市']);
    expect(tree[1].children[1].children).toEqual([{ value: '南山区', label: '南山区' }]);
    expect(tree[1].children[0].children).toBeUndefined();
  });

  it('reads the shipped data', async () => {
    const { areaList } = await import('@vant/area-data');
    const tree = buildRegionTree(areaList);
    expect(tree.length).toBeGreaterThanOrEqual(31);
    const gd = tree.find((p) => p.value === '广东省');
    const sz = gd.children.find((c) => c.value === '深圳市');
    expect(sz.children.map((d) => d.value)).toContain('南山区');
  });
});

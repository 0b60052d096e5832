import { describe, expect, it } from 'vitest';
import zhCN from './locales/zh-CN.js';
import en from './locales/en.js';

function keys(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

describe('locales', () => {
  it('zh-CN and en define the same keys', () => {
    expect(keys(en).sort()).toEqual(keys(zhCN).sort());
  });

  it('have no empty messages', () => {
    for (const messages of [zhCN, en]) {
      const flat = keys(messages);
      expect(flat.length).toBeGreaterThan(0);
      for (const key of flat) {
        const value = key.split('.').reduce((o, k) => o[k], messages);
        expect(typeof value === 'string' && value.trim() !== '', key).toBe(true);
      }
    }
  });
});

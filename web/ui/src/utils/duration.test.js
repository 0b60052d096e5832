import { describe, expect, it } from 'vitest';
import { formatDuration, formatUptime, splitDuration } from './duration.js';
import { i18n } from '../i18n/index.js';

const fakeT = (key, n) => (n === undefined ? key : `${n}${key.replace('duration.', '')}`);

function withLocale(locale, fn) {
  const before = i18n.global.locale.value;
  i18n.global.locale.value = locale;
  try {
    return fn(i18n.global.t);
  } finally {
    i18n.global.locale.value = before;
  }
}

describe('splitDuration', () => {
  it('splits seconds into units', () => {
    expect(splitDuration(0)).toEqual({ days: 0, hours: 0, minutes: 0, seconds: 0 });
    expect(splitDuration(90061.9)).toEqual({ days: 1, hours: 1, minutes: 1, seconds: 1 });
    expect(splitDuration(86399)).toEqual({ days: 0, hours: 23, minutes: 59, seconds: 59 });
  });

  it('rejects what is not a duration', () => {
    for (const bad of [-1, NaN, Infinity, '12', null, undefined]) {
      expect(splitDuration(bad)).toBeNull();
    }
  });
});

describe('formatUptime', () => {
  it('shows at most three units from the largest non-zero one, without zero units', () => {
    expect(formatUptime(0, fakeT)).toBe('0seconds');
    expect(formatUptime(12, fakeT)).toBe('12seconds');
    expect(formatUptime(60, fakeT)).toBe('1minutes');
    expect(formatUptime(3725, fakeT)).toBe('1hours 2minutes 5seconds');
    expect(formatUptime(3605, fakeT)).toBe('1hours 5seconds');
    expect(formatUptime(90061, fakeT)).toBe('1days 1hours 1minutes');
    expect(formatUptime(2 * 86400 + 59, fakeT)).toBe('2days');
  });

  it('says unknown for invalid input', () => {
    expect(formatUptime(null, fakeT)).toBe('duration.unknown');
    expect(formatUptime(-5, fakeT)).toBe('duration.unknown');
  });

  it('is translated in Chinese', () => {
    withLocale('zh-CN', (t) => {
      expect(formatUptime(12, t)).toBe('12 秒');
      expect(formatUptime(3725, t)).toBe('1 小时 2 分钟 5 秒');
      expect(formatUptime(90061, t)).toBe('1 天 1 小时 1 分钟');
      expect(formatUptime(undefined, t)).toBe('未知');
    });
  });

  it('uses English plurals', () => {
    withLocale('en', (t) => {
      expect(formatUptime(1, t)).toBe('1 second');
      expect(formatUptime(12, t)).toBe('12 seconds');
      expect(formatUptime(90061, t)).toBe('1 day 1 hour 1 minute');
      expect(formatUptime(2 * 86400 + 7200 + 120, t)).toBe('2 days 2 hours 2 minutes');
    });
  });
});

describe('formatDuration', () => {
  it('keeps at most maxUnits units', () => {
    expect(formatDuration(3725, fakeT, { maxUnits: 2 })).toBe('1hours 2minutes');
    expect(formatDuration(3725, fakeT, { maxUnits: 1 })).toBe('1hours');
    expect(formatDuration(3725, fakeT)).toBe('1hours 2minutes 5seconds');
    expect(formatDuration(-1, fakeT, { maxUnits: 2 })).toBe('duration.unknown');
  });
});

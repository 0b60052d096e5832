// Human-readable durations. The text comes from vue-i18n (keys under `duration.`), so these
// helpers take the translate function instead of importing the i18n instance.

const UNITS = [
  ['days', 86400],
  ['hours', 3600],
  ['minutes', 60],
  ['seconds', 1],
];

/**
 * Splits whole seconds into days, hours, minutes and seconds.
 * @param {number} totalSeconds
 * @returns {{days:number, hours:number, minutes:number, seconds:number} | null} null if the input
 *   is not a finite number >= 0
 */
export function splitDuration(totalSeconds) {
  if (typeof totalSeconds !== 'number' || !Number.isFinite(totalSeconds) || totalSeconds < 0) {
    return null;
  }
  let rest = Math.floor(totalSeconds);
  const parts = {};
  for (const [unit, size] of UNITS) {
    parts[unit] = Math.floor(rest / size);
    rest -= parts[unit] * size;
  }
  return parts;
}

/**
 * Formats a duration with at most maxUnits units, starting at the largest non-zero one and leaving
 * out zero units: 12 → "12 秒", 3725 → "1 小时 2 分钟 5 秒" (or "1 小时 2 分钟" with maxUnits 2).
 * @param {number} totalSeconds
 * @param {(key: string, plural: number) => string} t vue-i18n's t (plural form, {n} = count)
 * @param {{maxUnits?: number}} [options]
 */
export function formatDuration(totalSeconds, t, { maxUnits = 3 } = {}) {
  const parts = splitDuration(totalSeconds);
  if (!parts) return t('duration.unknown');
  const first = UNITS.findIndex(([unit]) => parts[unit] > 0);
  if (first === -1) return t('duration.seconds', 0);
  return UNITS.slice(first, first + maxUnits)
    .filter(([unit]) => parts[unit] > 0)
    .map(([unit]) => t(`duration.${unit}`, parts[unit]))
    .join(' ');
}

/**
 * Formats an uptime with at most three units: 90061 → "1 天 1 小时 1 分钟".
 * @param {number} totalSeconds
 * @param {(key: string, plural: number) => string} t vue-i18n's t
 */
export function formatUptime(totalSeconds, t) {
  return formatDuration(totalSeconds, t, { maxUnits: 3 });
}

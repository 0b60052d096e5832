// The options of a field with one option set: a copy, the key left out when the value is empty
// (null, undefined or ''), so the saved definition holds only what was chosen. Pure.

/**
 * @param {object} options
 * @param {string} key
 * @param {unknown} value
 * @returns {object}
 */
export function withOption(options, key, value) {
  const next = { ...options };
  if (value === null || value === undefined || value === '') delete next[key];
  else next[key] = value;
  return next;
}

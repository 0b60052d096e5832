// el-form validation rules shared by the forms. Messages come translated (pass t), so the rules
// are built in a computed and follow the language switch.

/** A value is required (blank text counts as missing). */
export const required = (message) => ({
  trigger: 'blur',
  validator: (_rule, value, callback) => {
    const missing =
      value === null ||
      value === undefined ||
      (typeof value === 'string' && value.trim() === '') ||
      (Array.isArray(value) && value.length === 0);
    callback(missing ? new Error(message) : undefined);
  },
});

/** The value equals another field's (password typed twice). */
export const sameAs = (other, message) => ({
  trigger: 'blur',
  validator: (_rule, value, callback) => callback(value === other() ? undefined : new Error(message)),
});

/**
 * The fields whose value differs, for a PATCH that sends only what changed. Arrays compare as
 * sets of values (department or role ids).
 * @param {object} before
 * @param {object} after
 * @param {string[]} keys
 * @returns {object}
 */
export function changedFields(before, after, keys) {
  const same = (a, b) => {
    if (Array.isArray(a) && Array.isArray(b)) {
      const x = [...new Set(a)].sort();
      const y = [...new Set(b)].sort();
      return x.length === y.length && x.every((v, i) => v === y[i]);
    }
    return a === b;
  };
  const changes = {};
  for (const key of keys) {
    if (!same(before[key], after[key])) changes[key] = after[key];
  }
  return changes;
}

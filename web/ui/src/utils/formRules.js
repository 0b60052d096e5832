// el-form validation rules shared by the forms. Messages come translated (pass t), so the rules
// are built in a computed and follow the language switch.

/**
 * Whether the el-form's rules pass (for some fields only, with `fields`). A failing rule is shown
 * at its field by el-form, so the caller only stops.
 * @param {{validate: Function, validateField: Function} | undefined} form the el-form ref
 * @param {string | string[]} [fields]
 */
export function formValid(form, fields) {
  if (!form) return Promise.resolve(false);
  const check = fields === undefined ? form.validate() : form.validateField(fields);
  return check.then(
    () => true,
    () => false,
  );
}

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

// creekd refuses shorter passwords (core/identity: ID_PASSWORD_MIN characters, counted in the
// password's NFC form); checking here too only gives the message before the round trip, and counts
// the same way so as never to refuse what creekd accepts (tests/cases/password_chars.json holds the
// cases both sides are tested on). creekd stays the judge of every other rule (it also refuses
// common passwords).
export const PASSWORD_MIN = 8;

/** Characters as creekd counts a password's: the code points of its Unicode NFC form. */
export const passwordChars = (text) => [...text.normalize('NFC')].length;

/** A password of at least `min` characters (as creekd counts them). */
export const minLength = (min, message) => ({
  trigger: 'blur',
  validator: (_rule, value, callback) =>
    callback(
      typeof value === 'string' && passwordChars(value) < min ? new Error(message) : undefined,
    ),
});

/** The value equals another field's (password typed twice). */
export const sameAs = (other, message) => ({
  trigger: 'blur',
  validator: (_rule, value, callback) =>
    callback(value === other() ? undefined : new Error(message)),
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

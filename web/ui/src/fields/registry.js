// The field registry (forms contract, "Form definition"): one module to import for everything
// about field types. The tables and small helpers are in types.js; the evaluator of `show_when`
// (shared by the form renderer and the record detail), the plain-text formatter and the
// client-side checks in conditions.js, format.js and validate.js. Pure: no Vue, no requests.
import { copy, emptyValue, hasValue, typeOf } from './types.js';
import { visibleFields } from './conditions.js';

export * from './types.js';
export { testCondition, testConditions, visibleFields } from './conditions.js';
export { formatValue, formatNumber, choiceLabel, formatBytes } from './format.js';
export { validateValue } from './validate.js';

/**
 * The values of a new record: each value field's `default`, or its empty value. Serial numbers
 * are left out (the server fills them). A field that `show_when` hides under these values starts
 * empty (its default is applied when it shows up, see RecordForm).
 * @param {object[]} fields the form's fields
 */
export function initialValues(fields) {
  const values = {};
  for (const f of fields ?? []) {
    if (!hasValue(f) || typeOf(f.type).serverFilled) continue;
    values[f.id] = f.default !== null && f.default !== undefined ? copy(f.default) : emptyValue(f);
  }
  const shown = new Set(visibleFields(fields, values).map((f) => f.id));
  for (const f of fields ?? []) {
    if (f.id in values && !shown.has(f.id)) values[f.id] = emptyValue(f);
  }
  return values;
}

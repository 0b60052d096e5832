// What an edit changed: PATCH records/{id} sends only the fields whose value differs from the
// record as loaded, with the record's version. Pure.
import { typeOf } from '../../fields/types.js';

/**
 * A deep copy of a JSON value. Not structuredClone: values held in Vue state are proxies, which
 * it refuses.
 */
export const cloneJson = (value) =>
  value === undefined ? undefined : JSON.parse(JSON.stringify(value));

/** Empty as a value: null, missing, blank text, an empty list or an object of empties. */
export function isBlank(value) {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

/** Deep equality of JSON values (object keys in any order). */
export function sameValue(a, b) {
  if (isBlank(a) && isBlank(b)) return true;
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => sameValue(v, b[i]));
  }
  if (typeof a === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!sameValue(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** Layout fields and those the server fills (serial numbers) are never sent. */
const noEdit = (field) => {
  const row = typeOf(field?.type);
  return row !== undefined && (!row.hasValue || row.serverFilled);
};

/**
 * The values to PATCH: fields whose value changed (a value emptied is sent as null).
 * @param {object} before the record's values as loaded
 * @param {object} after the values in the form
 * @param {object[]} fields the form's fields
 */
export function changedValues(before, after, fields) {
  const changes = {};
  for (const f of fields ?? []) {
    if (noEdit(f)) continue;
    const old = before?.[f.id];
    const now = after?.[f.id];
    if (!sameValue(old, now)) changes[f.id] = isBlank(now) ? null : now;
  }
  return changes;
}

/** Values to POST for a new record: empty ones and serial numbers left out. */
export function submitValues(values, fields) {
  const out = {};
  for (const f of fields ?? []) {
    if (noEdit(f)) continue;
    const v = values?.[f.id];
    if (!isBlank(v)) out[f.id] = v;
  }
  return out;
}

/**
 * Up to `n` fields to show on a phone card: the first value fields that are not long texts,
 * files, sub-tables or signatures.
 */
export function cardFields(fields, n = 4) {
  const skip = (f) => typeOf(f.type)?.onCard === false;
  return (fields ?? []).filter((f) => !skip(f) && !f.hidden).slice(0, n);
}

/** Merges the refs of two answers ({members: {id: name}, departments: {...}}). */
export function mergeRefs(a, b) {
  return {
    members: { ...(a?.members ?? {}), ...(b?.members ?? {}) },
    departments: { ...(a?.departments ?? {}), ...(b?.departments ?? {}) },
  };
}

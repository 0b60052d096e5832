// Conditions on field values: a field's `show_when` ({match: "all"|"any", conditions: [{field,
// op, value}]}, forms contract "Form definition") with the ops of the record filters. The form
// renderer and the record detail use the same evaluator, so a form shows exactly the fields a
// record holds. Pure.
import { isEmpty, systemField, typeOf } from './types.js';

const asList = (v) => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v]);
const idKey = (v) => String(v);

function kindOf(field) {
  return systemField(field?.id)?.kind ?? typeOf(field?.type)?.kind ?? 'text';
}

/** A value in a form that orders and compares (null when missing or unreadable). */
function comparable(kind, v) {
  if (v === null || v === undefined || v === '') return null;
  if (kind === 'number') {
    const n = typeof v === 'number' ? v : Number(v);
    return Number.isFinite(n) ? n : null;
  }
  if (kind === 'datetime') {
    const ms = typeof v === 'string' ? Date.parse(v) : NaN;
    return Number.isNaN(ms) ? null : ms;
  }
  if (kind === 'date') return typeof v === 'string' ? v.slice(0, 10) : null;
  return typeof v === 'string' ? v.trim() : String(v);
}

/** The words a contains/starts test looks at (an address: its regions and detail). */
function textOf(field, v) {
  if (v === null || v === undefined) return '';
  if (field?.type === 'address' && typeof v === 'object') {
    return [...asList(v.region), v.detail ?? ''].join('');
  }
  if (Array.isArray(v)) return v.join(' ');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function overlap(a, b) {
  const set = new Set(asList(a).map(idKey));
  return asList(b).filter((x) => set.has(idKey(x))).length;
}

function equal(kind, v, cv) {
  if (kind === 'set') {
    const a = asList(v);
    const b = asList(cv);
    return a.length === b.length && overlap(a, b) === new Set(b.map(idKey)).size;
  }
  const a = comparable(kind, v);
  const b = comparable(kind, cv);
  return a !== null && a === b;
}

function order(kind, v, cv, test) {
  const a = comparable(kind, v);
  const b = comparable(kind, cv);
  return a !== null && b !== null && test(a, b);
}

function between(kind, v, cv) {
  const a = comparable(kind, v);
  if (a === null) return false;
  const [lo, hi] = Array.isArray(cv) ? cv : [null, null];
  const low = comparable(kind, lo);
  const high = comparable(kind, hi);
  return (low === null || a >= low) && (high === null || a <= high);
}

const lower = (s) => s.toLocaleLowerCase();

/**
 * Whether a field's value passes one condition.
 * @param {object} field the field tested (type and options; a system field by its id)
 * @param {string} op one of registry ALL_OPS
 * @param {unknown} condValue the condition's value (a list for in/not_in/any_of/all_of/none_of,
 *   [low, high] for between, either end null for open)
 * @param {unknown} value the field's value
 */
export function testCondition(field, op, condValue, value) {
  const kind = kindOf(field);
  switch (op) {
    case 'empty':
      return isEmpty(field, value);
    case 'not_empty':
      return !isEmpty(field, value);
    case 'eq':
      return equal(kind, value, condValue);
    case 'ne':
      return !equal(kind, value, condValue);
    case 'gt':
      return order(kind, value, condValue, (a, b) => a > b);
    case 'gte':
      return order(kind, value, condValue, (a, b) => a >= b);
    case 'lt':
      return order(kind, value, condValue, (a, b) => a < b);
    case 'lte':
      return order(kind, value, condValue, (a, b) => a <= b);
    case 'between':
      return between(kind, value, condValue);
    case 'contains':
      if (kind === 'set') return overlap(value, condValue) > 0;
      return lower(textOf(field, value)).includes(lower(textOf(null, condValue ?? '')));
    case 'not_contains':
      return !testCondition(field, 'contains', condValue, value);
    case 'starts':
      return lower(textOf(field, value)).startsWith(lower(textOf(null, condValue ?? '')));
    case 'in':
      return !isEmpty(field, value) && overlap(value, condValue) > 0;
    case 'not_in':
      return !testCondition(field, 'in', condValue, value);
    case 'any_of':
      return overlap(value, condValue) > 0;
    case 'all_of':
      return overlap(value, condValue) === new Set(asList(condValue).map(idKey)).size;
    case 'none_of':
      return overlap(value, condValue) === 0;
    default:
      return false; // an op this UI does not know: the condition does not hold
  }
}

/**
 * Whether values pass a `show_when` (null or no conditions: always).
 * @param {{match?: 'all'|'any', conditions?: object[]} | null} showWhen
 * @param {Map<string, object> | object[]} fields the fields conditions may name
 * @param {object | ((id: string) => unknown)} values the values, or a lookup
 */
export function testConditions(showWhen, fields, values) {
  const conditions = Array.isArray(showWhen?.conditions) ? showWhen.conditions : [];
  if (conditions.length === 0) return true;
  const byId = fields instanceof Map ? fields : new Map((fields ?? []).map((f) => [f.id, f]));
  const valueOf = typeof values === 'function' ? values : (id) => values?.[id];
  const holds = (c) =>
    testCondition(byId.get(c.field) ?? { id: c.field }, c.op, c.value, valueOf(c.field));
  return showWhen.match === 'any' ? conditions.some(holds) : conditions.every(holds);
}

/**
 * The fields shown for these values, in form order. A field shows when its `show_when` holds and
 * its section (the last `section` field before it) is shown. A condition on an earlier field that
 * is not shown sees it as empty (its value is not sent), so chains of conditions settle in one
 * pass. `hidden` fields are not treated specially here (they hold values, the form does not show
 * them).
 * @param {object[]} fields
 * @param {object} values
 * @returns {object[]}
 */
export function visibleFields(fields, values) {
  const list = fields ?? [];
  const byId = new Map(list.map((f) => [f.id, f]));
  const notShown = new Set();
  const valueOf = (id) => (notShown.has(id) ? undefined : values?.[id]);
  const out = [];
  let sectionShown = true;
  for (const f of list) {
    let shown = testConditions(f.show_when, byId, valueOf);
    if (f.type === 'section') sectionShown = shown;
    else shown = shown && sectionShown;
    if (shown) out.push(f);
    else notShown.add(f.id);
  }
  return out;
}

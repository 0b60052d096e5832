// The record list's filter builder and query (forms contract, POST records/query): conditions
// {field, op, value} under "all" or "any", the full-text words, one sort key. The value a
// condition needs depends on its op: none (empty, not_empty), a pair (between), a list (in,
// any_of, ...), else one value of the field's type. Pure, so the page and the tests share it.
import { typeOf } from '../../fields/types.js';

export const NO_VALUE_OPS = new Set(['empty', 'not_empty']);
export const LIST_OPS = new Set(['in', 'not_in', 'any_of', 'all_of', 'none_of']);
export const RANGE_OPS = new Set(['between']);

/** 'none' | 'range' | 'list' | 'single' */
export function valueKind(op) {
  if (NO_VALUE_OPS.has(op)) return 'none';
  if (RANGE_OPS.has(op)) return 'range';
  if (LIST_OPS.has(op)) return 'list';
  return 'single';
}

// The value field of a filter by the `filterValue` of the type's row (fields/types.js):
// (base, field, op, kind) => the field the value is typed into.
const VALUE_FIELDS = {
  text: (base) => ({ ...base, type: 'text', options: {} }),
  rating: (base, field) => ({
    ...base,
    type: 'number',
    options: { precision: 0, min: 0, max: field.options?.max ?? 5 },
  }),
  choice: (base, field, op, kind) => ({
    ...base,
    type: kind === 'list' ? 'checkbox' : 'select',
    options: { choices: field.options?.choices ?? [] },
  }),
  people: (base, field, op, kind) => ({
    ...base,
    type: field.type,
    options: { multiple: kind === 'list' },
  }),
  datetime: (base, field, op, kind) =>
    op === 'eq' ? { ...base, type: 'date', options: {} } : VALUE_FIELDS.same(base, field, op, kind),
  same: (base, field) => {
    const rest = { ...(field.options ?? {}) }; // a filter value may lie outside the field's range
    delete rest.min;
    delete rest.max;
    return { ...base, type: field.type, options: rest };
  },
};

/**
 * The field a condition's value is typed into (one input for 'single' and 'list', two for
 * 'range'), derived from the field filtered on: text-like fields take plain text (part of an
 * address, of an email ...), choice lists and people lists take several, a rating takes a whole
 * number. Never required, hidden, read-only or conditional.
 * @param {object} field
 * @param {string} op
 * @returns {object | null} null when the op takes no value
 */
export function conditionValueField(field, op) {
  const kind = valueKind(op);
  if (!field || kind === 'none') return null;
  const base = {
    id: `${field.id}__filter`,
    label: field.label ?? '',
    required: false,
    unique: false,
    default: null,
    placeholder: '',
    help: '',
    hidden: false,
    readonly: false,
    show_when: null,
    options: {},
  };
  const make = VALUE_FIELDS[typeOf(field.type)?.filterValue] ?? VALUE_FIELDS.same;
  return make(base, field, op, kind);
}

/** A new condition on `field` with its first op. */
export function newCondition(field, ops) {
  return { field: field?.id ?? '', op: ops?.[0] ?? 'eq', value: initialValue(ops?.[0]) };
}

/** The value a condition starts with when its op changes. */
export function initialValue(op) {
  const kind = valueKind(op);
  if (kind === 'range') return [null, null];
  if (kind === 'list') return [];
  return null;
}

const blank = (v) =>
  v === null || v === undefined || (typeof v === 'string' && v.trim() === '') || Number.isNaN(v);

/** The condition's value as the query sends it, or undefined when it is not filled in yet. */
export function conditionValue(condition) {
  const { op, value } = condition;
  switch (valueKind(op)) {
    case 'none':
      return null;
    case 'range':
      if (!Array.isArray(value) || value.length !== 2 || value.some(blank)) return undefined;
      return value.map(trimText);
    case 'list': {
      const list = (Array.isArray(value) ? value : [value]).filter((v) => !blank(v));
      return list.length ? list : undefined;
    }
    default:
      if (Array.isArray(value)) return value.length ? value : undefined; // people as a list
      return blank(value) ? undefined : trimText(value);
  }
}

const trimText = (v) => (typeof v === 'string' ? v.trim() : v);

/** Whether the condition names a field and an op and has the value its op needs. */
export const isComplete = (condition) =>
  Boolean(condition?.field) && Boolean(condition?.op) && conditionValue(condition) !== undefined;

/**
 * The filter object of a query: the complete conditions only, null when there are none.
 * @param {{match: 'all' | 'any', conditions: object[]}} filter
 */
export function buildFilter(filter) {
  const conditions = (filter?.conditions ?? []).filter(isComplete).map((c) => {
    const value = conditionValue(c);
    return valueKind(c.op) === 'none'
      ? { field: c.field, op: c.op }
      : { field: c.field, op: c.op, value };
  });
  if (!conditions.length) return null;
  return { match: filter.match === 'any' ? 'any' : 'all', conditions };
}

/**
 * The body of POST records/query (and, without sort, limit and after, of records/count and
 * export).
 * @param {{filter?: object, q?: string, sort?: {field: string, dir: string} | null,
 *   deleted?: boolean, limit?: number, after?: string | null}} state
 */
export function buildQuery(state) {
  const body = {};
  const filter = buildFilter(state.filter);
  if (filter) body.filter = filter;
  const q = (state.q ?? '').trim();
  if (q) body.q = q;
  if (state.sort?.field) {
    body.sort = [{ field: state.sort.field, dir: state.sort.dir === 'asc' ? 'asc' : 'desc' }];
  }
  if (state.limit) body.limit = state.limit;
  if (state.after) body.after = state.after;
  if (state.deleted) body.deleted = true;
  return body;
}

/** The count body: the same filter, words and bin flag, no order or page. */
export function countBody(state) {
  const { filter, q, deleted } = buildQuery(state);
  return { ...(filter ? { filter } : {}), ...(q ? { q } : {}), ...(deleted ? { deleted } : {}) };
}

/** The next sort when a column header is clicked: ascending, descending, then none. */
export function nextSort(current, field) {
  if (current?.field !== field) return { field, dir: 'asc' };
  if (current.dir === 'asc') return { field, dir: 'desc' };
  return null;
}

// The field types of the forms contract ("Form definition"): for each type its name in the UI,
// icon, palette category, whether it holds a value, its default options, the filter ops the
// server accepts on it, whether records sort by it, and its empty value. Pure: no Vue, no
// requests. Callers import registry.js, which re-exports all of this.

export const CATEGORIES = [
  { key: 'basic', labelKey: 'fields.categories.basic' },
  { key: 'choice', labelKey: 'fields.categories.choice' },
  { key: 'people', labelKey: 'fields.categories.people' },
  { key: 'media', labelKey: 'fields.categories.media' },
  { key: 'advanced', labelKey: 'fields.categories.advanced' },
  { key: 'layout', labelKey: 'fields.categories.layout' },
];

// Filter ops by kind of type (contract, "Filter ops by type").
const TEXT_OPS = ['eq', 'ne', 'contains', 'not_contains', 'starts', 'empty', 'not_empty'];
const NUMBER_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between', 'empty', 'not_empty'];
const DATE_OPS = ['eq', 'gt', 'gte', 'lt', 'lte', 'between', 'empty', 'not_empty'];
const DATETIME_OPS = ['gt', 'gte', 'lt', 'lte', 'between', 'empty', 'not_empty'];
const CHOICE_OPS = ['eq', 'ne', 'in', 'not_in', 'empty', 'not_empty'];
const SET_OPS = ['any_of', 'all_of', 'none_of', 'empty', 'not_empty'];
const ADDRESS_OPS = ['contains', 'empty', 'not_empty'];
const PRESENCE_OPS = ['empty', 'not_empty'];

/** Every op a filter or a show_when condition may use. */
export const ALL_OPS = [
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'contains',
  'not_contains',
  'starts',
  'in',
  'not_in',
  'any_of',
  'all_of',
  'none_of',
  'empty',
  'not_empty',
];

/** The maximum length of a text field (contract: max_length ≤ 200). */
export const TEXT_MAX_LENGTH = 200;
/** The maximum length of a textarea field (contract: max_length ≤ 10000). */
export const TEXTAREA_MAX_LENGTH = 10000;
/** A signature's data URL may be this long at most (contract: ≤ 200 KB). */
export const SIGNATURE_MAX_CHARS = 200 * 1024;
/** Files per attachment or image field (contract: max_files ≤ 50). */
export const MAX_FILES = 50;
/** The node's default upload limit (creekd `max-upload`, 50 MiB). */
export const DEFAULT_MAX_SIZE = 50 * 1024 * 1024;

const blankString = () => '';
const nothing = () => null;
const noList = () => [];
const oneOrMany = (field) => (field?.options?.multiple ? [] : null);

// kind: how conditions and formatting treat the value
//   text, number, date, datetime, choice (one id), set (list of ids), member/department (an id or
//   a list), other (only empty / not empty)
function entry(type, category, icon, kind, filterOps, more = {}) {
  return {
    type,
    labelKey: `fields.types.${type}`,
    icon,
    category,
    kind,
    hasValue: true,
    sortable: false,
    canUnique: false,
    filterOps,
    defaultOptions: () => ({}),
    emptyValue: nothing,
    ...more,
  };
}

const textLike = (type, category, icon, more = {}) =>
  entry(type, category, icon, 'text', TEXT_OPS, {
    sortable: true,
    canUnique: true,
    emptyValue: blankString,
    ...more,
  });

const numberLike = (type, icon, more = {}) =>
  entry(type, 'basic', icon, 'number', NUMBER_OPS, { sortable: true, canUnique: true, ...more });

const layout = (type, icon, more = {}) =>
  entry(type, 'layout', icon, 'none', [], { hasValue: false, ...more });

const TYPES = [
  textLike('text', 'basic', 'EditPen', {
    defaultOptions: () => ({ max_length: TEXT_MAX_LENGTH }),
  }),
  // Long text is neither indexed nor comparable as a whole: no sort, no unique (as the server).
  textLike('textarea', 'basic', 'Memo', {
    sortable: false,
    canUnique: false,
    defaultOptions: () => ({ max_length: TEXTAREA_MAX_LENGTH }),
  }),
  textLike('richtext', 'basic', 'Document', {
    sortable: false,
    canUnique: false,
    defaultOptions: () => ({ max_length: TEXTAREA_MAX_LENGTH }),
  }),
  numberLike('number', 'Odometer', { defaultOptions: () => ({ precision: 2 }) }),
  numberLike('money', 'Money', { defaultOptions: () => ({ precision: 2, currency: 'CNY' }) }),
  numberLike('percent', 'Discount', { defaultOptions: () => ({ precision: 2 }) }),
  numberLike('duration', 'Timer'),
  numberLike('rating', 'Star', { defaultOptions: () => ({ max: 5 }) }),
  entry('date', 'basic', 'Calendar', 'date', DATE_OPS, { sortable: true, canUnique: true }),
  entry('datetime', 'basic', 'Clock', 'datetime', DATETIME_OPS, {
    sortable: true,
    canUnique: true,
  }),
  entry('timerange', 'basic', 'AlarmClock', 'other', PRESENCE_OPS),
  textLike('email', 'basic', 'Message'),
  textLike('phone', 'basic', 'Phone'),
  textLike('link', 'basic', 'Link'),
  entry('radio', 'choice', 'CircleCheck', 'choice', CHOICE_OPS, {
    sortable: true,
    defaultOptions: () => ({ choices: defaultChoices() }),
  }),
  entry('select', 'choice', 'List', 'choice', CHOICE_OPS, {
    sortable: true,
    defaultOptions: () => ({ choices: defaultChoices() }),
  }),
  entry('checkbox', 'choice', 'Finished', 'set', SET_OPS, {
    defaultOptions: () => ({ choices: defaultChoices() }),
    emptyValue: noList,
  }),
  entry('member', 'people', 'User', 'set', SET_OPS, {
    defaultOptions: () => ({ multiple: false }),
    emptyValue: oneOrMany,
  }),
  entry('department', 'people', 'OfficeBuilding', 'set', SET_OPS, {
    defaultOptions: () => ({ multiple: false }),
    emptyValue: oneOrMany,
  }),
  entry('attachment', 'media', 'Paperclip', 'other', PRESENCE_OPS, {
    defaultOptions: () => ({ max_files: 10, max_size: 20 * 1024 * 1024 }),
    emptyValue: noList,
  }),
  entry('image', 'media', 'Picture', 'other', PRESENCE_OPS, {
    defaultOptions: () => ({ max_files: 9, max_size: 10 * 1024 * 1024, accept: ['image/*'] }),
    emptyValue: noList,
  }),
  entry('signature', 'media', 'Edit', 'other', PRESENCE_OPS),
  entry('address', 'advanced', 'Location', 'address', ADDRESS_OPS),
  entry('location', 'advanced', 'MapLocation', 'other', PRESENCE_OPS),
  entry('subtable', 'advanced', 'Grid', 'other', PRESENCE_OPS, {
    defaultOptions: () => ({ fields: [] }),
    emptyValue: noList,
  }),
  textLike('serial', 'advanced', 'PriceTag', {
    canUnique: false,
    emptyValue: nothing,
    defaultOptions: () => ({
      parts: [
        { kind: 'date', pattern: 'YYYYMMDD' },
        { kind: 'counter', digits: 4, reset: 'day' },
      ],
    }),
  }),
  textLike('barcode', 'advanced', 'FullScreen'),
  layout('description', 'InfoFilled', { defaultOptions: () => ({ text: '' }) }),
  layout('divider', 'Minus'),
  layout('section', 'Collection'),
];

// Two choices to start from; the designer renames them. Ids are c1, c2, ... (ChoicesEditor keeps
// counting from the highest).
function defaultChoices() {
  return [
    { id: 'c1', label: 'A' },
    { id: 'c2', label: 'B' },
  ];
}

/** type → entry, in palette order. */
export const FIELD_TYPES = Object.freeze(Object.fromEntries(TYPES.map((e) => [e.type, e])));

/** The type names in palette order. */
export const TYPE_NAMES = Object.freeze(TYPES.map((e) => e.type));

/**
 * The system fields every record has (read-only, filterable, sortable). `valueType` is the field
 * type whose input and display suit a filter value on it.
 */
export const SYSTEM_FIELDS = Object.freeze({
  _id: {
    id: '_id',
    labelKey: 'fields.system.id',
    valueType: 'number',
    kind: 'number',
    filterOps: NUMBER_OPS,
    sortable: true,
  },
  _created_by: {
    id: '_created_by',
    labelKey: 'fields.system.createdBy',
    valueType: 'member',
    kind: 'set',
    filterOps: SET_OPS,
    sortable: true,
  },
  _created_at: {
    id: '_created_at',
    labelKey: 'fields.system.createdAt',
    valueType: 'datetime',
    kind: 'datetime',
    filterOps: DATETIME_OPS,
    sortable: true,
  },
  _updated_by: {
    id: '_updated_by',
    labelKey: 'fields.system.updatedBy',
    valueType: 'member',
    kind: 'set',
    filterOps: SET_OPS,
    sortable: true,
  },
  _updated_at: {
    id: '_updated_at',
    labelKey: 'fields.system.updatedAt',
    valueType: 'datetime',
    kind: 'datetime',
    filterOps: DATETIME_OPS,
    sortable: true,
  },
});

/** The registry entry of a type name, or undefined for an unknown type. */
export const typeOf = (name) =>
  Object.prototype.hasOwnProperty.call(FIELD_TYPES, name) ? FIELD_TYPES[name] : undefined;

/** The system field of an id ('_id', '_created_at', ...), or undefined. */
export const systemField = (id) =>
  typeof id === 'string' && Object.prototype.hasOwnProperty.call(SYSTEM_FIELDS, id)
    ? SYSTEM_FIELDS[id]
    : undefined;

/**
 * The filter ops a field accepts: a system field's by its id, any other by its type ([] for
 * layout and unknown types).
 * @param {{id?: string, type?: string}} field
 * @returns {string[]}
 */
export function opsFor(field) {
  const system = systemField(field?.id);
  if (system) return [...system.filterOps];
  return [...(typeOf(field?.type)?.filterOps ?? [])];
}

/** Whether a field holds a value (layout fields do not). */
export const hasValue = (field) => typeOf(field?.type)?.hasValue === true;

/** The value of an empty field of this field's type (null, '' or []). */
export function emptyValue(field) {
  const e = typeOf(field?.type);
  return e ? e.emptyValue(field) : null;
}

const isBlankText = (v) => typeof v !== 'string' || v.trim() === '';
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

/**
 * Whether a value counts as empty for this field: null, missing, blank text, an empty list, an
 * address without region and detail, a location without coordinates, a time range without start
 * and end.
 */
export function isEmpty(field, value) {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value !== 'object') return false;
  switch (field?.type) {
    case 'address': {
      const region = Array.isArray(value.region) ? value.region.filter((r) => !isBlankText(r)) : [];
      return region.length === 0 && String(value.detail ?? '').trim() === '';
    }
    case 'location':
      return !isNum(value.lat) || !isNum(value.lng);
    case 'timerange':
      return !value.start && !value.end;
    default:
      return Object.keys(value).length === 0;
  }
}

/** Deep copy of a JSON value (defaults must not be shared between forms). */
export const copy = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

function collectIds(items, out) {
  for (const item of items ?? []) {
    if (typeof item === 'string') out.push(item);
    else if (item && typeof item === 'object') {
      if (typeof item.id === 'string') out.push(item.id);
      if (Array.isArray(item.options?.fields)) collectIds(item.options.fields, out);
    }
  }
  return out;
}

/**
 * The id for a new field: "f" + one more than the highest "f<n>" in use (gaps are not refilled,
 * so an id deleted at the end may come back only if the caller forgets it: pass every id the
 * form ever had, e.g. of all its versions, to never reuse one).
 * @param {Iterable<string | {id: string, options?: {fields?: object[]}}>} existingIds ids, or
 *   fields (subtable fields' own fields are counted too)
 */
export function newFieldId(existingIds) {
  let max = 0;
  for (const id of collectIds([...(existingIds ?? [])], [])) {
    const m = /^f(\d+)$/.exec(id);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return `f${max + 1}`;
}

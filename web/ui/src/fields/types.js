// The field types of the forms contract ("Form definition"): one row per type with everything the
// UI does differently by type: its name in the UI, icon, palette category, whether it holds a
// value, its default options, the filter ops the server accepts on it, whether records sort by it,
// its empty value; the components that edit and show its value (by file name: FieldInput.vue and
// FieldValue.vue load ./inputs/<input>.vue and ./values/<display>.vue), its value check
// (validate.js) and plain-text formatter (format.js), the value a filter on it takes, how records,
// cards and imports treat it, and its options editor in the designer (by file name under
// views/designer/options/). Adding a type is one row here plus its components (and the server's
// row in core/forms/field.c with its line in tests/cases/field_types.json). Pure: no Vue, no
// requests. Callers import registry.js, which re-exports all of this.
import {
  checkChoice,
  checkChoices,
  checkDate,
  checkDateTime,
  checkDuration,
  checkEmail,
  checkFiles,
  checkIds,
  checkLink,
  checkLocation,
  checkNothing,
  checkNumber,
  checkPhone,
  checkRating,
  checkRichText,
  checkSignature,
  checkSubtable,
  checkText,
  checkTimeRange,
} from './validate.js';
import {
  formatAddressValue,
  formatChoices,
  formatDateTimeValue,
  formatDurationValue,
  formatFiles,
  formatLocation,
  formatNumber,
  formatPeople,
  formatPlain,
  formatRating,
  formatRichText,
  formatRows,
  formatSigned,
  formatString,
  formatTimeRange,
} from './format.js';

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

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const isBlankText = (v) => typeof v !== 'string' || v.trim() === '';
const noKeys = (value) => Object.keys(value).length === 0;

/**
 * The extra props FieldInput and FieldValue hand to a type's component when its row asks for them
 * (`inputProps`, `displayProps`); `field` and the value always.
 */
export const INPUT_CONTEXT = ['refs', 'ws', 'uploadFile', 'appId', 'recordId'];
export const DISPLAY_CONTEXT = ['refs', 'ws', 'appId', 'recordId'];

/**
 * What a filter on a type types its value into (records/filterQuery.js): 'same' (a field of the
 * type itself, its range left out), 'text' (plain text: part of an address, of an email ...),
 * 'rating' (a whole number up to the maximum), 'choice' (one choice, or several for a list op),
 * 'people' (one member or department, or several), 'datetime' (a date for eq, else a date-time).
 */
export const FILTER_VALUES = ['same', 'text', 'rating', 'choice', 'people', 'datetime'];

// kind: how conditions and formatting treat the value
//   text, number, date, datetime, choice (one id), set (list of ids), member/department (an id or
//   a list), other (only empty / not empty)
// The other keys, with their defaults below:
//   input, inputProps      the edit component in ./inputs/ and the extra props it takes
//   display, displayProps  the read component in ./values/ (null for layout) and its extra props
//   validate               (field, value, t) => '' or the problem (validate.js), on a non-empty value
//   format                 (field, value, refs, t) => plain text (format.js), on a non-empty value
//   isEmptyObject          (value) => whether an object value counts as empty
//   filterValue            one of FILTER_VALUES
//   serverFilled           the server fills the value (serial): no input, default, edit or import
//   importable, onCard     an import may fill it; a phone card may show it
//   inConditions           a show_when condition may test it
//   serialPart             a serial number may include it
//   defaultInput           the designer types a default into its input
//   choices, subfields     its options hold choices (options.choices); fields (options.fields)
//   refKind                the refs its ids are named in ('members' or 'departments')
//   maxLength, precision   the cap of its text's length; its fixed precision
//   numberStyle            'money' (grouped, currency) or 'percent' (a % sign), else none
//   wideColumn             a wider table column (long texts)
//   inputMode              the kind of one-line input ('email', 'tel', 'url'; TextInput), else text
//   labelled               it needs a label (a divider does not) and may have help text
//   startsSection          it heads the fields after it (its label is a title)
//   inSubtable             a sub-table may hold it
//   optionsEditor          its options editor in views/designer/options/, or null
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
    input: 'TextInput',
    inputProps: [],
    display: 'TextValue',
    displayProps: [],
    validate: checkNothing,
    format: formatPlain,
    isEmptyObject: noKeys,
    filterValue: 'same',
    serverFilled: false,
    importable: true,
    onCard: true,
    inConditions: true,
    serialPart: false,
    defaultInput: true,
    choices: false,
    subfields: false,
    refKind: null,
    maxLength: null,
    precision: null,
    numberStyle: null,
    wideColumn: false,
    labelled: true,
    startsSection: false,
    inSubtable: true,
    inputMode: null,
    optionsEditor: null,
    ...more,
  };
}

const textLike = (type, category, icon, more = {}) =>
  entry(type, category, icon, 'text', TEXT_OPS, {
    sortable: true,
    canUnique: true,
    emptyValue: blankString,
    validate: checkText,
    filterValue: 'text',
    ...more,
  });

const numberLike = (type, icon, more = {}) =>
  entry(type, 'basic', icon, 'number', NUMBER_OPS, {
    sortable: true,
    canUnique: true,
    input: 'NumberInput',
    display: 'NumberValue',
    validate: checkNumber,
    format: formatNumber,
    optionsEditor: 'NumberOptions',
    ...more,
  });

const choiceLike = (type, icon, kind, filterOps, more = {}) =>
  entry(type, 'choice', icon, kind, filterOps, {
    defaultOptions: () => ({ choices: defaultChoices() }),
    input: 'ChoiceInput',
    display: 'ChoiceValue',
    format: formatChoices,
    choices: true,
    optionsEditor: 'ChoicesOptions',
    ...more,
  });

const people = (type, icon, refKind, input) =>
  entry(type, 'people', icon, 'set', SET_OPS, {
    defaultOptions: () => ({ multiple: false }),
    emptyValue: oneOrMany,
    input,
    inputProps: ['refs', 'ws'],
    display: 'PeopleValue',
    displayProps: ['refs'],
    validate: checkIds,
    format: formatPeople,
    filterValue: 'people',
    refKind,
    optionsEditor: 'PeopleOptions',
  });

const files = (type, icon, display, defaultOptions) =>
  entry(type, 'media', icon, 'other', PRESENCE_OPS, {
    defaultOptions,
    emptyValue: noList,
    input: 'FileInput',
    inputProps: ['ws', 'uploadFile', 'appId', 'recordId'],
    display,
    displayProps: ['ws', 'appId', 'recordId'],
    validate: checkFiles,
    format: formatFiles,
    importable: false,
    onCard: false,
    defaultInput: false,
    optionsEditor: 'FileOptions',
  });

const layout = (type, icon, input, more = {}) =>
  entry(type, 'layout', icon, 'none', [], {
    hasValue: false,
    input,
    display: null,
    importable: false,
    onCard: false,
    inConditions: false,
    defaultInput: false,
    inSubtable: false,
    ...more,
  });

const TYPES = [
  textLike('text', 'basic', 'EditPen', {
    defaultOptions: () => ({ max_length: TEXT_MAX_LENGTH }),
    serialPart: true,
    maxLength: TEXT_MAX_LENGTH,
    optionsEditor: 'TextOptions',
  }),
  // Long text is neither indexed nor comparable as a whole: no sort, no unique (as the server).
  textLike('textarea', 'basic', 'Memo', {
    sortable: false,
    canUnique: false,
    defaultOptions: () => ({ max_length: TEXTAREA_MAX_LENGTH }),
    input: 'TextareaInput',
    display: 'MultilineValue',
    onCard: false,
    maxLength: TEXTAREA_MAX_LENGTH,
    wideColumn: true,
    optionsEditor: 'TextOptions',
  }),
  textLike('richtext', 'basic', 'Document', {
    sortable: false,
    canUnique: false,
    defaultOptions: () => ({ max_length: TEXTAREA_MAX_LENGTH }),
    input: 'RichTextInput',
    display: 'RichTextValue',
    validate: checkRichText,
    format: formatRichText,
    onCard: false,
    wideColumn: true,
    optionsEditor: 'TextOptions',
  }),
  numberLike('number', 'Odometer', { defaultOptions: () => ({ precision: 2 }), serialPart: true }),
  numberLike('money', 'Money', {
    defaultOptions: () => ({ precision: 2, currency: 'CNY' }),
    serialPart: true,
    numberStyle: 'money',
  }),
  numberLike('percent', 'Discount', {
    defaultOptions: () => ({ precision: 2 }),
    serialPart: true,
    numberStyle: 'percent',
  }),
  numberLike('duration', 'Timer', {
    input: 'DurationInput',
    display: 'DurationValue',
    validate: checkDuration,
    format: formatDurationValue,
    precision: 0,
    optionsEditor: null,
  }),
  numberLike('rating', 'Star', {
    defaultOptions: () => ({ max: 5 }),
    input: 'RatingInput',
    display: 'RatingValue',
    validate: checkRating,
    format: formatRating,
    filterValue: 'rating',
    serialPart: true,
    precision: 0,
    optionsEditor: 'RatingOptions',
  }),
  entry('date', 'basic', 'Calendar', 'date', DATE_OPS, {
    sortable: true,
    canUnique: true,
    input: 'DateInput',
    validate: checkDate,
    format: formatString,
    serialPart: true,
  }),
  entry('datetime', 'basic', 'Clock', 'datetime', DATETIME_OPS, {
    sortable: true,
    canUnique: true,
    input: 'DateInput',
    validate: checkDateTime,
    format: formatDateTimeValue,
    filterValue: 'datetime',
  }),
  entry('timerange', 'basic', 'AlarmClock', 'other', PRESENCE_OPS, {
    input: 'TimeRangeInput',
    validate: checkTimeRange,
    format: formatTimeRange,
    isEmptyObject: (value) => !value.start && !value.end,
  }),
  textLike('email', 'basic', 'Message', {
    display: 'EmailValue',
    validate: checkEmail,
    inputMode: 'email',
    serialPart: true,
  }),
  textLike('phone', 'basic', 'Phone', {
    display: 'PhoneValue',
    validate: checkPhone,
    inputMode: 'tel',
    serialPart: true,
  }),
  textLike('link', 'basic', 'Link', {
    display: 'LinkValue',
    validate: checkLink,
    inputMode: 'url',
  }),
  choiceLike('radio', 'CircleCheck', 'choice', CHOICE_OPS, {
    sortable: true,
    validate: checkChoice,
    filterValue: 'choice',
    serialPart: true,
  }),
  choiceLike('select', 'List', 'choice', CHOICE_OPS, {
    sortable: true,
    validate: checkChoice,
    filterValue: 'choice',
    serialPart: true,
  }),
  choiceLike('checkbox', 'Finished', 'set', SET_OPS, {
    emptyValue: noList,
    validate: checkChoices,
  }),
  people('member', 'User', 'members', 'MemberInput'),
  people('department', 'OfficeBuilding', 'departments', 'DepartmentInput'),
  files('attachment', 'Paperclip', 'FileValue', () => ({
    max_files: 10,
    max_size: 20 * 1024 * 1024,
  })),
  files('image', 'Picture', 'ImageValue', () => ({
    max_files: 9,
    max_size: 10 * 1024 * 1024,
    accept: ['image/*'],
  })),
  entry('signature', 'media', 'Edit', 'other', PRESENCE_OPS, {
    input: 'SignaturePad',
    display: 'SignatureValue',
    validate: checkSignature,
    format: formatSigned,
    importable: false,
    onCard: false,
    defaultInput: false,
  }),
  entry('address', 'advanced', 'Location', 'address', ADDRESS_OPS, {
    input: 'AddressInput',
    display: 'AddressValue',
    format: formatAddressValue,
    filterValue: 'text',
    isEmptyObject: (value) => {
      const region = Array.isArray(value.region) ? value.region.filter((r) => !isBlankText(r)) : [];
      return region.length === 0 && String(value.detail ?? '').trim() === '';
    },
  }),
  entry('location', 'advanced', 'MapLocation', 'other', PRESENCE_OPS, {
    input: 'LocationInput',
    display: 'LocationValue',
    validate: checkLocation,
    format: formatLocation,
    isEmptyObject: (value) => !isNum(value.lat) || !isNum(value.lng),
    onCard: false,
    defaultInput: false,
  }),
  entry('subtable', 'advanced', 'Grid', 'other', PRESENCE_OPS, {
    defaultOptions: () => ({ fields: [] }),
    emptyValue: noList,
    input: 'SubtableInput',
    inputProps: INPUT_CONTEXT,
    display: 'SubtableValue',
    displayProps: DISPLAY_CONTEXT,
    validate: checkSubtable,
    format: formatRows,
    importable: false,
    onCard: false,
    inConditions: false,
    defaultInput: false,
    inSubtable: false,
    subfields: true,
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
    input: 'SerialInput',
    serverFilled: true,
    importable: false,
    inConditions: false,
    defaultInput: false,
    inSubtable: false,
    optionsEditor: 'SerialOptions',
  }),
  textLike('barcode', 'advanced', 'FullScreen', { input: 'BarcodeInput', serialPart: true }),
  layout('description', 'InfoFilled', 'DescriptionBlock', {
    defaultOptions: () => ({ text: '' }),
    optionsEditor: 'DescriptionOptions',
  }),
  layout('divider', 'Minus', 'DividerBlock', { labelled: false }),
  layout('section', 'Collection', 'SectionTitle', { startsSection: true }),
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

/**
 * Whether a value counts as empty for this field: null, missing, blank text, an empty list, or an
 * object its type's row calls empty (an address without region and detail, a location without
 * coordinates, a time range without start and end; else an object without keys).
 */
export function isEmpty(field, value) {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value !== 'object') return false;
  return (typeOf(field?.type)?.isEmptyObject ?? noKeys)(value);
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

import { existsSync } from 'node:fs';
import process from 'node:process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createI18n } from 'vue-i18n';
import en from '../i18n/locales/en.js';
import zhCN from '../i18n/locales/zh-CN.js';
import {
  ALL_OPS,
  CATEGORIES,
  DISPLAY_CONTEXT,
  FIELD_TYPES,
  FILTER_VALUES,
  INPUT_CONTEXT,
  SYSTEM_FIELDS,
  TYPE_NAMES,
  emptyValue,
  formatValue,
  initialValues,
  isEmpty,
  newFieldId,
  opsFor,
  testCondition,
  typeOf,
  validateValue,
  visibleFields,
} from './registry.js';

const i18n = createI18n({ legacy: false, locale: 'en', messages: { en, 'zh-CN': zhCN } });
const t = i18n.global.t;

const CONTRACT_TYPES = [
  'text',
  'textarea',
  'richtext',
  'number',
  'money',
  'percent',
  'duration',
  'rating',
  'date',
  'datetime',
  'timerange',
  'email',
  'phone',
  'link',
  'radio',
  'select',
  'checkbox',
  'member',
  'department',
  'attachment',
  'image',
  'address',
  'location',
  'subtable',
  'description',
  'divider',
  'section',
  'serial',
  'signature',
  'barcode',
];

const TEXT = ['eq', 'ne', 'contains', 'not_contains', 'starts', 'empty', 'not_empty'];
const NUMBER = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between', 'empty', 'not_empty'];
const DATE = ['eq', 'gt', 'gte', 'lt', 'lte', 'between', 'empty', 'not_empty'];
const DATETIME = ['gt', 'gte', 'lt', 'lte', 'between', 'empty', 'not_empty'];
const CHOICE = ['eq', 'ne', 'in', 'not_in', 'empty', 'not_empty'];
const SET = ['any_of', 'all_of', 'none_of', 'empty', 'not_empty'];
const PRESENCE = ['empty', 'not_empty'];

const field = (id, type, more = {}) => ({
  id,
  type,
  label: id.toUpperCase(),
  required: false,
  default: null,
  hidden: false,
  readonly: false,
  show_when: null,
  options: FIELD_TYPES[type]?.defaultOptions() ?? {},
  ...more,
});

describe('the type table', () => {
  it('has every type of the contract, each complete, with labels in both languages', () => {
    expect([...TYPE_NAMES].sort()).toEqual([...CONTRACT_TYPES].sort());
    const categories = CATEGORIES.map((c) => c.key);
    for (const type of CONTRACT_TYPES) {
      const e = typeOf(type);
      expect(e.type).toBe(type);
      expect(categories).toContain(e.category);
      expect(typeof e.icon).toBe('string');
      expect(typeof e.hasValue).toBe('boolean');
      expect(typeof e.sortable).toBe('boolean');
      expect(typeof e.defaultOptions()).toBe('object');
      expect(e.defaultOptions()).not.toBe(e.defaultOptions()); // a fresh object each time
      for (const messages of [en, zhCN]) {
        const label = e.labelKey.split('.').reduce((o, k) => o?.[k], messages);
        expect(typeof label, `${type} label`).toBe('string');
      }
      for (const op of e.filterOps) expect(ALL_OPS).toContain(op);
    }
    for (const c of CATEGORIES) expect(t(c.labelKey)).not.toBe(c.labelKey);
    expect(typeOf('nope')).toBeUndefined();
    expect(typeOf('constructor')).toBeUndefined();
  });

  it('gives each type exactly the filter ops of the contract', () => {
    const expected = {
      text: TEXT,
      textarea: TEXT,
      richtext: TEXT,
      email: TEXT,
      phone: TEXT,
      link: TEXT,
      barcode: TEXT,
      serial: TEXT,
      number: NUMBER,
      money: NUMBER,
      percent: NUMBER,
      duration: NUMBER,
      rating: NUMBER,
      date: DATE,
      datetime: DATETIME,
      radio: CHOICE,
      select: CHOICE,
      checkbox: SET,
      member: SET,
      department: SET,
      address: ['contains', 'empty', 'not_empty'],
      timerange: PRESENCE,
      location: PRESENCE,
      attachment: PRESENCE,
      image: PRESENCE,
      signature: PRESENCE,
      subtable: PRESENCE,
      description: [],
      divider: [],
      section: [],
    };
    for (const [type, ops] of Object.entries(expected)) {
      expect(opsFor({ id: 'f1', type }), type).toEqual(ops);
    }
    // single and multiple people pickers alike
    expect(opsFor({ id: 'f1', type: 'member', options: { multiple: false } })).toEqual(SET);
    expect(opsFor({ id: 'f9', type: 'unknown' })).toEqual([]);
  });

  it('gives the system fields their ops, sortable, by id', () => {
    expect(opsFor({ id: '_id' })).toEqual(NUMBER);
    expect(opsFor({ id: '_created_at', type: 'datetime' })).toEqual(DATETIME);
    expect(opsFor({ id: '_updated_at' })).toEqual(DATETIME);
    expect(opsFor({ id: '_created_by', type: 'member' })).toEqual(SET);
    expect(opsFor({ id: '_updated_by' })).toEqual(SET);
    expect(Object.values(SYSTEM_FIELDS).every((s) => s.sortable)).toBe(true);
    for (const s of Object.values(SYSTEM_FIELDS)) expect(t(s.labelKey)).not.toBe(s.labelKey);
  });

  it('sorts by short text, number-like, date-like and single-choice types only', () => {
    const sortable = TYPE_NAMES.filter((type) => typeOf(type).sortable).sort();
    expect(sortable).toEqual(
      [
        ...['text', 'email', 'phone', 'link', 'barcode', 'serial'],
        ...['number', 'money', 'percent', 'duration', 'rating', 'date', 'datetime'],
        ...['radio', 'select'],
      ].sort(),
    );
  });

  it('allows unique where the server does: short text, numbers and dates', () => {
    const unique = TYPE_NAMES.filter((type) => typeOf(type).canUnique).sort();
    expect(unique).toEqual(
      [
        ...['text', 'email', 'phone', 'link', 'barcode'],
        ...['number', 'money', 'percent', 'duration', 'rating', 'date', 'datetime'],
      ].sort(),
    );
  });

  it('knows which types hold no value', () => {
    const layout = TYPE_NAMES.filter((type) => !typeOf(type).hasValue).sort();
    expect(layout).toEqual(['description', 'divider', 'section']);
  });
});

// What FieldInput, FieldValue, the record list, the import and the designer ask a type's row: a
// type lacking one of these (a new row without its input component ...) fails here.
describe('the rows the dispatchers read', () => {
  const exists = (path) => existsSync(new URL(path, import.meta.url));
  const BOOLEANS = [
    'serverFilled',
    'importable',
    'onCard',
    'inConditions',
    'serialPart',
    'defaultInput',
    'choices',
    'subfields',
    'wideColumn',
    'labelled',
    'startsSection',
    'inSubtable',
  ];

  for (const type of CONTRACT_TYPES) {
    it(`gives ${type} its components, check, formatter and traits`, () => {
      const e = typeOf(type);
      expect(typeof e.input, 'input').toBe('string');
      expect(exists(`./inputs/${e.input}.vue`), `./inputs/${e.input}.vue`).toBe(true);
      expect(Array.isArray(e.inputProps)).toBe(true);
      for (const name of e.inputProps) expect(INPUT_CONTEXT).toContain(name);
      if (e.hasValue) {
        expect(typeof e.display, 'display').toBe('string');
        expect(exists(`./values/${e.display}.vue`), `./values/${e.display}.vue`).toBe(true);
      } else {
        expect(e.display).toBeNull();
      }
      expect(Array.isArray(e.displayProps)).toBe(true);
      for (const name of e.displayProps) expect(DISPLAY_CONTEXT).toContain(name);
      expect(typeof e.validate, 'validate').toBe('function');
      expect(typeof e.format, 'format').toBe('function');
      expect(typeof e.isEmptyObject, 'isEmptyObject').toBe('function');
      expect(FILTER_VALUES).toContain(e.filterValue);
      for (const key of BOOLEANS) expect(typeof e[key], key).toBe('boolean');
      expect([null, 'members', 'departments']).toContain(e.refKind);
      expect([null, 'money', 'percent']).toContain(e.numberStyle);
      expect([null, 'email', 'tel', 'url']).toContain(e.inputMode);
      if (e.optionsEditor !== null) {
        const path = `../views/designer/options/${e.optionsEditor}.vue`;
        expect(exists(path), path).toBe(true);
      }
      // layout holds nothing to import, test, default, nest or show on a card
      if (!e.hasValue) {
        const traits = [e.importable, e.onCard, e.inConditions, e.defaultInput, e.inSubtable];
        expect(traits).toEqual([false, false, false, false, false]);
      }
      if (e.refKind !== null) expect(e.inputProps).toEqual(['refs', 'ws']);
    });
  }

  it('routes values to the same checks and formatters as before the rows carried them', () => {
    const check = (type, value, options) =>
      typeOf(type).validate({ id: 'f1', type, label: 'F', options: options ?? {} }, value, t);
    expect(check('email', 'a@b.co')).toBe('');
    expect(check('email', 'nope')).toBe(t('fields.errors.email'));
    expect(check('rating', 6, { max: 5 })).toBe(t('fields.errors.rating', { max: 5 }));
    expect(check('duration', -1)).toBe(t('fields.errors.duration'));
    const fmt = (type, value, options) =>
      typeOf(type).format({ id: 'f1', type, options: options ?? {} }, value, {}, t);
    expect(fmt('money', 1234.5, { precision: 2, currency: 'CNY' })).toBe('¥1,234.50');
    expect(fmt('percent', 12.5, { precision: 2 })).toBe('12.50%');
    expect(fmt('rating', 3, { max: 5 })).toBe('3/5');
  });
});

describe('empty values', () => {
  it('are the right empty shape per type', () => {
    expect(emptyValue(field('a', 'text'))).toBe('');
    expect(emptyValue(field('a', 'number'))).toBeNull();
    expect(emptyValue(field('a', 'checkbox'))).toEqual([]);
    expect(emptyValue(field('a', 'member'))).toBeNull();
    expect(emptyValue(field('a', 'member', { options: { multiple: true } }))).toEqual([]);
    expect(emptyValue(field('a', 'attachment'))).toEqual([]);
    expect(emptyValue(field('a', 'subtable'))).toEqual([]);
    expect(emptyValue(field('a', 'address'))).toBeNull();
    expect(emptyValue(field('a', 'serial'))).toBeNull();
    for (const type of TYPE_NAMES) {
      expect(isEmpty(field('a', type), emptyValue(field('a', type))), type).toBe(true);
    }
  });

  it('tells empty from filled', () => {
    expect(isEmpty(field('a', 'text'), '  ')).toBe(true);
    expect(isEmpty(field('a', 'number'), 0)).toBe(false);
    expect(isEmpty(field('a', 'address'), { region: [], detail: ' ' })).toBe(true);
    expect(isEmpty(field('a', 'address'), { region: ['北京市'], detail: '' })).toBe(false);
    expect(isEmpty(field('a', 'location'), { lat: null, lng: null, label: 'x' })).toBe(true);
    expect(isEmpty(field('a', 'location'), { lat: 0, lng: 0, label: '' })).toBe(false);
    expect(isEmpty(field('a', 'timerange'), { start: null, end: null })).toBe(true);
    expect(isEmpty(field('a', 'timerange'), { start: '2026-01-01T00:00:00Z' })).toBe(false);
  });
});

describe('newFieldId', () => {
  it('takes one more than the highest f<n>, from ids or fields (sub-fields too)', () => {
    expect(newFieldId([])).toBe('f1');
    expect(newFieldId(undefined)).toBe('f1');
    expect(newFieldId(['f1', 'f2', 'f7', 'custom', 'f03x'])).toBe('f8');
    expect(newFieldId(new Set(['f2']))).toBe('f3');
    const fields = [
      field('f1', 'text'),
      field('f4', 'subtable', { options: { fields: [field('f9', 'text')] } }),
    ];
    expect(newFieldId(fields)).toBe('f10');
  });
});

describe('conditions', () => {
  const num = field('n', 'number');
  const txt = field('s', 'text');
  const day = field('d', 'date');
  const when = field('w', 'datetime');
  const pick = field('r', 'radio');
  const boxes = field('c', 'checkbox');
  const who = field('m', 'member');
  const addr = field('a', 'address');

  it('compares numbers, dates and times', () => {
    expect(testCondition(num, 'eq', 5, 5)).toBe(true);
    expect(testCondition(num, 'eq', '5', 5)).toBe(true);
    expect(testCondition(num, 'ne', 5, null)).toBe(true);
    expect(testCondition(num, 'gt', 5, 6)).toBe(true);
    expect(testCondition(num, 'gt', 5, 5)).toBe(false);
    expect(testCondition(num, 'gte', 5, 5)).toBe(true);
    expect(testCondition(num, 'lt', 5, null)).toBe(false);
    expect(testCondition(num, 'lte', 5, 4.5)).toBe(true);
    expect(testCondition(num, 'between', [1, 10], 10)).toBe(true);
    expect(testCondition(num, 'between', [1, 10], 11)).toBe(false);
    expect(testCondition(num, 'between', [null, 10], -100)).toBe(true);
    expect(testCondition(day, 'gt', '2026-01-31', '2026-02-01')).toBe(true);
    expect(testCondition(day, 'eq', '2026-02-01', '2026-02-01')).toBe(true);
    expect(testCondition(when, 'lt', '2026-01-01T00:00:00Z', '2025-12-31T23:59:59Z')).toBe(true);
    expect(testCondition(when, 'gte', '2026-01-01T08:00:00+08:00', '2026-01-01T00:00:00Z')).toBe(
      true,
    );
  });

  it('matches text', () => {
    expect(testCondition(txt, 'eq', 'abc', 'abc')).toBe(true);
    expect(testCondition(txt, 'contains', 'B', 'abc')).toBe(true);
    expect(testCondition(txt, 'not_contains', 'x', 'abc')).toBe(true);
    expect(testCondition(txt, 'not_contains', 'x', '')).toBe(true);
    expect(testCondition(txt, 'starts', 'ab', 'abc')).toBe(true);
    expect(testCondition(txt, 'starts', 'bc', 'abc')).toBe(false);
    expect(testCondition(txt, 'empty', null, ' ')).toBe(true);
    expect(testCondition(txt, 'not_empty', null, 'a')).toBe(true);
    expect(
      testCondition(addr, 'contains', '深圳', { region: ['广东省', '深圳市'], detail: '' }),
    ).toBe(true);
  });

  it('matches choices and sets', () => {
    expect(testCondition(pick, 'eq', 'c1', 'c1')).toBe(true);
    expect(testCondition(pick, 'in', ['c1', 'c2'], 'c2')).toBe(true);
    expect(testCondition(pick, 'in', ['c1'], null)).toBe(false);
    expect(testCondition(pick, 'not_in', ['c1'], null)).toBe(true);
    expect(testCondition(boxes, 'any_of', ['c1', 'c3'], ['c3'])).toBe(true);
    expect(testCondition(boxes, 'all_of', ['c1', 'c2'], ['c1'])).toBe(false);
    expect(testCondition(boxes, 'all_of', ['c1', 'c2'], ['c2', 'c1', 'c3'])).toBe(true);
    expect(testCondition(boxes, 'none_of', ['c1'], ['c2'])).toBe(true);
    expect(testCondition(boxes, 'none_of', ['c1'], [])).toBe(true);
    expect(testCondition(who, 'any_of', [5, 7], 7)).toBe(true); // a single member
    expect(testCondition(who, 'any_of', ['5'], 5)).toBe(true);
    expect(testCondition(who, 'none_of', [5], 6)).toBe(true);
    expect(testCondition(num, 'nonsense', 1, 1)).toBe(false);
  });

  it('shows fields by show_when with all/any, sections and chains', () => {
    const fields = [
      field('f1', 'radio'),
      field('f2', 'number', {
        show_when: { match: 'all', conditions: [{ field: 'f1', op: 'eq', value: 'c1' }] },
      }),
      field('f3', 'text', {
        // chained: f2 not shown counts as empty
        show_when: { match: 'all', conditions: [{ field: 'f2', op: 'gt', value: 10 }] },
      }),
      field('f4', 'section', {
        show_when: {
          match: 'any',
          conditions: [
            { field: 'f1', op: 'eq', value: 'c2' },
            { field: 'f5', op: 'not_empty' },
          ],
        },
      }),
      field('f5', 'text'),
      field('f6', 'section'),
      field('f7', 'text'),
    ];
    const ids = (values) => visibleFields(fields, values).map((f) => f.id);
    expect(ids({ f1: 'c1', f2: 20 })).toEqual(['f1', 'f2', 'f3', 'f6', 'f7']);
    expect(ids({ f1: 'c1', f2: 5 })).toEqual(['f1', 'f2', 'f6', 'f7']);
    expect(ids({ f1: 'c2', f2: 20 })).toEqual(['f1', 'f4', 'f5', 'f6', 'f7']);
    expect(ids({ f1: null, f5: 'x' })).toEqual(['f1', 'f4', 'f5', 'f6', 'f7']);
    expect(ids({})).toEqual(['f1', 'f6', 'f7']);
    expect(visibleFields(null, {})).toEqual([]);
  });
});

describe('initialValues', () => {
  it('uses defaults (copied) and empty values, skips layout and serial, empties hidden-by-rule', () => {
    const fields = [
      field('f1', 'text', { default: 'hi' }),
      field('f2', 'checkbox', { default: ['c1'] }),
      field('f3', 'member', { options: { multiple: true } }),
      field('f4', 'divider'),
      field('f5', 'serial'),
      field('f6', 'number', {
        default: 3,
        show_when: { match: 'all', conditions: [{ field: 'f1', op: 'eq', value: 'yes' }] },
      }),
      field('f7', 'number', { default: 0, hidden: true }),
    ];
    const values = initialValues(fields);
    expect(values).toEqual({ f1: 'hi', f2: ['c1'], f3: [], f6: null, f7: 0 });
    values.f2.push('c2');
    expect(fields[1].default).toEqual(['c1']);
    expect(initialValues(undefined)).toEqual({});
  });
});

describe('formatValue', () => {
  const refs = { members: { 5: '韩梅梅' }, departments: { 3: '销售部' } };
  const f = (type, options) => field('x', type, options ? { options } : {});
  const fmt = (type, value, options) => formatValue(f(type, options), value, refs, t);

  let tz;
  beforeEach(() => {
    tz = process.env.TZ;
    process.env.TZ = 'Asia/Shanghai';
  });
  afterEach(() => {
    process.env.TZ = tz;
  });

  it('formats numbers with precision, currency, unit and percent', () => {
    expect(fmt('number', 3, { precision: 1, unit: 'kg' })).toBe('3.0 kg');
    expect(fmt('number', 1234.5, { precision: 2 })).toBe('1234.50');
    expect(fmt('money', 1234.5, { precision: 2, currency: 'CNY' })).toBe('¥1,234.50');
    expect(fmt('money', 7, { precision: 0, currency: 'CHF' })).toBe('CHF 7');
    expect(fmt('percent', 12.345, { precision: 1 })).toBe('12.3%');
    expect(fmt('rating', 3, { max: 5 })).toBe('3/5');
    expect(fmt('duration', 3725)).toBe('1 hour 2 minutes 5 seconds');
  });

  it('formats dates, times and ranges in local time', () => {
    expect(fmt('date', '2026-11-28')).toBe('2026-11-28');
    expect(fmt('datetime', '2026-11-28T01:30:00Z')).toBe('2026-11-28 09:30');
    expect(fmt('timerange', { start: '2026-11-28T01:30:00Z', end: '2026-11-28T02:00:00Z' })).toBe(
      '2026-11-28 09:30 ~ 2026-11-28 10:00',
    );
  });

  it('names choices, people and departments; unknown ids show as ids', () => {
    const choices = [
      { id: 'c1', label: 'Red' },
      { id: 'c2', label: 'Blue' },
    ];
    expect(fmt('select', 'c2', { choices })).toBe('Blue');
    expect(fmt('checkbox', ['c1', 'gone'], { choices })).toBe('Red, gone');
    expect(fmt('member', 5)).toBe('韩梅梅');
    expect(fmt('member', [5, 6], { multiple: true })).toBe('韩梅梅, #6');
    expect(fmt('department', 3)).toBe('销售部');
    expect(formatValue({ id: '_created_by' }, { id: 1, name: '李雷' }, refs, t)).toBe('李雷');
    expect(formatValue({ id: '_id' }, 12, refs, t)).toBe('12');
  });

  it('formats files, places, rows, signatures and rich text', () => {
    const file = (name) => ({ sha256: 'a'.repeat(64), name, size: 1, type: 'text/plain' });
    expect(fmt('attachment', [file('a.pdf'), file('b.txt')])).toBe('a.pdf, b.txt');
    expect(fmt('address', { region: ['广东省', '深圳市', '南山区'], detail: '科技园 1 号' })).toBe(
      '广东省 深圳市 南山区 科技园 1 号',
    );
    expect(fmt('location', { lat: 31.2304161, lng: 121.4737, label: 'HQ' })).toBe(
      'HQ (31.230416, 121.4737)',
    );
    expect(fmt('subtable', [{}, {}])).toBe('2 rows');
    expect(fmt('signature', 'data:image/png;base64,AAAA')).toBe('Signed');
    expect(fmt('richtext', '<p>Hello <b>you</b></p><ul><li>a &amp; b</li></ul>')).toBe(
      'Hello you a & b',
    );
  });

  it('gives empty text for empty values and layout fields', () => {
    expect(fmt('text', null)).toBe('');
    expect(fmt('checkbox', [])).toBe('');
    expect(fmt('section', 'x')).toBe('');
    expect(fmt('text', 'plain')).toBe('plain');
  });

  it('uses the UI language', () => {
    i18n.global.locale.value = 'zh-CN';
    try {
      expect(formatValue(f('member', { multiple: true }), [5, 6], refs, t)).toBe('韩梅梅、#6');
    } finally {
      i18n.global.locale.value = 'en';
    }
  });
});

describe('validateValue', () => {
  const v = (type, value, more = {}) => validateValue(field('x', type, more), value, t);

  it('checks required only when empty, and nothing on layout or serial fields', () => {
    expect(v('text', '  ', { required: true })).toBe('This field is required');
    expect(v('checkbox', [], { required: true })).toBe('This field is required');
    expect(v('text', '', {})).toBe('');
    expect(v('section', null, { required: true })).toBe('');
    expect(v('serial', null, { required: true })).toBe('');
  });

  it('checks text length', () => {
    expect(v('text', 'a'.repeat(200))).toBe('');
    expect(v('text', 'a'.repeat(201))).toBe('At most 200 characters');
    expect(v('text', '汉字汉字汉', { options: { max_length: 4 } })).toBe('At most 4 characters');
    expect(v('textarea', 'x'.repeat(11), { options: { max_length: 10 } })).toBe(
      'At most 10 characters',
    );
  });

  it('checks numbers: type, bounds and precision', () => {
    const opts = { options: { precision: 2, min: 0, max: 100 } };
    expect(v('number', 'x', opts)).toBe('Enter a number');
    expect(v('number', 1.25, opts)).toBe('');
    expect(v('number', 1.255, opts)).toBe('At most 2 decimal places');
    expect(v('number', 1.5, { options: { precision: 0 } })).toBe('Enter a whole number');
    expect(v('number', -1, opts)).toBe('Must be at least 0.00');
    expect(v('money', 101, { options: { precision: 2, max: 100, currency: 'CNY' } })).toBe(
      'Must be at most ¥100.00',
    );
    expect(v('rating', 6, { options: { max: 5 } })).toBe('A rating is between 0 and 5');
    expect(v('duration', 1.5)).toBe('A duration is a whole number of seconds, 0 or more');
    expect(v('duration', 90)).toBe('');
  });

  it('checks email, phone and link', () => {
    expect(v('email', 'li.lei@example.com')).toBe('');
    expect(v('email', 'li.lei')).toBe('Not a valid email address');
    expect(v('phone', '+86 138-0013-8000')).toBe('');
    expect(v('phone', '(010) 6552 9988')).toBe('');
    expect(v('phone', 'call me')).toBe('Not a valid phone number');
    expect(v('link', 'https://example.com/a?b=1')).toBe('');
    expect(v('link', 'ftp://example.com')).toBe('Enter a link starting with http:// or https://');
    expect(v('link', 'http://')).toBe('Enter a link starting with http:// or https://');
  });

  it('checks dates, ranges, files, places, signatures and sub-table rows', () => {
    expect(v('date', '2026-02-30')).toBe('Not a valid date');
    expect(v('date', '2026-02-28')).toBe('');
    expect(v('datetime', '2026-02-28T10:00:00Z')).toBe('');
    expect(v('datetime', 'tomorrow')).toBe('Not a valid time');
    expect(v('timerange', { start: '2026-02-28T10:00:00Z', end: '2026-02-28T09:00:00Z' })).toBe(
      'The end cannot be before the start',
    );
    expect(v('timerange', { start: '2026-02-28T10:00:00Z', end: null })).toBe(
      'Enter both a start and an end',
    );
    const file = { sha256: 'a'.repeat(64), name: 'a.txt', size: 1, type: 'text/plain' };
    expect(v('attachment', [file, file], { options: { max_files: 1 } })).toBe('At most 1 file');
    expect(v('location', { lat: 91, lng: 0, label: '' })).toMatch(/^Not valid coordinates/);
    expect(v('location', { lat: 31.2, lng: 121.5, label: '' })).toBe('');
    expect(v('signature', 'data:image/png;base64,AAAA')).toBe('');
    expect(v('signature', 'data:image/jpeg;base64,AAAA')).toMatch(/signature/);
    expect(v('member', [1, 2])).toBe('Choose only one');
    expect(v('member', [1, 2], { options: { multiple: true } })).toBe('');
    const sub = {
      options: {
        fields: [field('f8', 'text', { label: 'Item', required: true }), field('f9', 'number')],
      },
    };
    expect(v('subtable', [{ f8: 'a', f9: 1 }], sub)).toBe('');
    expect(v('subtable', [{ f8: 'a' }, { f8: '', f9: 2 }], sub)).toBe(
      'Row 2, “Item”: This field is required',
    );
  });

  it('speaks the UI language', () => {
    i18n.global.locale.value = 'zh-CN';
    try {
      expect(v('text', '', { required: true })).toBe('此项为必填项');
    } finally {
      i18n.global.locale.value = 'en';
    }
  });
});

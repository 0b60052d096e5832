// The UI's field registry and show_when evaluator against the tables the server's tests read too
// (tests/cases/*.json: core/forms is checked against them by tests/unit/core/test_fields.c and
// test_conditions.c). A type or a case that the two sides see differently fails here or there.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createI18n } from 'vue-i18n';
import en from '../i18n/locales/en.js';
import {
  ALL_OPS,
  SYSTEM_FIELDS,
  TYPE_NAMES,
  opsFor,
  testConditions,
  typeOf,
  validateValue,
} from './registry.js';

const load = (name) =>
  JSON.parse(readFileSync(new URL(`../../../../tests/cases/${name}`, import.meta.url), 'utf8'));
const types = load('field_types.json');
const conditions = load('conditions.json');
const t = createI18n({ legacy: false, locale: 'en', messages: { en } }).global.t;

// The server's class of operators → the UI's kind of value (conditions.js, format.js).
const KIND_OF_CLASS = {
  text: 'text',
  number: 'number',
  date: 'date',
  datetime: 'datetime',
  choice: 'choice',
  multi: 'set',
  address: 'address',
  other: 'other',
};

/** The operators the UI offers for a type or system field: the server's, less the UI's omissions. */
function offered(name, cls) {
  const omitted = types.ui_omits_ops[name] ?? [];
  return types.op_classes[cls].filter((op) => !omitted.includes(op));
}

describe('field types (tests/cases/field_types.json)', () => {
  it('has the same types as the server', () => {
    expect([...TYPE_NAMES].sort()).toEqual(Object.keys(types.types).sort());
  });

  it('knows every operator the server does', () => {
    expect([...ALL_OPS].sort()).toEqual([...types.all_ops].sort());
  });

  for (const [name, want] of Object.entries(types.types)) {
    it(`gives ${name} the table's properties`, () => {
      const e = typeOf(name);
      expect(e.hasValue).toBe(want.column !== 'none');
      expect(e.sortable).toBe(want.sortable);
      expect(e.canUnique).toBe(want.unique);
      expect(e.kind).toBe(want.column === 'none' ? 'none' : KIND_OF_CLASS[want.ops]);
      expect(opsFor({ type: name })).toEqual(want.column === 'none' ? [] : offered(name, want.ops));
    });
  }

  it('filters system fields by the table', () => {
    expect(Object.keys(SYSTEM_FIELDS).sort()).toEqual(Object.keys(types.system_fields).sort());
    for (const [id, cls] of Object.entries(types.system_fields)) {
      expect(opsFor({ id })).toEqual(offered(id, cls));
      expect(SYSTEM_FIELDS[id].kind).toBe(KIND_OF_CLASS[cls]);
    }
  });

  it('accepts and refuses values as the table says (ui: where the UI differs)', () => {
    for (const c of types.values) {
      const field = { id: 'f1', type: c.type, label: 'Field', options: c.options ?? {} };
      const message = validateValue(field, c.value, t);
      expect([c.type, JSON.stringify(c.value), message === '']).toEqual([
        c.type,
        JSON.stringify(c.value),
        c.ui ?? c.ok,
      ]);
    }
  });
});

describe('show_when (tests/cases/conditions.json)', () => {
  it('has cases', () => {
    expect(conditions.cases.length).toBeGreaterThan(0);
  });

  conditions.cases.forEach((c, i) => {
    it(`case ${i}: ${JSON.stringify(c.show_when.conditions)} on ${JSON.stringify(c.values)}`, () => {
      expect(testConditions(c.show_when, c.fields, c.values)).toBe(c.shown);
    });
  });
});

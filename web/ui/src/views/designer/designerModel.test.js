import { describe, expect, it } from 'vitest';
import {
  allFieldIds,
  conditionFields,
  definitionForSave,
  definitionProblems,
  definitionsDiffer,
  duplicateField,
  formatDatePattern,
  insertField,
  moveField,
  moveFieldTo,
  moveFieldToIndex,
  newField,
  newSerialPart,
  nextChoiceId,
  normalizeField,
  removeField,
  reservedIds,
  serialExample,
  uniqueAllowed,
} from './designerModel.js';
import { canUnique, isSortable } from './palette.js';
import { newFieldId } from '../../fields/registry.js';

const f = (id, type = 'text', extra = {}) => ({
  ...newField(type, id, id.toUpperCase()),
  ...extra,
});
const ids = (list) => list.map((x) => x.id);

describe('designer model', () => {
  it('lists every id, sub-table fields included, and counts choice ids', () => {
    const fields = [f('f1'), f('f7', 'subtable', { options: { fields: [f('f9')] } }), f('name')];
    expect(allFieldIds(fields)).toEqual(['f1', 'f7', 'f9', 'name']);
    expect(nextChoiceId([{ id: 'c1' }, { id: 'c4', retired: true }, { id: 'x' }])).toBe('c5');
    expect(nextChoiceId(undefined)).toBe('c1');
  });

  it('never hands out the id of a removed field whose data the server keeps', () => {
    const form = {
      fields: [f('f1'), f('f2', 'subtable', { options: { fields: [f('f3')] } })],
      removed_fields: [{ id: 'f4', type: 'text', label: 'Old' }],
    };
    expect(reservedIds(form)).toEqual(['f1', 'f2', 'f3', 'f4']);
    expect(newFieldId(reservedIds(form))).toBe('f5');
    expect(reservedIds({ fields: [f('f1')] })).toEqual(['f1']);
    expect(reservedIds(null)).toEqual([]);
  });

  it('inserts, moves and drops fields', () => {
    let list = [f('f1'), f('f2'), f('f3')];
    list = insertField(list, f('f4'), 1);
    expect(ids(list)).toEqual(['f1', 'f4', 'f2', 'f3']);
    expect(ids(insertField(list, f('f5')))).toEqual(['f1', 'f4', 'f2', 'f3', 'f5']);
    expect(ids(moveField(list, 0, 3))).toEqual(['f4', 'f2', 'f3', 'f1']);
    expect(moveField(list, 0, 9)).toBe(list);
    expect(ids(moveFieldTo(list, 'f3', 'f4'))).toEqual(['f1', 'f3', 'f4', 'f2']);
    expect(ids(moveFieldTo(list, 'f1', 'f2'))).toEqual(['f4', 'f2', 'f1', 'f3']);
    // insertion points as a drop between fields gives them: f1 f4 f2 f3
    expect(ids(moveFieldToIndex(list, 'f1', 3))).toEqual(['f4', 'f2', 'f1', 'f3']);
    expect(ids(moveFieldToIndex(list, 'f1', 4))).toEqual(['f4', 'f2', 'f3', 'f1']);
    expect(ids(moveFieldToIndex(list, 'f3', 0))).toEqual(['f3', 'f1', 'f4', 'f2']);
    expect(moveFieldToIndex(list, 'f4', 1)).toBe(list);
    expect(moveFieldToIndex(list, 'f4', 2)).toBe(list);
  });

  it('drops the conditions and serial parts that named a removed field', () => {
    const list = [
      f('f1'),
      f('f2', 'text', {
        show_when: { match: 'all', conditions: [{ field: 'f1', op: 'eq', value: 'x' }] },
      }),
      f('f3', 'text', {
        show_when: {
          match: 'any',
          conditions: [
            { field: 'f1', op: 'empty' },
            { field: 'f2', op: 'empty' },
          ],
        },
      }),
      f('f4', 'serial', {
        options: {
          parts: [
            { kind: 'field', field: 'f1' },
            { kind: 'counter', digits: 3, reset: 'never' },
          ],
        },
      }),
    ];
    const out = removeField(list, 'f1');
    expect(ids(out)).toEqual(['f2', 'f3', 'f4']);
    expect(out[0].show_when).toBeNull();
    expect(out[1].show_when).toEqual({ match: 'any', conditions: [{ field: 'f2', op: 'empty' }] });
    expect(out[2].options.parts).toEqual([{ kind: 'counter', digits: 3, reset: 'never' }]);
    expect(removeField(list, 'nope')).toBe(list);
  });

  it('duplicates a field after itself with fresh ids, not unique', () => {
    let n = 20;
    const makeId = () => `f${n++}`;
    const list = [
      f('f1', 'subtable', { unique: false, options: { fields: [f('f2'), f('f3')] } }),
      f('f4', 'text', { unique: true }),
    ];
    const a = duplicateField(list, 'f1', makeId, (l) => `${l} copy`);
    expect(ids(a.fields)).toEqual(['f1', 'f20', 'f4']);
    expect(ids(a.copy.options.fields)).toEqual(['f21', 'f22']);
    expect(a.copy.label).toBe('F1 copy');
    expect(ids(list[0].options.fields)).toEqual(['f2', 'f3']); // the original is untouched
    const b = duplicateField(list, 'f4', makeId);
    expect(b.copy.unique).toBe(false);
    expect(duplicateField(list, 'zz', makeId).copy).toBeNull();
  });

  it('offers condition fields and knows which types may be unique', () => {
    const list = [f('f1'), f('f2', 'section'), f('f3', 'subtable'), f('f4', 'number')];
    expect(ids(conditionFields(list, 'f4'))).toEqual(['f1']);
    expect(uniqueAllowed('text', true)).toBe(true);
    expect(uniqueAllowed('select', true)).toBe(false);
    expect(uniqueAllowed('serial', true)).toBe(false);
    expect(uniqueAllowed('image', false)).toBe(false);
    // as the server has it: dates may be unique, long texts may not, nor be sorted by
    for (const type of ['text', 'number', 'rating', 'date', 'datetime', 'barcode']) {
      expect(canUnique(type)).toBe(true);
    }
    for (const type of ['textarea', 'richtext', 'signature', 'radio', 'serial', 'checkbox']) {
      expect(canUnique(type)).toBe(false);
    }
    expect(isSortable('date')).toBe(true);
    expect(isSortable('radio')).toBe(true);
    expect(isSortable('textarea')).toBe(false);
    expect(isSortable('member')).toBe(false);
  });

  it('shows a serial example', () => {
    const now = new Date(2026, 10, 8);
    expect(formatDatePattern('YYYY-MM-DD/YY', now)).toBe('2026-11-08/26');
    const parts = [
      { kind: 'text', text: 'SO-' },
      { kind: 'date', pattern: 'YYYYMM' },
      { kind: 'field', field: 'f1' },
      { kind: 'counter', digits: 4, reset: 'month' },
    ];
    expect(serialExample(parts, [f('f1')], now)).toBe('SO-202611[F1]0001');
    expect(newSerialPart('counter')).toEqual({ kind: 'counter', digits: 4, reset: 'never' });
  });

  it('finds problems before saving', () => {
    const list = [
      f('f1', 'text', { label: ' ' }),
      f('f2', 'select', { options: { choices: [{ id: 'c1', label: '' }] } }),
      f('f3', 'checkbox', { options: { choices: [{ id: 'c1', label: 'x', retired: true }] } }),
      f('f4', 'serial', { options: { parts: [{ kind: 'date', pattern: 'QQ' }] } }),
      f('f5', 'subtable', {
        options: { fields: [f('f6', 'subtable', { options: { fields: [] } })] },
      }),
      f('f7', 'number', { options: { min: 5, max: 1 } }),
      f('f8', 'divider', { label: '' }),
      f('f9', 'text', {
        show_when: { match: 'all', conditions: [{ field: 'f1', op: 'eq', value: null }] },
      }),
      f('f10', 'text', { show_when: { match: 'all', conditions: [] } }),
    ];
    expect(definitionProblems(list).map((p) => `${p.field}:${p.key}`)).toEqual([
      'f1:noLabel',
      'f2:choiceNoLabel',
      'f3:noChoices',
      'f4:serialCounter',
      'f4:serialPattern',
      'f6:nestedSubtable',
      'f7:minAboveMax',
      'f9:incompleteCondition',
      'f10:emptyCondition',
    ]);
    expect(definitionProblems([f('f1')])).toEqual([]);
  });

  it('normalises loaded fields and prepares them for saving', () => {
    const loaded = normalizeField({
      id: 'f1',
      type: 'subtable',
      options: { fields: [{ id: 'f2', type: 'text', label: 'a' }] },
    });
    expect(loaded.required).toBe(false);
    expect(loaded.options.fields[0].show_when).toBeNull();
    const saved = definitionForSave([
      f('f1', 'text', { show_when: { match: 'all', conditions: [{ field: '', op: 'eq' }] } }),
      f('f2', 'text', {
        show_when: {
          match: 'any',
          conditions: [
            { field: 'f1', op: 'contains', value: ' a ' },
            { field: 'f1', op: 'empty', value: 'x' },
            { field: 'f1', op: 'eq', value: null },
          ],
        },
      }),
    ]);
    expect(saved[0].show_when).toBeNull();
    expect(saved[1].show_when).toEqual({
      match: 'any',
      conditions: [
        { field: 'f1', op: 'contains', value: 'a' },
        { field: 'f1', op: 'empty' },
      ],
    });
    expect(definitionsDiffer([f('f1')], [f('f1')])).toBe(false);
    expect(definitionsDiffer([f('f1')], [f('f1', 'text', { label: 'x' })])).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { cardFields, changedValues, mergeRefs, sameValue, submitValues } from './recordValues.js';
import { fieldErrors, fieldOfMessage, listFields, systemValue } from './recordFields.js';

const fields = [
  { id: 'f1', type: 'text', label: '名称' },
  { id: 'f2', type: 'number', label: '金额' },
  { id: 'f3', type: 'checkbox', label: 'Tags' },
  { id: 'f4', type: 'serial', label: 'No.' },
  { id: 'f5', type: 'address', label: 'Where' },
  { id: 'f6', type: 'section', label: 'S' },
  { id: 'f7', type: 'richtext', label: 'Notes' },
];

describe('record values', () => {
  it('compares JSON values deeply, empties alike', () => {
    expect(sameValue({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(sameValue({ region: ['x'], detail: 'd' }, { detail: 'd', region: ['x'] })).toBe(true);
    expect(sameValue(null, '')).toBe(true);
    expect(sameValue(undefined, [])).toBe(true);
    expect(sameValue(0, null)).toBe(false);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
    expect(sameValue('1', 1)).toBe(false);
  });

  it('patches only changed fields; emptied ones as null; serials never', () => {
    const before = { f1: 'a', f2: 1, f3: ['c1'], f4: 'NO-1', f5: { region: ['A'], detail: '' } };
    const after = { f1: 'a', f2: 2, f3: [], f4: 'X', f5: { region: ['A'], detail: '' } };
    expect(changedValues(before, after, fields)).toEqual({ f2: 2, f3: null });
    expect(changedValues(before, { ...before }, fields)).toEqual({});
  });

  it('submits non-empty values only', () => {
    expect(submitValues({ f1: ' ', f2: 0, f3: ['c1'], f4: 'x', f9: 1 }, fields)).toEqual({
      f2: 0,
      f3: ['c1'],
    });
  });

  it('picks card fields and merges refs', () => {
    expect(cardFields(fields, 3).map((f) => f.id)).toEqual(['f1', 'f2', 'f3']);
    expect(
      mergeRefs({ members: { 1: 'a' } }, { members: { 2: 'b' }, departments: { 3: 'd' } }),
    ).toEqual({
      members: { 1: 'a', 2: 'b' },
      departments: { 3: 'd' },
    });
  });

  it('reads system fields and finds the field a server message names', () => {
    const record = { id: 4, created_by: { id: 1, name: 'Li' }, updated_at: 'T' };
    expect(systemValue(record, '_id')).toBe(4);
    expect(systemValue(record, '_created_by')).toEqual({ id: 1, name: 'Li' });
    expect(systemValue(record, '_updated_at')).toBe('T');
    expect(systemValue(record, 'f1')).toBeNull();
    expect(fieldOfMessage("'金额' must be a number", fields).id).toBe('f2');
    expect(fieldOfMessage("field 'f3': bad", fields).id).toBe('f3');
    expect(fieldOfMessage('something else', fields)).toBeNull();
    const withTable = [
      ...fields,
      { id: 'f8', type: 'subtable', options: { fields: [{ id: 'f9', label: '数量' }] } },
    ];
    expect(fieldOfMessage("row 2: '数量' must be a number", withTable).id).toBe('f8');
    expect(fieldErrors({ status: 400, message: "'金额' is required" }, fields)).toEqual({
      f2: "'金额' is required",
    });
    expect(fieldErrors({ status: 409, message: "'名称' must be unique" }, fields)).toEqual({
      f1: "'名称' must be unique",
    });
    expect(fieldErrors({ status: 503, message: "'金额'" }, fields)).toEqual({});
    expect(fieldErrors({ status: 400, message: 'bad' }, fields)).toEqual({});
    expect(listFields(fields, (k) => k).map((f) => f.id)).toEqual([
      'f1',
      'f2',
      'f3',
      'f4',
      'f5',
      'f7',
      '_id',
      '_created_by',
      '_created_at',
      '_updated_by',
      '_updated_at',
    ]);
  });
});

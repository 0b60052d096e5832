import { describe, expect, it } from 'vitest';
import { SORTABLE_TYPES, isSortableField, pickableFields } from './recordFields.js';

const choices = [
  { id: 'c1', label: 'Open' },
  { id: 'c2', label: 'Old', retired: true },
  { id: 'c3', label: 'Older', retired: true },
];
const ids = (field) => field.options.choices.map((c) => c.id);

describe('record fields', () => {
  it('sorts by the types the server sorts by', () => {
    expect(isSortableField({ id: 'f1', type: 'date' })).toBe(true);
    expect(isSortableField({ id: 'f1', type: 'textarea' })).toBe(false);
    expect(isSortableField({ id: 'f1', type: 'richtext' })).toBe(false);
    expect(isSortableField({ id: '_created_at', type: 'datetime' })).toBe(true);
    expect(SORTABLE_TYPES.has('checkbox')).toBe(false);
  });

  it('offers no retired choice but those the record holds', () => {
    const fields = [
      { id: 'f1', type: 'select', options: { choices } },
      { id: 'f2', type: 'checkbox', options: { choices } },
      { id: 'f3', type: 'text', options: {} },
      { id: 'f4', type: 'radio', options: { choices: [{ id: 'c1', label: 'A' }] } },
      {
        id: 'f5',
        type: 'subtable',
        options: { fields: [{ id: 'f6', type: 'radio', options: { choices } }] },
      },
    ];
    const fresh = pickableFields(fields);
    expect(ids(fresh[0])).toEqual(['c1']);
    expect(ids(fresh[1])).toEqual(['c1']);
    expect(fresh[2]).toBe(fields[2]);
    expect(fresh[3]).toBe(fields[3]);
    expect(ids(fresh[4].options.fields[0])).toEqual(['c1']);
    expect(fields[0].options.choices).toHaveLength(3); // not changed in place

    const held = pickableFields(fields, {
      f1: 'c2',
      f2: ['c1', 'c3'],
      f5: [{ f6: 'c2' }, { f6: null }, null],
    });
    expect(ids(held[0])).toEqual(['c1', 'c2']);
    expect(ids(held[1])).toEqual(['c1', 'c3']);
    expect(ids(held[4].options.fields[0])).toEqual(['c1', 'c2']);
    expect(pickableFields(null)).toEqual([]);
  });
});

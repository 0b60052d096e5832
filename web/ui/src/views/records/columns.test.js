import { describe, expect, it } from 'vitest';
import {
  columnsKey,
  defaultColumns,
  exportFieldIds,
  loadColumns,
  resetColumns,
  saveColumns,
  shownFields,
} from './columns.js';
import { listFields } from './recordFields.js';

function memoryStorage() {
  const data = new Map();
  return {
    getItem: (k) => (data.has(k) ? data.get(k) : null),
    setItem: (k, v) => data.set(k, String(v)),
    removeItem: (k) => data.delete(k),
    data,
  };
}
const t = (key) => key;
const form = (n) =>
  Array.from({ length: n }, (_, i) => ({ id: `f${i + 1}`, type: 'text', label: `F${i + 1}` }));

describe('column choice', () => {
  it('shows up to 8 value fields and the creator and time by default', () => {
    const fields = listFields([...form(10), { id: 'f99', type: 'section', label: 'S' }], t);
    expect(defaultColumns(fields)).toEqual([
      'f1',
      'f2',
      'f3',
      'f4',
      'f5',
      'f6',
      'f7',
      'f8',
      '_created_by',
      '_created_at',
    ]);
  });

  it('persists per app, drops removed fields and shows new ones', () => {
    const storage = memoryStorage();
    const key = columnsKey('w1', 7);
    expect(key).toBe('creek.records.columns.w1.7');
    const before = listFields(form(3), t);
    saveColumns(storage, key, ['f3', '_id', 'f1'], before);
    expect(loadColumns(storage, key, before)).toEqual(['f3', '_id', 'f1']);
    expect(loadColumns(storage, columnsKey('w1', 8), before)).toEqual(defaultColumns(before));

    // f1 removed from the form, f4 added: f4 is shown, f2 stays hidden as chosen
    const after = listFields(
      [...form(4)].filter((f) => f.id !== 'f1'),
      t,
    );
    expect(loadColumns(storage, key, after)).toEqual(['f3', '_id', 'f4']);

    resetColumns(storage, key);
    expect(loadColumns(storage, key, after)).toEqual(defaultColumns(after));
  });

  it('falls back to the default on unreadable or refusing storage', () => {
    const fields = listFields(form(2), t);
    const broken = {
      getItem: () => '{oops',
      setItem: () => {
        throw new Error('full');
      },
    };
    expect(loadColumns(broken, 'k', fields)).toEqual(defaultColumns(fields));
    expect(() => saveColumns(broken, 'k', ['f1'], fields)).not.toThrow();
    expect(loadColumns(undefined, 'k', fields)).toEqual(defaultColumns(fields));
  });

  it('lists shown fields in order and the form fields for export', () => {
    const fields = listFields(form(3), t);
    expect(shownFields(fields, ['f2', '_created_at', 'gone']).map((f) => f.id)).toEqual([
      'f2',
      '_created_at',
    ]);
    expect(exportFieldIds(fields, ['_id', 'f3', 'f1'])).toEqual(['f3', 'f1']);
  });
});

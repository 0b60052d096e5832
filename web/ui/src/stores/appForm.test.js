import { describe, expect, it, vi } from 'vitest';
import { createFormStore, normalizeForm } from './appForm.js';

describe('app form store', () => {
  it('reads the form of the app in use and saves with the loaded version', async () => {
    const api = {
      getForm: vi.fn(async () => ({ version: 3, fields: [{ id: 'f1' }] })),
      putForm: vi.fn(async (ws, app, version, fields) => ({ version: version + 1, fields })),
    };
    const store = createFormStore({ api });
    expect(store.use('w1', 7)).toBe(true);
    expect(store.use('w1', '7')).toBe(false);
    await store.load();
    expect(api.getForm).toHaveBeenCalledWith('w1', '7');
    expect(store.form.value.version).toBe(3);
    const saved = await store.save([{ id: 'f1' }, { id: 'f2' }]);
    expect(api.putForm).toHaveBeenCalledWith('w1', '7', 3, [{ id: 'f1' }, { id: 'f2' }]);
    expect(saved.version).toBe(4);
    expect(store.form.value.fields).toHaveLength(2);
    store.use('w1', 8);
    expect(store.form.loaded).toBe(false);
    expect(store.form.value.fields).toEqual([]);
  });

  it('keeps the loaded form when a save is refused', async () => {
    const api = {
      getForm: vi.fn(async () => ({ version: 1, fields: [] })),
      putForm: vi.fn(async () => {
        throw Object.assign(new Error('stale'), { status: 409 });
      }),
    };
    const store = createFormStore({ api });
    store.use('w1', 1);
    await store.load();
    await expect(store.save([{ id: 'f1' }])).rejects.toThrow('stale');
    expect(store.form.value.version).toBe(1);
  });

  it('normalises a new app’s empty answer', () => {
    expect(normalizeForm({ app_id: 7 })).toMatchObject({
      app_id: 7,
      version: 0,
      fields: [],
      removed_fields: [],
    });
    const removed = [{ id: 'f2', type: 'text', label: 'Old' }];
    expect(normalizeForm({ version: 2, fields: [], removed_fields: removed }).removed_fields).toBe(
      removed,
    );
  });
});

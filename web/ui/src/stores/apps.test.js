import { describe, expect, it, vi } from 'vitest';
import { createAppsStore } from './apps.js';

function setup() {
  let answer = {
    apps: [{ id: 1, name: 'A', group_id: null, position: 1 }],
    groups: [],
  };
  const api = {
    getApps: vi.fn(async () => answer),
    createApp: vi.fn(async (ws, body) => ({ id: 2, ...body })),
    patchApp: vi.fn(async (ws, id, fields) => ({ id, ...fields })),
    deleteApp: vi.fn(async () => null),
    putAppLayout: vi.fn(async (ws, body) => ({
      apps: answer.apps,
      groups: body.groups.map((g, i) => ({ id: 50 + i, name: g.name, position: i + 1 })),
    })),
    listAppBin: vi.fn(async () => ({ apps: [{ id: 9, name: 'Old' }], recycleDays: 30 })),
    restoreApp: vi.fn(async (ws, id) => ({ id })),
  };
  const afterChange = vi.fn(async () => {});
  const store = createAppsStore({ api, afterChange });
  store.use('w1');
  return { api, store, afterChange, setAnswer: (a) => (answer = a) };
}

describe('apps store', () => {
  it('reads apps and groups; apps reads like a resource of its own', async () => {
    const { store } = setup();
    await store.load();
    expect(store.apps.loaded).toBe(true);
    expect(store.apps.value.map((a) => a.id)).toEqual([1]);
    expect(store.layout.value.groups).toEqual([]);
    expect(store.find('1').name).toBe('A');
    expect(store.find(7)).toBeNull();
  });

  it('creates with icon and colour, then reads the list and the rights again', async () => {
    const { api, store, afterChange } = setup();
    await store.create({ name: 'B', icon: 'Van', color: '#112233' });
    expect(api.createApp).toHaveBeenCalledWith('w1', { name: 'B', icon: 'Van', color: '#112233' });
    expect(api.getApps).toHaveBeenCalledTimes(1);
    expect(afterChange).toHaveBeenCalledTimes(1);
    await store.update(1, { group_id: 4 });
    expect(api.patchApp).toHaveBeenLastCalledWith('w1', 1, { group_id: 4 });
  });

  it('saves a layout and keeps the answer without reading again', async () => {
    const { api, store } = setup();
    await store.load();
    await store.saveLayout({ groups: [{ name: 'G', apps: [1] }], ungrouped: [] });
    expect(api.putAppLayout).toHaveBeenCalledWith('w1', {
      groups: [{ name: 'G', apps: [1] }],
      ungrouped: [],
    });
    expect(store.layout.value.groups).toEqual([{ id: 50, name: 'G', position: 1 }]);
    expect(api.getApps).toHaveBeenCalledTimes(1);
  });

  it('reads the list again when a layout is refused', async () => {
    const { api, store } = setup();
    api.putAppLayout.mockRejectedValueOnce(Object.assign(new Error('stale'), { status: 409 }));
    await expect(store.saveLayout({ groups: [], ungrouped: [] })).rejects.toThrow('stale');
    expect(api.getApps).toHaveBeenCalledTimes(1);
  });

  it('lists the bin and restores, reading both lists again', async () => {
    const { api, store } = setup();
    await store.loadBin();
    expect(store.bin.value.apps[0].id).toBe(9);
    await store.restore(9);
    expect(api.restoreApp).toHaveBeenCalledWith('w1', 9);
    expect(api.listAppBin).toHaveBeenCalledTimes(2);
    expect(api.getApps).toHaveBeenCalledTimes(1);
  });
});

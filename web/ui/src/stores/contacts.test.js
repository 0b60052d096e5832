import { describe, expect, it, vi } from 'vitest';
import { PICKER_PAGE_SIZE, createContactsStore, readAllMembers } from './contacts.js';

const member = (id) => ({ account_id: id, name: `M${id}`, login: `m${id}` });

describe('readAllMembers', () => {
  it('reads page after page until the total', async () => {
    const total = PICKER_PAGE_SIZE + 5;
    const listPage = vi.fn(async ({ offset, limit }) => ({
      members: Array.from({ length: Math.min(limit, total - offset) }, (_, i) =>
        member(offset + i),
      ),
      total,
    }));
    const all = await readAllMembers(listPage);
    expect(all).toHaveLength(total);
    expect(listPage.mock.calls.map(([p]) => [p.offset, p.status])).toEqual([
      [0, 'all'],
      [PICKER_PAGE_SIZE, 'all'],
    ]);
  });

  it('stops on an empty page or at the maximum', async () => {
    const empty = vi.fn(async () => ({ members: [], total: 1000 }));
    expect(await readAllMembers(empty)).toEqual([]);
    const endless = vi.fn(async ({ offset }) => ({ members: [member(offset)], total: 1e9 }));
    expect(await readAllMembers(endless, 3)).toHaveLength(3);
  });
});

describe('contacts store', () => {
  function setup() {
    const api = {
      listMembers: vi.fn(async () => ({ members: [member(1)], total: 1 })),
      listDepartments: vi.fn(async () => [{ id: 1, name: 'Acme', parent_id: null }]),
      createDepartment: vi.fn(async (ws, body) => ({ id: 2, ...body })),
      addMember: vi.fn(async () => member(2)),
    };
    return { api, store: createContactsStore({ api }) };
  }

  it('reads the table with the query; a filter change goes back to the first page', async () => {
    const { api, store } = setup();
    store.use('w1');
    await store.setQuery({ departmentId: 4, offset: 40 });
    expect(api.listMembers).toHaveBeenLastCalledWith('w1', {
      department_id: 4,
      q: '',
      status: 'all',
      limit: 20,
      offset: 40,
    });
    await store.setQuery({ q: ' al ' });
    expect(api.listMembers.mock.lastCall[1]).toMatchObject({
      q: 'al',
      offset: 0,
      department_id: 4,
    });
    expect(store.members.value).toEqual({ members: [member(1)], total: 1 });
  });

  it('a change reads the affected lists again and resolves to the answer', async () => {
    const { api, store } = setup();
    store.use('w1');
    await expect(store.createDepartment({ name: 'Sales', parent_id: 1 })).resolves.toMatchObject({
      id: 2,
    });
    expect(api.createDepartment).toHaveBeenCalledWith('w1', { name: 'Sales', parent_id: 1 });
    expect(api.listDepartments).toHaveBeenCalledTimes(1);
    await store.addMember({ login: 'b' });
    expect(api.listDepartments).toHaveBeenCalledTimes(2); // member counts
    expect(api.listMembers).toHaveBeenCalled();
  });

  it('drops what it held when pointed at another workspace', async () => {
    const { store } = setup();
    store.use('w1');
    await store.loadDepartments();
    expect(store.departments.value).toHaveLength(1);
    expect(store.use('w1')).toBe(false);
    expect(store.use('w2')).toBe(true);
    expect(store.departments.value).toEqual([]);
    expect(store.query.departmentId).toBeNull();
  });
});

import { describe, expect, it, vi } from 'vitest';
import { createRecordList } from './recordList.js';

// A server of 5 records, pages of 2; the cursor is the last id of the page.
function fakeServer() {
  const all = [1, 2, 3, 4, 5].map((id) => ({ id, values: {} }));
  return vi.fn(async (body) => {
    const start = body.after ? all.findIndex((r) => r.id === Number(body.after)) + 1 : 0;
    const records = all.slice(start, start + body.limit);
    const last = records[records.length - 1];
    const more = start + body.limit < all.length;
    return {
      records,
      next: more ? String(last.id) : null,
      refs: { members: { [records[0]?.id ?? 0]: 'x' } },
    };
  });
}
const ids = (list) => list.state.records.map((r) => r.id);

describe('record list paging', () => {
  it('reads the first page with the query body and walks next/previous by cursor', async () => {
    const query = fakeServer();
    const list = createRecordList({ query, limit: 2 });
    await list.load({ q: ' word ', sort: { field: 'f1', dir: 'desc' } });
    expect(query).toHaveBeenLastCalledWith({
      q: 'word',
      sort: [{ field: 'f1', dir: 'desc' }],
      limit: 2,
    });
    expect(ids(list)).toEqual([1, 2]);
    expect(list.hasPrev()).toBe(false);
    expect(list.hasNext()).toBe(true);

    await list.nextPage();
    expect(query.mock.lastCall[0].after).toBe('2');
    expect(ids(list)).toEqual([3, 4]);
    expect(list.page()).toBe(2);
    await list.nextPage();
    expect(ids(list)).toEqual([5]);
    expect(list.hasNext()).toBe(false);
    expect(await list.nextPage()).toBe(false);

    await list.prevPage();
    expect(ids(list)).toEqual([3, 4]);
    await list.prevPage();
    expect(ids(list)).toEqual([1, 2]);
    expect(query.mock.lastCall[0].after).toBeUndefined();
    expect(await list.prevPage()).toBe(false);
  });

  it('appends with load more and merges refs', async () => {
    const list = createRecordList({ query: fakeServer(), limit: 2 });
    await list.load({});
    await list.loadMore();
    await list.loadMore();
    expect(ids(list)).toEqual([1, 2, 3, 4, 5]);
    expect(Object.keys(list.state.refs.members).sort()).toEqual(['1', '3', '5']);
    expect(await list.loadMore()).toBe(false);
  });

  it('goes back to the first page on a new query and reloads the current page', async () => {
    const query = fakeServer();
    const list = createRecordList({ query, limit: 2 });
    await list.load({});
    await list.nextPage();
    await list.reload();
    expect(query.mock.lastCall[0].after).toBe('2');
    await list.load({ deleted: true });
    expect(query.mock.lastCall[0]).toEqual({ deleted: true, limit: 2 });
    expect(list.page()).toBe(1);
  });

  it('keeps the page on a failed read and shows only the last of overlapping reads', async () => {
    let fail = false;
    const slow = [];
    const query = vi.fn((body) => {
      if (fail) return Promise.reject(new Error('down'));
      return new Promise((resolve) =>
        slow.push(() => resolve({ records: [{ id: body.q }], next: 'c' })),
      );
    });
    const list = createRecordList({ query, limit: 2 });
    const first = list.load({ q: 'a' });
    const second = list.load({ q: 'b' });
    slow[1]();
    await second;
    slow[0]();
    await first;
    expect(ids(list)).toEqual(['b']);
    fail = true;
    expect(await list.nextPage()).toBe(false);
    expect(list.page()).toBe(1);
    expect(list.state.error.message).toBe('down');
    expect(ids(list)).toEqual(['b']);
  });

  it('replaces and drops records in place', async () => {
    const list = createRecordList({ query: fakeServer(), limit: 2 });
    await list.load({});
    list.replace({ id: 2, values: { f1: 'new' } }, { members: { 9: 'y' } });
    expect(list.state.records[1].values.f1).toBe('new');
    expect(list.state.refs.members[9]).toBe('y');
    list.drop(1);
    expect(ids(list)).toEqual([2]);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './client.js';
import { listDepartments, listMembers, pickList, queryString, wsPath } from './workspace.js';

function stubFetch(body, status = 200) {
  const fetchMock = vi.fn(
    async () =>
      new Response(JSON.stringify(body), {
        status,
        headers: { 'Content-Type': 'application/json' },
      }),
  );
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

afterEach(() => vi.unstubAllGlobals());

describe('workspace API helpers', () => {
  it('wsPath escapes the workspace id', () => {
    expect(wsPath('w1', '/members')).toBe('/api/v1/workspaces/w1/members');
    expect(wsPath('a/b')).toBe('/api/v1/workspaces/a%2Fb');
  });

  it('queryString leaves out empty values and escapes the rest', () => {
    expect(queryString({ q: '', department_id: null, status: 'all', limit: 20, offset: 0 })).toBe(
      '?status=all&limit=20&offset=0',
    );
    expect(queryString({ q: 'a b&c' })).toBe('?q=a+b%26c');
    expect(queryString({})).toBe('');
  });

  it('pickList reads {"<key>": [...]}, a bare array, or a single array', () => {
    expect(pickList({ departments: [1] }, 'departments')).toEqual([1]);
    expect(pickList([2], 'departments')).toEqual([2]);
    expect(pickList({ links: [3], total: 1 }, 'invite_links')).toEqual([3]);
    expect(() => pickList({ a: [], b: [] }, 'x')).toThrow(ApiError);
    expect(() => pickList(null, 'x')).toThrow(/no "x" list/);
  });

  it('listMembers sends the query and returns members and total', async () => {
    const fetchMock = stubFetch({ members: [{ account_id: 1 }], total: 41 });
    await expect(
      listMembers('w1', { department_id: 4, q: 'al', status: 'all', limit: 20, offset: 40 }),
    ).resolves.toEqual({ members: [{ account_id: 1 }], total: 41 });
    expect(fetchMock.mock.calls[0][0]).toBe(
      '/api/v1/workspaces/w1/members?department_id=4&q=al&status=all&limit=20&offset=40',
    );
  });

  it('listDepartments returns the list', async () => {
    stubFetch({ departments: [{ id: 1, name: 'Acme', parent_id: null }] });
    await expect(listDepartments('w1')).resolves.toHaveLength(1);
  });
});

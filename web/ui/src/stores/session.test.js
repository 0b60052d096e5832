import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client.js';
import { WORKSPACE_STORAGE_KEY, createSessionStore } from './session.js';

class MemoryStorage {
  items = new Map();
  getItem(k) {
    return this.items.has(k) ? this.items.get(k) : null;
  }
  setItem(k, v) {
    this.items.set(k, String(v));
  }
}

const ALICE = { id: 12, login: 'alice', name: 'Alice', is_installation_admin: true };
const WS = [
  { id: 'wa', name: 'Acme', role: 'super_admin' },
  { id: 'wb', name: 'Beta', role: 'member' },
];
const ME = { account: ALICE, csrf_token: 'c1', expires_at: '2026-12-01T00:00:00Z', workspaces: WS };
const unauthenticated = () =>
  new ApiError({ status: 401, code: 'unauthenticated', message: 'no session' });

describe('session store', () => {
  let api;
  let storage;
  let store;

  beforeEach(() => {
    storage = new MemoryStorage();
    api = {
      getSetup: vi.fn(async () => ({ needed: false })),
      getMe: vi.fn(async () => ME),
      postSession: vi.fn(async () => ({ account: ALICE, csrf_token: 'c0', expires_at: 'x' })),
      postSetup: vi.fn(async () => ({
        account: ALICE,
        workspace: { id: 'wb', name: 'Beta' },
        csrf_token: 'c0',
      })),
      deleteSession: vi.fn(async () => null),
      deleteSessions: vi.fn(async () => null),
      patchMe: vi.fn(async ({ name }) => ({ ...ALICE, name })),
      acceptInvite: vi.fn(async () => ({ workspace: { id: 'wb', name: 'Beta' } })),
    };
    store = createSessionStore({ api, storage });
  });

  it('asks GET /setup once', async () => {
    api.getSetup.mockResolvedValueOnce({ needed: true });
    expect(await store.checkSetup()).toBe(true);
    expect(await store.checkSetup()).toBe(true);
    expect(api.getSetup).toHaveBeenCalledTimes(1);
    expect(await store.checkSetup(true)).toBe(false);
  });

  it('loadMe takes the account, token and workspaces; the first workspace becomes current', async () => {
    expect(await store.loadMe()).toBe(true);
    expect(store.state).toMatchObject({
      checked: true,
      account: ALICE,
      csrfToken: 'c1',
      currentWs: 'wa',
    });
    expect(store.state.workspaces).toHaveLength(2);
    expect(storage.getItem(WORKSPACE_STORAGE_KEY)).toBe('wa');
  });

  it('loadMe prefers the remembered workspace when the account is still in it', async () => {
    storage.setItem(WORKSPACE_STORAGE_KEY, 'wb');
    await store.loadMe();
    expect(store.state.currentWs).toBe('wb');
    storage.setItem(WORKSPACE_STORAGE_KEY, 'gone');
    const other = createSessionStore({ api, storage });
    await other.loadMe();
    expect(other.state.currentWs).toBe('wa');
  });

  it('loadMe resolves false on 401 and rejects on other failures', async () => {
    api.getMe.mockRejectedValueOnce(unauthenticated());
    expect(await store.loadMe()).toBe(false);
    expect(store.state).toMatchObject({ checked: true, account: null, csrfToken: '' });
    api.getMe.mockRejectedValueOnce(new ApiError({ status: 0, code: 'network', message: 'x' }));
    await expect(store.loadMe()).rejects.toMatchObject({ code: 'network' });
  });

  it('signIn keeps the token of the answer, then reads /me', async () => {
    await store.signIn('alice', 'pw');
    expect(api.postSession).toHaveBeenCalledWith('alice', 'pw');
    expect(api.getMe).toHaveBeenCalledTimes(1);
    expect(store.state.csrfToken).toBe('c1');
    expect(store.state.account).toEqual(ALICE);
  });

  it('setup marks the installation set up and makes its workspace current', async () => {
    api.getSetup.mockResolvedValueOnce({ needed: true });
    await store.checkSetup();
    const ws = await store.setup({ login: 'alice' });
    expect(ws).toEqual({ id: 'wb', name: 'Beta' });
    expect(store.state.setupNeeded).toBe(false);
    expect(store.state.currentWs).toBe('wb');
  });

  it('acceptInvite reads /me again and makes the joined workspace current', async () => {
    await store.loadMe();
    await expect(store.acceptInvite('tok')).resolves.toEqual({ id: 'wb', name: 'Beta' });
    expect(api.acceptInvite).toHaveBeenCalledWith('tok');
    expect(store.state.currentWs).toBe('wb');
  });

  it('signOut forgets the session, also when the server says it had already ended', async () => {
    await store.loadMe();
    await store.signOut();
    expect(store.state.account).toBeNull();
    expect(store.state.workspaces).toEqual([]);
    await store.loadMe();
    api.deleteSessions.mockRejectedValueOnce(unauthenticated());
    await store.signOutEverywhere();
    expect(store.state.account).toBeNull();
  });

  it('signOut keeps the session when the request failed otherwise', async () => {
    await store.loadMe();
    api.deleteSession.mockRejectedValueOnce(new ApiError({ status: 503, code: 'unavailable' }));
    await expect(store.signOut()).rejects.toMatchObject({ status: 503 });
    expect(store.state.account).toEqual(ALICE);
  });

  it('tells listeners when the signed-in account changes', async () => {
    const seen = [];
    store.onAccountChange((id) => seen.push(id));
    await store.loadMe();
    await store.loadMe(); // same account: no call
    store.clear();
    expect(seen).toEqual([12, null]);
  });

  it('rename replaces the account with the answer', async () => {
    await store.loadMe();
    await store.rename('Alice B.');
    expect(api.patchMe).toHaveBeenCalledWith({ name: 'Alice B.' });
    expect(store.state.account.name).toBe('Alice B.');
  });

  it('selectWorkspace accepts only workspaces of the account', async () => {
    await store.loadMe();
    expect(store.selectWorkspace('nope')).toBe(false);
    expect(store.selectWorkspace('wb')).toBe(true);
    expect(store.state.currentWs).toBe('wb');
  });
});

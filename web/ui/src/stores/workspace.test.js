import { describe, expect, it, vi } from 'vitest';
import { createWorkspaceStore } from './workspace.js';

const doc = (id, role) => ({
  id,
  name: id,
  me: { role, permissions: { add_app: role !== 'member' } },
});

describe('workspace store', () => {
  it('reads a workspace once and exposes the access it gives', async () => {
    const fetchWorkspace = vi.fn(async (id) => doc(id, 'system_admin'));
    const store = createWorkspaceStore({ fetchWorkspace });
    await Promise.all([store.load('w1'), store.load('w1')]);
    await store.load('w1');
    expect(fetchWorkspace).toHaveBeenCalledTimes(1);
    expect(store.access.value.permissions.add_app).toBe(true);
    await store.reload();
    expect(fetchWorkspace).toHaveBeenCalledTimes(2);
  });

  it('forgets the previous workspace at once when switching', async () => {
    let release;
    const fetchWorkspace = vi
      .fn()
      .mockResolvedValueOnce(doc('w1', 'super_admin'))
      .mockImplementationOnce(() => new Promise((r) => (release = r)));
    const store = createWorkspaceStore({ fetchWorkspace });
    await store.load('w1');
    const pending = store.load('w2');
    expect(store.state.value).toBeNull();
    expect(store.access.value.permissions.add_app).toBe(false);
    release(doc('w2', 'member'));
    await pending;
    expect(store.state.value.id).toBe('w2');
    store.reset();
    expect(store.state.value).toBeNull();
  });
});

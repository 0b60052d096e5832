import { describe, expect, it, vi } from 'vitest';
import { reactive } from 'vue';
import { ApiError } from '../api/client.js';
import { createGuard, safeRedirect, sessionLostHandler } from './guard.js';

/** A session store stand-in with the parts the guard uses. */
function fakeSession({
  setupNeeded = false,
  signedIn = true,
  workspaces = ['wa', 'wb'],
  mustChange = false,
} = {}) {
  const state = reactive({ checked: false, account: null, currentWs: '', workspaces: [] });
  return {
    state,
    checkSetup: vi.fn(async () => setupNeeded),
    loadMe: vi.fn(async () => {
      state.checked = true;
      if (!signedIn) return false;
      state.account = { id: 1, must_change_password: mustChange };
      state.workspaces = workspaces.map((id) => ({ id }));
      state.currentWs ||= workspaces[0] ?? '';
      return true;
    }),
    selectWorkspace: vi.fn((id) => {
      if (!state.workspaces.some((w) => w.id === id)) return false;
      state.currentWs = id;
      return true;
    }),
    clear: vi.fn(),
  };
}

const route = (name, extra = {}) => ({
  name,
  meta: { public: ['sign-in', 'invite'].includes(name) },
  params: {},
  query: {},
  fullPath: `/${name}`,
  ...extra,
});

function guardWith(sessionOptions) {
  const session = fakeSession(sessionOptions);
  const workspace = { load: vi.fn(async () => {}) };
  return { session, workspace, guard: createGuard({ session, workspace }) };
}

describe('router guard', () => {
  it('sends everything to #/setup while the first run is needed', async () => {
    const { guard, session } = guardWith({ setupNeeded: true });
    expect(await guard(route('apps', { params: { ws: 'wa' } }))).toMatchObject({ name: 'setup' });
    expect(await guard(route('sign-in'))).toMatchObject({ name: 'setup' });
    expect(await guard(route('setup'))).toBe(true);
    expect(session.loadMe).not.toHaveBeenCalled();
  });

  it('leaves #/setup once set up', async () => {
    const { guard } = guardWith();
    expect(await guard(route('setup'))).toMatchObject({ name: 'home' });
  });

  it('sends a signed-out user to sign-in, keeping where they wanted to go', async () => {
    const { guard } = guardWith({ signedIn: false });
    expect(await guard(route('contacts', { fullPath: '/w/wa/contacts' }))).toEqual({
      name: 'sign-in',
      query: { redirect: '/w/wa/contacts' },
    });
    expect(await guard(route('home', { fullPath: '/' }))).toEqual({ name: 'sign-in', query: {} });
    expect(await guard(route('sign-in'))).toBe(true);
    expect(await guard(route('invite', { params: { token: 't' } }))).toBe(true);
  });

  it('takes a signed-in user from #/ to the current workspace, and from sign-in onwards', async () => {
    const { guard } = guardWith();
    expect(await guard(route('home'))).toMatchObject({ name: 'apps', params: { ws: 'wa' } });
    expect(await guard(route('sign-in', { query: { redirect: '/w/wb/contacts' } }))).toBe(
      '/w/wb/contacts',
    );
    expect(await guard(route('sign-in', { query: { redirect: '//evil.example' } }))).toMatchObject({
      name: 'home',
    });
  });

  it('keeps an account whose password someone else set on #/change-password', async () => {
    const { guard, workspace } = guardWith({ mustChange: true });
    expect(
      await guard(route('contacts', { params: { ws: 'wa' }, fullPath: '/w/wa/contacts' })),
    ).toEqual({ name: 'change-password', query: { redirect: '/w/wa/contacts' }, replace: true });
    expect(await guard(route('home', { fullPath: '/' }))).toMatchObject({
      name: 'change-password',
      query: {},
    });
    expect(await guard(route('change-password'))).toBe(true);
    expect(workspace.load).not.toHaveBeenCalled();
  });

  it("leaves #/change-password once the password is the owner's", async () => {
    const { guard } = guardWith();
    expect(await guard(route('change-password'))).toMatchObject({ name: 'home' });
  });

  it('makes the workspace of the route current and reads it', async () => {
    const { guard, session, workspace } = guardWith();
    expect(await guard(route('contacts', { params: { ws: 'wb' } }))).toBe(true);
    expect(session.state.currentWs).toBe('wb');
    expect(workspace.load).toHaveBeenCalledWith('wb');
  });

  it('refuses a workspace the account is not in, after asking /me once more', async () => {
    const { guard, session } = guardWith();
    expect(await guard(route('apps', { params: { ws: 'wz' } }))).toMatchObject({ name: 'home' });
    expect(session.loadMe).toHaveBeenCalledTimes(2);
  });

  it('sends an account without workspaces to #/no-workspace', async () => {
    const { guard } = guardWith({ workspaces: [] });
    expect(await guard(route('home'))).toEqual({ name: 'no-workspace' });
    expect(await guard(route('no-workspace'))).toBe(true);
    expect(await guard(route('cluster-nodes'))).toBe(true);
  });

  it('goes to sign-in when creekd cannot be reached, public pages still open', async () => {
    const { guard, session } = guardWith();
    session.checkSetup.mockRejectedValue(new ApiError({ status: 0, code: 'network', message: '' }));
    expect(await guard(route('apps', { fullPath: '/w/wa/apps' }))).toMatchObject({
      name: 'sign-in',
    });
    expect(await guard(route('invite'))).toBe(true);
  });
});

describe('safeRedirect and sessionLostHandler', () => {
  it('safeRedirect accepts our own route paths only', () => {
    expect(safeRedirect('/w/wa/apps')).toBe('/w/wa/apps');
    for (const bad of ['//x.example', 'https://x.example', '/sign-in', '/setup?x', '', null]) {
      expect(safeRedirect(bad)).toBeNull();
    }
  });

  it('a lost session clears the store and opens sign-in with the page as redirect', () => {
    const session = { clear: vi.fn() };
    const router = {
      currentRoute: { value: route('contacts', { fullPath: '/w/wa/contacts' }) },
      push: vi.fn(async () => {}),
    };
    sessionLostHandler({ router, session })();
    expect(session.clear).toHaveBeenCalled();
    expect(router.push).toHaveBeenCalledWith({
      name: 'sign-in',
      query: { redirect: '/w/wa/contacts' },
    });
    router.currentRoute.value = route('invite');
    router.push.mockClear();
    sessionLostHandler({ router, session })();
    expect(router.push).not.toHaveBeenCalled();
  });
});

// Who may open which page. Runs before every navigation:
//
//   GET /setup says needed  → only #/setup (first run)
//   not signed in (GET /me 401) → public pages (#/sign-in, #/invite/...) only; anything else goes
//                              to #/sign-in?redirect=<where they wanted to go>
//   signed in, with a password someone else set → only #/change-password (creekd refuses
//                              everything else until the owner changes it)
//   signed in                → #/ becomes the current workspace's home (#/w/<ws>/apps);
//                              #/w/<ws>/... must name a workspace of the account, which becomes
//                              the current one
//
// It reads and changes only the session and workspace stores passed in, so it is unit-tested
// with fakes. The API client's 401 hook (sessionLostHandler) covers sessions that end later.

/** A route path from ?redirect= worth following: ours, not an auth page. */
export function safeRedirect(value) {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//')) return null;
  if (/^\/(sign-in|setup|change-password)(\/|\?|$)/.test(value)) return null;
  return value;
}

const signInFor = (to) => ({
  name: 'sign-in',
  query: to.fullPath && to.fullPath !== '/' ? { redirect: to.fullPath } : {},
});

/**
 * @param {object} deps
 * @param {ReturnType<import('../stores/session.js').createSessionStore>} deps.session
 * @param {ReturnType<import('../stores/workspace.js').createWorkspaceStore>} deps.workspace
 * @returns {(to: object) => Promise<true | object>} a vue-router beforeEach guard
 */
export function createGuard({ session, workspace }) {
  async function check() {
    if (await session.checkSetup()) return 'setup';
    if (!session.state.checked) await session.loadMe();
    return session.state.account ? 'signed-in' : 'signed-out';
  }

  async function enterWorkspace(ws) {
    if (!session.selectWorkspace(ws)) {
      // Perhaps joined or created a moment ago in another tab: ask once more.
      await session.loadMe().catch(() => false);
      if (!session.selectWorkspace(ws)) return false;
    }
    await workspace.load(ws);
    return true;
  }

  return async function guard(to) {
    let status;
    try {
      status = await check();
    } catch {
      // creekd unreachable or failing: the sign-in page says so when it is used; public pages
      // and the setup page show their own errors.
      if (to.meta.public || to.name === 'setup') return true;
      return signInFor(to);
    }
    if (status === 'setup') return to.name === 'setup' ? true : { name: 'setup', replace: true };
    if (to.name === 'setup') return { name: 'home', replace: true };

    if (to.meta.public) {
      if (status === 'signed-in' && to.name === 'sign-in') {
        return safeRedirect(to.query.redirect) ?? { name: 'home', replace: true };
      }
      return true;
    }
    if (status !== 'signed-in') return signInFor(to);

    if (session.state.account?.must_change_password) {
      if (to.name === 'change-password') return true;
      const redirect = safeRedirect(to.fullPath);
      return {
        name: 'change-password',
        query: redirect && to.name !== 'home' ? { redirect } : {},
        replace: true,
      };
    }
    if (to.name === 'change-password') return { name: 'home', replace: true };

    const ws = session.state.currentWs;
    if (to.name === 'home' || (to.name === 'no-workspace' && ws)) {
      return ws ? { name: 'apps', params: { ws }, replace: true } : { name: 'no-workspace' };
    }
    if (typeof to.params.ws === 'string' && !(await enterWorkspace(to.params.ws))) {
      return { name: 'home', replace: true };
    }
    return true;
  };
}

/**
 * The API client's 401 hook: the session ended (expired, signed out elsewhere, password changed
 * elsewhere). Forget it and go to the sign-in page, keeping where the user was.
 * @param {{router: import('vue-router').Router, session: object}} deps
 */
export function sessionLostHandler({ router, session }) {
  return function onUnauthenticated() {
    session.clear();
    const current = router.currentRoute.value;
    if (current.meta.public || current.name === 'setup') return;
    // A failed navigation here is one overtaken by another (several 401s at once): nothing to do.
    router.push(signInFor(current)).catch(() => {});
  };
}

// The signed-in account: who it is, the CSRF token of its session (handed to the API client in
// main.js), the workspaces it belongs to, and the current workspace (kept in localStorage; the
// route carries it too, as #/w/<ws>/...). Also whether the installation still needs its first-run
// setup. The session cookie itself is HttpOnly: only creekd reads it.
import { reactive, readonly } from 'vue';
import * as identityApi from '../api/identity.js';

export const WORKSPACE_STORAGE_KEY = 'creek.workspace';

function browserStorage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled: the current workspace lives in the route alone
  }
}

/**
 * @param {object} [deps] injectable for tests
 * @param {Partial<typeof identityApi>} [deps.api]
 * @param {Storage | null} [deps.storage]
 */
export function createSessionStore(deps = {}) {
  const api = { ...identityApi, ...deps.api };
  const storage = deps.storage === undefined ? browserStorage() : deps.storage;

  const state = reactive({
    setupNeeded: null, // null until GET /setup has answered
    checked: false, // GET /me has answered (signed in, or 401)
    account: null, // {id, login, name, is_installation_admin} while signed in
    csrfToken: '',
    expiresAt: '',
    workspaces: [], // [{id, name, role}]
    currentWs: '',
  });

  // Called when the signed-in account changes (sign-in, sign-out, another account), so that
  // stores holding one account's view of a workspace drop it.
  const listeners = [];
  let lastAccountId = null;
  function noticeAccount() {
    const id = state.account?.id ?? null;
    if (id === lastAccountId) return;
    lastAccountId = id;
    for (const fn of listeners) fn(id);
  }

  const saved = () => {
    try {
      return storage?.getItem(WORKSPACE_STORAGE_KEY) ?? '';
    } catch {
      return '';
    }
  };
  const has = (id) => state.workspaces.some((w) => w.id === id);

  /** Makes `id` the current workspace if the account belongs to it; returns whether it did. */
  function selectWorkspace(id) {
    if (!id || !has(id)) return false;
    state.currentWs = id;
    try {
      storage?.setItem(WORKSPACE_STORAGE_KEY, id);
    } catch {
      // Not remembered (storage disabled); the route still names the workspace.
    }
    return true;
  }

  /** Keeps the current workspace if still valid, else the remembered one, else the first. */
  function pickWorkspace() {
    if (has(state.currentWs)) return;
    if (selectWorkspace(saved())) return;
    if (!selectWorkspace(state.workspaces[0]?.id)) state.currentWs = '';
  }

  function applyAuth(answer) {
    state.account = answer?.account ?? null;
    if (typeof answer?.csrf_token === 'string') state.csrfToken = answer.csrf_token;
    if (typeof answer?.expires_at === 'string') state.expiresAt = answer.expires_at;
    noticeAccount();
  }

  /** Forgets the session (signed out, or creekd answered 401). */
  function clear() {
    state.account = null;
    state.csrfToken = '';
    state.expiresAt = '';
    state.workspaces = [];
    state.currentWs = '';
    state.checked = true;
    noticeAccount();
  }

  /** GET /setup once (or again with force); returns whether the first-run setup is needed. */
  async function checkSetup(force = false) {
    if (state.setupNeeded !== null && !force) return state.setupNeeded;
    const answer = await api.getSetup();
    state.setupNeeded = answer?.needed === true;
    return state.setupNeeded;
  }

  /**
   * GET /me: refreshes the account, token and workspaces. Resolves false on 401 (not signed in);
   * rejects on other failures (network, 503), leaving the state as it was.
   */
  async function loadMe() {
    let me;
    try {
      me = await api.getMe();
    } catch (err) {
      if (err?.status !== 401) throw err;
      clear();
      return false;
    }
    applyAuth(me);
    state.workspaces = Array.isArray(me?.workspaces) ? me.workspaces : [];
    state.checked = true;
    pickWorkspace();
    return state.account !== null;
  }

  /** After an answer that signed this browser in: take its token, then the full /me. */
  async function signedIn(answer) {
    applyAuth(answer);
    await loadMe();
    if (answer?.workspace?.id) selectWorkspace(answer.workspace.id);
  }

  async function signIn(login, password) {
    await signedIn(await api.postSession(login, password));
  }

  /** First-run setup; resolves to the new workspace. */
  async function setup(form) {
    const answer = await api.postSetup(form);
    state.setupNeeded = false;
    await signedIn(answer);
    return answer.workspace;
  }

  /** A new account through an invite link; resolves to the workspace joined. */
  async function register(token, form) {
    const answer = await api.registerWithInvite(token, form);
    await signedIn(answer);
    return answer.workspace;
  }

  /** GET /invites/{token}: the workspace it leads to; rejects with 404 when no longer valid. */
  const lookupInvite = (token) => api.getInvite(token);

  /** The signed-in account joins through an invite link; resolves to the workspace. */
  async function acceptInvite(token) {
    const answer = await api.acceptInvite(token);
    await loadMe();
    if (answer?.workspace?.id) selectWorkspace(answer.workspace.id);
    return answer?.workspace;
  }

  /** The account's pending invitations (GET /me/invitations). */
  const listInvitations = () => api.listMyInvitations();

  /** Accept one: the account joins and the workspace is selected; resolves to it. */
  async function acceptInvitation(ws) {
    const answer = await api.acceptMyInvitation(ws);
    await loadMe();
    if (answer?.workspace?.id) selectWorkspace(answer.workspace.id);
    return answer?.workspace;
  }

  /** Decline one. */
  const declineInvitation = (ws) => api.declineMyInvitation(ws);

  async function endSession(call) {
    try {
      await call();
    } catch (err) {
      if (err?.status !== 401) throw err; // 401: already signed out
    }
    clear();
  }

  const signOut = () => endSession(api.deleteSession);
  /** The account's live sessions (newest first). */
  const listSessions = async () => (await api.getSessions())?.sessions ?? [];
  /** Ends one of them; ending the current one signs this browser out. */
  async function endOneSession(id, isCurrent) {
    if (isCurrent) return endSession(() => api.deleteSessionById(id));
    await api.deleteSessionById(id);
  }
  const signOutEverywhere = () => endSession(api.deleteSessions);

  const changePassword = (current, next) => api.putMyPassword(current, next);

  async function rename(name) {
    const account = await api.patchMe({ name });
    if (account && typeof account === 'object') state.account = account;
  }

  /** Installation administrators: a new workspace, made current; resolves to it. */
  async function createWorkspace(name) {
    const workspace = await api.postWorkspace(name);
    await loadMe();
    if (workspace?.id) selectWorkspace(workspace.id);
    return workspace;
  }

  return {
    state: readonly(state),
    checkSetup,
    loadMe,
    signIn,
    setup,
    register,
    lookupInvite,
    acceptInvite,
    listInvitations,
    acceptInvitation,
    declineInvitation,
    signOut,
    listSessions,
    endOneSession,
    signOutEverywhere,
    changePassword,
    rename,
    createWorkspace,
    selectWorkspace,
    clear,
    /** fn(accountId | null) runs whenever the signed-in account changes. */
    onAccountChange: (fn) => listeners.push(fn),
  };
}

let shared = null;

/** The app-wide session store. */
export function useSessionStore() {
  shared ??= createSessionStore();
  return shared;
}

import { apiDelete, apiGet, apiPatch, apiPost, apiPut } from './client.js';

// Accounts and sessions (identity contract, "Public" and "Signed in"): first-run setup, sign-in
// and sign-out, the signed-in account, the workspaces it belongs to, and invite links seen from
// the invited side. The session cookie is set and cleared by creekd; the CSRF token from these
// answers goes to stores/session.js.

/** GET /setup → {needed} */
export const getSetup = () => apiGet('/api/v1/setup');

/**
 * POST /setup: the first administrator and workspace.
 * @param {{login: string, name: string, password: string, workspace_name: string,
 *   setup_code: string}} form the setup code creekd wrote for the operator
 * @returns {Promise<{account: object, workspace: object, csrf_token: string, expires_at: string}>}
 */
export const postSetup = (form) => apiPost('/api/v1/setup', form);

/**
 * POST /session. 401 for a wrong login or password, 429 (with retryAfterS) after too many.
 * @returns {Promise<{account: object, csrf_token: string, expires_at: string}>}
 */
export const postSession = (login, password) => apiPost('/api/v1/session', { login, password });

/** DELETE /session: signs this browser out. */
export const deleteSession = () => apiDelete('/api/v1/session');

/** DELETE /sessions: signs the account out everywhere. */
export const deleteSessions = () => apiDelete('/api/v1/sessions');

/** GET /sessions → {sessions: [{id, created_at, idle_until, expires_at, address, current}]} */
export const getSessions = () => apiGet('/api/v1/sessions');

/** DELETE /sessions/{id}: end one of the account's own sessions. */
export const deleteSessionById = (id) => apiDelete(`/api/v1/sessions/${encodeURIComponent(id)}`);

/**
 * GET /me. A 401 is left to the caller (it means "not signed in", not "session lost").
 * @returns {Promise<{account: object, csrf_token: string, expires_at: string,
 *   workspaces: object[]}>}
 */
export const getMe = () => apiGet('/api/v1/me', { allow401: true });

/** PATCH /me {name} → account */
export const patchMe = (fields) => apiPatch('/api/v1/me', fields);

/**
 * PUT /me/password. Other sessions of the account end; this one stays. A wrong current password
 * is the caller's to show, so a 401 does not count as a lost session here.
 */
export const putMyPassword = (currentPassword, newPassword) =>
  apiPut(
    '/api/v1/me/password',
    { current_password: currentPassword, new_password: newPassword },
    { allow401: true },
  );

/** POST /workspaces {name} → workspace (installation administrators only). */
export const postWorkspace = (name) => apiPost('/api/v1/workspaces', { name });

const invitePath = (token) => `/api/v1/invites/${encodeURIComponent(token)}`;

/** GET /invites/{token} → {workspace: {id, name}, expires_at}; 404 when no longer valid. */
export const getInvite = (token) => apiGet(invitePath(token), { allow401: true });

/** POST /invites/{token}/register {login, name, password} → like POST /setup. */
export const registerWithInvite = (token, form) =>
  apiPost(`${invitePath(token)}/register`, form, { allow401: true });

/** GET /me/invitations → [{workspace: {id, name}, invited_by, invited_at}] (not answered yet). */
export const listMyInvitations = async () => {
  const body = await apiGet('/api/v1/me/invitations');
  return Array.isArray(body?.invitations) ? body.invitations : [];
};

const myInvitationPath = (ws) => `/api/v1/me/invitations/${encodeURIComponent(ws)}`;

/** POST /me/invitations/{ws}/accept → {workspace}: the signed-in account joins. */
export const acceptMyInvitation = (ws) => apiPost(`${myInvitationPath(ws)}/accept`);

/** DELETE /me/invitations/{ws}: declined. */
export const declineMyInvitation = (ws) => apiDelete(myInvitationPath(ws));

/** POST /invites/{token}/accept → {workspace}: the signed-in account joins. */
export const acceptInvite = (token) => apiPost(`${invitePath(token)}/accept`);

import { ApiError, apiDelete, apiGet, apiPatch, apiPost, apiPut } from './client.js';

// One workspace and its org chart (identity contract, "Workspace {ws}"): the workspace with the
// caller's rights, members, departments, roles, invite links, CSV import and account search.

/** '/api/v1/workspaces/<ws><rest>' */
export const wsPath = (ws, rest = '') => `/api/v1/workspaces/${encodeURIComponent(ws)}${rest}`;

/** '?a=1&b=x' from the entries that are not undefined, null or ''; '' when none. */
export function queryString(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * The list in a list answer. The contract spells out `{"members": [...]}` and
 * `{"workspaces": [...]}`; the other lists are read the same way (`{"<key>": [...]}`), and a bare
 * array or an object holding exactly one array is accepted too.
 * @param {unknown} body
 * @param {string} key e.g. 'departments'
 * @returns {object[]}
 */
export function pickList(body, key) {
  if (Array.isArray(body)) return body;
  if (body !== null && typeof body === 'object') {
    if (Array.isArray(body[key])) return body[key];
    const arrays = Object.values(body).filter(Array.isArray);
    if (arrays.length === 1) return arrays[0];
  }
  throw new ApiError({ status: 200, code: 'bad_response', message: `no "${key}" list` });
}

/** GET /workspaces/{ws} → {id, name, created_at, me: {role, permissions, apps, ...}} */
export const getWorkspace = (ws) => apiGet(wsPath(ws));

/** PATCH /workspaces/{ws} {name} */
export const patchWorkspace = (ws, fields) => apiPatch(wsPath(ws), fields);

/**
 * GET /workspaces/{ws}/members
 * @param {string} ws
 * @param {{q?: string, department_id?: number, status?: string, limit?: number,
 *   offset?: number}} [params]
 * @returns {Promise<{members: object[], total: number}>}
 */
export async function listMembers(ws, params = {}) {
  const body = await apiGet(wsPath(ws, `/members${queryString(params)}`));
  const members = pickList(body, 'members');
  const total = Number.isInteger(body?.total) ? body.total : members.length;
  return { members, total };
}

/** POST /workspaces/{ws}/members: a new account's fields (existing accounts are invited). */
export const addMember = (ws, body) => apiPost(wsPath(ws, '/members'), body);

/** PATCH /workspaces/{ws}/members/{id} {name, title, department_ids, role_ids, status, role} */
export const patchMember = (ws, accountId, fields) =>
  apiPatch(wsPath(ws, `/members/${accountId}`), fields);

/** DELETE /workspaces/{ws}/members/{id}: out of the workspace; the account stays. */
export const removeMember = (ws, accountId) => apiDelete(wsPath(ws, `/members/${accountId}`));

/** PUT /workspaces/{ws}/members/{id}/password {new_password} (administrator reset). */
export const resetMemberPassword = (ws, accountId, newPassword) =>
  apiPut(wsPath(ws, `/members/${accountId}/password`), { new_password: newPassword });

/** POST /workspaces/{ws}/members/import {csv} → {created, invited, failed, rows} */
export const importMembers = (ws, csv) =>
  apiPost(wsPath(ws, '/members/import'), { csv }, { timeoutMs: 60000 });

/**
 * POST /workspaces/{ws}/invitations {login} or {account_id}, with department_id → 202 {message}:
 * the same answer whether or not the account exists; it joins when it accepts.
 */
export const inviteAccount = (ws, body) => apiPost(wsPath(ws, '/invitations'), body);

/** GET /workspaces/{ws}/account-search?q= → [{id, login, name, is_member}] (q: 2+ characters) */
export const searchAccounts = async (ws, q) =>
  pickList(await apiGet(wsPath(ws, `/account-search${queryString({ q })}`)), 'accounts');

/** GET /workspaces/{ws}/departments → the departments (flat; see utils/departmentTree.js) */
export const listDepartments = async (ws) =>
  pickList(await apiGet(wsPath(ws, '/departments')), 'departments');

/** POST /workspaces/{ws}/departments {name, parent_id} → department */
export const createDepartment = (ws, body) => apiPost(wsPath(ws, '/departments'), body);

/** PATCH /workspaces/{ws}/departments/{id} {name, parent_id, supervisor_ids, admin_ids} */
export const patchDepartment = (ws, id, fields) =>
  apiPatch(wsPath(ws, `/departments/${id}`), fields);

/** DELETE /workspaces/{ws}/departments/{id}: members and sub-departments move to the parent. */
export const deleteDepartment = (ws, id) => apiDelete(wsPath(ws, `/departments/${id}`));

/** GET /workspaces/{ws}/roles → the roles */
export const listRoles = async (ws) => pickList(await apiGet(wsPath(ws, '/roles')), 'roles');

/** POST /workspaces/{ws}/roles {name, member_ids} */
export const createRole = (ws, body) => apiPost(wsPath(ws, '/roles'), body);

/** PATCH /workspaces/{ws}/roles/{id} {name, member_ids} */
export const patchRole = (ws, id, fields) => apiPatch(wsPath(ws, `/roles/${id}`), fields);

/** DELETE /workspaces/{ws}/roles/{id} */
export const deleteRole = (ws, id) => apiDelete(wsPath(ws, `/roles/${id}`));

/** GET /workspaces/{ws}/invite-links → the links (revoked and expired ones too) */
export const listInviteLinks = async (ws) =>
  pickList(await apiGet(wsPath(ws, '/invite-links')), 'invite_links');

/** POST /workspaces/{ws}/invite-links {department_id, ttl_hours, max_uses} → link + token */
export const createInviteLink = (ws, body) => apiPost(wsPath(ws, '/invite-links'), body);

/** DELETE /workspaces/{ws}/invite-links/{id}: revokes the link. */
export const revokeInviteLink = (ws, id) => apiDelete(wsPath(ws, `/invite-links/${id}`));

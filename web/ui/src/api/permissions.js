import { apiDelete, apiGet, apiPatch, apiPost } from './client.js';
import { pickList, wsPath } from './workspace.js';

// Permission groups and API keys of a workspace (system administrators and up).

/** GET /workspaces/{ws}/permission-groups → the groups */
export const listPermissionGroups = async (ws) =>
  pickList(await apiGet(wsPath(ws, '/permission-groups')), 'permission_groups');

/** POST /workspaces/{ws}/permission-groups {name, grants, all_apps, app_ids, member_ids} */
export const createPermissionGroup = (ws, body) => apiPost(wsPath(ws, '/permission-groups'), body);

/** PATCH /workspaces/{ws}/permission-groups/{id} (same fields, all optional) */
export const patchPermissionGroup = (ws, id, fields) =>
  apiPatch(wsPath(ws, `/permission-groups/${id}`), fields);

/** DELETE /workspaces/{ws}/permission-groups/{id} */
export const deletePermissionGroup = (ws, id) => apiDelete(wsPath(ws, `/permission-groups/${id}`));

/** GET /workspaces/{ws}/api-keys → the keys (without the secret) */
export const listApiKeys = async (ws) =>
  pickList(await apiGet(wsPath(ws, '/api-keys')), 'api_keys');

/** POST /workspaces/{ws}/api-keys {name, ttl_days} → key entry + `key` (shown once) */
export const createApiKey = (ws, name, ttlDays) =>
  apiPost(wsPath(ws, '/api-keys'), { name, ttl_days: ttlDays });

/** POST /workspaces/{ws}/api-keys/{id}/rotate → key entry + its new `key` (shown once) */
export const rotateApiKey = (ws, id) => apiPost(wsPath(ws, `/api-keys/${id}/rotate`));

/** DELETE /workspaces/{ws}/api-keys/{id}: revokes the key. */
export const revokeApiKey = (ws, id) => apiDelete(wsPath(ws, `/api-keys/${id}`));

import { apiDelete, apiGet, apiPatch, apiPost } from './client.js';
import { pickList, wsPath } from './workspace.js';

// The apps of a workspace. Every member may list them; adding, renaming and deleting follow the
// caller's rights (GET /workspaces/{ws} → me.permissions.add_app, me.apps[id].edit / .delete).

/** GET /workspaces/{ws}/apps → [{id, name, created_at}] */
export const listApps = async (ws) => pickList(await apiGet(wsPath(ws, '/apps')), 'apps');

/** POST /workspaces/{ws}/apps {name} → app */
export const createApp = (ws, name) => apiPost(wsPath(ws, '/apps'), { name });

/** PATCH /workspaces/{ws}/apps/{id} {name} → app */
export const renameApp = (ws, id, name) => apiPatch(wsPath(ws, `/apps/${id}`), { name });

/** DELETE /workspaces/{ws}/apps/{id} */
export const deleteApp = (ws, id) => apiDelete(wsPath(ws, `/apps/${id}`));

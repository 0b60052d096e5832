import { apiDelete, apiGet, apiPatch, apiPost, apiPut } from './client.js';
import { pickList, wsPath } from './workspace.js';

// The apps of a workspace, their groups and order, and the apps' recycle bin. Every member may
// list them; the rest follows the caller's rights (GET /workspaces/{ws} → me.permissions.add_app:
// new apps and the page's layout; me.apps[id].edit: name, icon, colour, group; .delete: delete and
// restore).

/** The icons an app may have (Element Plus icon names the server accepts). */
export const APP_ICONS = [
  'Document',
  'Money',
  'Calendar',
  'User',
  'Box',
  'Tickets',
  'Van',
  'Shop',
  'House',
  'Flag',
  'Briefcase',
  'Reading',
  'Histogram',
  'Notebook',
  'Coin',
  'Goods',
  'Trophy',
  'Stamp',
  'Suitcase',
  'Tools',
];

/** The colour of an app made without one (as the server does). */
export const DEFAULT_APP_COLOR = '#2f6fed';

/**
 * GET /workspaces/{ws}/apps → {apps: [{id, name, icon, color, group_id, position, created_at}],
 * groups: [{id, name, position}]}; lists missing from the answer read as empty.
 */
export async function getApps(ws) {
  const body = await apiGet(wsPath(ws, '/apps'));
  return {
    apps: pickList(body, 'apps'),
    groups: Array.isArray(body?.groups) ? body.groups : [],
  };
}

/** The apps alone (for pickers). */
export const listApps = async (ws) => (await getApps(ws)).apps;

/** POST /workspaces/{ws}/apps {name, icon?, color?, group_id?} → app */
export const createApp = (ws, body) =>
  apiPost(wsPath(ws, '/apps'), typeof body === 'string' ? { name: body } : body);

/** PATCH /workspaces/{ws}/apps/{id} {name?, icon?, color?, group_id?} → app */
export const patchApp = (ws, id, fields) => apiPatch(wsPath(ws, `/apps/${id}`), fields);

/** PATCH /workspaces/{ws}/apps/{id} {name} → app */
export const renameApp = (ws, id, name) => patchApp(ws, id, { name });

/** DELETE /workspaces/{ws}/apps/{id}: to the apps' recycle bin. */
export const deleteApp = (ws, id) => apiDelete(wsPath(ws, `/apps/${id}`));

/**
 * PUT /workspaces/{ws}/app-layout {groups: [{id?, name, apps: [ids]}], ungrouped: [ids]} → the same
 * answer as getApps(). Every live app must be placed exactly once.
 */
export async function putAppLayout(ws, layout) {
  const body = await apiPut(wsPath(ws, '/app-layout'), layout);
  return { apps: pickList(body, 'apps'), groups: Array.isArray(body?.groups) ? body.groups : [] };
}

/** GET /workspaces/{ws}/app-bin → {apps: [{..., deleted_at, deleted_by, purge_at}], recycleDays} */
export async function listAppBin(ws) {
  const body = await apiGet(wsPath(ws, '/app-bin'));
  return {
    apps: pickList(body, 'apps'),
    recycleDays: Number.isInteger(body?.recycle_days) ? body.recycle_days : null,
  };
}

/** POST /workspaces/{ws}/apps/{id}/restore → app */
export const restoreApp = (ws, id) => apiPost(wsPath(ws, `/apps/${id}/restore`));

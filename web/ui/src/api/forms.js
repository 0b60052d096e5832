import { apiGet, apiPut } from './client.js';
import { wsPath } from './workspace.js';

// An app's form definition (forms contract, "Form definition"): a flat ordered list of fields and
// a version; saving names the version that was loaded, and the server answers 409 when someone
// saved since.

const appPath = (ws, app, rest = '') => wsPath(ws, `/apps/${encodeURIComponent(app)}${rest}`);

/**
 * GET .../apps/{app}/form → {app_id, version, fields, removed_fields, updated_at, updated_by};
 * removed_fields [{id, type, label}]: fields removed whose data the server keeps (a field added
 * with one of their ids would bring it back). Removed choices stay in `choices` with
 * "retired": true.
 */
export const getForm = (ws, app) => apiGet(appPath(ws, app, '/form'));

/** PUT .../apps/{app}/form {version, fields} → the new definition (version + 1) */
export const putForm = (ws, app, version, fields) =>
  apiPut(appPath(ws, app, '/form'), { version, fields });

/** GET .../apps/{app}/form/versions → [{version, updated_at, updated_by}] */
export async function listFormVersions(ws, app) {
  const body = await apiGet(appPath(ws, app, '/form/versions'));
  return Array.isArray(body?.versions) ? body.versions : [];
}

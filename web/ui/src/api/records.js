import { apiDelete, apiDownload, apiGet, apiPatch, apiPost } from './client.js';
import { wsPath } from './workspace.js';

// An app's records (forms contract, "Records", "Import / export"). Lists come in keyset
// pages: query() answers {records, next, refs}; pass `next` back as `after` for the next page.

const appPath = (ws, app, rest = '') => wsPath(ws, `/apps/${encodeURIComponent(app)}${rest}`);
const recordPath = (ws, app, id, rest = '') => appPath(ws, app, `/records/${id}${rest}`);

/** POST .../records {values} → the new record (201) */
export const createRecord = (ws, app, values) => apiPost(appPath(ws, app, '/records'), { values });

/** GET .../records/{id} → record (+refs) */
export const getRecord = (ws, app, id) => apiGet(recordPath(ws, app, id));

/** PATCH .../records/{id} {values: changed fields only, version} → record; 409 when stale */
export const patchRecord = (ws, app, id, values, version) =>
  apiPatch(recordPath(ws, app, id), { values, version });

/** DELETE .../records/{id}: to the app's recycle bin */
export const deleteRecord = (ws, app, id) => apiDelete(recordPath(ws, app, id));

/** POST .../records/{id}/restore → record */
export const restoreRecord = (ws, app, id) => apiPost(recordPath(ws, app, id, '/restore'));

/**
 * GET .../records/{id}/history → {entries: [{version, action, actor, at, changes}] newest first,
 * refs: {members, departments}} (refs name the people and departments in the old and new values)
 */
export async function recordHistory(ws, app, id) {
  const body = await apiGet(recordPath(ws, app, id, '/history'));
  return {
    entries: Array.isArray(body?.entries) ? body.entries : [],
    refs: body?.refs && typeof body.refs === 'object' ? body.refs : {},
  };
}

/**
 * POST .../records/query {filter, q, sort, limit, after, deleted} → {records, next, refs}
 * @returns {Promise<{records: object[], next: string | null, refs: object}>}
 */
export async function queryRecords(ws, app, query) {
  const body = await apiPost(appPath(ws, app, '/records/query'), query);
  return {
    records: Array.isArray(body?.records) ? body.records : [],
    next: typeof body?.next === 'string' && body.next !== '' ? body.next : null,
    refs: body?.refs ?? {},
  };
}

/** POST .../records/count {filter, q, deleted} → n */
export async function countRecords(ws, app, query) {
  const body = await apiPost(appPath(ws, app, '/records/count'), query);
  return Number.isInteger(body?.count) ? body.count : 0;
}

/**
 * POST .../export {format, filter, q, sort, fields} → {blob, filename, type}
 */
export const exportRecords = (ws, app, body) =>
  apiDownload('POST', appPath(ws, app, '/export'), body);

/**
 * POST .../import {format, file (sha256 of a file uploaded first, POST /workspaces/{ws}/files) or
 * content (base64, small files only: the body must fit the server's 1 MiB), mapping | null,
 * dry_run} → {columns, mapping, rows, good, bad: [{row, errors}] (the first 1,000), bad_count,
 * batches: [{first_row, last_row, imported, error?}], imported}
 */
export const importRecords = (ws, app, body) =>
  apiPost(appPath(ws, app, '/import'), body, { timeoutMs: 120000 });

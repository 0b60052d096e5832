// Files for attachment and image fields (forms contract, "Files"): the checks made before an
// upload (the field's size limit and accepted types) and the upload itself, through api/client.js
// (CSRF header, error body → ApiError). The answer {sha256, name, size, type} goes into the
// field's value as is.
import { apiRequest, resolveApiUrl } from '../api/client.js';
import { wsPath } from '../api/workspace.js';
import { DEFAULT_MAX_SIZE, MAX_FILES, typeOf } from './types.js';
import { formatBytes } from './format.js';

// Large files on a slow line: the default 10 s timeout of the client would cut them off.
export const UPLOAD_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * POST /workspaces/{ws}/files with the raw bytes → {sha256, name, size, type}.
 * @param {string} ws
 * @param {File | Blob} file
 * @param {{name?: string, signal?: AbortSignal}} [options] name defaults to file.name
 * @returns {Promise<{sha256: string, name: string, size: number, type: string}>} rejects with
 *   ApiError (413 past the size limit), or an AbortError when cancelled
 */
export function uploadFile(ws, file, { name, signal } = {}) {
  const fileName = name ?? file.name ?? 'file';
  return apiRequest('POST', wsPath(ws, '/files'), {
    raw: { body: file, type: file.type || 'application/octet-stream' },
    headers: { 'X-Creek-File-Name': encodeURIComponent(fileName) },
    timeoutMs: UPLOAD_TIMEOUT_MS,
    signal,
  });
}

/**
 * Where a record's file is read (GET /apps/{app}/records/{id}/files/{sha256}); `inline` for
 * images shown in the page. Resolved like every API path (works behind a path prefix).
 */
export function recordFileUrl(ws, appId, recordId, sha256, { inline = false } = {}) {
  const enc = encodeURIComponent;
  const path = `/apps/${enc(appId)}/records/${enc(recordId)}/files/${enc(sha256)}`;
  return resolveApiUrl(wsPath(ws, path) + (inline ? '?inline=1' : ''));
}

/**
 * The accepted types of a field (its `accept`; else those of its type's default options: images
 * only for an image field).
 */
export function acceptList(field) {
  const own = field?.options?.accept;
  if (Array.isArray(own) && own.length > 0) return own;
  return typeOf(field?.type)?.defaultOptions().accept ?? [];
}

/** The size limit of a field in bytes (its `max_size`, else the node's default). */
export function maxSizeOf(field) {
  const own = field?.options?.max_size;
  return Number.isInteger(own) && own > 0 ? own : DEFAULT_MAX_SIZE;
}

/** The most files a field holds. */
export function maxFilesOf(field) {
  const own = field?.options?.max_files;
  return Number.isInteger(own) && own > 0 ? Math.min(own, MAX_FILES) : MAX_FILES;
}

/**
 * Whether a file matches an accept list: ".pdf" (extension), "image/*" (media type family) or
 * "application/pdf" (media type). An empty list accepts everything.
 * @param {string[]} accept
 * @param {{name?: string, type?: string}} file
 */
export function accepts(accept, file) {
  if (!accept?.length) return true;
  const name = (file.name ?? '').toLowerCase();
  const type = (file.type ?? '').toLowerCase();
  return accept.some((raw) => {
    const a = String(raw).trim().toLowerCase();
    if (a.startsWith('.')) return name.endsWith(a);
    if (a.endsWith('/*')) return type.startsWith(a.slice(0, -1));
    return type === a;
  });
}

/**
 * Why a file cannot go into the field, '' when it can.
 * @param {object} field
 * @param {{name: string, size: number, type: string}} file
 * @param {(key: string, params?: object) => string} t
 */
export function fileProblem(field, file, t) {
  if (!accepts(acceptList(field), file)) return t('fields.errors.fileType', { name: file.name });
  const max = maxSizeOf(field);
  if (file.size > max) {
    return t('fields.errors.fileTooBig', { name: file.name, size: formatBytes(max) });
  }
  return '';
}

// The only module that calls fetch (STYLE.md §13). Every request goes through apiRequest(), which
// resolves the path, adds the CSRF header for state-changing methods, and turns every failure into
// an ApiError, so callers handle one error type.
//
// Creek's error body is {"error": {"code": "...", "message": "..."}}. Client-side failures use
// these codes (never sent by creekd):
//   network       the request did not reach the server or got no answer
//   timeout       no answer within the timeout
//   bad_response  the body is not the JSON we expected
//   http_<status> an error status without a Creek error body (e.g. from a proxy)

export const DEFAULT_TIMEOUT_MS = 10000;

// CSRF: state-changing requests made with the session cookie carry `X-Creek-CSRF: <csrf_token>`,
// the token of the session (from the sign-in, setup and register answers or GET /me), which creekd
// checks. The session store hands the token over through configureClient(); before sign-in there
// is none and the header is left out (POST /session, /setup and /invites/{token}/register need
// none).
const CSRF_HEADER = 'X-Creek-CSRF';
// 401 from these paths is an answer for the caller (a wrong password), not a lost session.
const SESSION_PATHS = new Set(['/api/v1/session']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const hooks = {
  csrfToken: () => '',
  onUnauthenticated: () => {},
};

/**
 * Wires the client to the session (done once in main.js; tests pass their own).
 * @param {object} options
 * @param {() => string} [options.csrfToken] the current session's CSRF token, '' when none
 * @param {(err: ApiError) => void} [options.onUnauthenticated] called on a 401 answer, except from
 *   /session and from calls made with `allow401` (the caller handles it); usually sends the user
 *   to the sign-in page
 */
export function configureClient({ csrfToken, onUnauthenticated } = {}) {
  if (csrfToken) hooks.csrfToken = csrfToken;
  if (onUnauthenticated) hooks.onUnauthenticated = onUnauthenticated;
}

export class ApiError extends Error {
  /**
   * @param {object} init
   * @param {number} init.status HTTP status, 0 when no response arrived
   * @param {string} init.code   Creek error code or one of the client-side codes above
   * @param {string} init.message human-readable message (from creekd, or the underlying error)
   * @param {number | null} [init.retryAfterS] seconds to wait, from Retry-After (429, 503)
   * @param {unknown} [init.cause]
   */
  constructor({ status, code, message, retryAfterS = null, cause }) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfterS = retryAfterS;
  }
}

/**
 * Retry-After as whole seconds from now: delta-seconds or an HTTP date; null when absent or
 * unreadable.
 * @param {string | null} value
 * @param {number} [nowMs]
 */
export function parseRetryAfter(value, nowMs = Date.now()) {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/**
 * API paths are written absolute ('/api/v1/...') and resolved against the directory the UI was
 * loaded from. At the root this is the same URL; behind a reverse-proxy prefix (/creek/) the calls
 * follow the prefix. The UI uses hash routing, so the document URL is always that directory.
 */
export function resolveApiUrl(path) {
  if (typeof document === 'undefined' || !document.baseURI) return path;
  return new URL(path.replace(/^\/+/, ''), document.baseURI).href;
}

function isCreekError(body) {
  return (
    body !== null &&
    typeof body === 'object' &&
    body.error !== null &&
    typeof body.error === 'object' &&
    typeof body.error.code === 'string'
  );
}

function errorFromBody(response, body) {
  return new ApiError({
    status: response.status,
    code: body.error.code,
    message: typeof body.error.message === 'string' ? body.error.message : body.error.code,
    retryAfterS: parseRetryAfter(response.headers.get('retry-after')),
  });
}

const pathOnly = (path) => path.split('?')[0];

/**
 * The file name a Content-Disposition header gives (RFC 6266): filename* (RFC 8187, UTF-8) before
 * filename; '' when none.
 * @param {string | null} header
 */
export function dispositionFilename(header) {
  if (typeof header !== 'string') return '';
  const star = /filename\*\s*=\s*([^;]+)/i.exec(header);
  if (star) {
    const value = star[1].trim().replace(/^"(.*)"$/, '$1');
    const quote = value.indexOf("''");
    try {
      return decodeURIComponent(quote >= 0 ? value.slice(quote + 2) : value);
    } catch {
      // a broken encoding: fall back to the plain filename
    }
  }
  const plain = /filename\s*=\s*("((?:[^"\\]|\\.)*)"|[^;]+)/i.exec(header);
  if (!plain) return '';
  return plain[2] !== undefined ? plain[2].replace(/\\(.)/g, '$1') : plain[1].trim();
}

async function readFile(response) {
  const blob = await response.blob();
  return {
    ok: true,
    body: {
      blob,
      filename: dispositionFilename(response.headers.get('content-disposition')),
      type: response.headers.get('content-type') || blob.type,
    },
  };
}

async function readBody(response) {
  if (response.status === 204 || response.status === 205) return { ok: true, body: null };
  const text = await response.text();
  if (text === '') return { ok: true, body: null };
  const type = response.headers.get('content-type') || '';
  if (!type.includes('json')) return { ok: false, body: text };
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch {
    return { ok: false, body: text };
  }
}

/**
 * @param {string} method
 * @param {string} path e.g. '/api/v1/health'
 * @param {object} [options]
 * @param {unknown} [options.body] sent as JSON
 * @param {number[]} [options.acceptStatus] non-2xx statuses whose body is a normal result
 *   (e.g. 503 from /health still carries a health document)
 * @param {boolean} [options.allow401] the caller handles 401 (e.g. GET /me asking whether a
 *   session exists): the unauthenticated hook is not called
 * @param {number} [options.timeoutMs]
 * @param {AbortSignal} [options.signal]
 * @param {{body: Blob, type?: string}} [options.raw] sent as is (a file upload) instead of JSON
 * @param {Record<string, string>} [options.headers] more request headers
 * @param {boolean} [options.download] a 2xx answer is a file: resolves to {blob, filename, type}
 * @returns {Promise<unknown>} the parsed JSON body (null for an empty body)
 */
export async function apiRequest(method, path, options = {}) {
  let err;
  try {
    return await send(method, path, options);
  } catch (e) {
    err = e;
  }
  if (err instanceof ApiError && err.status === 401 && !options.allow401) {
    if (!SESSION_PATHS.has(pathOnly(path))) hooks.onUnauthenticated(err);
  }
  throw err;
}

async function send(method, path, options) {
  const { body, acceptStatus = [], timeoutMs = DEFAULT_TIMEOUT_MS, signal, raw } = options;
  const upper = method.toUpperCase();
  const headers = { Accept: options.download ? '*/*' : 'application/json', ...options.headers };
  const token = SAFE_METHODS.has(upper) ? '' : hooks.csrfToken();
  if (token) headers[CSRF_HEADER] = token;
  const init = { method: upper, headers, credentials: 'same-origin', cache: 'no-store' };
  if (raw) {
    headers['Content-Type'] = raw.type || 'application/octet-stream';
    init.body = raw.body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  init.signal = controller.signal;

  let response;
  let parsed;
  try {
    response = await fetch(resolveApiUrl(path), init);
    parsed = options.download && response.ok ? await readFile(response) : await readBody(response);
  } catch (err) {
    if (timedOut) {
      throw new ApiError({
        status: 0,
        code: 'timeout',
        message: `no answer within ${timeoutMs} ms`,
        cause: err,
      });
    }
    if (err?.name === 'AbortError') throw err; // cancelled by the caller: not an API failure
    throw new ApiError({
      status: response ? response.status : 0,
      code: 'network',
      message: err?.message || String(err),
      cause: err,
    });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }

  const { status } = response;
  if (isCreekError(parsed.body) && !response.ok) throw errorFromBody(response, parsed.body);
  if (response.ok || acceptStatus.includes(status)) {
    if (!parsed.ok) {
      throw new ApiError({ status, code: 'bad_response', message: 'response is not JSON' });
    }
    return parsed.body;
  }
  const statusText = response.statusText ? ` ${response.statusText}` : '';
  throw new ApiError({
    status,
    code: `http_${status}`,
    message: `HTTP ${status}${statusText}`,
    retryAfterS: parseRetryAfter(response.headers.get('retry-after')),
  });
}

export const apiGet = (path, options) => apiRequest('GET', path, options);
export const apiPost = (path, body, options) => apiRequest('POST', path, { ...options, body });
export const apiPut = (path, body, options) => apiRequest('PUT', path, { ...options, body });
export const apiPatch = (path, body, options) => apiRequest('PATCH', path, { ...options, body });
export const apiDelete = (path, options) => apiRequest('DELETE', path, options);

/**
 * A file from the server (an export): resolves to {blob, filename, type}, the name from
 * Content-Disposition. Errors come as ApiError like any other call.
 */
export const apiDownload = (method, path, body, options) =>
  apiRequest(method, path, { timeoutMs: 120000, ...options, body, download: true });

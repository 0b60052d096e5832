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

// CSRF placeholder: state-changing requests carry `X-Creek-CSRF: 1`. A cross-site form cannot set
// custom headers and a cross-site fetch with one needs a CORS preflight that creekd refuses, so the
// header alone already proves the request came from our own scripts. When sessions arrive, the value
// becomes the per-session token (read from the session response or a cookie) and creekd checks it.
const CSRF_HEADER = 'X-Creek-CSRF';
const CSRF_PLACEHOLDER = '1';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export class ApiError extends Error {
  /**
   * @param {object} init
   * @param {number} init.status HTTP status, 0 when no response arrived
   * @param {string} init.code   Creek error code or one of the client-side codes above
   * @param {string} init.message human-readable message (from creekd, or the underlying error)
   * @param {unknown} [init.cause]
   */
  constructor({ status, code, message, cause }) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
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

function errorFromBody(status, body) {
  return new ApiError({
    status,
    code: body.error.code,
    message: typeof body.error.message === 'string' ? body.error.message : body.error.code,
  });
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
 * @param {number} [options.timeoutMs]
 * @param {AbortSignal} [options.signal]
 * @returns {Promise<unknown>} the parsed JSON body (null for an empty body)
 */
export async function apiRequest(method, path, options = {}) {
  const { body, acceptStatus = [], timeoutMs = DEFAULT_TIMEOUT_MS, signal } = options;
  const upper = method.toUpperCase();
  const headers = { Accept: 'application/json' };
  if (!SAFE_METHODS.has(upper)) headers[CSRF_HEADER] = CSRF_PLACEHOLDER;
  const init = { method: upper, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
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
    parsed = await readBody(response);
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
  if (isCreekError(parsed.body) && !response.ok) throw errorFromBody(status, parsed.body);
  if (response.ok || acceptStatus.includes(status)) {
    if (!parsed.ok) {
      throw new ApiError({ status, code: 'bad_response', message: 'response is not JSON' });
    }
    return parsed.body;
  }
  const statusText = response.statusText ? ` ${response.statusText}` : '';
  throw new ApiError({ status, code: `http_${status}`, message: `HTTP ${status}${statusText}` });
}

export const apiGet = (path, options) => apiRequest('GET', path, options);
export const apiPost = (path, body, options) => apiRequest('POST', path, { ...options, body });
export const apiPut = (path, body, options) => apiRequest('PUT', path, { ...options, body });
export const apiPatch = (path, body, options) => apiRequest('PATCH', path, { ...options, body });
export const apiDelete = (path, options) => apiRequest('DELETE', path, options);

import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  apiGet,
  apiPost,
  apiDownload,
  apiRequest,
  configureClient,
  dispositionFilename,
  parseRetryAfter,
} from './client.js';
import { getHealth } from './health.js';

function jsonResponse(status, body, init = {}) {
  return new Response(JSON.stringify(body), {
    status,
    statusText: init.statusText ?? '',
    headers: { 'Content-Type': 'application/json' },
  });
}

function stubFetch(impl) {
  const fetchMock = vi.fn(impl);
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
  configureClient({ csrfToken: () => '', onUnauthenticated: () => {} });
});

describe('apiRequest', () => {
  it('returns the parsed JSON body of a 2xx response', async () => {
    const fetchMock = stubFetch(async () => jsonResponse(200, { a: 1 }));
    await expect(apiGet('/api/v1/thing')).resolves.toEqual({ a: 1 });
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('/api/v1/thing');
    expect(init.method).toBe('GET');
    expect(init.headers.Accept).toBe('application/json');
    expect(init.headers['X-Creek-CSRF']).toBeUndefined();
  });

  it('parses the Creek error shape into an ApiError', async () => {
    stubFetch(async () =>
      jsonResponse(409, { error: { code: 'conflict', message: 'name already taken' } }),
    );
    const err = await rejection(apiGet('/api/v1/thing'));
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ApiError');
    expect(err.status).toBe(409);
    expect(err.code).toBe('conflict');
    expect(err.message).toBe('name already taken');
  });

  it('uses the code as message when the error has none', async () => {
    stubFetch(async () => jsonResponse(500, { error: { code: 'internal' } }));
    const err = await rejection(apiGet('/x'));
    expect(err.code).toBe('internal');
    expect(err.message).toBe('internal');
  });

  it('turns an error status without a Creek body into http_<status>', async () => {
    stubFetch(
      async () =>
        new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    );
    const err = await rejection(apiGet('/x'));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(502);
    expect(err.code).toBe('http_502');
    expect(err.message).toBe('HTTP 502 Bad Gateway');
  });

  it('turns a fetch failure into code network', async () => {
    stubFetch(async () => {
      throw new TypeError('Failed to fetch');
    });
    const err = await rejection(apiGet('/x'));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(0);
    expect(err.code).toBe('network');
    expect(err.message).toBe('Failed to fetch');
    expect(err.cause).toBeInstanceOf(TypeError);
  });

  it('turns a body that breaks off into code network', async () => {
    stubFetch(async () => ({
      ok: true,
      status: 200,
      headers: new Headers({ 'Content-Type': 'application/json' }),
      text: async () => {
        throw new TypeError('network error');
      },
    }));
    const err = await rejection(apiGet('/x'));
    expect(err.code).toBe('network');
    expect(err.status).toBe(200);
  });

  it('reports a 2xx body that is not JSON as bad_response', async () => {
    stubFetch(async () => new Response('<!doctype html>', { status: 200 }));
    const err = await rejection(apiGet('/x'));
    expect(err.code).toBe('bad_response');
    expect(err.status).toBe(200);
  });

  it('reports malformed JSON as bad_response', async () => {
    stubFetch(
      async () =>
        new Response('{"status": ', {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        }),
    );
    expect((await rejection(apiGet('/x'))).code).toBe('bad_response');
  });

  it('times out with code timeout', async () => {
    vi.useFakeTimers();
    stubFetch(
      (url, init) =>
        new Promise((resolve, reject) => {
          init.signal.addEventListener('abort', () =>
            reject(new DOMException('aborted', 'AbortError')),
          );
        }),
    );
    const pending = rejection(apiGet('/x', { timeoutMs: 1000 }));
    await vi.advanceTimersByTimeAsync(1000);
    const err = await pending;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('timeout');
  });

  it('sends the session CSRF token and a JSON body for state-changing methods', async () => {
    configureClient({ csrfToken: () => 'tok-123' });
    const fetchMock = stubFetch(async () => new Response(null, { status: 204 }));
    await expect(apiPost('/api/v1/things', { name: 'a' })).resolves.toBeNull();
    const [, init] = fetchMock.mock.calls[0];
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    expect(init.headers['X-Creek-CSRF']).toBe('tok-123');
    expect(init.headers['Content-Type']).toBe('application/json');
    expect(init.body).toBe('{"name":"a"}');
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      await apiRequest(method, '/x');
      expect(fetchMock.mock.lastCall[1].headers['X-Creek-CSRF']).toBe('tok-123');
    }
    await apiGet('/x').catch(() => {});
    expect(fetchMock.mock.lastCall[1].headers['X-Creek-CSRF']).toBeUndefined();
  });

  it('leaves the CSRF header out while there is no session token', async () => {
    configureClient({ csrfToken: () => '' });
    const fetchMock = stubFetch(async () => new Response(null, { status: 204 }));
    await apiPost('/api/v1/session', { login: 'a', password: 'b' });
    expect(fetchMock.mock.calls[0][1].headers).not.toHaveProperty('X-Creek-CSRF');
  });

  it('returns the body of an accepted non-2xx status', async () => {
    stubFetch(async () => jsonResponse(503, { status: 'degraded' }));
    await expect(apiGet('/x', { acceptStatus: [503] })).resolves.toEqual({ status: 'degraded' });
    await expect(apiGet('/x')).rejects.toMatchObject({ code: 'http_503', status: 503 });
  });

  it('still throws a Creek error body on an accepted status', async () => {
    stubFetch(async () =>
      jsonResponse(503, { error: { code: 'unavailable', message: 'shutting down' } }),
    );
    await expect(apiGet('/x', { acceptStatus: [503] })).rejects.toMatchObject({
      code: 'unavailable',
      message: 'shutting down',
    });
  });
});

describe('401 and 429 answers', () => {
  const unauthenticated = () =>
    jsonResponse(401, { error: { code: 'unauthenticated', message: 'no session' } });

  it('reports a 401 to the unauthenticated hook, then still rejects', async () => {
    const onUnauthenticated = vi.fn();
    configureClient({ onUnauthenticated });
    stubFetch(async () => unauthenticated());
    const err = await rejection(apiGet('/api/v1/workspaces/w1/members'));
    expect(err).toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(onUnauthenticated).toHaveBeenCalledTimes(1);
    expect(onUnauthenticated.mock.calls[0][0]).toBe(err);
  });

  it('does not call the hook for /session (a wrong password) nor with allow401', async () => {
    const onUnauthenticated = vi.fn();
    configureClient({ onUnauthenticated });
    stubFetch(async () => unauthenticated());
    await rejection(apiPost('/api/v1/session', { login: 'a', password: 'b' }));
    await rejection(apiRequest('DELETE', '/api/v1/session'));
    await rejection(apiGet('/api/v1/me', { allow401: true }));
    expect(onUnauthenticated).not.toHaveBeenCalled();
  });

  it('does not call the hook for other errors', async () => {
    const onUnauthenticated = vi.fn();
    configureClient({ onUnauthenticated });
    stubFetch(async () => jsonResponse(403, { error: { code: 'denied', message: 'no' } }));
    await rejection(apiGet('/x'));
    expect(onUnauthenticated).not.toHaveBeenCalled();
  });

  it('carries the Retry-After seconds of a 429', async () => {
    stubFetch(
      async () =>
        new Response(JSON.stringify({ error: { code: 'throttled', message: 'wait' } }), {
          status: 429,
          headers: { 'Content-Type': 'application/json', 'Retry-After': '120' },
        }),
    );
    const err = await rejection(apiPost('/api/v1/session', {}));
    expect(err).toMatchObject({ status: 429, code: 'throttled', retryAfterS: 120 });
  });

  it('parseRetryAfter reads seconds and HTTP dates', () => {
    const now = Date.UTC(2026, 10, 28, 12, 0, 0);
    expect(parseRetryAfter('30', now)).toBe(30);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Sat, 28 Nov 2026 12:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('Sat, 28 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
  });
});

describe('getHealth', () => {
  it('GETs /api/v1/health and returns a degraded document sent with 503', async () => {
    const doc = { status: 'degraded', store: { reachable: false, latency_ms: null } };
    const fetchMock = stubFetch(async () => jsonResponse(503, doc));
    await expect(getHealth()).resolves.toEqual(doc);
    expect(fetchMock.mock.calls[0][0]).toBe('/api/v1/health');
  });
});

describe('files', () => {
  it('dispositionFilename prefers filename* (UTF-8) and reads quoted names', () => {
    expect(
      dispositionFilename(`attachment; filename="a.csv"; filename*=UTF-8''%E8%AE%A2%E5%8D%95.csv`),
    ).toBe('订单.csv');
    expect(dispositionFilename('attachment; filename="say \\"hi\\".csv"')).toBe('say "hi".csv');
    expect(dispositionFilename('attachment; filename=plain.xlsx')).toBe('plain.xlsx');
    expect(dispositionFilename('attachment')).toBe('');
    expect(dispositionFilename(null)).toBe('');
  });

  it('apiDownload resolves to the blob and its name; errors stay ApiErrors', async () => {
    configureClient({ csrfToken: () => 'tok' });
    const fetchMock = stubFetch(
      async () =>
        new Response('id,name\r\n', {
          status: 200,
          headers: {
            'Content-Type': 'text/csv',
            'Content-Disposition': 'attachment; filename="r.csv"',
          },
        }),
    );
    const file = await apiDownload('POST', '/api/v1/x/export', { format: 'csv' });
    expect(file.filename).toBe('r.csv');
    expect(file.type).toBe('text/csv');
    expect(await file.blob.text()).toBe('id,name\r\n');
    const [, init] = fetchMock.mock.calls[0];
    expect(init.headers['X-Creek-CSRF']).toBe('tok');
    expect(JSON.parse(init.body)).toEqual({ format: 'csv' });

    stubFetch(async () => jsonResponse(403, { error: { code: 'denied', message: 'no' } }));
    const err = await rejection(apiDownload('POST', '/x', {}));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('denied');
  });

  it('sends a raw body with its type and extra headers', async () => {
    const fetchMock = stubFetch(async () => jsonResponse(201, { sha256: 'ab' }));
    const blob = new Blob(['hello'], { type: 'text/plain' });
    await apiRequest('POST', '/up', {
      raw: { body: blob, type: 'text/plain' },
      headers: { 'X-A': '1' },
    });
    const [, init] = fetchMock.mock.calls[0];
    expect(init.body).toBe(blob);
    expect(init.headers['Content-Type']).toBe('text/plain');
    expect(init.headers['X-A']).toBe('1');
  });
});

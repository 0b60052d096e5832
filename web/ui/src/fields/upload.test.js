import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, configureClient } from '../api/client.js';
import {
  accepts,
  acceptList,
  fileProblem,
  maxFilesOf,
  maxSizeOf,
  recordFileUrl,
  uploadFile,
} from './upload.js';

const META = { sha256: 'ab'.repeat(32), name: '报价单 v2.pdf', size: 5, type: 'application/pdf' };

function stubFetch(impl) {
  const fetchMock = vi.fn(impl);
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

const json = (status, body) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });

afterEach(() => {
  vi.unstubAllGlobals();
  configureClient({ csrfToken: () => '', onUnauthenticated: () => {} });
});

describe('uploadFile', () => {
  it('posts the raw bytes with the type, the encoded name and the CSRF header', async () => {
    configureClient({ csrfToken: () => 'tok-1' });
    const fetchMock = stubFetch(async () => json(201, META));
    const file = new File(['hello'], '报价单 v2.pdf', { type: 'application/pdf' });

    await expect(uploadFile('w0123456789ab', file)).resolves.toEqual(META);

    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('/api/v1/workspaces/w0123456789ab/files');
    expect(init.method).toBe('POST');
    expect(init.body).toBe(file);
    expect(init.headers['Content-Type']).toBe('application/pdf');
    expect(init.headers['X-Creek-File-Name']).toBe(encodeURIComponent('报价单 v2.pdf'));
    expect(init.headers['X-Creek-CSRF']).toBe('tok-1');
    expect(init.credentials).toBe('same-origin');
  });

  it('sends an untyped file as application/octet-stream, under a given name', async () => {
    const fetchMock = stubFetch(async () => json(201, META));
    await uploadFile('w0123456789ab', new Blob(['x']), { name: 'a b.bin' });
    const [, init] = fetchMock.mock.calls[0];
    expect(init.headers['Content-Type']).toBe('application/octet-stream');
    expect(init.headers['X-Creek-File-Name']).toBe('a%20b.bin');
  });

  it('rejects with the server error (413 past the size limit)', async () => {
    stubFetch(async () => json(413, { error: { code: 'too_big', message: 'file too big' } }));
    const err = await uploadFile('w0123456789ab', new File(['x'], 'a.txt')).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(413);
    expect(err.code).toBe('too_big');
  });

  it('is cancelled by its signal', async () => {
    stubFetch(
      (url, init) =>
        new Promise((resolve, reject) => {
          init.signal.addEventListener('abort', () => {
            const e = new Error('aborted');
            e.name = 'AbortError';
            reject(e);
          });
        }),
    );
    const controller = new AbortController();
    const pending = uploadFile('w0123456789ab', new File(['x'], 'a.txt'), {
      signal: controller.signal,
    });
    controller.abort();
    const err = await pending.catch((e) => e);
    expect(err.name).toBe('AbortError');
  });
});

describe('file checks', () => {
  const t = (key, params) => `${key} ${JSON.stringify(params)}`;
  const field = (type, options = {}) => ({ id: 'f1', type, options });

  it('matches extensions, type families and exact types', () => {
    expect(accepts([], { name: 'a.exe', type: '' })).toBe(true);
    expect(accepts(['.pdf'], { name: 'A.PDF', type: '' })).toBe(true);
    expect(accepts(['image/*'], { name: 'a.png', type: 'image/png' })).toBe(true);
    expect(accepts(['image/*'], { name: 'a.txt', type: 'text/plain' })).toBe(false);
    expect(accepts(['application/pdf'], { name: 'x', type: 'application/pdf' })).toBe(true);
  });

  it('knows the limits of a field', () => {
    expect(acceptList(field('image'))).toEqual(['image/*']);
    expect(acceptList(field('attachment'))).toEqual([]);
    expect(acceptList(field('attachment', { accept: ['.pdf'] }))).toEqual(['.pdf']);
    expect(maxSizeOf(field('attachment', { max_size: 1024 }))).toBe(1024);
    expect(maxSizeOf(field('attachment'))).toBe(50 * 1024 * 1024);
    expect(maxFilesOf(field('attachment', { max_files: 3 }))).toBe(3);
    expect(maxFilesOf(field('attachment', { max_files: 500 }))).toBe(50);
  });

  it('refuses a file too big or of the wrong type, before upload', () => {
    const f = field('attachment', { max_size: 1024, accept: ['.pdf'] });
    expect(fileProblem(f, { name: 'a.pdf', size: 10, type: 'application/pdf' }, t)).toBe('');
    expect(fileProblem(f, { name: 'a.pdf', size: 2048, type: 'application/pdf' }, t)).toBe(
      'fields.errors.fileTooBig {"name":"a.pdf","size":"1.0 KB"}',
    );
    expect(fileProblem(f, { name: 'a.doc', size: 10, type: '' }, t)).toBe(
      'fields.errors.fileType {"name":"a.doc"}',
    );
  });

  it('builds the URL of a record file', () => {
    expect(recordFileUrl('w0123456789ab', 7, 12, 'ff')).toBe(
      '/api/v1/workspaces/w0123456789ab/apps/7/records/12/files/ff',
    );
    expect(recordFileUrl('w0123456789ab', 7, 12, 'ff', { inline: true })).toBe(
      '/api/v1/workspaces/w0123456789ab/apps/7/records/12/files/ff?inline=1',
    );
  });
});

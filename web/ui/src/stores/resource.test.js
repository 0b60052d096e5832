import { describe, expect, it, vi } from 'vitest';
import { createResource } from './resource.js';

const deferred = () => {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

describe('createResource', () => {
  it('holds the last value and the last error without rejecting', async () => {
    const read = vi.fn(async (x) => [x]);
    const r = createResource(read, () => []);
    await r.load(1);
    expect(r.state).toMatchObject({ value: [1], error: null, loading: false, loaded: true });
    const err = new Error('down');
    read.mockRejectedValueOnce(err);
    await expect(r.load(2)).resolves.toBeUndefined();
    expect(r.state.value).toEqual([1]);
    expect(r.state.error).toBe(err);
  });

  it('lets the newest of overlapping reads win', async () => {
    const first = deferred();
    const second = deferred();
    const read = vi.fn().mockReturnValueOnce(first.promise).mockReturnValueOnce(second.promise);
    const r = createResource(read, () => null);
    const a = r.load();
    const b = r.load();
    second.resolve('new');
    await b;
    first.resolve('old');
    await a;
    expect(r.state.value).toBe('new');
    expect(r.state.loading).toBe(false);
  });

  it('reset drops the value and ignores a read still running', async () => {
    const pending = deferred();
    const r = createResource(
      () => pending.promise,
      () => 'empty',
    );
    const run = r.load();
    r.reset();
    pending.resolve('stale');
    await run;
    expect(r.state).toMatchObject({ value: 'empty', loaded: false, loading: false });
  });
});

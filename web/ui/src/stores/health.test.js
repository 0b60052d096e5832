import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHealthStore } from './health.js';
import { ApiError } from '../api/client.js';

class FakeDocument extends EventTarget {
  visibilityState = 'visible';

  setVisibility(state) {
    this.visibilityState = state;
    this.dispatchEvent(new Event('visibilitychange'));
  }
}

const HEALTH = { status: 'ok', uptime_s: 1 };

describe('health store', () => {
  let doc;
  let fetchHealth;
  let store;

  beforeEach(() => {
    vi.useFakeTimers();
    doc = new FakeDocument();
    fetchHealth = vi.fn(async () => HEALTH);
    store = createHealthStore({ fetchHealth, doc, intervalMs: 5000 });
  });

  afterEach(() => {
    store.stop();
    vi.useRealTimers();
  });

  it('fetches at once on start, then every interval', async () => {
    store.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetchHealth).toHaveBeenCalledTimes(1);
    expect(store.state.health).toEqual(HEALTH);
    expect(store.state.lastUpdated).toBeInstanceOf(Date);
    await vi.advanceTimersByTimeAsync(5000);
    expect(fetchHealth).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(10000);
    expect(fetchHealth).toHaveBeenCalledTimes(4);
  });

  it('pauses while the page is hidden and refreshes when it is visible again', async () => {
    store.start();
    await vi.advanceTimersByTimeAsync(0);
    doc.setVisibility('hidden');
    await vi.advanceTimersByTimeAsync(30000);
    expect(fetchHealth).toHaveBeenCalledTimes(1);
    doc.setVisibility('visible');
    await vi.advanceTimersByTimeAsync(0);
    expect(fetchHealth).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(5000);
    expect(fetchHealth).toHaveBeenCalledTimes(3);
  });

  it('stops polling after the last stop', async () => {
    store.start();
    store.start();
    await vi.advanceTimersByTimeAsync(0);
    store.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(fetchHealth).toHaveBeenCalledTimes(2);
    store.stop();
    await vi.advanceTimersByTimeAsync(20000);
    expect(fetchHealth).toHaveBeenCalledTimes(2);
  });

  it('keeps the last health document when a refresh fails, and clears the error after', async () => {
    await store.refresh();
    const err = new ApiError({ status: 0, code: 'network', message: 'Failed to fetch' });
    fetchHealth.mockRejectedValueOnce(err);
    await store.refresh();
    expect(store.state.error).toBe(err);
    expect(store.state.health).toEqual(HEALTH);
    await store.refresh();
    expect(store.state.error).toBeNull();
  });

  it('shares one request between concurrent refreshes', async () => {
    let release;
    fetchHealth.mockImplementationOnce(() => new Promise((resolve) => (release = resolve)));
    const a = store.refresh();
    const b = store.refresh();
    expect(store.state.loading).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    release(HEALTH);
    await Promise.all([a, b]);
    expect(fetchHealth).toHaveBeenCalledTimes(1);
    expect(store.state.loading).toBe(false);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  SAMPLE_OVERLAP_MS,
  SAMPLE_WINDOW_MS,
  createClusterStore,
  groupSamplesByNode,
  mergeSamples,
  samplesSince,
} from './cluster.js';
import { ApiError } from '../api/client.js';

class FakeDocument extends EventTarget {
  visibilityState = 'visible';

  setVisibility(state) {
    this.visibilityState = state;
    this.dispatchEvent(new Event('visibilitychange'));
  }
}

const T0 = Date.UTC(2026, 10, 28, 10, 0, 0);
const CLUSTER = {
  self_id: '1',
  leader_id: '1',
  voters_wanted: 3,
  standbys_wanted: 3,
  nodes: [{ id: '1', address: '127.0.0.1:9443', role: 'voter', is_leader: true, reachable: true }],
};
const sample = (nodeId, atMs, latencyMs = 1.5) => ({
  node_id: nodeId,
  at_ms: atMs,
  reachable: latencyMs !== null,
  latency_ms: latencyMs,
});

describe('cluster store', () => {
  let doc;
  let fetchCluster;
  let fetchSamples;
  let store;

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    doc = new FakeDocument();
    fetchCluster = vi.fn(async () => CLUSTER);
    fetchSamples = vi.fn(async () => []);
    store = createClusterStore({ fetchCluster, fetchSamples, doc, intervalMs: 5000 });
  });

  afterEach(() => {
    store.stop();
    vi.useRealTimers();
  });

  it('fetches the cluster and 30 minutes of samples at once on start, then every interval', async () => {
    store.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetchCluster).toHaveBeenCalledTimes(1);
    expect(fetchSamples).toHaveBeenCalledWith(T0 - SAMPLE_WINDOW_MS);
    expect(store.state.cluster).toEqual(CLUSTER);
    expect(store.state.lastUpdated).toEqual(new Date(T0));
    expect(store.state.windowEndMs).toBe(T0);
    expect(store.state.windowStartMs).toBe(T0 - SAMPLE_WINDOW_MS);
    await vi.advanceTimersByTimeAsync(5000);
    expect(fetchCluster).toHaveBeenCalledTimes(2);
    expect(fetchSamples).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(10000);
    expect(fetchCluster).toHaveBeenCalledTimes(4);
  });

  it('asks only for new samples once it holds some, and keeps 30 minutes of them', async () => {
    fetchSamples.mockResolvedValueOnce([
      sample('1', T0 - SAMPLE_WINDOW_MS + 1000),
      sample('1', T0 - 10000, 1.2),
      sample('2', T0 - 10000, null),
    ]);
    await store.refresh();
    expect(Object.keys(store.state.samplesByNode).sort()).toEqual(['1', '2']);
    expect(store.state.samplesByNode['1']).toHaveLength(2);

    vi.setSystemTime(T0 + 5000);
    fetchSamples.mockResolvedValueOnce([
      sample('1', T0 - 10000, 1.3), // sent again (overlap): replaces the one held
      sample('1', T0, 2.0),
    ]);
    await store.refresh();
    expect(fetchSamples).toHaveBeenLastCalledWith(T0 - 10000 - SAMPLE_OVERLAP_MS);
    // The oldest sample has left the window (it now starts at T0 + 5000 - 30 min).
    expect(store.state.samplesByNode['1'].map((s) => [s.at_ms, s.latency_ms])).toEqual([
      [T0 - 10000, 1.3],
      [T0, 2.0],
    ]);
    expect(store.state.samplesByNode['2']).toHaveLength(1);
    expect(store.state.windowEndMs).toBe(T0 + 5000);
  });

  it('ends the window at the newest sample when the server clock is ahead', async () => {
    fetchSamples.mockResolvedValueOnce([sample('1', T0 + 60000)]);
    await store.refresh();
    expect(store.state.windowEndMs).toBe(T0 + 60000);
    expect(store.state.windowStartMs).toBe(T0 + 60000 - SAMPLE_WINDOW_MS);
  });

  it('keeps the last cluster when a refresh fails with 503, and clears the error after', async () => {
    await store.refresh();
    const err = new ApiError({ status: 503, code: 'unavailable', message: 'no leader' });
    fetchCluster.mockRejectedValueOnce(err);
    await store.refresh();
    expect(store.state.error).toBe(err);
    expect(store.state.cluster).toEqual(CLUSTER);
    await store.refresh();
    expect(store.state.error).toBeNull();
  });

  it('reports a samples failure on its own and keeps the samples held', async () => {
    fetchSamples.mockResolvedValueOnce([sample('1', T0 - 1000)]);
    await store.refresh();
    const err = new ApiError({ status: 0, code: 'network', message: 'Failed to fetch' });
    fetchSamples.mockRejectedValueOnce(err);
    fetchCluster.mockResolvedValueOnce({ ...CLUSTER, leader_id: '' });
    await store.refresh();
    expect(store.state.samplesError).toBe(err);
    expect(store.state.error).toBeNull();
    expect(store.state.cluster.leader_id).toBe('');
    expect(store.state.samplesByNode['1']).toHaveLength(1);
    await store.refresh();
    expect(store.state.samplesError).toBeNull();
  });

  it('shows the first failure with no data yet as an error, not as loading', async () => {
    fetchCluster.mockRejectedValueOnce(new ApiError({ status: 0, code: 'timeout', message: 'x' }));
    await store.refresh();
    expect(store.state.cluster).toBeNull();
    expect(store.state.error.code).toBe('timeout');
    expect(store.state.loading).toBe(false);
  });

  it('pauses while the page is hidden and stops after the last stop', async () => {
    store.start();
    await vi.advanceTimersByTimeAsync(0);
    doc.setVisibility('hidden');
    await vi.advanceTimersByTimeAsync(30000);
    expect(fetchCluster).toHaveBeenCalledTimes(1);
    doc.setVisibility('visible');
    await vi.advanceTimersByTimeAsync(0);
    expect(fetchCluster).toHaveBeenCalledTimes(2);
    store.stop();
    await vi.advanceTimersByTimeAsync(30000);
    expect(fetchCluster).toHaveBeenCalledTimes(2);
  });

  it('shares one request between concurrent refreshes', async () => {
    let release;
    fetchCluster.mockImplementationOnce(() => new Promise((resolve) => (release = resolve)));
    const a = store.refresh();
    const b = store.refresh();
    expect(store.state.loading).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    release(CLUSTER);
    await Promise.all([a, b]);
    expect(fetchCluster).toHaveBeenCalledTimes(1);
    expect(fetchSamples).toHaveBeenCalledTimes(1);
    expect(store.state.loading).toBe(false);
  });
});

describe('sample helpers', () => {
  it('mergeSamples sorts, removes duplicates, old and malformed samples', () => {
    const held = mergeSamples([], [sample('1', 300), sample('1', 100)], 0);
    expect(held.map((s) => s.at_ms)).toEqual([100, 300]);
    expect(Object.isFrozen(held[0])).toBe(true);
    const merged = mergeSamples(
      held,
      [
        sample('1', 300, 9),
        sample('2', 200),
        sample('1', 50),
        { node_id: 1, at_ms: 400 },
        { node_id: '1', at_ms: 'soon' },
        null,
      ],
      100,
    );
    expect(merged.map((s) => `${s.node_id}@${s.at_ms}`)).toEqual(['1@100', '2@200', '1@300']);
    expect(merged[2].latency_ms).toBe(9);
  });

  it('groupSamplesByNode groups in order and freezes the result', () => {
    const groups = groupSamplesByNode([sample('1', 1), sample('2', 2), sample('1', 3)]);
    expect(groups['1'].map((s) => s.at_ms)).toEqual([1, 3]);
    expect(groups['2']).toHaveLength(1);
    expect(Object.isFrozen(groups)).toBe(true);
    expect(Object.isFrozen(groups['1'])).toBe(true);
  });

  it('samplesSince asks for the window, or from just before the newest sample', () => {
    expect(samplesSince([], T0)).toBe(T0 - SAMPLE_WINDOW_MS);
    expect(samplesSince([sample('1', T0 - 5000)], T0)).toBe(T0 - 5000 - SAMPLE_OVERLAP_MS);
    expect(samplesSince([sample('1', T0 - SAMPLE_WINDOW_MS - 60000)], T0)).toBe(
      T0 - SAMPLE_WINDOW_MS,
    );
  });
});

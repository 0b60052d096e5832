// Server state for the cluster nodes page: the last cluster document (GET /api/v1/cluster), the
// latency samples of the last 30 minutes (GET /api/v1/cluster/health-samples), their errors, and
// polling every 5 s while the page is visible (polling.js).
//
// Samples are fetched incrementally: the first refresh asks for the whole window, later ones only
// from shortly before the newest sample held, and the answers are merged (one sample per node and
// at_ms) and trimmed to the window.
import { reactive, readonly } from 'vue';
import { getCluster, getHealthSamples } from '../api/cluster.js';
import { createPolling, singleFlight } from './polling.js';

export const CLUSTER_POLL_MS = 5000;
export const SAMPLE_WINDOW_MS = 30 * 60 * 1000;
// Later refreshes ask again from this long before the newest sample held, in case a sample with an
// earlier at_ms was stored after the previous answer (probes of several nodes finishing late).
export const SAMPLE_OVERLAP_MS = 30 * 1000;

const isSample = (s) =>
  s !== null &&
  typeof s === 'object' &&
  typeof s.node_id === 'string' &&
  typeof s.at_ms === 'number' &&
  Number.isFinite(s.at_ms);

/**
 * Merges newly fetched samples into the ones held: one sample per (node_id, at_ms), the newer
 * answer winning; malformed entries and samples before fromMs are dropped.
 * @param {object[]} held sorted by at_ms
 * @param {unknown[]} incoming
 * @param {number} fromMs start of the window (epoch ms)
 * @returns {object[]} a new array, sorted by at_ms, of frozen samples
 */
export function mergeSamples(held, incoming, fromMs) {
  const byKey = new Map();
  for (const s of [...held, ...incoming]) {
    if (isSample(s) && s.at_ms >= fromMs) byKey.set(`${s.node_id}\u0000${s.at_ms}`, s);
  }
  return [...byKey.values()]
    .map((s) => (Object.isFrozen(s) ? s : Object.freeze({ ...s })))
    .sort((a, b) => a.at_ms - b.at_ms);
}

/**
 * @param {object[]} samples sorted by at_ms
 * @returns {Readonly<Record<string, readonly object[]>>} node id -> its samples, sorted by at_ms;
 *   frozen, so Vue keeps it out of reactivity (it is replaced as a whole on each refresh)
 */
export function groupSamplesByNode(samples) {
  const groups = {};
  for (const s of samples) (groups[s.node_id] ??= []).push(s);
  for (const id of Object.keys(groups)) Object.freeze(groups[id]);
  return Object.freeze(groups);
}

/** The since_ms of the next samples request. */
export function samplesSince(held, nowMs) {
  const windowStart = nowMs - SAMPLE_WINDOW_MS;
  if (held.length === 0) return windowStart;
  return Math.max(windowStart, held[held.length - 1].at_ms - SAMPLE_OVERLAP_MS);
}

/**
 * @param {object} [deps] injectable for tests
 * @param {() => Promise<object>} [deps.fetchCluster]
 * @param {(sinceMs: number) => Promise<object[]>} [deps.fetchSamples]
 * @param {number} [deps.intervalMs]
 * @param {Document} [deps.doc] source of visibilityState / visibilitychange
 * @param {() => Date} [deps.now]
 */
export function createClusterStore(deps = {}) {
  const {
    fetchCluster = getCluster,
    fetchSamples = getHealthSamples,
    intervalMs = CLUSTER_POLL_MS,
    doc = globalThis.document,
    now = () => new Date(),
  } = deps;

  const state = reactive({
    cluster: null, // last cluster document received
    error: null, // error of the last cluster refresh, null after a success
    samplesByNode: Object.freeze({}), // see groupSamplesByNode()
    samplesError: null, // error of the last samples refresh, null after a success
    // The chart window: the 30 minutes up to the last refresh, or up to the newest sample when the
    // server's clock is ahead of this browser's.
    windowStartMs: 0,
    windowEndMs: 0,
    loading: false,
    lastUpdated: null, // Date of the last successful cluster refresh
  });

  let samples = []; // what samplesByNode is made from; sorted by at_ms

  function applySamples(incoming, nowMs) {
    const newest = incoming.reduce((max, s) => (isSample(s) ? Math.max(max, s.at_ms) : max), 0);
    const end = Math.max(nowMs, newest, samples.at(-1)?.at_ms ?? 0);
    samples = mergeSamples(samples, incoming, end - SAMPLE_WINDOW_MS);
    state.samplesByNode = groupSamplesByNode(samples);
    state.windowStartMs = end - SAMPLE_WINDOW_MS;
    state.windowEndMs = end;
  }

  async function load() {
    const at = now();
    const nowMs = at.getTime();
    const [cluster, fetched] = await Promise.allSettled([
      Promise.resolve().then(() => fetchCluster()),
      Promise.resolve().then(() => fetchSamples(samplesSince(samples, nowMs))),
    ]);
    if (cluster.status === 'fulfilled') {
      state.cluster = cluster.value;
      state.error = null;
      state.lastUpdated = at;
    } else {
      state.error = cluster.reason;
    }
    if (fetched.status === 'fulfilled') {
      applySamples(fetched.value, nowMs);
      state.samplesError = null;
    } else {
      state.samplesError = fetched.reason;
    }
  }

  /** Fetches once. Concurrent calls share one request. Never rejects: failures go to the state. */
  const refresh = singleFlight(state, load);

  const polling = createPolling(refresh, { intervalMs, doc });

  return { state: readonly(state), refresh, ...polling };
}

let shared = null;

/** The app-wide cluster store. */
export function useClusterStore() {
  shared ??= createClusterStore();
  return shared;
}

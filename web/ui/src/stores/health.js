// Server state for the node health page: the last health document, the last error, and polling
// every 5 s while the page is visible (polling.js).
import { reactive, readonly } from 'vue';
import { getHealth } from '../api/health.js';
import { createPolling, singleFlight } from './polling.js';

export const HEALTH_POLL_MS = 5000;

/**
 * @param {object} [deps] injectable for tests
 * @param {() => Promise<object>} [deps.fetchHealth]
 * @param {number} [deps.intervalMs]
 * @param {Document} [deps.doc] source of visibilityState / visibilitychange
 * @param {() => Date} [deps.now]
 */
export function createHealthStore(deps = {}) {
  const {
    fetchHealth = getHealth,
    intervalMs = HEALTH_POLL_MS,
    doc = globalThis.document,
    now = () => new Date(),
  } = deps;

  const state = reactive({
    health: null, // last health document received
    error: null, // error of the last refresh, null after a success
    loading: false,
    lastUpdated: null, // Date of the last successful refresh
  });

  /** Fetches once. Concurrent calls share one request. Never rejects: failures go to state.error. */
  const refresh = singleFlight(state, async () => {
    state.health = await fetchHealth();
    state.error = null;
    state.lastUpdated = now();
  });

  const polling = createPolling(refresh, { intervalMs, doc });

  return { state: readonly(state), refresh, ...polling };
}

let shared = null;

/** The app-wide health store. */
export function useHealthStore() {
  shared ??= createHealthStore();
  return shared;
}

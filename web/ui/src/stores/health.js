// Server state for the node health page: the last health document, the last error, and polling
// every 5 s while the page is visible (no requests from a hidden tab; one right away when it
// becomes visible again).
import { onBeforeUnmount, onMounted, reactive, readonly } from 'vue';
import { getHealth } from '../api/health.js';

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

  let inflight = null;
  let timer = null;
  let subscribers = 0;

  /** Fetches once. Concurrent calls share one request. Never rejects: failures go to state.error. */
  function refresh() {
    if (inflight) return inflight;
    state.loading = true;
    inflight = Promise.resolve()
      .then(() => fetchHealth())
      .then(
        (health) => {
          state.health = health;
          state.error = null;
          state.lastUpdated = now();
        },
        (err) => {
          state.error = err;
        },
      )
      .finally(() => {
        state.loading = false;
        inflight = null;
      });
    return inflight;
  }

  const isVisible = () => !doc || doc.visibilityState !== 'hidden';

  function cancelTimer() {
    clearTimeout(timer);
    timer = null;
  }

  function schedule() {
    cancelTimer();
    if (subscribers > 0 && isVisible()) timer = setTimeout(tick, intervalMs);
  }

  async function tick() {
    cancelTimer();
    await refresh();
    schedule();
  }

  function onVisibilityChange() {
    if (isVisible()) tick();
    else cancelTimer();
  }

  /** Starts polling (reference counted: each start needs one stop). */
  function start() {
    subscribers += 1;
    if (subscribers > 1) return;
    doc?.addEventListener('visibilitychange', onVisibilityChange);
    tick();
  }

  function stop() {
    if (subscribers === 0) return;
    subscribers -= 1;
    if (subscribers > 0) return;
    doc?.removeEventListener('visibilitychange', onVisibilityChange);
    cancelTimer();
  }

  /** For components: polls while the component is mounted. */
  function usePolling() {
    onMounted(start);
    onBeforeUnmount(stop);
  }

  return { state: readonly(state), refresh, start, stop, usePolling };
}

let shared = null;

/** The app-wide health store. */
export function useHealthStore() {
  shared ??= createHealthStore();
  return shared;
}

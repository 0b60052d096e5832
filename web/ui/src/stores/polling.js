// Polling shared by the stores: run a refresh at once, then every intervalMs while at least one
// page wants it and the tab is visible. A hidden tab sends no requests; it refreshes at once when
// it becomes visible again.
import { onBeforeUnmount, onMounted } from 'vue';

/**
 * @param {() => Promise<void>} refresh must not reject (stores put failures into their state)
 * @param {object} options
 * @param {number} options.intervalMs pause between the end of one refresh and the next
 * @param {Document} [options.doc] source of visibilityState / visibilitychange
 * @returns {{start: () => void, stop: () => void, usePolling: () => void}}
 */
export function createPolling(refresh, { intervalMs, doc }) {
  let timer = null;
  let subscribers = 0;

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

  return { start, stop, usePolling };
}

/**
 * A refresh that runs load() once at a time: concurrent calls share one run. It sets
 * state.loading while running and never rejects: a throw from load() goes to state.error.
 * @param {{loading: boolean, error: unknown}} state reactive store state
 * @param {() => Promise<void>} load
 * @returns {() => Promise<void>}
 */
export function singleFlight(state, load) {
  let inflight = null;
  return function refresh() {
    if (inflight) return inflight;
    state.loading = true;
    inflight = Promise.resolve()
      .then(load)
      .catch((err) => {
        state.error = err;
      })
      .finally(() => {
        state.loading = false;
        inflight = null;
      });
    return inflight;
  };
}

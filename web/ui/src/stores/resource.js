// A piece of server state that is read as a whole (a list of departments, of apps, ...): the last
// value, the error of the last read, and whether a read is running. load() never rejects: a
// failure goes to state.error and the last value stays. When reads overlap, the last one started
// wins, so switching workspaces quickly never shows the previous workspace's answer.
import { reactive } from 'vue';

/**
 * @template T
 * @param {(...args: unknown[]) => Promise<T>} read
 * @param {() => T} initial the value before the first read and after reset()
 */
export function createResource(read, initial) {
  const state = reactive({
    value: initial(),
    error: null,
    loading: false,
    loaded: false, // a read has succeeded since the last reset
  });
  let generation = 0;

  async function load(...args) {
    const mine = ++generation;
    state.loading = true;
    try {
      const value = await read(...args);
      if (mine !== generation) return;
      state.value = value;
      state.error = null;
      state.loaded = true;
    } catch (err) {
      if (mine === generation) state.error = err;
    } finally {
      if (mine === generation) state.loading = false;
    }
  }

  function reset() {
    generation += 1;
    state.value = initial();
    state.error = null;
    state.loading = false;
    state.loaded = false;
  }

  return { state, load, reset };
}

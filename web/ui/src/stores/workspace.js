// The current workspace as GET /workspaces/{ws} describes it, with the caller's rights (`me`),
// read into an access object (utils/access.js) for the menu and the pages.
import { computed, readonly } from 'vue';
import { getWorkspace } from '../api/workspace.js';
import { workspaceAccess } from '../utils/access.js';
import { createResource } from './resource.js';

/**
 * @param {object} [deps]
 * @param {(ws: string) => Promise<object>} [deps.fetchWorkspace]
 */
export function createWorkspaceStore(deps = {}) {
  const { fetchWorkspace = getWorkspace } = deps;
  const resource = createResource(
    (ws) => fetchWorkspace(ws),
    () => null,
  );
  let current = '';
  let inflight = null;

  /** Reads the workspace unless it is held or being read (force: read it again). Never rejects. */
  function load(ws, { force = false } = {}) {
    if (ws !== current) {
      resource.reset();
      current = ws;
      inflight = null;
    } else if (!force) {
      if (inflight) return inflight;
      if (resource.state.loaded) return Promise.resolve();
    }
    if (!ws) return Promise.resolve();
    const run = resource.load(ws).finally(() => {
      if (inflight === run) inflight = null;
    });
    inflight = run;
    return run;
  }

  const access = computed(() => workspaceAccess(resource.state.value));

  return {
    state: readonly(resource.state),
    access,
    load,
    reload: () => load(current, { force: true }),
    currentId: () => current,
    reset: () => {
      current = '';
      inflight = null;
      resource.reset();
    },
  };
}

let shared = null;

/** The app-wide store of the current workspace. */
export function useWorkspaceStore() {
  shared ??= createWorkspaceStore();
  return shared;
}

// The apps of the current workspace. Who may add, rename or delete comes from the workspace
// store (me.permissions.add_app, me.apps[id]), read again after each change since a new app
// brings new rights with it.
import { readonly } from 'vue';
import * as appsApi from '../api/apps.js';
import { createResource } from './resource.js';

/**
 * @param {object} [deps]
 * @param {Partial<typeof appsApi>} [deps.api]
 * @param {() => Promise<void>} [deps.afterChange] e.g. re-reading the workspace's rights
 */
export function createAppsStore(deps = {}) {
  const api = { ...appsApi, ...deps.api };
  let ws = '';
  let afterChange = deps.afterChange ?? (async () => {});
  const apps = createResource(
    () => api.listApps(ws),
    () => [],
  );

  const changed = async (promise) => {
    const result = await promise;
    await Promise.all([apps.load(), afterChange()]);
    return result;
  };

  return {
    apps: readonly(apps.state),
    use(id) {
      if (id === ws) return false;
      ws = id;
      apps.reset();
      return true;
    },
    onChange(fn) {
      afterChange = fn;
    },
    load: apps.load,
    create: (name) => changed(api.createApp(ws, name)),
    rename: (id, name) => changed(api.renameApp(ws, id, name)),
    remove: (id) => changed(api.deleteApp(ws, id)),
  };
}

let shared = null;

export function useAppsStore() {
  shared ??= createAppsStore();
  return shared;
}

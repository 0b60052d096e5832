// The apps of the current workspace, their groups and order (GET /apps), and the apps' recycle
// bin. Who may add, change or delete comes from the workspace store (me.permissions.add_app,
// me.apps[id]), read again after each change since a new app brings new rights with it.
import { computed, reactive, readonly, toRef } from 'vue';
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
  const layout = createResource(
    () => api.getApps(ws),
    () => ({ apps: [], groups: [] }),
  );
  const bin = createResource(
    () => api.listAppBin(ws),
    () => ({ apps: [], recycleDays: null }),
  );

  // The apps list as a resource of its own ({value, error, loading, loaded}): the permission
  // pages read it so.
  const apps = reactive({
    value: computed(() => layout.state.value.apps),
    error: toRef(layout.state, 'error'),
    loading: toRef(layout.state, 'loading'),
    loaded: toRef(layout.state, 'loaded'),
  });

  const changed = async (promise) => {
    const result = await promise;
    await Promise.all([layout.load(), afterChange()]);
    return result;
  };

  return {
    apps: readonly(apps),
    /** {value: {apps, groups}, error, loading, loaded} */
    layout: readonly(layout.state),
    /** {value: {apps, recycleDays}, error, loading, loaded} */
    bin: readonly(bin.state),
    use(id) {
      if (id === ws) return false;
      ws = id;
      layout.reset();
      bin.reset();
      return true;
    },
    onChange(fn) {
      afterChange = fn;
    },
    load: layout.load,
    loadBin: bin.load,
    /** The app with this id from the list read last, or null. */
    find: (id) => layout.state.value.apps.find((a) => String(a.id) === String(id)) ?? null,
    /** @param {{name: string, icon?: string, color?: string, group_id?: number | null}} body */
    create: (body) => changed(api.createApp(ws, body)),
    update: (id, fields) => changed(api.patchApp(ws, id, fields)),
    rename: (id, name) => changed(api.patchApp(ws, id, { name })),
    async remove(id) {
      await changed(api.deleteApp(ws, id));
    },
    async restore(id) {
      const app = await api.restoreApp(ws, id);
      await Promise.all([layout.load(), bin.load(), afterChange()]);
      return app;
    },
    /** PUT /app-layout; the answer is the new list (no second read). */
    async saveLayout(body) {
      try {
        const answer = await api.putAppLayout(ws, body);
        layout.reset();
        Object.assign(layout.state, { value: answer, loaded: true });
        return answer;
      } catch (err) {
        // The arrangement shown may be stale (409: an app came or went): read it again.
        await layout.load();
        throw err;
      }
    },
  };
}

let shared = null;

export function useAppsStore() {
  shared ??= createAppsStore();
  return shared;
}

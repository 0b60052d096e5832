// Server state of the permissions page for one workspace: permission groups and API keys. The
// administrators list and the member pickers come from the contacts store (its member list).
import { readonly } from 'vue';
import * as permissionsApi from '../api/permissions.js';
import { createResource } from './resource.js';

/**
 * @param {object} [deps]
 * @param {Partial<typeof permissionsApi>} [deps.api]
 */
export function createPermissionsStore(deps = {}) {
  const api = { ...permissionsApi, ...deps.api };
  let ws = '';
  const groups = createResource(
    () => api.listPermissionGroups(ws),
    () => [],
  );
  const apiKeys = createResource(
    () => api.listApiKeys(ws),
    () => [],
  );

  const then = (reload) => async (promise) => {
    const result = await promise;
    await reload();
    return result;
  };
  const withGroups = then(groups.load);
  const withKeys = then(apiKeys.load);

  return {
    groups: readonly(groups.state),
    apiKeys: readonly(apiKeys.state),
    /** Points the store at a workspace; what was held for another one is dropped. */
    use(id) {
      if (id === ws) return false;
      ws = id;
      groups.reset();
      apiKeys.reset();
      return true;
    },
    loadGroups: groups.load,
    loadApiKeys: apiKeys.load,
    createGroup: (body) => withGroups(api.createPermissionGroup(ws, body)),
    updateGroup: (id, fields) => withGroups(api.patchPermissionGroup(ws, id, fields)),
    deleteGroup: (id) => withGroups(api.deletePermissionGroup(ws, id)),
    /** Resolves to the new key entry with its `key`, shown once. */
    createApiKey: (name, ttlDays) => withKeys(api.createApiKey(ws, name, ttlDays)),
    rotateApiKey: (id) => withKeys(api.rotateApiKey(ws, id)),
    revokeApiKey: (id) => withKeys(api.revokeApiKey(ws, id)),
  };
}

let shared = null;

export function usePermissionsStore() {
  shared ??= createPermissionsStore();
  return shared;
}

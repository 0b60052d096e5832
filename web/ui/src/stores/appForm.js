// The form of the app being looked at (GET apps/{app}/form): its fields and version, shared by
// the app's pages (table, submit, designer). Saving sends the version that was loaded; the
// server's 409 (someone saved since) reaches the caller, who offers to read it again.
import { readonly } from 'vue';
import * as formsApi from '../api/forms.js';
import { createResource } from './resource.js';

const EMPTY = () => ({
  app_id: null,
  version: 0,
  fields: [],
  removed_fields: [],
  updated_at: null,
  updated_by: null,
});

/** A definition with the lists it must have, whatever the answer lacked. */
export function normalizeForm(body) {
  return {
    ...EMPTY(),
    ...body,
    version: Number.isInteger(body?.version) ? body.version : 0,
    fields: Array.isArray(body?.fields) ? body.fields : [],
    // removed fields whose data is kept: [{id, type, label}] (their ids stay taken)
    removed_fields: Array.isArray(body?.removed_fields) ? body.removed_fields : [],
  };
}

/**
 * @param {object} [deps]
 * @param {Partial<typeof formsApi>} [deps.api]
 */
export function createFormStore(deps = {}) {
  const api = { ...formsApi, ...deps.api };
  let ws = '';
  let app = '';
  const form = createResource(async () => normalizeForm(await api.getForm(ws, app)), EMPTY);

  return {
    /** {value: {version, fields, ...}, error, loading, loaded} */
    form: readonly(form.state),
    /** Points the store at an app; true when that changed it (the old form is forgotten). */
    use(wsId, appId) {
      const key = String(appId ?? '');
      if (wsId === ws && key === app) return false;
      ws = wsId;
      app = key;
      form.reset();
      return true;
    },
    current: () => ({ ws, app }),
    load: () => form.load(),
    /**
     * PUT the fields with the version loaded; the answer becomes the form.
     * @returns {Promise<object>} the new definition
     */
    async save(fields) {
      const answer = normalizeForm(await api.putForm(ws, app, form.state.value.version, fields));
      form.state.value = answer;
      form.state.error = null;
      return answer;
    },
  };
}

let shared = null;

export function useFormStore() {
  shared ??= createFormStore();
  return shared;
}

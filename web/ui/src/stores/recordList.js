// One list of an app's records (the data table, the recycle bin): the query it was read with and
// keyset pages (forms contract, POST records/query: no total; each answer's `next` cursor reads
// the page after it). Two ways through: pages with next/previous (the table), or "load more"
// appending to what is shown (phone cards). One list per page instance, not a shared store.
import { reactive, readonly } from 'vue';
import { buildQuery } from '../views/records/filterQuery.js';
import { mergeRefs } from '../views/records/recordValues.js';

export const RECORD_PAGE_SIZE = 50;

/**
 * @param {object} deps
 * @param {(body: object) => Promise<{records: object[], next: string | null, refs: object}>}
 *   deps.query the API call, bound to the workspace and app
 * @param {number} [deps.limit]
 */
export function createRecordList({ query, limit = RECORD_PAGE_SIZE }) {
  const state = reactive({
    records: [],
    refs: { members: {}, departments: {} },
    /** the cursor each page shown so far started after; [null] on the first page */
    afters: [null],
    next: null,
    loading: false,
    loaded: false,
    error: null,
  });
  let params = {};
  let generation = 0;

  async function read(after, { append = false } = {}) {
    const mine = ++generation;
    state.loading = true;
    try {
      const answer = await query(buildQuery({ ...params, limit, after }));
      if (mine !== generation) return false;
      state.records = append ? [...state.records, ...answer.records] : answer.records;
      state.refs = append ? mergeRefs(state.refs, answer.refs) : mergeRefs(null, answer.refs);
      state.next = answer.next;
      state.error = null;
      state.loaded = true;
      return true;
    } catch (err) {
      if (mine === generation) state.error = err;
      return false;
    } finally {
      if (mine === generation) state.loading = false;
    }
  }

  return {
    state: readonly(state),
    /** The query in use: {filter, q, sort, deleted}. */
    params: () => params,
    /** Reads the first page of a new query. */
    load(next = params) {
      params = next;
      state.afters = [null];
      return read(null);
    },
    /** Reads the current page again (after an edit or delete). */
    reload: () => read(state.afters[state.afters.length - 1]),
    hasNext: () => state.next !== null,
    hasPrev: () => state.afters.length > 1,
    page: () => state.afters.length,
    async nextPage() {
      if (state.next === null) return false;
      const after = state.next;
      const ok = await read(after);
      if (ok) state.afters = [...state.afters, after];
      return ok;
    },
    async prevPage() {
      if (state.afters.length < 2) return false;
      const afters = state.afters.slice(0, -1);
      const ok = await read(afters[afters.length - 1]);
      if (ok) state.afters = afters;
      return ok;
    },
    /** Appends the next page to the records shown. */
    loadMore() {
      if (state.next === null) return Promise.resolve(false);
      return read(state.next, { append: true });
    },
    /** Puts a changed record in place (same id) and its refs in. */
    replace(record, refs) {
      state.records = state.records.map((r) => (r.id === record.id ? record : r));
      if (refs) state.refs = mergeRefs(state.refs, refs);
    },
    /** Takes a record off the list (deleted or restored elsewhere). */
    drop(id) {
      state.records = state.records.filter((r) => r.id !== id);
    },
  };
}

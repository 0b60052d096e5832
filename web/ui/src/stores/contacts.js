// Server state of the contacts page for one workspace: departments, roles, invite links, the
// members table (one page of one department, with search and status filter) and the full member
// list the pickers choose from. Reads never reject (errors go to each part's state); changes do,
// so the dialog that made them can show why.
import { reactive, readonly } from 'vue';
import * as orgApi from '../api/workspace.js';
import { createResource } from './resource.js';

export const MEMBER_PAGE_SIZES = [20, 50, 100];
// The pickers read every member in pages of this size, up to PICKER_MAX_MEMBERS.
export const PICKER_PAGE_SIZE = 100;
export const PICKER_MAX_MEMBERS = 5000;

/**
 * Every member, page after page (for pickers). Stops at `max`.
 * @param {(params: object) => Promise<{members: object[], total: number}>} listPage
 */
export async function readAllMembers(listPage, max = PICKER_MAX_MEMBERS) {
  const all = [];
  for (;;) {
    const { members, total } = await listPage({
      status: 'all',
      limit: PICKER_PAGE_SIZE,
      offset: all.length,
    });
    all.push(...members);
    if (members.length === 0 || all.length >= total || all.length >= max) return all;
  }
}

/**
 * @param {object} [deps]
 * @param {Partial<typeof orgApi>} [deps.api]
 */
export function createContactsStore(deps = {}) {
  const api = { ...orgApi, ...deps.api };
  let ws = '';

  const departments = createResource(
    () => api.listDepartments(ws),
    () => [],
  );
  const roles = createResource(
    () => api.listRoles(ws),
    () => [],
  );
  const inviteLinks = createResource(
    () => api.listInviteLinks(ws),
    () => [],
  );
  const everyone = createResource(
    () => readAllMembers((params) => api.listMembers(ws, params)),
    () => [],
  );
  // The members table. departmentId null: the whole workspace (the root is selected).
  const query = reactive({ departmentId: null, q: '', status: 'all', limit: 20, offset: 0 });
  const members = createResource(
    () =>
      api.listMembers(ws, {
        department_id: query.departmentId,
        q: query.q.trim(),
        status: query.status,
        limit: query.limit,
        offset: query.offset,
      }),
    () => ({ members: [], total: 0 }),
  );

  /** Points the store at a workspace; everything held for another one is dropped. */
  function use(id) {
    if (id === ws) return false;
    ws = id;
    for (const r of [departments, roles, inviteLinks, everyone, members]) r.reset();
    Object.assign(query, { departmentId: null, q: '', status: 'all', offset: 0 });
    return true;
  }

  /** Changes the table's filter (a filter change goes back to the first page) and reads it. */
  function setQuery(changes) {
    Object.assign(query, { offset: 0 }, changes);
    return members.load();
  }

  // After a change of members: the table, the counts in the tree and the pickers' list.
  const afterMemberChange = () =>
    Promise.all([members.load(), departments.load(), everyone.state.loaded && everyone.load()]);

  const changed = (reload) => async (promise) => {
    const result = await promise;
    await reload();
    return result;
  };
  const withDepartments = changed(() => Promise.all([departments.load(), members.load()]));
  const withMembers = changed(afterMemberChange);
  const withRoles = changed(() =>
    Promise.all([roles.load(), everyone.state.loaded && everyone.load()]),
  );
  const withLinks = changed(() => inviteLinks.load());

  return {
    departments: readonly(departments.state),
    roles: readonly(roles.state),
    inviteLinks: readonly(inviteLinks.state),
    everyone: readonly(everyone.state),
    members: readonly(members.state),
    query: readonly(query),
    workspace: () => ws,
    use,
    setQuery,
    loadDepartments: departments.load,
    loadRoles: roles.load,
    loadInviteLinks: inviteLinks.load,
    loadMembers: members.load,
    /** Reads the full member list once (again with force). */
    loadEveryone: (force = false) =>
      force || (!everyone.state.loaded && !everyone.state.loading) ? everyone.load() : undefined,

    createDepartment: (body) => withDepartments(api.createDepartment(ws, body)),
    updateDepartment: (id, fields) => withDepartments(api.patchDepartment(ws, id, fields)),
    deleteDepartment: (id) => withDepartments(api.deleteDepartment(ws, id)),

    addMember: (body) => withMembers(api.addMember(ws, body)),
    updateMember: (id, fields) => withMembers(api.patchMember(ws, id, fields)),
    removeMember: (id) => withMembers(api.removeMember(ws, id)),
    resetPassword: (id, password) => api.resetMemberPassword(ws, id, password),
    importCsv: (csv) => withMembers(api.importMembers(ws, csv)),
    searchAccounts: (q) => api.searchAccounts(ws, q),
    inviteAccount: (body) => api.inviteAccount(ws, body),

    createRole: (body) => withRoles(api.createRole(ws, body)),
    updateRole: (id, fields) => withRoles(api.patchRole(ws, id, fields)),
    deleteRole: (id) => withRoles(api.deleteRole(ws, id)),

    createInviteLink: (body) => withLinks(api.createInviteLink(ws, body)),
    revokeInviteLink: (id) => withLinks(api.revokeInviteLink(ws, id)),
  };
}

let shared = null;

/** The app-wide contacts store (one workspace at a time, see use()). */
export function useContactsStore() {
  shared ??= createContactsStore();
  return shared;
}

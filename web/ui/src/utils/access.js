// What the signed-in member may do in a workspace, read from GET /workspaces/{ws} → `me`. The
// server enforces every right; the UI only hides what would be refused. Pure functions, so the
// menu, the pages and the tests share one reading of the contract.
import { subtreeIds } from './departmentTree.js';

export const WORKSPACE_PERMISSIONS = [
  'manage_workspace',
  'manage_admins',
  'view_contacts',
  'manage_contacts',
  'manage_permission_groups',
  'manage_api_keys',
  'add_app',
  'template_center',
];

/** The six grants of a permission group, in display order. */
export const GROUP_GRANTS = [
  'add_app',
  'edit_app',
  'delete_app',
  'manage_data',
  'view_contacts',
  'template_center',
];

/** Roles a super administrator may give (the super administrator role itself is not given). */
export const ASSIGNABLE_ROLES = ['system_admin', 'member'];

/**
 * @param {object | null} workspace the GET /workspaces/{ws} answer, null while unknown
 * @returns {Readonly<{accountId: number | null, role: string, isSuperAdmin: boolean,
 *   isAdmin: boolean, adminDepartmentIds: number[], permissions: Record<string, boolean>,
 *   apps: Record<string, {edit: boolean, delete: boolean, manage_data: boolean}>}>}
 *   every flag false when the answer lacks it
 */
export function workspaceAccess(workspace) {
  const me = workspace?.me ?? {};
  const given = me.permissions ?? {};
  const permissions = {};
  for (const key of WORKSPACE_PERMISSIONS) permissions[key] = given[key] === true;
  const role = typeof me.role === 'string' ? me.role : 'member';
  return Object.freeze({
    accountId: Number.isInteger(me.account_id) ? me.account_id : null,
    role,
    isSuperAdmin: role === 'super_admin',
    isAdmin: role === 'super_admin' || role === 'system_admin',
    adminDepartmentIds: Array.isArray(me.admin_department_ids)
      ? me.admin_department_ids.filter(Number.isInteger)
      : [],
    permissions: Object.freeze(permissions),
    apps: me.apps !== null && typeof me.apps === 'object' ? me.apps : {},
  });
}

/** Contacts menu entry: may read the org chart, or administers part of it. */
export const canSeeContacts = (access) =>
  access.permissions.view_contacts ||
  access.permissions.manage_contacts ||
  access.adminDepartmentIds.length > 0;

/** Manages some of the contacts: the whole chart, or as department administrator. */
export const canManageSomeContacts = (access) =>
  access.permissions.manage_contacts || access.adminDepartmentIds.length > 0;

/** Permissions menu entry. */
export const canSeePermissions = (access) => access.permissions.manage_permission_groups;

export const canManageApiKeys = (access) => access.permissions.manage_api_keys;

/** Only the super administrator sets the role system_admin / member. */
export const canSetRole = (access) => access.isSuperAdmin;

export const canAddApp = (access) => access.permissions.add_app;

/**
 * @param {ReturnType<typeof workspaceAccess>} access
 * @param {number | string} appId
 * @returns {{edit: boolean, delete: boolean, manageData: boolean}}
 */
export function appRights(access, appId) {
  const rights = access.apps[String(appId)] ?? {};
  return {
    edit: rights.edit === true,
    delete: rights.delete === true,
    manageData: rights.manage_data === true,
  };
}

/**
 * The departments whose members and sub-departments this member manages: null for all of them
 * (manage_contacts), else the subtrees of the departments they administer.
 * @param {ReturnType<typeof workspaceAccess>} access
 * @param {object[]} departments the flat list
 * @returns {Set<number> | null}
 */
export function managedDepartments(access, departments) {
  if (access.permissions.manage_contacts) return null;
  return subtreeIds(departments, access.adminDepartmentIds);
}

/** May add, change and remove members of this department (and add sub-departments to it). */
export function canManageIn(access, departments, departmentId) {
  const managed = managedDepartments(access, departments);
  return managed === null || managed.has(departmentId);
}

/**
 * May rename, move, delete this department or set its supervisors and administrators: a full
 * manager, for any but the root; a department administrator, for departments below their own.
 */
export function canEditDepartment(access, departments, department) {
  if (!department || department.parent_id === null || department.parent_id === undefined) {
    return false;
  }
  return canManageIn(access, departments, department.parent_id);
}

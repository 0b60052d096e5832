import { describe, expect, it } from 'vitest';
import {
  appRights,
  canAddApp,
  canEditDepartment,
  canManageIn,
  canSeeContacts,
  canSeePermissions,
  canSetRole,
  managedDepartments,
  workspaceAccess,
} from './access.js';

const workspace = (me) => ({ id: 'w1', name: 'Acme', me });
const DEPARTMENTS = [
  { id: 1, name: 'Acme', parent_id: null },
  { id: 2, name: 'Sales', parent_id: 1 },
  { id: 3, name: 'East', parent_id: 2 },
  { id: 4, name: 'R&D', parent_id: 1 },
];

describe('workspaceAccess', () => {
  it('reads the me object of GET /workspaces/{ws}', () => {
    const access = workspaceAccess(
      workspace({
        account_id: 12,
        role: 'super_admin',
        admin_department_ids: [2],
        permissions: { manage_contacts: true, add_app: true, bogus: true },
        apps: { 7: { edit: true, delete: false, manage_data: true } },
      }),
    );
    expect(access).toMatchObject({
      accountId: 12,
      role: 'super_admin',
      isSuperAdmin: true,
      isAdmin: true,
      adminDepartmentIds: [2],
    });
    expect(access.permissions.manage_contacts).toBe(true);
    expect(access.permissions.view_contacts).toBe(false);
    expect(access.permissions).not.toHaveProperty('bogus');
    expect(Object.isFrozen(access)).toBe(true);
  });

  it('denies everything while the workspace is unknown or malformed', () => {
    for (const ws of [null, undefined, {}, workspace(null), workspace({ permissions: 'x' })]) {
      const access = workspaceAccess(ws);
      expect(access.role).toBe('member');
      expect(Object.values(access.permissions).some(Boolean)).toBe(false);
      expect(canSeeContacts(access) || canSeePermissions(access) || canAddApp(access)).toBe(false);
    }
  });
});

describe('menu and page rights', () => {
  it('contacts: view, manage, or administering a department', () => {
    const of = (me) => canSeeContacts(workspaceAccess(workspace(me)));
    expect(of({ permissions: { view_contacts: true } })).toBe(true);
    expect(of({ permissions: { manage_contacts: true } })).toBe(true);
    expect(of({ admin_department_ids: [3] })).toBe(true);
    expect(of({ permissions: { add_app: true }, admin_department_ids: [] })).toBe(false);
  });

  it('permissions page needs manage_permission_groups; roles need the super admin', () => {
    expect(
      canSeePermissions(
        workspaceAccess(workspace({ permissions: { manage_permission_groups: true } })),
      ),
    ).toBe(true);
    expect(canSetRole(workspaceAccess(workspace({ role: 'system_admin' })))).toBe(false);
    expect(canSetRole(workspaceAccess(workspace({ role: 'super_admin' })))).toBe(true);
  });

  it('appRights reads me.apps by id (string keys), absent meaning none', () => {
    const access = workspaceAccess(
      workspace({ apps: { 7: { edit: true }, 8: { delete: true, manage_data: true } } }),
    );
    expect(appRights(access, 7)).toEqual({ edit: true, delete: false, manageData: false });
    expect(appRights(access, '8')).toEqual({ edit: false, delete: true, manageData: true });
    expect(appRights(access, 9)).toEqual({ edit: false, delete: false, manageData: false });
  });
});

describe('department reach', () => {
  const manager = workspaceAccess(workspace({ permissions: { manage_contacts: true } }));
  const salesAdmin = workspaceAccess(workspace({ admin_department_ids: [2] }));
  const reader = workspaceAccess(workspace({ permissions: { view_contacts: true } }));

  it('managedDepartments: all (null) for managers, the subtree for department admins', () => {
    expect(managedDepartments(manager, DEPARTMENTS)).toBeNull();
    expect([...managedDepartments(salesAdmin, DEPARTMENTS)].sort()).toEqual([2, 3]);
    expect(managedDepartments(reader, DEPARTMENTS).size).toBe(0);
  });

  it('canManageIn follows the reach', () => {
    expect(canManageIn(manager, DEPARTMENTS, 4)).toBe(true);
    expect(canManageIn(salesAdmin, DEPARTMENTS, 3)).toBe(true);
    expect(canManageIn(salesAdmin, DEPARTMENTS, 4)).toBe(false);
    expect(canManageIn(reader, DEPARTMENTS, 1)).toBe(false);
  });

  it('canEditDepartment: never the root; below their own for department admins', () => {
    const byId = (id) => DEPARTMENTS.find((d) => d.id === id);
    expect(canEditDepartment(manager, DEPARTMENTS, byId(1))).toBe(false);
    expect(canEditDepartment(manager, DEPARTMENTS, byId(2))).toBe(true);
    expect(canEditDepartment(salesAdmin, DEPARTMENTS, byId(2))).toBe(false);
    expect(canEditDepartment(salesAdmin, DEPARTMENTS, byId(3))).toBe(true);
    expect(canEditDepartment(manager, DEPARTMENTS, null)).toBe(false);
  });
});

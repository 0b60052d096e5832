// What the signed-in member may change on the contacts page, from the workspace rights and the
// current department list (a department administrator's reach is their departments' subtrees).
import { computed } from 'vue';
import { useContactsStore } from '../../stores/contacts.js';
import { useWorkspaceStore } from '../../stores/workspace.js';
import {
  canEditDepartment,
  canManageSomeContacts,
  canSetRole,
  managedDepartments,
} from '../../utils/access.js';

export function useContactsRights() {
  const store = useContactsStore();
  const workspace = useWorkspaceStore();
  const access = computed(() => workspace.access.value);
  const departments = computed(() => store.departments.value);
  const managed = computed(() => managedDepartments(access.value, departments.value));

  return {
    access,
    /** Manages the whole chart (roles, invites for any department). */
    full: computed(() => access.value.permissions.manage_contacts),
    some: computed(() => canManageSomeContacts(access.value)),
    setRole: computed(() => canSetRole(access.value)),
    /** May manage members of (and add sub-departments to) this department. */
    inDepartment: (id) => managed.value === null || managed.value.has(id),
    /** May rename, move, delete this department or set its people. */
    editDepartment: (department) => canEditDepartment(access.value, departments.value, department),
    managed,
  };
}

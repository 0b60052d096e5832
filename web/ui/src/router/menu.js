// The side menu, owned by the router layer (components know no routes). Each item names the route
// it opens; add an entry only when its page exists. Workspace items open the current workspace's
// page and are shown only with the rights that page needs (utils/access.js).
import { markRaw } from 'vue';
import { Monitor, OfficeBuilding } from '@element-plus/icons-vue';
import { canSeeContacts, canSeePermissions } from '../utils/access.js';

export const MENU = [
  {
    key: 'workspace',
    labelKey: 'menu.workspace',
    icon: markRaw(OfficeBuilding),
    items: [
      { key: 'apps', labelKey: 'menu.apps', to: { name: 'apps' }, inWorkspace: true },
      {
        key: 'contacts',
        labelKey: 'menu.contacts',
        to: { name: 'contacts' },
        inWorkspace: true,
        visible: canSeeContacts,
      },
      {
        key: 'permissions',
        labelKey: 'menu.permissions',
        to: { name: 'permissions' },
        inWorkspace: true,
        visible: canSeePermissions,
      },
    ],
  },
  {
    key: 'cluster',
    labelKey: 'menu.cluster',
    icon: markRaw(Monitor),
    items: [
      { key: 'cluster-health', labelKey: 'menu.nodeHealth', to: { name: 'cluster-health' } },
      // The cluster's addresses and actions are for the installation's administrator.
      {
        key: 'cluster-nodes',
        labelKey: 'menu.clusterNodes',
        to: { name: 'cluster-nodes' },
        operatorOnly: true,
      },
    ],
  },
];

/**
 * The groups and items this member sees: workspace items only with a current workspace and the
 * rights they need, operator items only for the installation's administrator; groups left empty
 * are dropped.
 * @param {{ws: string, access: ReturnType<import('../utils/access.js').workspaceAccess>,
 *   isOperator?: boolean}} ctx
 */
export function visibleMenu({ ws, access, isOperator = false }, menu = MENU) {
  return menu
    .map((group) => ({
      ...group,
      items: group.items.filter(
        (item) =>
          (!item.inWorkspace || ws) &&
          (!item.visible || item.visible(access)) &&
          (!item.operatorOnly || isOperator),
      ),
    }))
    .filter((group) => group.items.length > 0);
}

/** The menu item with this key, or undefined. */
export function findMenuItem(key) {
  for (const group of MENU) {
    const item = group.items.find((i) => i.key === key);
    if (item) return item;
  }
  return undefined;
}

/** Where the item leads: workspace pages get the current workspace. */
export function menuTarget(item, ws) {
  return item.inWorkspace ? { ...item.to, params: { ws } } : item.to;
}

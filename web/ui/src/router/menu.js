// The side menu, owned by the router layer (components know no routes). Each item names the route
// it opens; add an entry only when its page exists.
import { markRaw } from 'vue';
import { Monitor } from '@element-plus/icons-vue';

export const MENU = [
  {
    key: 'cluster',
    labelKey: 'menu.cluster',
    icon: markRaw(Monitor),
    items: [
      { key: 'cluster-health', labelKey: 'menu.nodeHealth', to: { name: 'cluster-health' } },
      { key: 'cluster-nodes', labelKey: 'menu.clusterNodes', to: { name: 'cluster-nodes' } },
    ],
  },
];

/** The menu item with this key, or undefined. */
export function findMenuItem(key) {
  for (const group of MENU) {
    const item = group.items.find((i) => i.key === key);
    if (item) return item;
  }
  return undefined;
}

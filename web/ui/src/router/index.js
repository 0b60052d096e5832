import { createRouter, createWebHashHistory } from 'vue-router';
import NotFound from '../views/NotFound.vue';

// Hash history: the assets use relative URLs (base './'), so a deep link such as /cluster/health
// loaded directly would resolve ./assets/... to /cluster/assets/... and get index.html back
// (the SPA fallback) instead of JavaScript. With hash URLs the document is always loaded from the
// UI's own directory, at / or behind any reverse-proxy prefix.
export const routes = [
  { path: '/', redirect: { name: 'cluster-health' } },
  {
    path: '/cluster/health',
    name: 'cluster-health',
    component: () => import('../views/cluster/NodeHealth.vue'),
    meta: { titleKey: 'menu.nodeHealth', menuKey: 'cluster-health' },
  },
  {
    path: '/cluster/nodes',
    name: 'cluster-nodes',
    component: () => import('../views/cluster/ClusterNodes.vue'),
    meta: { titleKey: 'menu.clusterNodes', menuKey: 'cluster-nodes' },
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: NotFound,
    meta: { titleKey: 'notFound.title' },
  },
];

export const router = createRouter({
  history: createWebHashHistory(),
  routes,
});

import { createRouter, createWebHashHistory } from 'vue-router';
import NotFound from '../views/NotFound.vue';

// Hash history: the assets use relative URLs (base './'), so a deep link such as /cluster/health
// loaded directly would resolve ./assets/... to /cluster/assets/... and get index.html back
// (the SPA fallback) instead of JavaScript. With hash URLs the document is always loaded from the
// UI's own directory, at / or behind any reverse-proxy prefix.
//
// Route meta: `public` (no session needed), `bare` (drawn without the console frame), `titleKey`,
// `menuKey`. Pages under /w/:ws/ belong to a workspace; guard.js checks the account is in it.
export const routes = [
  // Where the guard sends a signed-in user: the current workspace's apps.
  { path: '/', name: 'home', component: NotFound },
  {
    path: '/setup',
    name: 'setup',
    component: () => import('../views/auth/SetupPage.vue'),
    meta: { titleKey: 'setup.title', bare: true },
  },
  {
    path: '/sign-in',
    name: 'sign-in',
    component: () => import('../views/auth/SignInPage.vue'),
    meta: { titleKey: 'signIn.title', bare: true, public: true },
  },
  {
    path: '/invite/:token',
    name: 'invite',
    component: () => import('../views/auth/InvitePage.vue'),
    meta: { titleKey: 'invite.title', bare: true, public: true },
  },
  {
    path: '/change-password',
    name: 'change-password',
    component: () => import('../views/auth/ChangePasswordPage.vue'),
    meta: { titleKey: 'changePassword.title', bare: true },
  },
  {
    path: '/no-workspace',
    name: 'no-workspace',
    component: () => import('../views/workspace/NoWorkspace.vue'),
    meta: { titleKey: 'workspace.none.title' },
  },
  { path: '/w/:ws', redirect: (to) => ({ name: 'apps', params: { ws: to.params.ws } }) },
  {
    path: '/w/:ws/apps',
    name: 'apps',
    component: () => import('../views/apps/AppsPage.vue'),
    meta: { titleKey: 'menu.apps', menuKey: 'apps' },
  },
  {
    path: '/w/:ws/apps/:app',
    component: () => import('../views/apps/AppPage.vue'),
    meta: { titleKey: 'menu.apps', menuKey: 'apps' },
    children: [
      { path: '', name: 'app', redirect: (to) => ({ name: 'app-data', params: to.params }) },
      {
        path: 'data',
        name: 'app-data',
        component: () => import('../views/records/RecordsPage.vue'),
        meta: { titleKey: 'apps.tabs.data', menuKey: 'apps' },
      },
      {
        path: 'new',
        name: 'app-new',
        component: () => import('../views/records/SubmitPage.vue'),
        meta: { titleKey: 'apps.tabs.submit', menuKey: 'apps' },
      },
      {
        path: 'design',
        name: 'app-design',
        component: () => import('../views/designer/DesignerPage.vue'),
        meta: { titleKey: 'apps.tabs.design', menuKey: 'apps' },
      },
      {
        path: 'bin',
        name: 'app-bin',
        component: () => import('../views/records/RecordsPage.vue'),
        props: { deleted: true },
        meta: { titleKey: 'apps.tabs.bin', menuKey: 'apps' },
      },
    ],
  },
  {
    path: '/w/:ws/contacts',
    name: 'contacts',
    component: () => import('../views/contacts/ContactsPage.vue'),
    meta: { titleKey: 'menu.contacts', menuKey: 'contacts' },
  },
  {
    path: '/w/:ws/permissions',
    name: 'permissions',
    component: () => import('../views/permissions/PermissionsPage.vue'),
    meta: { titleKey: 'menu.permissions', menuKey: 'permissions' },
  },
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

import { createApp } from 'vue';
import App from './App.vue';
import { configureClient } from './api/client.js';
import { i18n } from './i18n/index.js';
import { router } from './router/index.js';
import { createGuard, sessionLostHandler } from './router/guard.js';
import { useAppsStore } from './stores/apps.js';
import { useContactsStore } from './stores/contacts.js';
import { usePermissionsStore } from './stores/permissions.js';
import { useSessionStore } from './stores/session.js';
import { useWorkspaceStore } from './stores/workspace.js';
import './styles/main.css';

const session = useSessionStore();
const workspace = useWorkspaceStore();

configureClient({
  csrfToken: () => session.state.csrfToken,
  onUnauthenticated: sessionLostHandler({ router, session }),
});
// What one account saw of a workspace is not shown to the next one signing in here.
session.onAccountChange(() => {
  workspace.reset();
  useContactsStore().use('');
  usePermissionsStore().use('');
  useAppsStore().use('');
});
// A new app brings its creator rights on it: read them again after app changes.
useAppsStore().onChange(() => workspace.reload());
router.beforeEach(createGuard({ session, workspace }));

createApp(App).use(i18n).use(router).mount('#app');

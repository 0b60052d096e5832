import { describe, expect, it } from 'vitest';
import { workspaceAccess } from '../utils/access.js';
import { findMenuItem, menuTarget, visibleMenu } from './menu.js';

const keys = (menu) => menu.flatMap((g) => g.items.map((i) => i.key));
const accessOf = (me) => workspaceAccess({ me });

describe('menu', () => {
  it('shows contacts and permissions only with the rights they need', () => {
    expect(keys(visibleMenu({ ws: 'wa', access: accessOf({}) }))).toEqual([
      'apps',
      'cluster-health',
    ]);
    expect(keys(visibleMenu({ ws: 'wa', access: accessOf({}), isOperator: true }))).toEqual([
      'apps',
      'cluster-health',
      'cluster-nodes',
    ]);
    expect(
      keys(visibleMenu({ ws: 'wa', access: accessOf({ admin_department_ids: [3] }) })),
    ).toContain('contacts');
    const admin = accessOf({
      permissions: { manage_contacts: true, manage_permission_groups: true },
    });
    expect(keys(visibleMenu({ ws: 'wa', access: admin })).slice(0, 3)).toEqual([
      'apps',
      'contacts',
      'permissions',
    ]);
  });

  it('drops the workspace group without a current workspace', () => {
    const menu = visibleMenu({
      ws: '',
      access: accessOf({ permissions: { view_contacts: true } }),
    });
    expect(menu.map((g) => g.key)).toEqual(['cluster']);
  });

  it('menuTarget adds the workspace to workspace pages only', () => {
    expect(menuTarget(findMenuItem('contacts'), 'wa')).toEqual({
      name: 'contacts',
      params: { ws: 'wa' },
    });
    expect(menuTarget(findMenuItem('cluster-nodes'), 'wa')).toEqual({ name: 'cluster-nodes' });
  });
});

import { describe, expect, it } from 'vitest';
import {
  buildDepartmentTree,
  departmentPath,
  subtreeIds,
  toTreeOptions,
} from './departmentTree.js';

const dept = (id, name, parent_id, extra = {}) => ({ id, name, parent_id, ...extra });
// Acme ─┬─ Sales ─┬─ East
//       │         └─ West
//       └─ R&D
const LIST = [
  dept(5, 'West', 2),
  dept(1, 'Acme', null, { member_count: 3, supervisor_ids: [7], admin_ids: [8] }),
  dept(2, 'Sales', 1),
  dept(4, 'East', 2),
  dept(3, 'R&D', 1),
];

const shape = (nodes) => nodes.map((n) => [n.name, shape(n.children)]);

describe('buildDepartmentTree', () => {
  it('nests a flat list under the root, children in the order they were made', () => {
    expect(shape(buildDepartmentTree(LIST))).toEqual([
      [
        'Acme',
        [
          [
            'Sales',
            [
              ['East', []],
              ['West', []],
            ],
          ],
          ['R&D', []],
        ],
      ],
    ]);
  });

  it('carries counts and people, with defaults for missing fields', () => {
    const [root] = buildDepartmentTree(LIST);
    expect(root).toMatchObject({
      id: 1,
      parentId: null,
      memberCount: 3,
      supervisorIds: [7],
      adminIds: [8],
    });
    expect(root.children[0]).toMatchObject({ memberCount: 0, supervisorIds: [], adminIds: [] });
  });

  it('shows departments with a missing parent or in a loop at the top instead of hanging', () => {
    const tree = buildDepartmentTree([
      dept(1, 'Acme', null),
      dept(9, 'Orphan', 42),
      dept(10, 'A', 11),
      dept(11, 'B', 10),
    ]);
    expect(tree.map((n) => n.name)).toEqual(['Acme', 'Orphan', 'A', 'B']);
  });

  it('ignores entries without an integer id and copes with no list', () => {
    expect(buildDepartmentTree([null, { name: 'x' }, dept(1, 'Acme', null)])).toHaveLength(1);
    expect(buildDepartmentTree(undefined)).toEqual([]);
  });
});

describe('department helpers', () => {
  it('subtreeIds lists departments at and below the given ones', () => {
    expect([...subtreeIds(LIST, [2])].sort()).toEqual([2, 4, 5]);
    expect([...subtreeIds(LIST, [1])].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(subtreeIds(LIST, []).size).toBe(0);
    expect(subtreeIds(LIST, [99]).size).toBe(0);
  });

  it('departmentPath names the way from the root', () => {
    expect(departmentPath(LIST, 4)).toBe('Acme / Sales / East');
    expect(departmentPath(LIST, 1)).toBe('Acme');
    expect(departmentPath(LIST, 4, '/')).toBe('Acme/Sales/East');
    expect(departmentPath(LIST, 99)).toBe('');
  });

  it('toTreeOptions gives el-tree-select nodes and disables what the predicate says', () => {
    const own = subtreeIds(LIST, [2]);
    const [root] = toTreeOptions(buildDepartmentTree(LIST), (n) => own.has(n.id));
    expect(root).toMatchObject({ value: 1, label: 'Acme', disabled: false });
    expect(root.children.map((c) => [c.label, c.disabled])).toEqual([
      ['Sales', true],
      ['R&D', false],
    ]);
    expect(root.children[0].children.every((c) => c.disabled)).toBe(true);
  });
});

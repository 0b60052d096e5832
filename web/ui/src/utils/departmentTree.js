// The org chart arrives as a flat list of departments ({id, name, parent_id, ...}; id 1 is the
// root, the company). These helpers turn it into the nested shape of el-tree and el-tree-select
// and answer questions about ancestry. Pure; a parent that is missing or a loop in the parent
// chain (bad data) never hangs them: such departments are shown at the top level.

const byIdMap = (departments) => new Map(departments.map((d) => [d.id, d]));

/**
 * The ids from `id` up to the top, `id` first; stops at a missing parent or a loop.
 * @param {Map<number, object>} byId
 * @param {number} id
 */
function ancestry(byId, id) {
  const chain = [];
  const seen = new Set();
  let current = byId.get(id);
  while (current && !seen.has(current.id)) {
    seen.add(current.id);
    chain.push(current.id);
    current = current.parent_id === null ? undefined : byId.get(current.parent_id);
  }
  return chain;
}

/** Whether following parents from this department ends at a top-level one (no loop). */
function reachesTop(byId, department) {
  const seen = new Set();
  let current = department;
  while (current) {
    if (seen.has(current.id)) return false;
    seen.add(current.id);
    if (current.parent_id === null || current.parent_id === undefined) return true;
    current = byId.get(current.parent_id);
  }
  return true; // the chain ends at a missing parent: its last department is shown at the top
}

/**
 * @param {object[]} departments the flat list from GET /departments
 * @returns {Array<{id: number, name: string, parentId: number | null, memberCount: number,
 *   supervisorIds: number[], adminIds: number[], children: object[]}>} the top-level nodes
 *   (normally the root alone), children sorted by id (the order they were made in)
 */
export function buildDepartmentTree(departments) {
  const list = (departments ?? []).filter((d) => d && Number.isInteger(d.id));
  const byId = byIdMap(list);
  const nodes = new Map(
    list.map((d) => [
      d.id,
      {
        id: d.id,
        name: typeof d.name === 'string' ? d.name : String(d.id),
        parentId: Number.isInteger(d.parent_id) ? d.parent_id : null,
        memberCount: Number.isInteger(d.member_count) ? d.member_count : 0,
        supervisorIds: Array.isArray(d.supervisor_ids) ? d.supervisor_ids : [],
        adminIds: Array.isArray(d.admin_ids) ? d.admin_ids : [],
        children: [],
      },
    ]),
  );
  const roots = [];
  for (const d of [...list].sort((a, b) => a.id - b.id)) {
    const node = nodes.get(d.id);
    const parent = node.parentId === null ? undefined : nodes.get(node.parentId);
    if (parent && reachesTop(byId, d)) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

/**
 * The given departments and everything below them.
 * @param {object[]} departments the flat list
 * @param {number[]} rootIds
 * @returns {Set<number>}
 */
export function subtreeIds(departments, rootIds) {
  const byId = byIdMap(departments ?? []);
  const wanted = new Set(rootIds);
  const result = new Set();
  for (const d of departments ?? []) {
    if (ancestry(byId, d.id).some((id) => wanted.has(id))) result.add(d.id);
  }
  return result;
}

/**
 * "Acme / Sales / East" for the department East.
 * @param {object[]} departments
 * @param {number} id
 * @param {string} [separator]
 */
export function departmentPath(departments, id, separator = ' / ') {
  const byId = byIdMap(departments ?? []);
  return ancestry(byId, id)
    .reverse()
    .map((i) => byId.get(i).name)
    .join(separator);
}

/**
 * The tree in el-tree-select's shape ({value, label, children, disabled}).
 * @param {ReturnType<typeof buildDepartmentTree>} tree
 * @param {(node: object) => boolean} [isDisabled] e.g. the department being moved and its subtree
 */
export function toTreeOptions(tree, isDisabled = () => false) {
  return tree.map((node) => ({
    value: node.id,
    label: node.name,
    disabled: isDisabled(node),
    children: toTreeOptions(node.children, isDisabled),
  }));
}

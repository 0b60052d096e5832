// The apps page's arrangement: groups in order, each with its apps in order, then the apps in no
// group. GET /apps gives flat lists with positions; PUT /app-layout takes the whole arrangement
// back (every live app exactly once). The functions here are pure: each change returns a new
// layout, and layoutBody() turns it into the PUT body.
//
// A layout is {groups: [{id: number | null, name, apps: [app]}], ungrouped: [app]}; id null is a
// group made here and not yet saved. "Where" an app goes is a group id, or null for no group.

const byPosition = (a, b) =>
  (a.position ?? 0) - (b.position ?? 0) ||
  String(a.name ?? '').localeCompare(String(b.name ?? '')) ||
  (a.id ?? 0) - (b.id ?? 0);

/**
 * @param {{apps?: object[], groups?: object[]}} answer GET /apps
 * @returns {{groups: Array<{id: number | null, name: string, apps: object[]}>, ungrouped: object[]}}
 */
export function buildLayout(answer) {
  const apps = [...(answer?.apps ?? [])].sort(byPosition);
  const groups = [...(answer?.groups ?? [])]
    .sort(byPosition)
    .map((g) => ({ id: g.id, name: g.name ?? '', apps: [] }));
  const byId = new Map(groups.map((g) => [g.id, g]));
  const ungrouped = [];
  for (const app of apps) {
    const group =
      app.group_id === null || app.group_id === undefined ? null : byId.get(app.group_id);
    (group ? group.apps : ungrouped).push(app);
  }
  return { groups, ungrouped };
}

/** The PUT /app-layout body. */
export function layoutBody(layout) {
  return {
    groups: layout.groups.map((g) => {
      const group = { name: g.name, apps: g.apps.map((a) => a.id) };
      return g.id === null || g.id === undefined ? group : { id: g.id, ...group };
    }),
    ungrouped: layout.ungrouped.map((a) => a.id),
  };
}

const copy = (layout) => ({
  groups: layout.groups.map((g) => ({ ...g, apps: [...g.apps] })),
  ungrouped: [...layout.ungrouped],
});

/** The list holding apps of `where` (a group id, or null for no group) in a copied layout. */
function listOf(layout, where) {
  if (where === null || where === undefined) return layout.ungrouped;
  return layout.groups.find((g) => g.id === where)?.apps ?? null;
}

/** Where an app is: {where: group id | null, index}, or null when it is not in the layout. */
export function findApp(layout, appId) {
  const i = layout.ungrouped.findIndex((a) => a.id === appId);
  if (i >= 0) return { where: null, index: i };
  for (const g of layout.groups) {
    const k = g.apps.findIndex((a) => a.id === appId);
    if (k >= 0) return { where: g.id, index: k };
  }
  return null;
}

/**
 * Moves an app into `where`, before the app `beforeId` (at the end when null or not there).
 * Returns the same layout when nothing would change or the app or place is unknown.
 */
export function moveApp(layout, appId, where, beforeId = null) {
  const from = findApp(layout, appId);
  if (!from || appId === beforeId) return layout;
  const next = copy(layout);
  const target = listOf(next, where);
  if (!target) return layout;
  const source = listOf(next, from.where);
  const [app] = source.splice(from.index, 1);
  const before = beforeId === null ? -1 : target.findIndex((a) => a.id === beforeId);
  target.splice(before >= 0 ? before : target.length, 0, app);
  return sameOrder(layout, next) ? layout : next;
}

/** Moves an app one place up (delta -1) or down (+1) within its list. */
export function shiftApp(layout, appId, delta) {
  const from = findApp(layout, appId);
  if (!from) return layout;
  const list = listOf(layout, from.where);
  const to = from.index + delta;
  if (to < 0 || to >= list.length) return layout;
  const next = copy(layout);
  const moved = listOf(next, from.where);
  const [app] = moved.splice(from.index, 1);
  moved.splice(to, 0, app);
  return next;
}

/** A new (unsaved) group at the end. */
export function addGroup(layout, name) {
  const next = copy(layout);
  next.groups.push({ id: null, name, apps: [] });
  return next;
}

export function renameGroup(layout, groupId, name) {
  const next = copy(layout);
  const group = next.groups.find((g) => g.id === groupId);
  if (group) group.name = name;
  return next;
}

/** Drops a group; its apps go to the end of the apps in no group. */
export function removeGroup(layout, groupId) {
  const next = copy(layout);
  const i = next.groups.findIndex((g) => g.id === groupId);
  if (i < 0) return layout;
  const [group] = next.groups.splice(i, 1);
  next.ungrouped.push(...group.apps);
  return next;
}

/** Moves a group one place up (-1) or down (+1). */
export function shiftGroup(layout, groupId, delta) {
  const i = layout.groups.findIndex((g) => g.id === groupId);
  const to = i + delta;
  if (i < 0 || to < 0 || to >= layout.groups.length) return layout;
  const next = copy(layout);
  const [group] = next.groups.splice(i, 1);
  next.groups.splice(to, 0, group);
  return next;
}

function sameOrder(a, b) {
  return JSON.stringify(layoutBody(a)) === JSON.stringify(layoutBody(b));
}

/** Whether an app may move up / down within its list (for the menu's entries). */
export function canShift(layout, appId) {
  const at = findApp(layout, appId);
  if (!at) return { up: false, down: false };
  const list = listOf(layout, at.where);
  return { up: at.index > 0, down: at.index < list.length - 1 };
}

/** Apps whose name holds the words typed (case-insensitive), for the page's search box. */
export function filterLayout(layout, text) {
  const q = (text ?? '').trim().toLowerCase();
  if (!q) return layout;
  const keep = (apps) =>
    apps.filter((a) =>
      String(a.name ?? '')
        .toLowerCase()
        .includes(q),
    );
  return {
    groups: layout.groups.map((g) => ({ ...g, apps: keep(g.apps) })).filter((g) => g.apps.length),
    ungrouped: keep(layout.ungrouped),
  };
}

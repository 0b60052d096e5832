import { describe, expect, it } from 'vitest';
import {
  addGroup,
  buildLayout,
  canShift,
  filterLayout,
  layoutBody,
  moveApp,
  removeGroup,
  renameGroup,
  shiftApp,
  shiftGroup,
} from './appLayout.js';

const answer = {
  apps: [
    { id: 1, name: 'Orders', group_id: 10, position: 3 },
    { id: 2, name: 'Leave', group_id: null, position: 2 },
    { id: 3, name: 'Stock', group_id: 10, position: 1 },
    { id: 4, name: 'Visits', group_id: 99, position: 4 }, // group gone: no group
    { id: 5, name: 'Cars', group_id: 20, position: 5 },
  ],
  groups: [
    { id: 20, name: 'Fleet', position: 2 },
    { id: 10, name: 'Sales', position: 1 },
  ],
};
const ids = (apps) => apps.map((a) => a.id);

describe('app layout', () => {
  it('builds groups and apps in position order; unknown groups count as none', () => {
    const layout = buildLayout(answer);
    expect(layout.groups.map((g) => [g.id, ids(g.apps)])).toEqual([
      [10, [3, 1]],
      [20, [5]],
    ]);
    expect(ids(layout.ungrouped)).toEqual([2, 4]);
    expect(buildLayout(null)).toEqual({ groups: [], ungrouped: [] });
  });

  it('turns a layout into the PUT body; new groups carry no id', () => {
    const layout = addGroup(buildLayout(answer), 'HR');
    expect(layoutBody(layout)).toEqual({
      groups: [
        { id: 10, name: 'Sales', apps: [3, 1] },
        { id: 20, name: 'Fleet', apps: [5] },
        { name: 'HR', apps: [] },
      ],
      ungrouped: [2, 4],
    });
  });

  it('moves an app between groups, before another app or to the end', () => {
    const layout = buildLayout(answer);
    const a = moveApp(layout, 2, 10, 1);
    expect(layoutBody(a).groups[0].apps).toEqual([3, 2, 1]);
    expect(layoutBody(a).ungrouped).toEqual([4]);
    const b = moveApp(a, 3, null);
    expect(layoutBody(b).ungrouped).toEqual([4, 3]);
    expect(layoutBody(b).groups[0].apps).toEqual([2, 1]);
    // reorder within one list
    const c = moveApp(layout, 1, 10, 3);
    expect(layoutBody(c).groups[0].apps).toEqual([1, 3]);
    // the layout given is never changed
    expect(layoutBody(layout).groups[0].apps).toEqual([3, 1]);
  });

  it('returns the same layout for moves that change nothing or name unknown things', () => {
    const layout = buildLayout(answer);
    expect(moveApp(layout, 3, 10, 1)).toBe(layout); // already before 1
    expect(moveApp(layout, 3, 10, 3)).toBe(layout);
    expect(moveApp(layout, 42, 10)).toBe(layout);
    expect(moveApp(layout, 3, 77)).toBe(layout);
  });

  it('shifts apps and groups up and down within bounds', () => {
    const layout = buildLayout(answer);
    expect(layoutBody(shiftApp(layout, 1, -1)).groups[0].apps).toEqual([1, 3]);
    expect(shiftApp(layout, 3, -1)).toBe(layout);
    expect(shiftApp(layout, 4, 1)).toBe(layout);
    expect(canShift(layout, 3)).toEqual({ up: false, down: true });
    expect(canShift(layout, 4)).toEqual({ up: true, down: false });
    expect(layoutBody(shiftGroup(layout, 20, -1)).groups.map((g) => g.id)).toEqual([20, 10]);
    expect(shiftGroup(layout, 10, -1)).toBe(layout);
  });

  it('renames and removes groups; a removed group’s apps join the ungrouped', () => {
    const layout = renameGroup(buildLayout(answer), 10, 'Sales & more');
    expect(layout.groups[0].name).toBe('Sales & more');
    const removed = removeGroup(layout, 10);
    expect(layoutBody(removed)).toEqual({
      groups: [{ id: 20, name: 'Fleet', apps: [5] }],
      ungrouped: [2, 4, 3, 1],
    });
  });

  it('filters by name and hides groups left empty', () => {
    const found = filterLayout(buildLayout(answer), ' st');
    expect(found.groups.map((g) => [g.id, ids(g.apps)])).toEqual([[10, [3]]]);
    expect(found.ungrouped).toEqual([]);
  });
});

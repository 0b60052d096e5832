import { describe, expect, it } from 'vitest';
import {
  buildFilter,
  buildQuery,
  conditionValueField,
  countBody,
  initialValue,
  isComplete,
  newCondition,
  nextSort,
  valueKind,
} from './filterQuery.js';

const choices = [
  { id: 'c1', label: 'Red' },
  { id: 'c2', label: 'Blue' },
];

describe('filter builder', () => {
  it('knows which value each op needs', () => {
    expect(valueKind('empty')).toBe('none');
    expect(valueKind('between')).toBe('range');
    expect(valueKind('any_of')).toBe('list');
    expect(valueKind('in')).toBe('list');
    expect(valueKind('contains')).toBe('single');
    expect(initialValue('between')).toEqual([null, null]);
    expect(initialValue('none_of')).toEqual([]);
    expect(initialValue('eq')).toBeNull();
    expect(newCondition({ id: 'f1' }, ['gt', 'lt'])).toEqual({
      field: 'f1',
      op: 'gt',
      value: null,
    });
  });

  it('derives the value input from the field and op', () => {
    const select = { id: 'f2', type: 'select', label: 'Colour', options: { choices } };
    expect(conditionValueField(select, 'eq')).toMatchObject({ type: 'select', required: false });
    expect(conditionValueField(select, 'in')).toMatchObject({
      type: 'checkbox',
      options: { choices },
    });
    expect(conditionValueField({ id: 'f3', type: 'email' }, 'contains').type).toBe('text');
    expect(conditionValueField({ id: 'f4', type: 'address' }, 'contains').type).toBe('text');
    expect(conditionValueField({ id: 'f5', type: 'member', options: {} }, 'any_of')).toMatchObject({
      type: 'member',
      options: { multiple: true },
    });
    expect(
      conditionValueField({ id: 'f6', type: 'rating', options: { max: 7 } }, 'gte'),
    ).toMatchObject({ type: 'number', options: { precision: 0, max: 7 } });
    expect(conditionValueField({ id: 'f7', type: 'datetime' }, 'eq').type).toBe('date');
    const money = conditionValueField(
      { id: 'f8', type: 'money', required: true, options: { min: 0, max: 9, currency: 'CNY' } },
      'gt',
    );
    expect(money).toMatchObject({ type: 'money', required: false, options: { currency: 'CNY' } });
    expect(money.options.min).toBeUndefined();
    expect(conditionValueField({ id: 'f9', type: 'text' }, 'empty')).toBeNull();
  });

  it('sends only complete conditions with values shaped by op', () => {
    const filter = {
      match: 'any',
      conditions: [
        { field: 'f1', op: 'contains', value: '  ab ' },
        { field: 'f2', op: 'between', value: [1, 5] },
        { field: 'f3', op: 'between', value: [1, null] }, // half a range: left out
        { field: 'f4', op: 'in', value: ['c1', '', null] },
        { field: 'f5', op: 'any_of', value: [] }, // nothing chosen: left out
        { field: 'f6', op: 'empty', value: 'ignored' },
        { field: 'f7', op: 'eq', value: '' }, // blank: left out
        { field: '', op: 'eq', value: 1 }, // no field: left out
        { field: 'f8', op: 'eq', value: 0 }, // zero is a value
        { field: 'f9', op: 'any_of', value: [3] },
      ],
    };
    expect(buildFilter(filter)).toEqual({
      match: 'any',
      conditions: [
        { field: 'f1', op: 'contains', value: 'ab' },
        { field: 'f2', op: 'between', value: [1, 5] },
        { field: 'f4', op: 'in', value: ['c1'] },
        { field: 'f6', op: 'empty' },
        { field: 'f8', op: 'eq', value: 0 },
        { field: 'f9', op: 'any_of', value: [3] },
      ],
    });
    expect(isComplete({ field: 'f1', op: 'eq', value: null })).toBe(false);
    expect(buildFilter({ match: 'all', conditions: [{ field: 'f1', op: 'eq' }] })).toBeNull();
  });

  it('builds the query and count bodies', () => {
    const state = {
      filter: { match: 'all', conditions: [{ field: '_id', op: 'gt', value: 10 }] },
      q: '  hello ',
      sort: { field: 'f3', dir: 'desc' },
      deleted: true,
      limit: 50,
      after: 'abc',
    };
    expect(buildQuery(state)).toEqual({
      filter: { match: 'all', conditions: [{ field: '_id', op: 'gt', value: 10 }] },
      q: 'hello',
      sort: [{ field: 'f3', dir: 'desc' }],
      limit: 50,
      after: 'abc',
      deleted: true,
    });
    expect(countBody(state)).toEqual({
      filter: { match: 'all', conditions: [{ field: '_id', op: 'gt', value: 10 }] },
      q: 'hello',
      deleted: true,
    });
    expect(buildQuery({ q: ' ', sort: null })).toEqual({});
  });

  it('cycles the sort of a header: ascending, descending, none', () => {
    expect(nextSort(null, 'f1')).toEqual({ field: 'f1', dir: 'asc' });
    expect(nextSort({ field: 'f1', dir: 'asc' }, 'f1')).toEqual({ field: 'f1', dir: 'desc' });
    expect(nextSort({ field: 'f1', dir: 'desc' }, 'f1')).toBeNull();
    expect(nextSort({ field: 'f1', dir: 'desc' }, 'f2')).toEqual({ field: 'f2', dir: 'asc' });
  });
});

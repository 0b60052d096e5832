import { describe, expect, it } from 'vitest';
import {
  duplicateTargets,
  fileFormat,
  importBody,
  importableFields,
  mappingBody,
  mappingRows,
  normalizeImport,
  unmappedRequired,
} from './importMapping.js';

const fields = [
  { id: 'f1', type: 'text', label: 'Name', required: true },
  { id: 'f2', type: 'number', label: 'Amount' },
  { id: 'f3', type: 'serial', label: 'No.' },
  { id: 'f4', type: 'section', label: 'More' },
  { id: 'f5', type: 'date', label: 'Day', required: true },
];

describe('import mapping', () => {
  it('knows the file formats', () => {
    expect(fileFormat('a.CSV')).toBe('csv');
    expect(fileFormat('data.xlsx')).toBe('xlsx');
    expect(fileFormat('data.xls')).toBeNull();
    expect(fileFormat('')).toBeNull();
  });

  it('imports an uploaded file by its sha256', () => {
    const file = { name: 'a.csv', format: 'csv', sha256: 'ab'.repeat(32) };
    expect(importBody(file, null, true)).toEqual({
      format: 'csv',
      file: 'ab'.repeat(32),
      mapping: null,
      dry_run: true,
    });
    expect(importBody(file, { Name: 'f1' }, false)).toMatchObject({
      mapping: { Name: 'f1' },
      dry_run: false,
    });
  });

  it('offers fields with values, not serials, files, signatures, sub-tables or layout', () => {
    expect(importableFields(fields).map((f) => f.id)).toEqual(['f1', 'f2', 'f5']);
    const more = ['attachment', 'image', 'signature', 'subtable'].map((type, i) => ({
      id: `g${i}`,
      type,
      label: type,
    }));
    expect(importableFields([...fields, ...more]).map((f) => f.id)).toEqual(['f1', 'f2', 'f5']);
  });

  it('makes rows from the suggestion and a body from the rows', () => {
    const rows = mappingRows(
      ['Name', 'Amount', 'No.', 'Extra'],
      { Name: 'f1', Amount: 'f2', 'No.': 'f3', Extra: 'gone' },
      fields,
    );
    expect(rows).toEqual([
      { column: 'Name', field: 'f1' },
      { column: 'Amount', field: 'f2' },
      { column: 'No.', field: '' },
      { column: 'Extra', field: '' },
    ]);
    rows[3].field = 'f2';
    expect(mappingBody(rows)).toEqual({ Name: 'f1', Amount: 'f2', Extra: 'f2' });
    expect([...duplicateTargets(rows)]).toEqual(['f2']);
    expect(unmappedRequired(rows, fields).map((f) => f.id)).toEqual(['f5']);
    expect(mappingRows(null, null, fields)).toEqual([]);
  });

  it('normalises the report', () => {
    expect(
      normalizeImport({
        columns: ['a'],
        mapping: { a: 'f1' },
        rows: 3,
        good: 2,
        bad: [{ row: 3, errors: ["'Amount' must be a number"] }, null],
        bad_count: 1,
        imported: 0,
      }),
    ).toEqual({
      columns: ['a'],
      mapping: { a: 'f1' },
      rows: 3,
      good: 2,
      bad: [{ row: 3, errors: ["'Amount' must be a number"] }],
      badCount: 1,
      imported: 0,
      failedBatches: [],
    });
    expect(normalizeImport(null)).toEqual({
      columns: [],
      mapping: {},
      rows: 0,
      good: 0,
      bad: [],
      badCount: 0,
      imported: 0,
      failedBatches: [],
    });
  });

  it('counts every bad row and names the batches that were not written', () => {
    const report = normalizeImport({
      rows: 2600,
      good: 1500,
      bad: [{ row: 2, errors: ['x'] }],
      bad_count: 1100,
      batches: [
        { first_row: 3, last_row: 502, imported: true },
        { first_row: 503, last_row: 1002, imported: false, error: "'No.' must be unique" },
      ],
      imported: 500,
    });
    expect(report.badCount).toBe(1100);
    expect(report.failedBatches).toEqual([
      { firstRow: 503, lastRow: 1002, error: "'No.' must be unique" },
    ]);
    expect(normalizeImport({ bad: [{ row: 2 }, { row: 3 }] }).badCount).toBe(2);
  });
});

// The record import (POST apps/{app}/import): the file, uploaded first (POST /workspaces/{ws}/files)
// and named by its sha256, whatever its size (the inline base64 `content` only fits small files);
// the column → field mapping the user adjusts (starting from the server's suggestion), and the
// report. Pure.
import { typeOf } from '../../fields/types.js';

/** 'csv' | 'xlsx' | null from a file name. */
export function fileFormat(name) {
  const m = /\.([a-z0-9]+)$/i.exec(name ?? '');
  const ext = m ? m[1].toLowerCase() : '';
  if (ext === 'csv' || ext === 'txt') return 'csv';
  if (ext === 'xlsx') return 'xlsx';
  return null;
}

/**
 * The body of POST import for an uploaded file.
 * @param {{format: string, sha256: string}} file
 * @param {object | null} mapping null: the server suggests one (and only checks)
 * @param {boolean} dryRun
 */
export const importBody = (file, mapping, dryRun) => ({
  format: file.format,
  file: file.sha256,
  mapping,
  dry_run: dryRun,
});

/**
 * Fields an import may fill: those with a value a cell can hold. Not (the server refuses a mapping
 * to them, their rows say `importable: false`) files, signatures, sub-tables, serial numbers
 * (Creek gives them) and layout.
 */
export const importableFields = (fields) =>
  (fields ?? []).filter((f) => typeOf(f.type)?.importable !== false);

/**
 * One row per column of the file with the field it fills ('' for none), from an answer's
 * columns and mapping; fields that are not importable are dropped from the mapping.
 * @returns {Array<{column: string, field: string}>}
 */
export function mappingRows(columns, mapping, fields) {
  const ids = new Set(importableFields(fields).map((f) => f.id));
  return (columns ?? []).map((column) => {
    const field = mapping?.[column];
    return { column, field: typeof field === 'string' && ids.has(field) ? field : '' };
  });
}

/** The mapping to send: {column: field id} for the columns that fill a field. */
export function mappingBody(rows) {
  const mapping = {};
  for (const r of rows) if (r.field) mapping[r.column] = r.field;
  return mapping;
}

/** Field ids chosen for more than one column (only one of them would count). */
export function duplicateTargets(rows) {
  const seen = new Set();
  const twice = new Set();
  for (const r of rows) {
    if (!r.field) continue;
    if (seen.has(r.field)) twice.add(r.field);
    seen.add(r.field);
  }
  return twice;
}

/** Required fields no column fills (their rows would all fail). */
export const unmappedRequired = (rows, fields) =>
  importableFields(fields).filter((f) => f.required && !rows.some((r) => r.field === f.id));

const count = (v) => (Number.isInteger(v) && v >= 0 ? v : 0);

/**
 * The answer normalised for the report. `bad` lists the first 1,000 bad rows, `badCount` counts
 * them all; `failedBatches` are batches of good rows that were not written (a duplicate of a
 * unique value, the form saved meanwhile): {firstRow, lastRow, error}.
 * @returns {{columns: string[], mapping: object, rows: number, good: number,
 *   bad: Array<{row: number | null, errors: string[]}>, badCount: number, imported: number,
 *   failedBatches: Array<{firstRow: number | null, lastRow: number | null, error: string}>}}
 */
export function normalizeImport(answer) {
  const bad = (Array.isArray(answer?.bad) ? answer.bad : [])
    .filter((b) => b && typeof b === 'object')
    .map((b) => ({
      row: Number.isInteger(b.row) ? b.row : null,
      errors: Array.isArray(b.errors) ? b.errors.map(String) : [],
    }));
  const row = (v) => (Number.isInteger(v) ? v : null);
  return {
    columns: Array.isArray(answer?.columns) ? answer.columns.map(String) : [],
    mapping: answer?.mapping && typeof answer.mapping === 'object' ? answer.mapping : {},
    rows: count(answer?.rows),
    good: count(answer?.good),
    bad,
    badCount: Math.max(count(answer?.bad_count), bad.length),
    imported: count(answer?.imported),
    failedBatches: (Array.isArray(answer?.batches) ? answer.batches : [])
      .filter((b) => b && typeof b === 'object' && b.imported === false && b.error)
      .map((b) => ({
        firstRow: row(b.first_row),
        lastRow: row(b.last_row),
        error: String(b.error),
      })),
  };
}

// The bulk CSV import (POST /workspaces/{ws}/members/import): the template shown to the user, the
// answer normalised for the report table, and the report as CSV to download (it may hold
// generated passwords, which are shown only once).

export const IMPORT_COLUMNS = ['login', 'name', 'department', 'title', 'password'];
export const IMPORT_TEMPLATE = `${IMPORT_COLUMNS.join(',')}\n`;

const count = (value) => (Number.isInteger(value) && value >= 0 ? value : 0);
const text = (value) => (typeof value === 'string' ? value : '');

/**
 * @param {unknown} answer {created, invited, failed, rows: [{row, login, ok, invited, error,
 *   generated_password}]}: invited rows sent an existing account an invitation (not a member
 *   until it accepts)
 * @returns {{created: number, invited: number, failed: number, rows: Array<{row: number | null,
 *   login: string, ok: boolean, invited: boolean, error: string, generatedPassword: string}>}}
 *   rows in file order
 */
export function normalizeImportReport(answer) {
  const rows = Array.isArray(answer?.rows) ? answer.rows : [];
  return {
    created: count(answer?.created),
    invited: count(answer?.invited),
    failed: count(answer?.failed),
    rows: rows
      .filter((r) => r !== null && typeof r === 'object')
      .map((r) => ({
        row: Number.isInteger(r.row) ? r.row : null,
        login: text(r.login),
        ok: r.ok === true,
        invited: r.ok === true && r.invited === true,
        error: text(r.error),
        generatedPassword: text(r.generated_password),
      }))
      .sort((a, b) => (a.row ?? Infinity) - (b.row ?? Infinity)),
  };
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
export function csvField(value) {
  const s = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The result column's word for a row. */
export const resultWord = (r, words) =>
  r.invited ? words.invited : r.ok ? words.ok : words.failed;

/**
 * The report table as CSV, one line per row, with a header line.
 * @param {ReturnType<typeof normalizeImportReport>['rows']} rows
 * @param {{header: string[], ok: string, invited: string, failed: string}} words the column
 *   names and the result words, in the UI language
 */
export function reportToCsv(rows, words) {
  const lines = [words.header.map(csvField).join(',')];
  for (const r of rows) {
    lines.push(
      [r.row ?? '', r.login, resultWord(r, words), r.error, r.generatedPassword]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Whether the text has a header line and at least one data line (blank lines ignored). */
export function hasDataRows(csv) {
  return (csv ?? '').split(/\r?\n/).filter((line) => line.trim() !== '').length >= 2;
}

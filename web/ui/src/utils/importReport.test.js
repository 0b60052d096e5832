import { describe, expect, it } from 'vitest';
import {
  IMPORT_TEMPLATE,
  csvField,
  hasDataRows,
  normalizeImportReport,
  reportToCsv,
} from './importReport.js';

const ANSWER = {
  created: 1,
  invited: 1,
  failed: 1,
  rows: [
    { row: 4, login: 'carol', ok: false, error: 'login "carol" is taken' },
    { row: 2, login: 'alice', ok: true, generated_password: 'Xy7pQ2' },
    { row: 3, login: 'bob', ok: true, invited: true },
  ],
};

describe('normalizeImportReport', () => {
  it('keeps the totals and sorts the rows by line, with defaults', () => {
    const report = normalizeImportReport(ANSWER);
    expect(report).toMatchObject({ created: 1, invited: 1, failed: 1 });
    expect(report.rows).toEqual([
      { row: 2, login: 'alice', ok: true, invited: false, error: '', generatedPassword: 'Xy7pQ2' },
      { row: 3, login: 'bob', ok: true, invited: true, error: '', generatedPassword: '' },
      {
        row: 4,
        login: 'carol',
        ok: false,
        invited: false,
        error: 'login "carol" is taken',
        generatedPassword: '',
      },
    ]);
  });

  it('copes with a malformed answer', () => {
    expect(normalizeImportReport(null)).toEqual({ created: 0, invited: 0, failed: 0, rows: [] });
    expect(normalizeImportReport({ created: -1, rows: [null, 'x', { ok: 'yes' }] })).toEqual({
      created: 0,
      invited: 0,
      failed: 0,
      rows: [{ row: null, login: '', ok: false, invited: false, error: '', generatedPassword: '' }],
    });
  });
});

describe('report CSV', () => {
  it('quotes fields with commas, quotes and line breaks', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(7)).toBe('7');
  });

  it('writes a header and one line per row in the UI words', () => {
    const { rows } = normalizeImportReport(ANSWER);
    const csv = reportToCsv(rows, {
      header: ['行号', '登录名', '结果', '原因', '生成的密码'],
      ok: '成功',
      invited: '邀请已发送',
      failed: '失败',
    });
    expect(csv.split('\r\n')).toEqual([
      '行号,登录名,结果,原因,生成的密码',
      '2,alice,成功,,Xy7pQ2',
      '3,bob,邀请已发送,,',
      '4,carol,失败,"login ""carol"" is taken",',
      '',
    ]);
  });

  it('hasDataRows wants a header and a line', () => {
    expect(hasDataRows(IMPORT_TEMPLATE)).toBe(false);
    expect(hasDataRows(`${IMPORT_TEMPLATE}\n\n`)).toBe(false);
    expect(hasDataRows(`${IMPORT_TEMPLATE}alice,Alice,Sales,,\n`)).toBe(true);
    expect(hasDataRows(undefined)).toBe(false);
  });
});

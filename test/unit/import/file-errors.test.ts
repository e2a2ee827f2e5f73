import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { type ImportIssue, openImport } from '../../../shared/domain/import/check-import.ts';
import { ImportFileError } from '../../../shared/domain/import/import-errors.ts';
import { errorsCsv, errorsCsvStream } from '../../../shared/domain/import/import-files-out.ts';
import { collect, sourceOf, utf8 } from './support.ts';

const header = '工单号,标题,客户邮箱,创建时间\n';

async function fileError(promise: Promise<unknown>): Promise<ImportFileError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImportFileError);
  return error as ImportFileError;
}

describe('openImport() refuses a file it cannot import', () => {
  it('refuses an empty file (400 IMPORT.EMPTY_FILE)', async () => {
    const error = await fileError(openImport(sourceOf(new Uint8Array())));
    expect([error.kind, error.code]).toEqual(['invalid', 'IMPORT.EMPTY_FILE']);
  });

  it('refuses a file of blank lines and a BOM, and a header with no rows', async () => {
    expect((await fileError(openImport(sourceOf(utf8('\uFEFF\r\n  \r\n'))))).code).toBe('IMPORT.EMPTY_FILE');
    expect((await fileError(openImport(sourceOf(utf8(header))))).code).toBe('IMPORT.EMPTY_FILE');
  });

  it('refuses a binary file (415 IMPORT.BINARY_FILE)', async () => {
    const png = Uint8Array.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52,
    ]);
    const error = await fileError(openImport(sourceOf(png)));
    expect([error.kind, error.code]).toEqual(['unsupported_media', 'IMPORT.BINARY_FILE']);
  });

  it('refuses a workbook sent as CSV as binary, and a CSV sent as XLSX as unsupported', async () => {
    const zip = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0, ...utf8('xl/workbook.xml')]);
    expect((await fileError(openImport(sourceOf(zip), { format: 'csv' }))).code).toBe('IMPORT.BINARY_FILE');
    const csv = utf8(`${header}A,b,c@example.com,2026-01-21\n`);
    expect((await fileError(openImport(sourceOf(csv), { format: 'xlsx' }))).code).toBe(
      'IMPORT.UNSUPPORTED_FORMAT',
    );
  });

  it('refuses a truncated workbook as malformed', async () => {
    const zip = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0, ...utf8('xl/workbook.xml')]);
    expect((await fileError(openImport(sourceOf(zip)))).code).toBe('IMPORT.MALFORMED_FILE');
  });

  it('refuses a file over maxBytes (413 IMPORT.TOO_LARGE) and stops reading it there', async () => {
    // Prepare: a 10 MB stream that counts what was pulled from it
    let pulled = 0;
    const line = utf8('OLD-1,标题,a@example.com,2026-01-21\n');
    const source = async function* () {
      yield utf8(header);
      for (let i = 0; i < (10 * 1024 * 1024) / line.length; i++) {
        pulled += line.length;
        yield line;
      }
    };
    // Act
    const error = await fileError(openImport(source, { maxBytes: 1024 * 1024 }));
    // Assess
    expect([error.kind, error.code]).toEqual(['too_large', 'IMPORT.TOO_LARGE']);
    expect(pulled).toBeLessThan(1024 * 1024 + line.length);
  });

  it('refuses a mapping to an unknown field (400 IMPORT.UNKNOWN_FIELD) with field-level detail', async () => {
    const csv = utf8(`${header}A,b,c@example.com,2026-01-21\n`);
    const error = await fileError(
      openImport(sourceOf(csv), { mapping: { 标题: 'title' as never, 工单号: 'externalId' } }),
    );
    expect([error.kind, error.code]).toEqual(['invalid', 'IMPORT.UNKNOWN_FIELD']);
    expect(error.details?.fields).toEqual([expect.objectContaining({ path: 'mapping.标题' })]);
  });

  it('refuses a file whose first row is not a header, or misses a required column', async () => {
    const data = utf8('A-1,无法登录,a@example.com,2026-01-21\nA-2,无法登录,a@example.com,2026-01-21\n');
    expect((await fileError(openImport(sourceOf(data)))).code).toBe('IMPORT.NO_HEADER');
    const noCreated = utf8('工单号,标题,客户邮箱\nA-1,无法登录,a@example.com\n');
    const error = await fileError(openImport(sourceOf(noCreated)));
    expect(error.code).toBe('IMPORT.MISSING_COLUMN');
    expect(error.details?.missing).toEqual(['createdAt']);
  });
});

describe('errorsCsv()', () => {
  const issues: ImportIssue[] = [
    {
      row: 2,
      column: '标题',
      code: 'FORMULA',
      message: "=cmd|' /C calc'!A0",
      severity: 'warning',
    },
    {
      row: 3,
      column: '@SUM(A1)',
      code: 'ENUM_UNKNOWN',
      message: 'Priority "Hign"',
      suggestion: '+high',
      severity: 'error',
    },
    {
      row: 4,
      column: '优先级',
      code: 'ENUM_UNKNOWN',
      message: '-2+3',
      suggestion: '\tx',
      severity: 'warning',
      applied: true,
    },
  ];

  it('writes UTF-8 with a BOM and escapes every cell a spreadsheet would run as a formula', () => {
    // Act
    const text = errorsCsv(issues);
    // Assess
    expect(text.startsWith('\uFEFFrow,column,code,severity,message,suggestion,applied\r\n')).toBe(true);
    const records: string[][] = parse(text.slice(1), { from_line: 2 });
    expect(records).toEqual([
      ['2', '标题', 'FORMULA', 'warning', "'=cmd|' /C calc'!A0", '', ''],
      ['3', "'@SUM(A1)", 'ENUM_UNKNOWN', 'error', 'Priority "Hign"', "'+high", ''],
      ['4', '优先级', 'ENUM_UNKNOWN', 'warning', "'-2+3", "'\tx", 'true'],
    ]);
  });

  it('gives the same text from an async stream of issues', async () => {
    const stream = async function* () {
      yield* issues;
    };
    expect(await errorsCsv(stream())).toBe(errorsCsv(issues));
    expect((await collect(errorsCsvStream(issues) as never)).join('')).toBe(errorsCsv(issues));
  });

  it('escapes the formula of an imported cell end to end', async () => {
    const csv = utf8(`${header}A-1,"=HYPERLINK(""http://evil.example"")",a@example.com,2026-01-21\n`);
    const [row] = await collect((await openImport(sourceOf(csv))).rows);
    const text = errorsCsv(row?.issues ?? []);
    expect(row?.issues.map((i) => i.code)).toEqual(['FORMULA']);
    expect(text).not.toMatch(/(^|,)"?=/m);
  });
});

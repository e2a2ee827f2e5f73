import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { type CheckedRow, openImport } from '../../../shared/domain/import/check-import.ts';
import { collect, sourceOf } from './support.ts';

/**
 * The seed's file (issue 16): a GBK export from a legacy desk, 20 tickets, with mixed date forms
 * (2026-01-21 next to 21/01/2026), an empty priority, "Hign" for "High", and an ambiguous 03/04/2026.
 */
function seedFile() {
  const lines = ['工单号,标题,优先级,客户邮箱,创建时间'];
  for (let i = 0; i < 20; i++) {
    const row = i + 2; // the spreadsheet's row number (header is row 1)
    let priority = ['low', 'normal', 'high', 'urgent'][i % 4] as string;
    let created = `2026-01-${String(i + 1).padStart(2, '0')}`;
    if (row === 6) created = '21/01/2026';
    if (row === 9) created = '2026-01-21';
    if (row === 12) priority = '';
    if (row === 15) priority = 'Hign';
    if (row === 19) created = '03/04/2026';
    lines.push(
      `OLD-${5000 + i},客户反馈系统登录后页面空白第${i + 1}次,${priority},user${i}@example.com,${created}`,
    );
  }
  return iconv.encode(lines.join('\r\n'), 'gbk');
}

const byRow = (rows: CheckedRow[], row: number) => rows.find((r) => r.row === row) as CheckedRow;

describe('the seed file with its five faults', () => {
  it('reports each fault on its own row with the right suggestion', async () => {
    // Act
    const opened = await openImport(sourceOf(seedFile(), 1000));
    const rows = await collect(opened.rows);
    // Assess: the GBK encoding, detected and reported
    expect(opened.encoding).toBe('GB18030');
    expect(rows.map((r) => r.row)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    // both date forms read as the same day (midnight in Asia/Shanghai), with no issue
    expect(byRow(rows, 6)).toMatchObject({ issues: [], values: { createdAt: '2026-01-20T16:00:00.000Z' } });
    expect(byRow(rows, 9)).toMatchObject({ issues: [], values: { createdAt: '2026-01-20T16:00:00.000Z' } });
    // the empty priority: the default, said as a warning
    expect(byRow(rows, 12).values?.priority).toBe('normal');
    expect(byRow(rows, 12).issues).toEqual([
      expect.objectContaining({
        column: '优先级',
        code: 'DEFAULT_USED',
        severity: 'warning',
        suggestion: 'normal',
      }),
    ]);
    // the typo: an error with its suggestion
    expect(byRow(rows, 15).values).toBeNull();
    expect(byRow(rows, 15).issues).toEqual([
      {
        row: 15,
        column: '优先级',
        code: 'ENUM_UNKNOWN',
        message: 'Priority "Hign" is not one of low, normal, high, urgent; did you mean "high"?',
        suggestion: 'high',
        severity: 'error',
      },
    ]);
    // the ambiguous day/month: flagged with both readings, never guessed
    expect(byRow(rows, 19).values).toBeNull();
    expect(byRow(rows, 19).issues).toEqual([
      expect.objectContaining({
        column: '创建时间',
        code: 'DATE_AMBIGUOUS',
        severity: 'error',
        suggestion: '2026-03-04 | 2026-04-03',
      }),
    ]);
    // and nothing else is wrong
    const faulty = new Set([12, 15, 19]);
    expect(rows.filter((r) => !faulty.has(r.row)).flatMap((r) => r.issues)).toEqual([]);
  });

  it('lets the Hign row pass once the suggestions are applied, and the date order settles 03/04/2026', async () => {
    const opened = await openImport(sourceOf(seedFile()), { applySuggestions: true, dateOrder: 'dmy' });
    const rows = await collect(opened.rows);
    expect(byRow(rows, 15).values?.priority).toBe('high');
    expect(byRow(rows, 15).issues).toEqual([
      expect.objectContaining({
        code: 'ENUM_UNKNOWN',
        severity: 'warning',
        suggestion: 'high',
        applied: true,
      }),
    ]);
    expect(byRow(rows, 19).values?.createdAt).toBe('2026-04-02T16:00:00.000Z');
    expect(rows.every((r) => r.values !== null)).toBe(true);
  });

  it('keeps the ambiguous date an error even with the suggestions applied', async () => {
    const rows = await collect((await openImport(sourceOf(seedFile()), { applySuggestions: true })).rows);
    expect(byRow(rows, 19).issues.map((i) => [i.code, i.severity])).toEqual([['DATE_AMBIGUOUS', 'error']]);
  });
});

import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { openImport } from '../../../shared/domain/import/check-import.ts';
import { importTemplate } from '../../../shared/domain/import/import-files-out.ts';
import { collect, sourceOf } from './support.ts';

async function bytesOf(workbook: ExcelJS.Workbook) {
  return new Uint8Array((await workbook.xlsx.writeBuffer()) as ArrayBuffer);
}

/**
 * A legacy export with a two-row header: 工单号, 标题, 创建时间 and 优先级 merged down both rows, 客户 merged
 * across its three sub-titles 邮箱 / 姓名 / 电话. Dates as real date cells, as bare serial numbers, as text.
 */
async function mergedWorkbook() {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('工单导出');
  const notes = workbook.addWorksheet('说明'); // a second sheet: never read
  for (let i = 0; i < 6; i++)
    notes.addRow([`X-${i}`, 'not read', 'x@example.com', '', '', '2026-01-01', 'low']);
  sheet.getCell('A1').value = '工单号';
  sheet.getCell('B1').value = '标题';
  sheet.getCell('C1').value = '客户';
  sheet.getCell('C2').value = '邮箱';
  sheet.getCell('D2').value = '姓名';
  sheet.getCell('E2').value = '电话';
  sheet.getCell('F1').value = '创建时间';
  sheet.getCell('G1').value = '优先级';
  for (const range of ['A1:A2', 'B1:B2', 'C1:E1', 'F1:F2', 'G1:G2']) sheet.mergeCells(range);
  const dateCell = new Date(Date.UTC(2026, 0, 21, 9, 5)); // Excel's wall clock: 2026-01-21 09:05
  sheet.addRow(['OLD-1', '打印机无法连接', 'a@example.com', '张伟', '138 0013 8000', dateCell, '紧急']);
  sheet.getCell('F3').numFmt = 'yyyy-mm-dd hh:mm';
  sheet.addRow(['OLD-2', '发票开错', 'b@example.com', '王芳', '010-62345678', 46043.5, 'high']); // a bare serial: 12:00
  sheet.addRow([
    'OLD-3',
    { formula: 'HYPERLINK("http://evil.example","点这里")', result: '点这里' },
    'c@example.com',
    '李娜',
    '400-820-8820',
    '2026年1月21日 9点5分',
    'low',
  ]);
  return bytesOf(workbook);
}

describe('openImport() on XLSX workbooks', () => {
  it('reads a two-row header with merged cells as one header per column', async () => {
    const opened = await openImport(sourceOf(await mergedWorkbook(), 1024));
    expect(opened.format).toBe('xlsx');
    expect(opened.headers).toEqual([
      '工单号',
      '标题',
      '客户邮箱',
      '客户姓名',
      '客户电话',
      '创建时间',
      '优先级',
    ]);
    expect(opened.mapping).toEqual({
      工单号: 'externalId',
      标题: 'subject',
      客户邮箱: 'customerEmail',
      客户姓名: 'customerName',
      客户电话: 'customerPhone',
      创建时间: 'createdAt',
      优先级: 'priority',
    });
  });

  it('reads Excel dates: date cells, serial numbers and text, in the import time zone', async () => {
    const rows = await collect(
      (await openImport(sourceOf(await mergedWorkbook()), { applySuggestions: true })).rows,
    );
    expect(rows.map((r) => r.row)).toEqual([3, 4, 5]);
    expect(rows.map((r) => r.values?.createdAt)).toEqual([
      '2026-01-21T01:05:00.000Z',
      '2026-01-21T04:00:00.000Z',
      '2026-01-21T01:05:00.000Z',
    ]);
    expect(rows[0]?.values).toMatchObject({
      externalId: 'OLD-1',
      priority: 'urgent',
      customer: { email: 'a@example.com', name: '张伟', phone: '138 0013 8000', tier: 'standard' },
    });
    expect(rows[0]?.issues).toEqual([expect.objectContaining({ code: 'ENUM_UNKNOWN', applied: true })]);
  });

  it('keeps a formula cell as its text and flags it', async () => {
    const rows = await collect((await openImport(sourceOf(await mergedWorkbook()))).rows);
    expect(rows[2]?.values?.subject).toBe('=HYPERLINK("http://evil.example","点这里")');
    expect(rows[2]?.issues).toEqual([
      expect.objectContaining({ row: 5, column: '标题', code: 'FORMULA', severity: 'warning' }),
    ]);
  });

  it('joins an English group title and sub-title with a space', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Export');
    sheet.getCell('A1').value = 'Ticket No';
    sheet.getCell('B1').value = 'Subject';
    sheet.getCell('C1').value = 'Customer';
    sheet.getCell('C2').value = 'Email';
    sheet.getCell('D2').value = 'Phone';
    sheet.getCell('E1').value = 'Created';
    for (const range of ['A1:A2', 'B1:B2', 'C1:D1', 'E1:E2']) sheet.mergeCells(range);
    sheet.addRow(['T-1', 'Cannot log in', 'x@example.com', '+44 20 7946 0958', '2026-01-21T09:05:00Z']);
    const opened = await openImport(sourceOf(await bytesOf(workbook)));
    expect(opened.headers).toEqual(['Ticket No', 'Subject', 'Customer Email', 'Customer Phone', 'Created']);
    const [row] = await collect(opened.rows);
    expect(row?.issues).toEqual([]);
    expect(row?.values?.createdAt).toBe('2026-01-21T09:05:00.000Z');
  });

  it('takes a one-row header when the second row is data', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Export');
    sheet.addRow(['工单号', '标题', '客户邮箱', '创建时间']);
    sheet.addRow(['T-1', '无法登录', 'x@example.com', new Date(Date.UTC(2026, 0, 21))]);
    const opened = await openImport(sourceOf(await bytesOf(workbook)));
    expect(opened.headers).toEqual(['工单号', '标题', '客户邮箱', '创建时间']);
    expect((await collect(opened.rows)).map((r) => r.values?.createdAt)).toEqual([
      '2026-01-20T16:00:00.000Z',
    ]);
  });
});

describe('importTemplate()', () => {
  it.each([
    ['xlsx', 'zh'],
    ['xlsx', 'en'],
    ['csv', 'zh'],
    ['csv', 'en'],
  ] as const)('gives a %s template in %s whose example row passes the pre-check', async (format, locale) => {
    const bytes = await importTemplate(format, locale);
    const opened = await openImport(sourceOf(bytes), { format });
    expect(Object.values(opened.mapping).every((f) => f !== null)).toBe(true);
    // 20 ticket columns, and product, model, region (docs/analytics.md).
    expect(opened.headers).toHaveLength(23);
    const rows = await collect(opened.rows);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.issues).toEqual([]);
    expect(rows[0]?.values).toMatchObject({
      externalId: 'OLD-10001',
      priority: 'high',
      status: 'resolved',
      channel: 'phone',
      createdAt: '2026-01-21T01:05:00.000Z',
      resolvedAt: '2026-01-22T02:30:00.000Z',
      customer: { tier: 'vip', phone: '13800138000' },
      region: '上海市/浦东新区',
    });
    if (format === 'csv') {
      expect(opened.encoding).toBe('UTF-8 (BOM)');
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    }
  });
});

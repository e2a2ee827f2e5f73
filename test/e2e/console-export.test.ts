import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleWorld, desktop, phone, shot, startConsoleWorld } from './support/console-browser.ts';

/**
 * "Export" on the queue (docs/export.md), in a real headless Chromium against the local runtime: the
 * current filters exported as CSV and as Excel, the files downloaded as a user gets them.
 * Screenshots: zh and en, desktop and phone, with the export menu open.
 */
let world: ConsoleWorld;
const tag = `cx${randomBytes(4).toString('hex')}`;
const numbers: string[] = [];

beforeAll(async () => {
  world = await startConsoleWorld();
  for (const [subject, priority] of [
    [`空调漏水 ${tag}`, 'high'],
    [`=HYPERLINK("http://evil") ${tag}`, 'high'],
    [`门禁失灵 ${tag}`, 'low'],
  ] as const) {
    const created = await world.api('POST', '/tickets', {
      token: world.tokens.admin,
      body: {
        subject,
        priority,
        customer: { email: `${tag}-${numbers.length}@example.com`, name: '周先生' },
      },
    });
    expect(created.status).toBe(201);
    if (priority === 'high') numbers.push(created.body.number);
  }
});

afterAll(() => world?.stop());

async function exportFrom(lang: 'zh' | 'en', viewport: typeof desktop, kind: 'csv' | 'xlsx') {
  const { page, context, errors } = await world.signedIn('u-sup-field', { lang, viewport });
  // The queue opened on a search (as a link may open it), then narrowed to high priority.
  await page.goto(`${world.runtime.url}/console/?scope=all&q=${tag}`);
  await page.getByRole('link', { name: numbers[0] }).first().waitFor();
  const exportLabel = lang === 'zh' ? '导出' : 'Export';
  await page.getByRole('button', { name: exportLabel }).hover();
  const item = page.getByRole('menuitem', { name: kind === 'csv' ? /CSV/ : /xlsx/ });
  await item.waitFor();
  return { page, context, errors, item };
}

describe('Export on the queue', () => {
  it('downloads the queue as CSV with a BOM, Chinese intact and formulas escaped', async () => {
    const { page, context, errors, item } = await exportFrom('zh', desktop, 'csv');
    await shot(page, 'export-menu-zh-desktop');
    const [download] = await Promise.all([page.waitForEvent('download'), item.click()]);
    expect(download.suggestedFilename()).toMatch(/^tickets-\d{8}-\d{4}\.csv$/);
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = parse(bytes, { bom: true }) as string[][];
    expect(header?.[0]).toBe('工单号');
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r[2]).sort()).toEqual(
      [`'=HYPERLINK("http://evil") ${tag}`, `空调漏水 ${tag}`, `门禁失灵 ${tag}`].sort(),
    );
    await page.getByText(/导出完成：3 行/).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('downloads the filtered queue as Excel in English', async () => {
    const { page, context, errors } = await world.signedIn('u-sup-field', { lang: 'en', viewport: desktop });
    await page.goto(`${world.runtime.url}/console/?scope=all&q=${tag}`);
    await page.getByRole('link', { name: numbers[0] }).first().waitFor();
    // Narrow to high priority with the queue's own filter.
    await page.getByRole('combobox', { name: 'Priority' }).click();
    await page.locator('.ant-select-item-option[title="High"]').click();
    await page.getByRole('button', { name: 'Export' }).hover();
    const item = page.getByRole('menuitem', { name: /xlsx/ });
    await item.waitFor();
    await shot(page, 'export-menu-en-desktop');
    const [download] = await Promise.all([page.waitForEvent('download'), item.click()]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(readFileSync((await download.path())!) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).getCell(1).value).toBe('Number');
    const exported = [2, 3, 4].map((r) => sheet.getRow(r).getCell(1).value).filter(Boolean);
    expect(exported.sort()).toEqual([...numbers].sort());
    expect(errors).toEqual([]);
    await context.close();
  });

  it('offers the export on a phone too (screenshots zh and en)', async () => {
    for (const lang of ['zh', 'en'] as const) {
      const { page, context, errors } = await exportFrom(lang, phone, 'csv');
      await shot(page, `export-menu-${lang}-phone`);
      expect(errors).toEqual([]);
      await context.close();
    }
  });
});

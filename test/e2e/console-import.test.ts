import { join } from 'node:path';
import iconv from 'iconv-lite';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConsoleWorld,
  desktop,
  expectAccessible,
  phone,
  shot,
  shots,
  startConsoleWorld,
} from './support/console-browser.ts';

/**
 * The import wizard (管理设置 → 数据导入) in a real headless Chromium against the local runtime, with the
 * seed's file: GBK-encoded, 2026-01-21 next to 21/01/2026, an empty priority, "Hign", an ambiguous
 * 03/04/2026, and enough good rows that the commit takes a while. Upload, encoding and mapping (one
 * column re-mapped by hand), the report with each fault on its row and its suggestion, suggestions
 * applied and a day/month order chosen, commit with the progress bar seen between 0 and 100 %, the
 * tickets found by their legacy number in the queue; English and a phone; the same file again creates
 * nothing.
 */
let world: ConsoleWorld;

beforeAll(async () => {
  world = await startConsoleWorld();
});

afterAll(() => world?.stop());

const rowsInFile = 1500;
const headers = [
  '工单号',
  '主题',
  '工程师手记',
  '优先级',
  '状态',
  '客户姓名',
  '客户邮箱',
  '创建时间',
  '关闭时间',
];
const legacy = (row: number) => `LEG-${String(row).padStart(5, '0')}`;
const subjectOf = (row: number) => `历史工单 ${row}：门店打印机卡纸`;
const remarkOf = (row: number) => `工程师手记 ${row}：已更换搓纸轮`;

/** The seed's faults, by the spreadsheet row they are on (header = row 1). */
const faults: Record<number, Partial<Record<(typeof headers)[number], string>>> = {
  2: { 创建时间: '2026-01-21', 关闭时间: '2026-01-22' },
  3: { 创建时间: '21/01/2026', 关闭时间: '2026-01-22' },
  5: { 优先级: '' },
  8: { 创建时间: '03/04/2026', 关闭时间: '2026-04-10' },
  37: { 优先级: 'Hign' },
};

/** The legacy export: GBK bytes (no BOM), CRLF lines, a quoted field where a comma needs it. */
function legacyFile(): Buffer {
  const priorities = ['low', 'normal', 'high', 'urgent'];
  const lines = [headers.join(',')];
  for (let row = 2; row <= rowsInFile + 1; row++) {
    const day = String(1 + (row % 28)).padStart(2, '0');
    const values: Record<string, string> = {
      工单号: legacy(row),
      主题: subjectOf(row),
      工程师手记: `"${remarkOf(row)}，客户已确认"`,
      优先级: priorities[row % 4]!,
      状态: 'closed',
      客户姓名: ['张伟', '王芳', '李娜', '刘洋'][row % 4]!,
      客户邮箱: `store${row % 40}@hualian.example.com`,
      创建时间: `2025-06-${day}`,
      关闭时间: `2025-07-${day}`,
      ...faults[row],
    };
    lines.push(headers.map((h) => values[h]).join(','));
  }
  return iconv.encode(`${lines.join('\r\n')}\r\n`, 'gbk');
}

const file = () => ({ name: 'legacy-tickets.csv', mimeType: 'text/csv', buffer: legacyFile() });

interface Issue {
  row: number;
  code: string;
  severity: 'error' | 'warning';
}

const api = (method: string, path: string, body?: unknown) =>
  world.api(method, path, { token: world.tokens.admin, ...(body ? { body } : {}) });

/** Clicks what starts a download and answers the downloaded file's text. */
async function downloaded(page: Page, click: () => Promise<void>) {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const chunks: Buffer[] = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
  return { name: download.suggestedFilename(), bytes: Buffer.concat(chunks) };
}

/** The id of the import the wizard shows (it is in the address). */
const importIdOf = (page: Page) => new URL(page.url()).searchParams.get('id')!;

/** Nothing sticks out sideways (wide tables scroll inside their own region). */
const pageOverflow = (page: Page) =>
  page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');

/** Chooses an option of an Ant Design Select named `label`. */
async function choose(page: Page, label: string, option: string) {
  await page.getByRole('combobox', { name: label, exact: true }).click();
  await page
    .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option })
    .first()
    .click();
}

/** Uploads the file and waits for its pre-check to finish (the report button enabled). */
async function upload(page: Page, reportButton: string) {
  await page.locator('input[type=file]').setInputFiles(file());
  await page.waitForURL(/[?&]id=/);
  const next = page.getByRole('button', { name: reportButton });
  await next.waitFor();
  await expect.poll(() => next.isEnabled(), { timeout: 60_000 }).toBe(true);
}

/**
 * Reads the progress bar's value until the import is complete: every value seen, in order. The
 * wizard polls the record about every 500 ms; this reads the page more often than that.
 */
async function watchProgress(page: Page, doneText: string, midShotName: string) {
  const seen: number[] = [];
  let midShot = false;
  const deadline = Date.now() + 120_000;
  const read = async () => {
    const bar = page.getByRole('progressbar');
    if (!(await bar.count())) return;
    const value = Number(await bar.first().getAttribute('aria-valuenow'));
    if (seen.at(-1) !== value) seen.push(value);
    if (value > 0 && value < 100 && !midShot) {
      midShot = true;
      // no settling wait here: the bar must be caught while it moves
      await page.screenshot({ path: join(shots, `${midShotName}.png`) });
    }
  };
  while (Date.now() < deadline) {
    await read();
    if (await page.getByText(doneText).count()) break;
    await page.waitForTimeout(40);
  }
  // The last reading may predate the render that said "done" (the bar and the text change together)
  await read();
  return seen;
}

describe('The import wizard in the console', () => {
  it('imports the seed’s GBK file: encoding, mapping, each fault with its suggestion, fixes applied, live progress, tickets found by legacy number', async () => {
    // Prepare
    const { page, context, errors } = await world.signedIn('u-admin', { viewport: desktop });
    await page.locator('header [role=menuitem]', { hasText: '管理设置' }).click();
    await page.getByRole('tab', { name: '数据导入' }).click();
    await page.getByText('点击或拖拽 CSV / XLSX 文件到此处').waitFor();
    await shot(page, 'import-upload-zh-desktop');
    await expectAccessible(page, 'import upload');

    // Act: the Chinese CSV template
    const template = await downloaded(page, async () => {
      await page.getByRole('button', { name: '下载模板' }).click();
      await page.getByRole('menuitem', { name: 'CSV 模板（中文表头）' }).click();
    });
    // Assess: a CSV whose header names the fields in Chinese
    expect(template.name).toBe('gongdan-import-template-zh.csv');
    expect(template.bytes.toString('utf8')).toMatch(/优先级/);

    // Act: upload the GBK file
    await upload(page, '查看预检报告');
    const id = importIdOf(page);

    // Assess: the detected encoding (GBK is read as its superset GB18030) and the automatic mapping
    const encoding = page.locator('[data-encoding]');
    expect(await encoding.textContent()).toMatch(/^(GB18030|GBK)$/);
    const checked = (await api('GET', `/imports/${id}`)).body;
    expect(checked).toMatchObject({ status: 'checked', format: 'csv', total: rowsInFile, dryRun: true });
    expect(checked.encoding).toMatch(/GB18030|GBK/);
    expect(checked.headers).toEqual(headers);
    expect(checked.mapping).toMatchObject({ 优先级: 'priority', 客户邮箱: 'customerEmail' });
    expect(checked.mapping.工程师手记 ?? null).toBeNull(); // not a known header: ignored until mapped
    await shot(page, 'import-mapping-zh-desktop');
    await expectAccessible(page, 'import mapping');

    // Act: map the remarks column to the description; the file is checked again with that mapping
    await choose(page, '列“工程师手记”对应的字段', '描述 (description)');
    // Assess
    await expect
      .poll(async () => (await api('GET', `/imports/${id}`)).body, { timeout: 60_000 })
      .toMatchObject({ status: 'checked', mapping: { 工程师手记: 'description' } });
    const next = page.getByRole('button', { name: '查看预检报告' });
    await expect.poll(() => next.isEnabled(), { timeout: 60_000 }).toBe(true);

    // Act: save this mapping for the next export from the same system
    await page.getByLabel('映射名称').fill('旧系统导出');
    await page.getByRole('button', { name: '保存此映射' }).click();
    // Assess
    await expect
      .poll(async () => (await api('GET', '/imports/mappings')).body.items)
      .toContainEqual({
        name: '旧系统导出',
        mapping: expect.objectContaining({ 工程师手记: 'description' }),
      });

    // Act: the report
    await next.click();
    // Assess: "Hign" on row 37 with "high", 03/04/2026 on row 8 with both readings; rows 2, 3 and 5
    // (both date forms, the empty priority) carry no error
    const hign = page.locator('tr[data-row="37"][data-code="ENUM_UNKNOWN"]');
    await hign.waitFor();
    expect(await hign.textContent()).toContain('Hign');
    expect(await hign.locator('code').textContent()).toBe('high');
    const ambiguous = page.locator('tr[data-row="8"][data-code="DATE_AMBIGUOUS"]');
    expect(await ambiguous.textContent()).toMatch(/2026-03-04.*2026-04-03/);
    const report = (await api('GET', `/imports/${id}`)).body;
    const errorsOn = (row: number) =>
      (report.errors as Issue[]).filter((i) => i.row === row && i.severity === 'error').map((i) => i.code);
    expect(errorsOn(37)).toEqual(['ENUM_UNKNOWN']);
    expect(errorsOn(8)).toEqual(['DATE_AMBIGUOUS']);
    expect([...errorsOn(2), ...errorsOn(3), ...errorsOn(5)]).toEqual([]);
    expect(report.errorCount).toBe(2);
    expect(report.errors).toHaveLength(report.errorCount + report.warningCount);
    expect(await page.getByRole('button', { name: '导入 1498 行' }).count()).toBe(1);
    await shot(page, 'import-report-zh-desktop');
    await expectAccessible(page, 'import report');

    // Act: download the errors
    const errorsFile = await downloaded(page, () =>
      page.getByRole('button', { name: '下载错误清单' }).click(),
    );
    // Assess: each issue's row with its suggestion
    const errorsText = errorsFile.bytes.toString('utf8');
    expect(errorsFile.name).toBe('legacy-tickets-errors.csv');
    expect(errorsText.split(/\r?\n/).find((l) => l.includes('Hign'))).toMatch(/37.*ENUM_UNKNOWN.*high/);
    expect(errorsText).toMatch(/\b8\b.*DATE_AMBIGUOUS/);

    // Act: filter by code
    await page.getByText(/^取值无法识别 \(1\)$/).click();
    // Assess: only that issue is listed
    await expect.poll(() => page.locator('tr[data-code]').count()).toBe(1);
    await page.getByText(/^取值无法识别 \(1\)$/).click();

    // Act: apply the suggestions, read 03/04/2026 as day/month
    await page.getByRole('button', { name: '应用建议的修正' }).click();
    await page.locator('tr[data-row="37"]').getByText('已应用').waitFor({ timeout: 60_000 });
    await page.locator('label', { hasText: '日/月/年' }).click();
    // Assess: the record keeps both choices; no error is left
    await expect
      .poll(async () => (await api('GET', `/imports/${id}`)).body, { timeout: 60_000 })
      .toMatchObject({ status: 'checked', options: { applySuggestions: true, dateOrder: 'dmy' } });
    const fixed = (await api('GET', `/imports/${id}`)).body;
    expect((fixed.errors as Issue[]).filter((i) => i.severity === 'error')).toEqual([]);
    const commitButton = page.getByRole('button', { name: `导入 ${rowsInFile} 行` });
    await expect.poll(() => commitButton.isEnabled(), { timeout: 60_000 }).toBe(true);
    await shot(page, 'import-report-fixed-zh-desktop');

    // Act: commit
    await commitButton.click();
    const seen = await watchProgress(page, '导入完成', 'import-progress-zh-desktop');

    // Assess: the bar moved through an intermediate value to 100 %
    expect(
      seen.some((v) => v > 0 && v < 100),
      `values seen: ${seen.join(', ')}`,
    ).toBe(true);
    expect(seen.at(-1)).toBe(100);
    expect(seen).toEqual([...seen].sort((a, b) => a - b)); // never backwards
    const done = (await api('GET', `/imports/${id}`)).body;
    expect(done).toMatchObject({
      status: 'completed',
      created: rowsInFile,
      skipped: 0,
      processed: rowsInFile,
    });
    expect(await page.locator('[data-progress]').textContent()).toContain(`${rowsInFile} / ${rowsInFile}`);
    await shot(page, 'import-done-zh-desktop');
    await expectAccessible(page, 'import result');

    // Assess: the faults became what the suggestions and the chosen order said
    const ticketOf = async (row: number) => {
      const found = await api('GET', `/tickets?q=${legacy(row)}`);
      expect(found.status).toBe(200);
      expect(found.body.items).toHaveLength(1);
      return (await api('GET', `/tickets/${found.body.items[0].id}`)).body;
    };
    const shanghaiDay = (iso: string) =>
      new Date(iso).toLocaleDateString('sv', { timeZone: 'Asia/Shanghai' });
    expect(await ticketOf(37)).toMatchObject({ priority: 'high', externalRef: legacy(37), status: 'closed' });
    expect(await ticketOf(5)).toMatchObject({ priority: 'normal' });
    expect(shanghaiDay((await ticketOf(8)).createdAt)).toBe('2026-04-03');
    expect(shanghaiDay((await ticketOf(2)).createdAt)).toBe('2026-01-21');
    expect(shanghaiDay((await ticketOf(3)).createdAt)).toBe('2026-01-21');
    expect((await ticketOf(900)).description).toContain(remarkOf(900));

    // Act: to the imported tickets, search a legacy number
    await page
      .getByRole('link', { name: '查看导入的工单' })
      .or(page.getByRole('button', { name: '查看导入的工单' }))
      .click();
    const search = page
      .getByRole('searchbox', { name: '搜索编号、客户、电话或主题' })
      .or(page.getByLabel('搜索编号、客户、电话或主题'));
    await search.first().fill(legacy(37));
    await search.first().press('Enter');
    // Assess: that ticket and no other
    await expect.poll(() => page.locator('[data-ticket]').count(), { timeout: 15_000 }).toBe(1);
    expect(await page.locator('[data-ticket]').textContent()).toContain(subjectOf(37));
    await shot(page, 'import-queue-zh-desktop');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('speaks English on a phone, and the same file again creates nothing', async () => {
    // Prepare
    const { page, context, errors } = await world.signedIn('u-admin', { lang: 'en', viewport: phone });
    await page.goto(`${world.runtime.url}/console/admin/import`);
    await page.getByText('Click or drag a CSV / XLSX file here').waitFor();
    await shot(page, 'import-upload-en-phone');
    await expectAccessible(page, 'import upload on a phone');

    // Act: the same file
    await upload(page, 'See the pre-check report');
    const id = importIdOf(page);
    expect(await page.locator('[data-encoding]').textContent()).toMatch(/^(GB18030|GBK)$/);
    await shot(page, 'import-mapping-en-phone');
    expect(await pageOverflow(page)).toBeLessThanOrEqual(0);
    await page.getByRole('button', { name: 'See the pre-check report' }).click();
    await page.locator('tr[data-row="37"][data-code="ENUM_UNKNOWN"]').waitFor();
    await shot(page, 'import-report-en-phone');
    expect(await pageOverflow(page)).toBeLessThanOrEqual(0);
    await expectAccessible(page, 'import report on a phone');
    await page.getByRole('button', { name: 'Apply the suggested fixes' }).click();
    await page.locator('tr[data-row="37"]').getByText('Applied').waitFor({ timeout: 60_000 });
    await page.locator('label', { hasText: 'day/month/year' }).click();
    const commitButton = page.getByRole('button', { name: `Import ${rowsInFile} rows` });
    await expect.poll(() => commitButton.isEnabled(), { timeout: 60_000 }).toBe(true);
    await commitButton.click();
    await watchProgress(page, 'Import finished', 'import-progress-en-phone');

    // Assess: every row skipped as already imported, nothing created
    const done = (await api('GET', `/imports/${id}`)).body;
    expect(done).toMatchObject({ status: 'completed', created: 0, skipped: rowsInFile });
    expect((await api('GET', `/tickets?q=${legacy(37)}`)).body.items).toHaveLength(1);
    await shot(page, 'import-done-en-phone');
    expect(await pageOverflow(page)).toBeLessThanOrEqual(0);
    await expectAccessible(page, 'import result on a phone');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows each step in English on a desktop and in Chinese on a phone; lists recent imports', async () => {
    const imports = (await api('GET', '/imports')).body.items as { id: string; status: string }[];
    const committed = imports.find((i) => i.status === 'completed')!;
    for (const [lang, viewport, suffix] of [
      ['en', desktop, 'en-desktop'],
      ['zh', phone, 'zh-phone'],
    ] as const) {
      const { page, context, errors } = await world.signedIn('u-admin', { lang, viewport });
      await page.goto(`${world.runtime.url}/console/admin/import`);
      // the recent imports, newest first, each opening in the wizard
      const recent = page.getByRole('link', { name: 'legacy-tickets.csv' });
      await expect.poll(() => recent.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
      await shot(page, `import-upload-${suffix}`);
      // the mapping saved in the first test, picked before the upload
      await choose(page, lang === 'en' ? 'Use a saved column mapping' : '使用已保存的列映射', '旧系统导出');
      const reportButton = lang === 'en' ? 'See the pre-check report' : '查看预检报告';
      await upload(page, reportButton);
      const label = lang === 'en' ? 'Field for column "工程师手记"' : '列“工程师手记”对应的字段';
      expect(
        await page.locator('.ant-select', { has: page.getByRole('combobox', { name: label }) }).textContent(),
      ).toContain('(description)');
      expect((await api('GET', `/imports/${importIdOf(page)}`)).body.mapping).toMatchObject({
        工程师手记: 'description',
      });
      await shot(page, `import-mapping-${suffix}`);
      await page.getByRole('button', { name: reportButton }).click();
      await page.locator('tr[data-row="8"][data-code="DATE_AMBIGUOUS"]').waitFor();
      await shot(page, `import-report-${suffix}`);
      await page.goto(`${world.runtime.url}/console/admin/import?id=${encodeURIComponent(committed.id)}`);
      await page.getByText(lang === 'en' ? 'Import finished' : '导入完成').waitFor();
      await shot(page, `import-done-${suffix}`);
      expect(errors).toEqual([]);
      await context.close();
    }
  });
});

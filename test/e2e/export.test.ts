import { randomBytes } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.ts';
import { runtimeSuite } from './support/runtime-process.ts';

/** Export of a filtered ticket list over HTTP (docs/export.md): CSV with BOM and XLSX, streamed. */
const suite = runtimeSuite();

const tag = `exp${randomBytes(4).toString('hex')}`;
const injection = `=cmd|' /C calc'!A0 ${tag}`;
const subjects = {
  chinese: `空调不制冷，会议室 28 度 ${tag}`,
  injection,
  low: `打印机卡纸 ${tag}`,
};

const enHeaders = [
  'Number',
  'Legacy number',
  'Subject',
  'Status',
  'Priority',
  'Category',
  'Intent',
  'Team',
  'Assignee',
  'Customer name',
  'Customer email',
  'Customer phone',
  'Tier',
  'Channel',
  'Created at',
  'Updated at',
  'First response at',
  'Resolved at',
  'SLA breached',
];

const numbers: Record<keyof typeof subjects, string> = { chinese: '', injection: '', low: '' };

async function download(path: string, token: string) {
  const response = await fetch(`${suite.runtime.url}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

const csvRows = (bytes: Buffer) => parse(bytes, { bom: true, relax_column_count: false }) as string[][];

async function xlsxRows(bytes: Buffer) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0]!;
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const cells: string[] = [];
    for (let c = 1; c <= enHeaders.length; c++) {
      const cell = row.getCell(c);
      // Every cell is text: never a formula, never a number or date guessed from the text.
      expect(cell.formula).toBeUndefined();
      expect([ExcelJS.ValueType.String, ExcelJS.ValueType.Null]).toContain(cell.type);
      cells.push(cell.value === null ? '' : String(cell.value));
    }
    rows.push(cells);
  });
  return rows;
}

beforeAll(async () => {
  const { api, tokens } = suite;
  const make = async (key: keyof typeof subjects, priority: string, customer: Record<string, string>) => {
    const created = await api('POST', '/tickets', {
      token: tokens.agent,
      body: { subject: subjects[key], description: `导出测试 ${tag}`, priority, customer },
    });
    expect(created.status).toBe(201);
    numbers[key] = created.body.number;
  };
  await make('chinese', 'high', {
    email: `wang-${tag}@example.com`,
    name: '王小明',
    phone: '+86 138 0013 8000',
  });
  await make('injection', 'high', { email: `evil-${tag}@example.com`, name: '@SUM(1+1)' });
  await make('low', 'low', { email: `li-${tag}@example.com`, name: '李雷' });
});

describe('GET /tickets/export', () => {
  it('streams a CSV with a BOM, the list filters applied, Chinese intact and formulas escaped', async () => {
    const { response, bytes } = await download(
      `/tickets/export?format=csv&q=${tag}&priority=high&locale=en`,
      suite.tokens.supervisor,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="tickets-\d{8}-\d{4}\.csv"$/,
    );
    // Streamed as produced: chunked, no length known up front.
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    expect(response.headers.get('content-length')).toBeNull();
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain('\r\n');

    const [header, ...rows] = csvRows(bytes);
    expect(header).toEqual(enHeaders);
    // The low-priority ticket is filtered out; the same filters on the list give the same tickets.
    expect(rows.map((r) => r[0]).sort()).toEqual([numbers.chinese, numbers.injection].sort());
    const listed = await suite.api('GET', `/tickets?q=${tag}&priority=high&limit=100`, {
      token: suite.tokens.supervisor,
    });
    expect(listed.body.items.map((t: { number: string }) => t.number).sort()).toEqual(
      rows.map((r) => r[0]).sort(),
    );

    const byNumber = new Map(rows.map((r) => [r[0], r]));
    const chinese = byNumber.get(numbers.chinese)!;
    expect(chinese[2]).toBe(subjects.chinese);
    expect(chinese[9]).toBe('王小明');
    expect(chinese[4]).toBe('high');
    expect(chinese[13]).toBe('api');
    // A leading + would be read as a formula too: escaped like the rest.
    expect(chinese[11]).toBe("'+86 138 0013 8000");
    expect(chinese[14]).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(chinese[18]).toBe('no');

    const evil = byNumber.get(numbers.injection)!;
    expect(evil[2]).toBe(`'${injection}`);
    expect(evil[9]).toBe("'@SUM(1+1)");
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('writes the header row in Chinese by default', async () => {
    const { bytes } = await download(`/tickets/export?format=csv&q=${tag}`, suite.tokens.admin);
    const [header, ...rows] = csvRows(bytes);
    expect(header?.slice(0, 5)).toEqual(['工单号', '原系统编号', '主题', '状态', '优先级']);
    expect(header?.at(-1)).toBe('SLA 已违约');
    expect(rows).toHaveLength(3);
    expect(rows.find((r) => r[0] === numbers.low)?.[18]).toBe('否');
  });

  it('gives the same rows as XLSX, readable by exceljs, every cell a string and no formula', async () => {
    const query = `q=${tag}&locale=en`;
    const csv = await download(`/tickets/export?format=csv&${query}`, suite.tokens.agent);
    const xlsx = await download(`/tickets/export?format=xlsx&${query}`, suite.tokens.agent);
    expect(xlsx.response.status).toBe(200);
    expect(xlsx.response.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(xlsx.response.headers.get('transfer-encoding')).toBe('chunked');
    expect(xlsx.bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    const fromXlsx = await xlsxRows(xlsx.bytes);
    const fromCsv = csvRows(csv.bytes);
    expect(fromXlsx).toHaveLength(4);
    expect(fromXlsx).toEqual(fromCsv);
    expect(fromXlsx.find((r) => r[0] === numbers.injection)?.[2]).toBe(`'${injection}`);
  });

  it('answers a bad format with a 400 naming the field, and nothing else', async () => {
    for (const format of ['pdf', '']) {
      const response = await suite.api('GET', `/tickets/export?format=${format}&q=${tag}`, {
        token: suite.tokens.admin,
      });
      expect(response.status).toBe(400);
      expect(response.body.error.details.fields).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: 'format' })]),
      );
    }
    const missing = await suite.api('GET', `/tickets/export?q=${tag}`, { token: suite.tokens.admin });
    expect(missing.status).toBe(400);
    const badFilter = await suite.api('GET', '/tickets/export?format=csv&priority=Hign', {
      token: suite.tokens.admin,
    });
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.error.details.fields).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'priority' })]),
    );
  });

  it('is for staff: a customer gets a 403', async () => {
    const response = await suite.api('GET', `/tickets/export?format=csv`, { token: suite.tokens.customer });
    expect(response.status).toBe(403);
  });
});

describe('POST /exports and GET /exports/{id} (the file route, for exports larger than a response)', () => {
  it('writes the file in the background and links to it; the file holds the same rows', async () => {
    const { api, tokens } = suite;
    const started = await api('POST', '/exports', {
      token: tokens.supervisor,
      body: { format: 'xlsx', locale: 'en', q: tag, priority: 'high' },
    });
    expect(started.status).toBe(202);
    expect(started.body).toEqual({ exportId: expect.any(String) });
    const id = started.body.exportId as string;

    const done = await eventually(async () => {
      const r = await api('GET', `/exports/${id}`, { token: tokens.supervisor });
      expect(r.status).toBe(200);
      return r.body.status === 'running' ? undefined : r.body;
    }, 20_000);
    expect(done).toMatchObject({ exportId: id, status: 'done', format: 'xlsx', rows: 2 });
    expect(done.downloadUrl).toMatch(/^http:\/\/localhost:\d+\/dev\/export-files\/exports\//);

    const file = await fetch(done.downloadUrl);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toMatch(
      /^attachment; filename="tickets-\d{8}-\d{4}\.xlsx"/,
    );
    const fromFile = await xlsxRows(Buffer.from(await file.arrayBuffer()));
    const direct = await download(
      `/tickets/export?format=csv&locale=en&q=${tag}&priority=high`,
      tokens.supervisor,
    );
    expect(fromFile).toEqual(csvRows(direct.bytes));

    // A tampered link is refused.
    const tampered = await fetch(done.downloadUrl.replace(/sig=[^&]+/, 'sig=AAAA'));
    expect(tampered.status).toBe(403);
  });

  it('shows an export only to whoever started it (and admins), and checks the body', async () => {
    const { api, tokens } = suite;
    const started = await api('POST', '/exports', {
      token: tokens.supervisor,
      body: { format: 'csv', q: tag },
    });
    expect(started.status).toBe(202);
    const id = started.body.exportId as string;
    expect((await api('GET', `/exports/${id}`, { token: tokens.agent })).status).toBe(404);
    expect((await api('GET', `/exports/${id}`, { token: tokens.admin })).status).toBe(200);
    expect((await api('GET', '/exports/no-such-export', { token: tokens.admin })).status).toBe(404);

    const bad = await api('POST', '/exports', { token: tokens.supervisor, body: { format: 'docx' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'format' })]),
    );
  });
});

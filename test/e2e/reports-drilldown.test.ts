import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeHistory } from '../support/analytics-history.ts';
import { runtimeSuite } from './support/runtime-process.ts';

/**
 * The bottleneck and drill-down reports over HTTP (docs/analytics.md, "Bottlenecks", "Drill-down"): a
 * generated history with a slow team and a spiking product × intent in the runtime's lake (JSONL under
 * `<dataDir>/lake`, as the pipeline writes it), read by the local DuckDB engine.
 */
const suite = runtimeSuite();
const spike = { product: '冰箱', intent: 'repair', day: '2026-11-18', factor: 5 };

beforeAll(async () => {
  await writeHistory(join(suite.dataDir, 'lake'), {
    tickets: 6000,
    days: 45,
    end: '2026-11-20',
    seed: 5,
    slowTeam: 'vip',
    spike,
    format: 'jsonl',
  });
}, 120_000);

async function get(path: string, token = suite.tokens.supervisor) {
  const response = await fetch(`${suite.runtime.url}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}
const json = async (path: string, token?: string) => {
  const { response, bytes } = await get(path, token);
  return { status: response.status, body: JSON.parse(bytes.toString('utf8')) };
};

describe('GET /reports/bottlenecks', () => {
  it('time with each team: the slow team holds its tickets longest, with its stalled tickets', async () => {
    const { status, body } = await json('/reports/bottlenecks?by=team&from=2026-10-10&to=2026-11-10');
    expect(status).toBe(200);
    expect(body.period).toEqual({ from: '2026-10-10', to: '2026-11-10' });
    expect(body.by).toBe('team');
    const byP50 = [...body.rows].sort((a, b) => b.p50Hours - a.p50Hours);
    expect(byP50[0].key).toBe('vip');
    expect(body.stalled.vip).toHaveLength(5);
    expect(body.stalled.vip[0]).toMatchObject({ id: expect.any(String), number: expect.any(String) });
  });

  it('by state with a filter, and as CSV with a BOM', async () => {
    const { status, body } = await json(
      '/reports/bottlenecks?by=state&from=2026-10-10&to=2026-11-10&team=desk',
    );
    expect(status).toBe(200);
    expect(body.rows.map((r: { key: string }) => r.key)).toEqual(
      expect.arrayContaining(['new', 'open', 'resolved']),
    );
    const { response, bytes } = await get(
      '/reports/bottlenecks?by=state&from=2026-10-10&to=2026-11-10&team=desk&format=csv',
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(response.headers.get('content-disposition')).toContain('bottlenecks-2026-10-10-2026-11-10.csv');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(bytes, { bom: true }) as string[][];
    expect(rows[0]).toEqual(['state', 'tickets', 'totalHours', 'p50Hours', 'p90Hours', 'share', 'stalled']);
    expect(rows.slice(1).map((r) => [r[0], Number(r[1]), Number(r[2])])).toEqual(
      body.rows.map((r: { key: string; tickets: number; totalHours: number }) => [
        r.key,
        r.tickets,
        r.totalHours,
      ]),
    );
  });

  it('agents may not read it; a bad view is a 400', async () => {
    expect((await json('/reports/bottlenecks', suite.tokens.agent)).status).toBe(403);
    const bad = await json('/reports/bottlenecks?by=mood');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('REQUEST.INVALID');
    expect(bad.body.error.details.fields.map((f: { path: string }) => f.path)).toEqual(['by']);
  });
});

describe('GET /reports/breakdown', () => {
  it('the spiking product × intent cell drives the day’s increase with the largest share', async () => {
    const { status, body } = await json(
      `/reports/breakdown?measure=volume&dims=product,intent&from=${spike.day}&to=${spike.day}`,
    );
    expect(status).toBe(200);
    expect(body.previous).toEqual({ from: '2026-11-17', to: '2026-11-17' });
    expect(body.total.change).toBeGreaterThan(0);
    expect(body.cells[0].key).toEqual({ product: spike.product, intent: spike.intent });
    const shares = body.cells.map((c: { shareOfChange: number }) => c.shareOfChange);
    expect(body.cells[0].shareOfChange).toBe(Math.max(...shares));
    expect(shares.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it('as XLSX: the cells, numbers as numbers', async () => {
    const { response, bytes } = await get(
      `/reports/breakdown?measure=volume&dims=product,intent&from=${spike.day}&to=${spike.day}&format=xlsx&limit=3`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toContain(`breakdown-${spike.day}-${spike.day}.xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      'product',
      'intent',
      'current',
      'previous',
      'change',
      'contribution',
      'shareOfChange',
      'currentCount',
      'previousCount',
    ]);
    expect(sheet.rowCount).toBe(4);
    expect(sheet.getRow(2).getCell(1).value).toBe(spike.product);
    expect(typeof sheet.getRow(2).getCell(3).value).toBe('number');
  });

  it('bad input: unknown measure, one dimension, unknown or calendar dimension, inverted period', async () => {
    const cases: Array<[string, string]> = [
      ['measure=speed&dims=product,region', 'measure'],
      ['dims=product', 'dims'],
      ['dims=product,colour', 'dims'],
      ['dims=product,week', 'dims'],
      ['dims=product,region&from=2026-11-10&to=2026-11-01', 'from'],
      ['dims=product,region&from=2025-01-01&to=2026-11-01', 'to'],
    ];
    for (const [query, field] of cases) {
      const { status, body } = await json(`/reports/breakdown?${query}`);
      expect(status, query).toBe(400);
      expect(body.error.code).toBe('REQUEST.INVALID');
      const fields = body.error.details.fields as Array<{ path: string }>;
      expect(
        fields.map((f) => f.path),
        query,
      ).toContain(field);
    }
  });
});

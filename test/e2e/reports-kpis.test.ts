import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TicketFactRow } from '../../shared/domain/analytics/lake-records.ts';
import { generateHistory, type HistoryOptions, writeHistory } from '../support/analytics-history.ts';
import { runtimeSuite } from './support/runtime-process.ts';

/**
 * KPIs, live figures and their export over HTTP (docs/analytics.md, "Reports: KPIs, live figures,
 * export"): a generated history with a slow team in the runtime's lake (JSONL under `<dataDir>/lake`, as
 * the pipeline writes it), read by the runtime's DuckDB engine; live figures from the ticket table.
 */
const suite = runtimeSuite();
const history: HistoryOptions = { tickets: 3000, days: 61, end: '2026-11-30', seed: 21, slowTeam: 'field' };
const from = '2026-10-01';
const to = '2026-11-30';

/** Tickets created in the period as they stand, by team: the generator's own truth. */
function volumesByTeam() {
  const latest = new Map<string, TicketFactRow>();
  for (const t of generateHistory(history))
    for (const f of t.facts)
      if ((latest.get(f.ticket_id)?.version ?? 0) < f.version) latest.set(f.ticket_id, f);
  const counts = new Map<string, number>();
  for (const f of latest.values())
    if (f.created_day >= from && f.created_day <= to)
      counts.set(f.team as string, (counts.get(f.team as string) ?? 0) + 1);
  return counts;
}

beforeAll(async () => {
  await writeHistory(join(suite.dataDir, 'lake'), { ...history, format: 'jsonl' });
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

describe('GET /reports/kpis', () => {
  it('answers the KPIs per team: exact volumes, the slow team found', async () => {
    const { status, body } = await json(`/reports/kpis?from=${from}&to=${to}&groupBy=team`);
    expect(status).toBe(200);
    expect(body.period).toEqual({ from, to });
    expect(body.groupBy).toEqual(['team']);
    const truth = volumesByTeam();
    expect(
      Object.fromEntries(
        body.rows.map((r: { group: { team: string }; volume: number }) => [r.group.team, r.volume]),
      ),
    ).toEqual(Object.fromEntries(truth));
    expect(body.totals.volume).toBe([...truth.values()].reduce((a, b) => a + b, 0));
    const p50 = (team: string) =>
      body.rows.find((r: { group: { team: string } }) => r.group.team === team).resolution.p50Business;
    expect(p50('field') / p50('desk')).toBeGreaterThan(2.4);
    expect(p50('field') / p50('vip')).toBeGreaterThan(2.4);
    expect(body.totals).toMatchObject({
      fcr: expect.any(Number),
      reopenRate: expect.any(Number),
      transfersPerTicket: expect.any(Number),
      csat: expect.any(Number),
      slaCompliance: { firstResponse: expect.any(Number), resolution: expect.any(Number) },
    });
  });

  it('exports CSV with a BOM and XLSX with the same figures', async () => {
    const { body } = await json(`/reports/kpis?from=${from}&to=${to}&groupBy=team`);
    const csv = await get(`/reports/kpis?from=${from}&to=${to}&groupBy=team&format=csv`);
    expect(csv.response.status).toBe(200);
    expect(csv.response.headers.get('content-type')).toContain('text/csv');
    expect(csv.response.headers.get('content-disposition')).toContain(`kpis-${from}-${to}.csv`);
    expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(csv.bytes, { bom: true }) as string[][];
    expect(rows[0]?.slice(0, 3)).toEqual(['team', 'volume', 'firstResponse.p50Wall (s)']);
    expect(rows.slice(1).map((r) => [r[0], Number(r[1])])).toEqual([
      ...body.rows.map((r: { group: { team: string }; volume: number }) => [r.group.team, r.volume]),
      ['(total)', body.totals.volume],
    ]);

    const xlsx = await get(`/reports/kpis?from=${from}&to=${to}&groupBy=team&format=xlsx`);
    expect(xlsx.response.status).toBe(200);
    expect(xlsx.response.headers.get('content-disposition')).toContain(`kpis-${from}-${to}.xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    if (!sheet) throw new Error('no sheet in the workbook');
    const values = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1);
    expect(values(1).slice(0, 2)).toEqual(['team', 'volume']);
    expect(values(2).slice(0, 2)).toEqual([body.rows[0].group.team, body.rows[0].volume]);
    const fcrColumn = (values(1) as string[]).indexOf('fcr');
    expect(values(2)[fcrColumn]).toBeCloseTo(body.rows[0].fcr, 10);
  });

  it('is for supervisors and admins', async () => {
    expect((await json(`/reports/kpis?from=${from}&to=${to}`, suite.tokens.agent)).status).toBe(403);
    expect((await json('/reports/live', suite.tokens.agent)).status).toBe(403);
    expect((await json(`/reports/kpis?from=${from}&to=${to}`, suite.tokens.admin)).status).toBe(200);
  });

  it.each([
    ['groupBy=team,colour', 'groupBy', 'unknown dimension'],
    ['colour=red', 'colour', 'unknown parameter'],
    ['from=2026-11-30&to=2026-11-01', 'from', 'after'],
    ['from=2025-01-01&to=2026-06-30', 'to', '366'],
    ['format=pdf', 'format', ''],
    ['from=30/11/2026', 'from', 'YYYY-MM-DD'],
  ])('answers 400 with the field for %s', async (query, path, words) => {
    const { status, body } = await json(`/reports/kpis?${query}`);
    expect(status).toBe(400);
    expect(body.error.code).toBe('REQUEST.INVALID');
    expect(body.error.details.fields).toEqual([
      expect.objectContaining({ path, message: expect.stringContaining(words) }),
    ]);
  });
});

describe('GET /reports/live', () => {
  it('counts the active tickets of the table, in total and per team', async () => {
    for (const subject of ['空调不制冷', '洗衣机漏水']) {
      const created = await suite.api('POST', '/tickets', {
        token: suite.tokens.agent,
        body: { subject, customer: { email: 'live@example.com' } },
      });
      expect(created.status).toBe(201);
    }
    // the truth through another path: the ticket list of active tickets
    const active: Array<{ team: string | null; sla: { breached: string[] } }> = [];
    let cursor: string | undefined;
    do {
      const page = await suite.api(
        'GET',
        `/tickets?active=true&view=full&limit=100${cursor ? `&cursor=${cursor}` : ''}`,
        {
          token: suite.tokens.supervisor,
        },
      );
      active.push(...page.body.items);
      cursor = page.body.cursor;
    } while (cursor);
    const { status, body } = await json('/reports/live');
    expect(status).toBe(200);
    expect(body.backlog).toBe(active.length);
    expect(body.backlog).toBeGreaterThanOrEqual(2);
    expect(body.breached).toBe(active.filter((t) => t.sla.breached.length > 0).length);
    expect(body.atRisk).toBeLessThanOrEqual(body.backlog - body.breached);
    expect(body.byTeam.reduce((s: number, t: { backlog: number }) => s + t.backlog, 0)).toBe(body.backlog);
    for (const team of body.byTeam)
      expect(team.backlog).toBe(active.filter((t) => t.team === team.team).length);
    expect(Date.parse(body.at)).not.toBeNaN();
  });
});

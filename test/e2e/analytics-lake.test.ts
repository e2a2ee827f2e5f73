import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { duckdbReportEngine } from '#shared/adapters/analytics/duckdb-report-engine.ts';
import { eventually } from './support/eventually.ts';
import { runtimeSuite } from './support/runtime-process.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies and lake rows are read field by field.
type Json = any;

const rt = runtimeSuite({ args: ['--no-seed'] });

/** Every row of a lake table under the runtime's data dir, with its partition and file. */
function rowsOf(table: string): Json[] {
  const root = join(rt.dataDir, 'lake', table);
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((part) =>
    readdirSync(join(root, part)).flatMap((file) => {
      const text = readFileSync(join(root, part, file), 'utf8');
      expect(file).toMatch(/^[\w-]+-\d+\.jsonl$/);
      expect(text.endsWith('\n'), file).toBe(true);
      return text
        .slice(0, -1)
        .split('\n')
        .map((line) => ({ ...JSON.parse(line), partition: part, file }));
    }),
  );
}

describe('The analytics lake of the local runtime', () => {
  it('writes a created and resolved ticket’s fact and events as JSONL under <dataDir>/lake, read by DuckDB', async () => {
    // Prepare
    const token = rt.tokens.agent;
    const created = await rt.api<Json>('POST', '/tickets', {
      token,
      body: {
        subject: '洗衣机不脱水',
        description: '滚筒洗衣机显示E21',
        customer: { email: 'li@example.com' },
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    // Act
    for (const body of [{ to: 'open' }, { to: 'resolved', summary: '清理排水泵过滤器后恢复正常' }]) {
      const moved = await rt.api<Json>('POST', `/tickets/${id}/transitions`, { token, body });
      expect(moved.status).toBe(200);
    }
    const ticket = (await rt.api<Json>('GET', `/tickets/${id}`, { token })).body;

    // Assess: the fact row of the last version, and an event row for each change
    const facts = await eventually(async (): Promise<Json[] | undefined> => {
      const rows = rowsOf('ticket_facts').filter((r) => r.ticket_id === id);
      return rows.some((r) => r.version === ticket.version) ? rows : undefined;
    }, 20_000);
    const last = facts.find((r) => r.version === ticket.version);
    expect(last).toMatchObject({ number: ticket.number, status: 'resolved', channel: 'api' });
    expect(last.resolved_ms).toBe(Date.parse(ticket.resolvedAt));
    expect(last).not.toHaveProperty('dt');
    expect(last.partition).toBe(`dt=${new Date(last.at_ms).toISOString().slice(0, 10)}`);
    const events = await eventually(async (): Promise<Json[] | undefined> => {
      const rows = rowsOf('ticket_events').filter((r) => r.ticket_id === id);
      return rows.some((r) => r.to_status === 'resolved') ? rows : undefined;
    }, 20_000);
    expect(events.find((e) => e.type === 'created')).toMatchObject({ to_status: 'new', version: 1 });
    expect(events.filter((e) => e.type === 'transitioned').map((e) => [e.from_status, e.to_status])).toEqual(
      expect.arrayContaining([
        ['new', 'open'],
        ['open', 'resolved'],
      ]),
    );

    // …and DuckDB reads the same files with the report SQL's dedupe rule
    const engine = duckdbReportEngine({ lakeDir: join(rt.dataDir, 'lake'), format: 'jsonl' });
    try {
      const [row] = await engine.query(
        `SELECT status, version, dt FROM ticket_facts WHERE ticket_id = '${id}' ORDER BY version DESC LIMIT 1`,
      );
      expect(row).toMatchObject({ status: 'resolved', version: ticket.version, dt: last.partition.slice(3) });
      const [counted] = await engine.query(
        `SELECT count(DISTINCT event_id) AS n FROM ticket_events WHERE ticket_id = '${id}'`,
      );
      expect(counted!.n).toBe(new Set(events.map((e) => e.event_id)).size);
    } finally {
      await engine.close();
    }
  });
});

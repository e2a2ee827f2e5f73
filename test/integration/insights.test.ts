import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DuckdbReportEngine,
  duckdbReportEngine,
} from '../../shared/adapters/analytics/duckdb-report-engine.ts';
import { dynamoInsightStore } from '../../shared/adapters/dynamo/dynamo-insight-store.ts';
import { wireInsightJobs } from '../../shared/runtime/wire-insights.ts';
import { runSpikeDetection } from '../../shared/use-cases/insights.ts';
import { writeHistory } from '../support/analytics-history.ts';
import { freshTicketDeps, recordingNotifier } from '../support/ticket-fixtures.ts';

/**
 * The spike job on its real parts: the DuckDB engine over a generated lake (a 空调 × installation spike
 * planted 14:00–17:00 Beijing on 2026-11-25), the insight store on DynamoDB Local, the owners from
 * `CONFIG`/`analytics` set directly; the bus and the notifier recorded at the edge.
 */
const day = '2026-11-25';
// 16:30 Beijing: the last two hours are inside the spike.
const at = (minutes: number) => new Date(Date.parse(`${day}T08:30:00Z`) + minutes * 60_000);

let dir: string;
let engine: DuckdbReportEngine;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gongdan-insights-'));
  await writeHistory(dir, {
    tickets: 5000,
    days: 63,
    end: day,
    seed: 21,
    spike: { product: '空调', intent: 'installation', day, factor: 8, hours: [14, 17] },
    format: 'jsonl',
  });
  engine = duckdbReportEngine({ lakeDir: dir, format: 'jsonl' });
}, 120_000);
afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

async function world() {
  let now = at(0);
  const notifier = recordingNotifier();
  const fresh = await freshTicketDeps(() => now, { notifier });
  const doc = DynamoDBDocumentClient.from(fresh.client);
  await doc.send(
    new PutCommand({
      TableName: fresh.tableName,
      Item: {
        pk: 'CONFIG',
        sk: 'analytics',
        config: {
          owners: [
            {
              match: { product: '空调' },
              email: ['rd-ac@example.com'],
              chat: ['https://hooks.slack.com/services/T0/B0/ac'],
              locale: 'en',
            },
            { match: { product: '冰箱' }, email: ['rd-fridge@example.com'] },
          ],
        },
      },
    }),
  );
  const jobs = wireInsightJobs(fresh.environment, fresh.platform, fresh.deps, engine);
  return {
    ...fresh,
    notifier,
    jobs,
    store: dynamoInsightStore(fresh.client, fresh.tableName, { now: () => now }),
    setMinutes(m: number) {
      now = at(m);
    },
  };
}

describe('The spike job (DuckDB lake, DynamoDB Local)', () => {
  it("notifies the product line's configured owners by e-mail and chat, in their language, and publishes once", async () => {
    // Prepare
    const w = await world();

    // Act
    const run = await runSpikeDetection(w.jobs);

    // Assess
    expect(run.created.length).toBeGreaterThanOrEqual(1);
    const insights = await w.store.list('2026-11-01', '9999');
    expect(insights.every((i) => i.series.product === '空调' || i.series.model?.startsWith('KFR'))).toBe(
      true,
    );
    expect(insights.every((i) => i.status === 'sent')).toBe(true);
    const main = insights.find((i) => i.seriesId === 'intent=installation|product=空调');
    expect(main?.notified).toEqual([
      'email:rd-ac@example.com',
      'chat:https://hooks.slack.com/services/T0/B0/ac',
    ]);
    const toOwner = w.notifier.sent.filter((m) => m.kind === 'insight.spike' && m.to === 'rd-ac@example.com');
    expect(toOwner.length).toBe(run.created.length - insights.filter((i) => !i.series.product).length);
    expect(toOwner[0]?.subject).toMatch(/^\[Ticket spike\] /);
    expect(w.notifier.sent.some((m) => m.to === 'rd-fridge@example.com')).toBe(false);
    const published = w.events.events.filter((e) => e.name === 'insight.spike_detected');
    expect(published.map((e) => e.id).sort()).toEqual([...run.created].sort());
  });

  it('stores an episode once: the same run again, and the next run 15 minutes later, add nothing', async () => {
    // Prepare
    const w = await world();
    const first = await runSpikeDetection(w.jobs);
    const sent = w.notifier.sent.length;

    // Act
    const again = await runSpikeDetection(w.jobs);
    w.setMinutes(15);
    const later = await runSpikeDetection(w.jobs);

    // Assess
    expect(first.created.length).toBeGreaterThan(0);
    expect(again.created).toEqual([]);
    expect(later.created).toEqual([]);
    expect(w.notifier.sent.length).toBe(sent);
    expect((await w.store.list('2026-11-01', '9999')).length).toBe(first.created.length);
  });

  it('keeps an insight pending when a notice fails, and the next run finishes it', async () => {
    // Prepare
    const w = await world();
    w.notifier.failing = true;

    // Act
    const first = await runSpikeDetection(w.jobs);
    const pending = await w.store.list('2026-11-01', '9999');
    w.notifier.failing = false;
    await runSpikeDetection(w.jobs);
    const after = await w.store.list('2026-11-01', '9999');

    // Assess
    expect(first.created.length).toBeGreaterThan(0);
    expect(pending.every((i) => i.status === 'pending' && i.notified.length === 0)).toBe(true);
    expect(after.every((i) => i.status === 'sent' && i.notified.length > 0)).toBe(true);
    expect(w.notifier.sent.filter((m) => m.kind === 'insight.spike').length).toBeGreaterThan(0);
  });
});

/**
 * Create-ticket latency and throughput against the local runtime (DynamoDB Local, the real handlers,
 * over HTTP on loopback). Run: `node --import tsx bench/create-ticket.ts [requests] [concurrency…]`.
 * Figures are for this machine and DynamoDB Local (a Java process on the same 2 cores), not for AWS.
 *
 * A create answers once the ticket and its outbox record are written; what follows (the event, the SLA
 * timer) is dispatched from the table's stream in the same process, on the same cores. So each level
 * also reports how long until every record of the level was dispatched ("drained"), and the throughput
 * counted to that point.
 */
import '../infra/local/polyfills.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dynamoOutboxStore } from '#shared/adapters/dynamo/dynamo-outbox-store.ts';
import { silentLogger } from '#shared/domain/ports.ts';
import { startRuntime } from '../infra/local/runtime.ts';

const requests = Number(process.argv[2] ?? 1000);
const concurrencies = process.argv
  .slice(3)
  .map(Number)
  .filter((n) => n > 0);
const levels = concurrencies.length ? concurrencies : [1, 8, 32];

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'gongdan-bench-'));
  const runtime = await startRuntime({ port: 0, dataDir, seed: false, logger: silentLogger });
  try {
    const token = (await runtime.tokens()).agent;
    const outbox = dynamoOutboxStore(runtime.dynamo.client, runtime.tableName);
    /** Until the stream reader is idle and no outbox record is pending. */
    const drained = async () => {
      for (;;) {
        await runtime.stream.idle();
        if ((await outbox.due(runtime.clock.now(), 1, { all: true })).length === 0) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    let n = 0;
    const create = async () => {
      const i = n++;
      const t0 = performance.now();
      const response = await fetch(`${runtime.url}/tickets`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': `bench-${i}`,
        },
        body: JSON.stringify({
          subject: `打印机卡纸 #${i}`,
          description: '三楼打印机每打印一页就卡纸',
          priority: 'normal',
          customer: { email: `c${i % 50}@example.com`, name: '客户' },
        }),
      });
      await response.arrayBuffer();
      if (response.status !== 201) throw new Error(`unexpected ${response.status}`);
      return performance.now() - t0;
    };

    for (let i = 0; i < 50; i++) await create(); // warm-up: JIT, connections, DynamoDB Local
    await drained();

    console.log(
      `create-ticket over HTTP, local runtime, ${requests} requests per level (startup ${runtime.startupMs.toFixed(0)} ms)`,
    );
    console.log(
      'concurrency | p50 ms | p95 ms | p99 ms | max ms | tickets/s | drained after ms | tickets/s drained',
    );
    for (const concurrency of levels) {
      const latencies: number[] = [];
      const t0 = performance.now();
      let remaining = requests;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (remaining-- > 0) latencies.push(await create());
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      const answered = performance.now();
      await drained();
      const drainedMs = performance.now() - answered;
      const drainedSeconds = (performance.now() - t0) / 1000;
      latencies.sort((a, b) => a - b);
      const row = [
        concurrency,
        percentile(latencies, 50),
        percentile(latencies, 95),
        percentile(latencies, 99),
        latencies.at(-1)!,
      ];
      console.log(
        `${row.map((v, j) => (j === 0 ? String(v).padStart(11) : v.toFixed(1).padStart(6))).join(' | ')} | ${(latencies.length / seconds).toFixed(0).padStart(9)} | ${drainedMs.toFixed(0).padStart(16)} | ${(latencies.length / drainedSeconds).toFixed(0)}`,
      );
    }
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();

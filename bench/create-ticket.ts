/**
 * Create-ticket latency and throughput against the local runtime (DynamoDB Local, the real handlers,
 * over HTTP on loopback). Run: `node --import tsx bench/create-ticket.ts [requests] [concurrency…]`.
 * Figures are for this machine and DynamoDB Local (a Java process on the same 2 cores), not for AWS.
 *
 * A create answers once the ticket and its outbox record are written; what follows (the event, the SLA
 * timer) is dispatched from the table's stream in the same process, on the same cores. So each level
 * also reports how long until every record of the level was dispatched ("drained"), and the throughput
 * counted to that point.
 *
 * First it counts the DynamoDB calls one create makes (a command middleware on the runtime's client):
 * `callsPerCreate` sends creates through the route's handler with the runtime's own dependencies, in an
 * AsyncLocalStorage scope, so only the request's calls count, never the dispatcher's — a fixed figure,
 * unlike the timings. test/integration/create-ticket-calls.test.ts pins it.
 */
import '../infra/local/polyfills.ts';
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { apiRoutes } from '#functions/routes.ts';
import { dynamoOutboxStore } from '#shared/adapters/dynamo/dynamo-outbox-store.ts';
import { silentLogger } from '#shared/domain/ports.ts';
import { apiHandler } from '#shared/http/api-handler.ts';
import { type LocalRuntime, startRuntime } from '../infra/local/runtime.ts';
import { apiEvent } from '../test/support/api-event.ts';

const requests = Number(process.argv[2] ?? 1000);
const concurrencies = process.argv
  .slice(3)
  .map(Number)
  .filter((n) => n > 0);
const levels = concurrencies.length ? concurrencies : [1, 8, 32];

/** The body of the bench's `i`-th create (50 customers in turn). */
const requestBody = (i: number) => ({
  subject: `打印机卡纸 #${i}`,
  description: '三楼打印机每打印一页就卡纸',
  priority: 'normal',
  customer: { email: `c${i % 50}@example.com`, name: '客户' },
});

/**
 * `DynamoDB calls per create: N (GetItem a, …)`, averaged over `count` creates (each with its own
 * idempotency key, as the bench sends them) made through the create route's handler with the runtime's
 * dependencies. The middleware counts a call only inside a create's AsyncLocalStorage scope: the
 * dispatcher's loop runs in its own, so its reactions are not counted.
 */
async function callsPerCreate(runtime: LocalRuntime, token: string, count: number) {
  const scope = new AsyncLocalStorage<Map<string, number>>();
  runtime.dynamo.client.middlewareStack.add(
    (next, context) => async (args) => {
      const calls = scope.getStore();
      const name = String((context as { commandName?: string }).commandName).replace(/Command$/, '');
      if (calls) calls.set(name, (calls.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchCallsPerCreate' },
  );
  try {
    const route = apiRoutes.find((r) => r.name === 'create-ticket')!;
    const handle = apiHandler(route, runtime.deps);
    const calls = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const event = apiEvent(route, {
        token,
        headers: { 'idempotency-key': `bench-calls-${i}` },
        body: JSON.stringify(requestBody(1_000_000 + i)),
      });
      const result = await scope.run(calls, () => handle(event, { awsRequestId: `calls-${i}` } as Context));
      if (!result || typeof result !== 'object' || result.statusCode !== 201)
        throw new Error(`unexpected ${JSON.stringify(result)}`);
    }
    const per = (n: number) => String(Math.round((n / count) * 100) / 100);
    const total = [...calls.values()].reduce((a, b) => a + b, 0);
    const each = [...calls].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${per(v)}`);
    // With a data dir, the local runtime's client reads an item back after each write (durable writes,
    // infra/local/dynamodb-local.ts): one GetItem per write, which a Lambda does not make.
    const durable = runtime.dynamo.client.middlewareStack
      .identify()
      .some((m) => m.startsWith('gongdanDurableWrites'));
    const writes = ['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem']
      .map((k) => calls.get(k) ?? 0)
      .reduce((a, b) => a + b, 0);
    const readBacks = durable
      ? `; ${per(writes)} of the GetItems are the local runtime's read-backs after writes`
      : '';
    return `DynamoDB calls per create: ${per(total)} (${each.join(', ')})${readBacks}`;
  } finally {
    runtime.dynamo.client.middlewareStack.remove('benchCallsPerCreate');
  }
}

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
        body: JSON.stringify(requestBody(i)),
      });
      await response.arrayBuffer();
      if (response.status !== 201) throw new Error(`unexpected ${response.status}`);
      return performance.now() - t0;
    };

    for (let i = 0; i < 50; i++) await create(); // warm-up: JIT, connections, DynamoDB Local
    await drained();
    console.log(await callsPerCreate(runtime, token, 20));
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

import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.ts';
import { type ApiResponse, dynamoDbLocalProcesses, runtimeSuite } from './support/runtime-process.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
type Json = any;

/**
 * Chaos: DynamoDB Local's Java process is killed (SIGKILL) in the middle of concurrent creates. The
 * runtime must answer 503 with Retry-After while it is down (never a 500), restart it by itself, keep
 * every ticket it answered 201 for, and create nothing twice when every request is sent again with its
 * Idempotency-Key (docs/operations.md, "DynamoDB Local supervision").
 */
const rt = runtimeSuite({ args: ['--no-seed'] });

const isGone = (pid: number) => {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};

describe('DynamoDB Local killed during concurrent creates', () => {
  it('answers 503 while it is down, recovers by itself, keeps every 201 and creates nothing twice', async () => {
    // Prepare: one customer address marks this test's tickets; 48 requests, each with its own key
    const customer = `fault-${randomUUID()}@example.com`;
    const requests = Array.from({ length: 48 }, (_, i) => ({
      key: `fault-${i}-${randomUUID()}`,
      body: {
        subject: `故障注入 ${i}`,
        description: '创建期间 DynamoDB Local 被杀',
        customer: { email: customer },
      },
    }));
    const create = (r: (typeof requests)[number]) =>
      rt.api('POST', '/tickets', {
        token: rt.tokens.agent,
        body: r.body,
        headers: { 'idempotency-key': r.key },
      });
    const [javaPid] = dynamoDbLocalProcesses(rt.dataDir);
    expect(javaPid).toBeDefined();

    // Act: eight at a time; after the first 16 answers the Java process is killed, then the rest are sent
    const answers = new Map<string, ApiResponse>();
    const sendWave = async (wave: typeof requests) => {
      for (let i = 0; i < wave.length; i += 8) {
        const batch = wave.slice(i, i + 8);
        const responses = await Promise.all(batch.map(create));
        for (const [j, r] of batch.entries()) answers.set(r.key, responses[j]!);
      }
    };
    const before = sendWave(requests.slice(0, 24));
    await eventually(async () => (answers.size >= 16 ? true : undefined), 30_000, 5);
    process.kill(javaPid!, 'SIGKILL');
    await before;
    await eventually(async () => (isGone(javaPid!) ? true : undefined), 10_000, 10);
    await sendWave(requests.slice(24));

    // Assess: only 201s and 503s (with Retry-After), and some of each
    const statuses = [...answers.values()].map((a) => a.status);
    expect(new Set(statuses)).toEqual(new Set([201, 503]));
    for (const a of answers.values()) {
      if (a.status !== 503) continue;
      expect(Number(a.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(a.body.error.code).toEqual(expect.any(String));
    }

    // The runtime recovers by itself: a create succeeds again, on a new Java process
    const probe = await eventually(
      async () => {
        const r = await rt.api('POST', '/tickets', {
          token: rt.tokens.agent,
          body: {
            subject: '恢复探测',
            description: 'probe',
            customer: { email: `probe-${randomUUID()}@example.com` },
          },
          headers: { 'idempotency-key': `probe-${randomUUID()}` },
        });
        return r.status === 201 ? r : undefined;
      },
      60_000,
      250,
    );
    expect(probe.status).toBe(201);
    expect(dynamoDbLocalProcesses(rt.dataDir).filter((p) => p !== javaPid)).toHaveLength(1);

    // Every 201 answered is there
    const created = requests.filter((r) => answers.get(r.key)!.status === 201);
    for (const r of created) {
      const id = answers.get(r.key)!.body.id;
      const got = await rt.api('GET', `/tickets/${id}`, { token: rt.tokens.agent });
      expect(got.status, r.key).toBe(200);
      expect(got.body.subject).toBe(r.body.subject);
    }

    // Every request again with its key: the 201s give back the same ticket, each 503 creates at most one
    const retried = new Map<string, ApiResponse>();
    for (let i = 0; i < requests.length; i += 8) {
      const batch = requests.slice(i, i + 8);
      const responses = await Promise.all(batch.map(create));
      for (const [j, r] of batch.entries()) retried.set(r.key, responses[j]!);
    }
    for (const r of requests) {
      const again = retried.get(r.key)!;
      expect(again.status, r.key).toBe(201);
      if (answers.get(r.key)!.status === 201) {
        expect(again.body.id, r.key).toBe(answers.get(r.key)!.body.id);
        expect(again.headers.get('idempotent-replayed'), r.key).toBe('true');
      }
    }
    const listed: Json[] = [];
    let cursor: string | undefined;
    do {
      const page = await rt.api(
        'GET',
        `/tickets?customer=${encodeURIComponent(customer)}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token: rt.tokens.admin },
      );
      expect(page.status).toBe(200);
      listed.push(...page.body.items);
      cursor = page.body.cursor;
    } while (cursor);
    const ids = new Set(listed.map((t) => t.id));
    expect(ids.size).toBe(listed.length);
    expect(ids).toEqual(new Set(requests.map((r) => retried.get(r.key)!.body.id)));
    expect(listed).toHaveLength(requests.length);
  });
});

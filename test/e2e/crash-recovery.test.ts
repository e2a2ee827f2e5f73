import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.ts';
import {
  apiClient,
  dynamoDbLocalProcesses,
  type RuntimeProcess,
  removeDataDir,
  startRuntimeProcess,
  tempDataDir,
} from './support/runtime-process.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
type Json = any;

const dataDir = tempDataDir();
let runtime: RuntimeProcess | undefined;

afterAll(async () => {
  await runtime?.stop('SIGKILL');
  for (const pid of dynamoDbLocalProcesses(dataDir)) process.kill(pid, 'SIGKILL');
  removeDataDir(dataDir);
});

const mails = Array.from({ length: 40 }, (_, i) => {
  const from = `crash-${i}-${randomUUID().slice(0, 6)}@example.com`;
  return [
    `From: 客户${i} <${from}>`,
    'To: support@gongdan.local',
    `Subject: 打印机故障 #${i}`,
    `Message-ID: <${randomUUID()}@example.com>`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `三楼第 ${i} 台打印机卡纸。`,
    '',
  ].join('\r\n');
});

const deliver = (url: string, mail: string) =>
  apiClient(url)('POST', '/dev/inbound-email', {
    rawBody: mail,
    headers: { 'content-type': 'message/rfc822' },
  });

const acksOf = async (url: string) =>
  ((await apiClient(url)('GET', '/dev/outbox')).body.messages as Json[]).filter((m) => m.kind === 'ack');

describe('A local runtime killed while mail pours in', () => {
  it('acknowledges every ticket exactly once after a restart on the same data', async () => {
    // Prepare
    runtime = await startRuntimeProcess({ dataDir, args: ['--no-seed'] });
    const first = runtime;

    // Act: 40 e-mails at once; the process is killed (SIGKILL: no shutdown at all) as the fifth answer
    // comes back — with tickets written, acknowledgements in flight and records not yet dispatched
    let answered = 0;
    let killed = false;
    const kill = async () => {
      if (killed) return;
      killed = true;
      first.child.kill('SIGKILL');
    };
    const before = await Promise.allSettled(
      mails.map(async (mail) => {
        const response = await deliver(first.url, mail);
        if (++answered >= 5) await kill();
        return response;
      }),
    );
    await first.stop('SIGKILL');
    const acceptedBefore = before.filter((r) => r.status === 'fulfilled' && r.value.status === 202).length;

    // …restart on the same data dir (a minute of virtual time a real second, so the intake claims the
    // killed process held expire in seconds, not five minutes), and SES delivers every mail again,
    // retrying what is still held (409 INTAKE.IN_PROGRESS) as its asynchronous invocation does
    runtime = await startRuntimeProcess({ dataDir, args: ['--no-seed', '--time-scale', '60'] });
    const url = runtime.url;
    // What the killed dispatcher had not finished, the restart dispatched before taking requests.
    const recovered = Number(
      /"message":"outbox\.recovered".*?"records":(\d+)/.exec(runtime.output())?.[1] ?? 0,
    );
    const again = await Promise.all(
      mails.map(async (mail) => {
        for (;;) {
          const response = await deliver(url, mail);
          if (response.status !== 409) return response;
          await new Promise((r) => setTimeout(r, 500));
        }
      }),
    );

    // Assess: 40 tickets, one each (the ones taken before the kill answer as duplicates)
    expect(acceptedBefore).toBeGreaterThanOrEqual(5);
    expect(acceptedBefore).toBeLessThan(40);
    expect(recovered).toBeGreaterThan(0);
    expect(again.filter((r) => r.status !== 202).map((r) => [r.status, r.body])).toEqual([]);
    const tickets = new Set(again.map((r) => r.body.ticketId as string));
    expect(tickets.size).toBe(40);
    expect(again.filter((r) => r.body.created === false).length).toBeGreaterThanOrEqual(acceptedBefore - 1);

    // …and each ticket acknowledged exactly once: what was pending at the kill recovered, nothing twice
    const acks = await eventually(async () => {
      const list = await acksOf(url);
      return list.length >= 40 ? list : undefined;
    }, 60_000);
    await new Promise((r) => setTimeout(r, 1500)); // anything sent twice would arrive by now
    const final = await acksOf(url);
    expect(final).toHaveLength(40);
    expect(new Set(final.map((m) => m.ticketId))).toEqual(tickets);
    expect(acks.every((m) => /\[GD-\d{6}\]/.test(m.subject))).toBe(true);
  });
});

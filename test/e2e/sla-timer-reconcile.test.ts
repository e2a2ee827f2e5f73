import { describe, expect, it } from 'vitest';
import { runtimeSuite } from './support/runtime-process.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field and asserted on.
type Json = any;

/**
 * 600×: a virtual hour is six real seconds, so the reconciler's local grace (two real seconds) passes
 * quickly while a low-priority ticket's SLA is days away. No seed: only this suite's tickets run.
 */
const rt = runtimeSuite({ args: ['--time-scale', '600', '--no-seed'] });

const timersOf = async (ticketId: string) =>
  ((await rt.api('GET', `/dev/timers?ticket=${ticketId}`)).body as Json).executions as {
    name: string;
    version: number;
    status: string;
    transitions: number;
  }[];

describe('SLA timer reconciler (local runtime, over HTTP)', () => {
  it('lists the reconciler among the scheduled jobs', async () => {
    const jobs = (await rt.api('GET', '/dev/jobs')).body as Json;
    expect(jobs.jobs).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'sla-reconcile', function: 'sla-reconcile' })]),
    );
  });

  it('restores a running timer that was deleted: the next version runs, audited', async () => {
    // Prepare: a ticket whose timer waits for its first checkpoint, started at its Choice
    const created = await rt.api('POST', '/tickets', {
      token: rt.tokens.agent,
      body: {
        subject: '打印机卡纸 HP-M404',
        description: '三楼打印机每次打印都卡纸',
        priority: 'low',
        customer: { email: 'zhou@example.com', name: '周先生' },
      },
    });
    expect(created.status).toBe(201);
    const id = (created.body as Json).id as string;
    await expect
      .poll(() => timersOf(id), { timeout: 10_000, interval: 250 })
      .toEqual([expect.objectContaining({ version: 1, status: 'running' })]);
    // Choice → Wait: the write path's checkpoint, no ComputeCheckpoint call.
    expect((await timersOf(id))[0]!.transitions).toBe(2);

    // Act: delete it, then run the reconciler once the grace period has passed
    const deleted = await rt.api('DELETE', `/dev/timers/${id}`);
    expect(deleted.status).toBe(200);
    expect(await timersOf(id)).toEqual([expect.objectContaining({ version: 1, status: 'aborted' })]);
    // Runs until the ticket is past the grace period the reconciler gives a fresh change.
    let report: Json;
    await expect
      .poll(
        async () => {
          const run = await rt.api('POST', '/dev/jobs/sla-reconcile', { body: {} });
          expect(run.status).toBe(200);
          report = (run.body as Json).report;
          return report.restored;
        },
        { timeout: 20_000, interval: 250 },
      )
      .toEqual([{ ticketId: id, previousVersion: 1, reason: 'missing' }]);

    // Assess: a new version runs; the history says why; a second run has nothing to do
    expect(report!.failed).toEqual([]);
    const ticket = (await rt.api('GET', `/tickets/${id}`, { token: rt.tokens.agent })).body as Json;
    await expect
      .poll(async () => (await timersOf(id)).find((t) => t.status === 'running')?.version, {
        timeout: 10_000,
      })
      .toBe(ticket.sla.timerVersion);
    expect((await timersOf(id)).filter((t) => t.status === 'running')).toHaveLength(1);
    const history = (await rt.api('GET', `/tickets/${id}/history`, { token: rt.tokens.agent })).body as Json;
    expect(JSON.stringify(history)).toContain('sla.timer_restored');
    const again = await rt.api('POST', '/dev/jobs/sla-reconcile', { body: {} });
    expect((again.body as Json).report.restored).toEqual([]);
  });

  it('answers 404 when the ticket has no running timer to delete', async () => {
    const response = await rt.api('DELETE', '/dev/timers/no-such-ticket');
    expect(response.status).toBe(404);
    expect((response.body as Json).error.code).toBe('DEV.TIMER_NOT_RUNNING');
  });
});

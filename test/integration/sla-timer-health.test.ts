import { describe, expect, it } from 'vitest';
import { slaExecutionName } from '#shared/domain/sla/timer.ts';
import type { NewTicket } from '#shared/domain/ticket/ticket.entity.ts';
import { wireSlaReconcile } from '#shared/runtime/wire-sla-timer.ts';
import { createTicket } from '#shared/use-cases/create-ticket.ts';
import { getTicket } from '#shared/use-cases/read-tickets.ts';
import { reconcileSlaTimers, recordSlaTimerDegraded } from '#shared/use-cases/sla-timer-health.ts';
import { transitionTicket } from '#shared/use-cases/transition-ticket.ts';
import { agent, customer, freshTicketDeps } from '../support/ticket-fixtures.ts';

const t0 = Date.parse('2026-11-20T08:00:00Z');
const minutes = (m: number) => new Date(t0 + m * 60_000);

const request = (overrides: Partial<NewTicket> = {}): NewTicket => ({
  subject: '空调不制冷 KFR-35GW',
  description: '办公室空调开机后只吹风',
  priority: 'normal',
  tags: [],
  customFields: {},
  customer: { email: customer.email!, name: '赵女士', tier: 'standard' },
  ...overrides,
});

/** A table, the write path and its reactions (timers recorded), and the reconciler over them. */
async function world() {
  let now = minutes(0);
  const fresh = await freshTicketDeps(() => now);
  const reconcile = wireSlaReconcile(fresh.environment, fresh.platform, fresh.deps);
  return {
    ...fresh,
    setMinute(m: number) {
      now = minutes(m);
    },
    reconcile: (graceMs = 10 * 60_000) => reconcileSlaTimers(reconcile, { graceMs }),
    history: async (id: string) => (await fresh.deps.tickets.history(id)).map((e) => e.type),
  };
}

describe('SLA timer health: degraded timers and the reconciler (DynamoDB Local)', () => {
  it('starts a new ticket’s timer with the first checkpoint the write path computed', async () => {
    const w = await world();
    const { ticket } = await createTicket(request(), agent, w.deps);
    await w.drain();
    expect(w.timers.inputs).toEqual([
      { ticketId: ticket.id, version: 1, checkpointAt: expect.stringMatching(/^2026-11-\d\dT.*Z$/) },
    ]);
    // The normal policy's first checkpoint: the first-response warning, before its due time.
    expect(Date.parse(w.timers.inputs[0]!.checkpointAt!)).toBeLessThan(
      Date.parse(ticket.sla.firstResponseDueAt!),
    );
  });

  it('records a timer that gave up on the ticket, once, and only for the running version', async () => {
    // Prepare
    const w = await world();
    const { ticket } = await createTicket(request(), agent, w.deps);
    await w.drain();
    const failure = { error: 'Lambda.TooManyRequestsException', cause: 'Rate exceeded' };

    // Act: a stale version, then the running one
    const stale = await recordSlaTimerDegraded({ ticketId: ticket.id, version: 99, failure }, w.deps);
    const recorded = await recordSlaTimerDegraded({ ticketId: ticket.id, version: 1, failure }, w.deps);
    const missing = await recordSlaTimerDegraded({ ticketId: 'no-such-ticket', version: 1, failure }, w.deps);
    await w.drain();

    // Assess
    expect(stale).toEqual({ recorded: false });
    expect(recorded).toEqual({ recorded: true });
    expect(missing).toEqual({ recorded: false });
    const after = await getTicket(ticket.id, agent, w.deps);
    expect(after.slaTimerDegraded).toMatchObject({
      version: 1,
      error: 'Lambda.TooManyRequestsException: Rate exceeded',
    });
    // The timer's own change: no restart, the same timer version.
    expect(after.sla.timerVersion).toBe(1);
    expect(w.timers.calls).toEqual(['start v1']);
    expect(await w.history(ticket.id)).toContain('sla.timer_degraded');
    expect(w.events.events.map((e) => e.name)).toContain('sla.timer_degraded');
  });

  it('restarts a timer that is missing, and one that gave up, under the next version; leaves running ones alone', async () => {
    // Prepare: three tickets with running timers
    const w = await world();
    const running = (await createTicket(request({ subject: 'running' }), agent, w.deps)).ticket;
    const lost = (await createTicket(request({ subject: 'lost' }), agent, w.deps)).ticket;
    const degraded = (await createTicket(request({ subject: 'gave up' }), agent, w.deps)).ticket;
    await w.drain();
    // The lost ticket's execution is deleted; the other gives up (its execution ends failed).
    await w.timers.stop(lost.id, 1);
    await recordSlaTimerDegraded(
      { ticketId: degraded.id, version: 1, failure: { error: 'States.Timeout', cause: 'task timed out' } },
      w.deps,
    );
    await w.timers.stop(degraded.id, 1);
    await w.drain();
    w.setMinute(15);

    // Act
    const report = await w.reconcile();
    await w.drain();

    // Assess
    expect(report.restored).toEqual(
      expect.arrayContaining([
        { ticketId: lost.id, previousVersion: 1, reason: 'missing' },
        { ticketId: degraded.id, previousVersion: 1, reason: 'degraded' },
      ]),
    );
    expect(report.restored).toHaveLength(2);
    expect(report).toMatchObject({ checked: 3, failed: [], deferred: 0, truncated: false });
    const names = await w.timers.runningExecutions();
    const lostNow = await getTicket(lost.id, agent, w.deps);
    const degradedNow = await getTicket(degraded.id, agent, w.deps);
    expect(names).toContain(slaExecutionName(running.id, 1));
    expect(names).toContain(slaExecutionName(lost.id, lostNow.sla.timerVersion!));
    expect(names).toContain(slaExecutionName(degraded.id, degradedNow.sla.timerVersion!));
    expect(lostNow.sla.timerVersion).toBe(lostNow.version);
    expect(degradedNow.slaTimerDegraded).toBeNull();
    expect(await w.history(lost.id)).toContain('sla.timer_restored');
    expect(w.events.events.filter((e) => e.name === 'sla.timer_restored')).toHaveLength(2);
    // Restarted with their next checkpoint, like any start.
    expect(w.timers.inputs.at(-1)?.checkpointAt).toBeTruthy();

    // A second run finds every timer running: nothing to do.
    const again = await w.reconcile();
    expect(again.restored).toEqual([]);
  });

  it('waits out the grace period of a fresh change, and leaves tickets with no running SLA alone', async () => {
    // Prepare
    const w = await world();
    const fresh = (await createTicket(request({ subject: 'fresh' }), agent, w.deps)).ticket;
    const resolved = (await createTicket(request({ subject: 'resolved' }), agent, w.deps)).ticket;
    await transitionTicket(resolved.id, { to: 'open' }, agent, undefined, w.deps);
    await transitionTicket(
      resolved.id,
      { to: 'resolved', summary: '已更换压缩机电容' },
      agent,
      undefined,
      w.deps,
    );
    await w.drain();
    await w.timers.stop(fresh.id, 1);
    w.setMinute(2);

    // Act
    const report = await w.reconcile();

    // Assess: the fresh ticket waits for the next run; the resolved one is not in the due index at all.
    expect(report.restored).toEqual([]);
    expect(report.deferred).toBe(1);
    expect(report.checked).toBe(1);
    w.setMinute(20);
    expect((await w.reconcile()).restored.map((r) => r.ticketId)).toEqual([fresh.id]);
  });
});

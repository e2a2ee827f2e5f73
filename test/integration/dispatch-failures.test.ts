import { describe, expect, it } from 'vitest';
import type { Metrics } from '#shared/domain/ports.ts';
import { createTicket } from '#shared/use-cases/create-ticket.ts';
import { customer, freshTicketDeps } from '../support/ticket-fixtures.ts';

/** Metrics that remember each count (name and dimensions). */
function recordingMetrics(): Metrics & { counted: { name: string; dimensions: Record<string, string> }[] } {
  const counted: { name: string; dimensions: Record<string, string> }[] = [];
  return { counted, count: (name, _value, dimensions = {}) => counted.push({ name, dimensions }) };
}

describe('The dispatcher when the table fails under it', () => {
  it('counts a dispatch the outbox could not record (DispatchFailures), not only logs it, and hands the record back', async () => {
    // Prepare: a committed ticket
    const metrics = recordingMetrics();
    const w = await freshTicketDeps(undefined, { metrics });
    await createTicket(
      {
        subject: '空调不制冷',
        description: '三楼会议室',
        priority: 'normal',
        tags: [],
        customFields: {},
        customer: { email: customer.email!, tier: 'standard' },
      },
      customer,
      w.deps,
    );
    // The bus fails once, so the record must be set for a retry, and that write fails too.
    w.events.failNext = true;
    w.client.middlewareStack.add(
      (next) => async (args) => {
        const key = (args.input as { Key?: { sk?: unknown } }).Key?.sk;
        const sk = typeof key === 'object' && key !== null ? (key as { S?: string }).S : key;
        if (String(sk).startsWith('OUTBOX#')) {
          throw Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'failOutboxWrites' },
    );

    // Act
    const failed = await w.streamDelivers();

    // Assess
    expect(failed.length).toBeGreaterThan(0);
    expect(metrics.counted.filter((c) => c.name === 'DispatchFailures')).toEqual([
      { name: 'DispatchFailures', dimensions: { stage: 'dispatch' } },
    ]);
  });
});

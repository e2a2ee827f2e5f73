import { describe, expect, it } from 'vitest';
import { ulidGenerator } from '#shared/adapters/ids.ts';
import { catalogue, makeEvent } from '#shared/events/catalogue.ts';

describe('event catalogue', () => {
  it('stamps each event with its schema version', () => {
    const event = makeEvent('e1', 'ticket.resolved', {
      ticketId: 'T1',
      number: 'GD-000001',
      version: 4,
      occurredAt: '2026-11-20T08:00:00.000Z',
      resolvedAt: '2026-11-20T08:00:00.000Z',
    });
    expect(event.detail.schemaVersion).toBe(catalogue['ticket.resolved'].version);
  });

  it('refuses a detail that does not match the catalogue', () => {
    expect(() => makeEvent('e1', 'ticket.resolved', { ticketId: 'T1' } as never)).toThrow();
  });

  it('describes every event with the fields every consumer relies on', () => {
    for (const def of Object.values(catalogue)) {
      const shape = (def.schema as unknown as { shape: Record<string, unknown> }).shape;
      // An import's event is about the import, not one ticket (docs/import.md), and an insight's about a
      // series of tickets (docs/analytics.md): their id and time.
      const fields = def.name.startsWith('import.')
        ? ['importId', 'occurredAt']
        : def.name.startsWith('insight.')
          ? ['insightId', 'occurredAt']
          : ['ticketId', 'number', 'version', 'occurredAt'];
      expect(Object.keys(shape), def.name).toEqual(expect.arrayContaining(fields));
    }
  });
});

describe('ulidGenerator()', () => {
  it('makes 26-character ids that sort in creation order, even within one millisecond', () => {
    const ids = ulidGenerator(() => 1_700_000_000_000);
    const made = Array.from({ length: 1000 }, () => ids.next());
    expect(made.every((id) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id))).toBe(true);
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(1000);
  });
});

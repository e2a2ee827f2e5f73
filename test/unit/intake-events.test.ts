import { describe, expect, it } from 'vitest';
import { DomainError } from '#shared/domain/errors.ts';
import { intakeEventCatalogue, parseIntakeEvent } from '#shared/domain/intake/intake-events.ts';

const envelope = (detailType: string, detail: unknown, over: Record<string, unknown> = {}) => ({
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': detailType,
  source: 'erp.orders',
  account: '123456789012',
  time: '2026-11-20T08:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail,
  ...over,
});

const refused = (event: unknown): DomainError => {
  try {
    parseIntakeEvent(event);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
};

describe('parseIntakeEvent()', () => {
  it('validates ticket.create.requested and fills the defaults', () => {
    const parsed = parseIntakeEvent(
      envelope('ticket.create.requested', {
        requestId: 'order-1234-late',
        ticket: { subject: 'Order 1234 is late', customer: { email: 'li@example.com', tier: 'vip' } },
        externalRef: { system: 'erp', id: '1234' },
      }),
    );
    expect(parsed).toEqual({
      name: 'ticket.create.requested',
      source: 'erp.orders',
      idempotencyKey: 'event:erp.orders:request:order-1234-late',
      detail: {
        requestId: 'order-1234-late',
        ticket: {
          subject: 'Order 1234 is late',
          description: '',
          priority: 'normal',
          customer: { email: 'li@example.com', tier: 'vip' },
          tags: [],
          customFields: {},
        },
        externalRef: { system: 'erp', id: '1234' },
      },
    });
  });

  it('keys an event without a request id by its EventBridge id', () => {
    const parsed = parseIntakeEvent(
      envelope('ticket.create.requested', { ticket: { subject: 's', customer: { email: 'a@example.com' } } }),
    );
    expect(parsed.idempotencyKey).toBe('event:erp.orders:id:6a7e8feb-b491-4cf7-a9f1-bf3703467718');
  });

  it('validates ticket.update.requested by number, id or external reference', () => {
    for (const ticket of [
      { number: 'GD-000123' },
      { id: '01JD7ZK9Q0' },
      { externalRef: { system: 'erp', id: '1234' } },
    ]) {
      const parsed = parseIntakeEvent(
        envelope('ticket.update.requested', {
          ticket,
          changes: {
            status: { to: 'resolved', reason: 'Order delivered' },
            comment: { body: 'Delivered 09:12' },
          },
        }),
      );
      expect(parsed.name).toBe('ticket.update.requested');
      expect(parsed.detail).toMatchObject({ changes: { comment: { public: false } } });
    }
  });

  it('refuses an update that changes nothing, or names an unknown status', () => {
    expect(
      refused(envelope('ticket.update.requested', { ticket: { number: 'GD-000123' }, changes: {} })),
    ).toMatchObject({
      code: 'INTAKE.EVENT_INVALID',
      kind: 'invalid',
    });
    const unknown = refused(
      envelope('ticket.update.requested', {
        ticket: { number: 'GD-000123' },
        changes: { status: { to: 'done' } },
      }),
    );
    expect(unknown.details).toMatchObject({ fields: [{ path: 'changes.status.to' }] });
  });

  it('refuses a create request without a customer, with field details', () => {
    const error = refused(envelope('ticket.create.requested', { ticket: { subject: 'x' } }));
    expect(error.details).toMatchObject({
      name: 'ticket.create.requested',
      fields: [{ path: 'ticket.customer' }],
    });
  });

  it('refuses our own events coming back, and unknown detail types', () => {
    const own = envelope('ticket.create.requested', {}, { source: 'gongdan' });
    expect(refused(own).details).toMatchObject({ name: 'envelope', fields: [{ path: 'source' }] });
    expect(refused(envelope('ticket.deleted', {})).code).toBe('INTAKE.EVENT_INVALID');
  });

  it('lists both events, versioned, in the intake catalogue', () => {
    expect(Object.values(intakeEventCatalogue).map((e) => [e.name, e.version])).toEqual([
      ['ticket.create.requested', 1],
      ['ticket.update.requested', 1],
    ]);
  });
});

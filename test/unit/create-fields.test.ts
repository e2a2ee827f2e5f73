import { describe, expect, it } from 'vitest';
import {
  CreateTicketRequest,
  newTicketFor,
  refusedCreateFields,
  withinRole,
} from '#shared/domain/ticket/create-fields.ts';
import { NewTicket } from '#shared/domain/ticket/ticket.entity.ts';

const customer = { roles: ['customer' as const] };
const agent = { roles: ['agent' as const] };
const integration = { roles: ['integration' as const] };

describe('refusedCreateFields()', () => {
  const everything = CreateTicketRequest.parse({
    subject: 's',
    description: 'd',
    priority: 'urgent',
    category: 'c',
    team: 'network',
    tags: ['t'],
    customFields: { a: 1 },
    customer: { email: 'x@example.com', phone: '+861', tier: 'vip', name: 'n', externalId: 'e' },
    parentId: 'P',
  });

  it('lets a customer set only subject, description, category, custom fields, location and a phone', () => {
    expect(refusedCreateFields(everything, customer).sort()).toEqual(
      [
        'customer.email',
        'customer.externalId',
        'customer.name',
        'customer.tier',
        'parentId',
        'priority',
        'tags',
        'team',
      ].sort(),
    );
  });

  it('lets staff and integrations set everything but parentId', () => {
    expect(refusedCreateFields(everything, agent)).toEqual(['parentId']);
    expect(refusedCreateFields(everything, integration)).toEqual(['parentId']);
  });

  it('tells a field that was sent from one that was left out (no defaults hide a sent priority)', () => {
    const plain = CreateTicketRequest.parse({ subject: 's' });
    expect(refusedCreateFields(plain, customer)).toEqual([]);
    expect(
      refusedCreateFields(CreateTicketRequest.parse({ subject: 's', priority: 'normal' }), customer),
    ).toEqual(['priority']);
  });
});

describe('newTicketFor()', () => {
  it('refuses with 403 TICKET.FIELDS_FORBIDDEN naming the fields', () => {
    const request = CreateTicketRequest.parse({ subject: 's', priority: 'urgent', team: 'x' });
    let thrown: unknown;
    try {
      newTicketFor(request, customer);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({
      kind: 'forbidden',
      code: 'TICKET.FIELDS_FORBIDDEN',
      details: { fields: ['priority', 'team'] },
    });
  });

  it('fills in the defaults of what was left out', () => {
    expect(newTicketFor(CreateTicketRequest.parse({ subject: 's' }), customer)).toMatchObject({
      subject: 's',
      priority: 'normal',
      tags: [],
      customFields: {},
    });
  });
});

describe('withinRole()', () => {
  const input = NewTicket.parse({ subject: 's', priority: 'urgent', team: 'network', tags: ['vip'] });

  it('puts a customer’s staff-only fields back to a new ticket’s defaults', () => {
    const allowed = withinRole(input, customer);
    expect(allowed).toMatchObject({ priority: 'normal', tags: [] });
    expect(allowed.team).toBeUndefined();
  });

  it('keeps what staff and integrations set', () => {
    expect(withinRole(input, agent)).toBe(input);
    expect(withinRole(input, integration)).toBe(input);
  });
});

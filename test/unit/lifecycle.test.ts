import { describe, expect, it } from 'vitest';
import type { Actor, Role } from '#shared/domain/actor.ts';
import { DomainError } from '#shared/domain/errors.ts';
import { allowedFrom, defaultLifecycle, type Status, statuses } from '#shared/domain/ticket/lifecycle.ts';
import {
  formatTicketNumber,
  openTicket,
  recordReply,
  type Ticket,
  transition,
} from '#shared/domain/ticket/ticket.entity.ts';

const now = new Date('2026-11-20T08:00:00Z');
const later = new Date('2026-11-20T09:30:00Z');
const as = (...roles: Role[]): Actor => ({ id: `u-${roles.join('-')}`, roles, channel: 'api' });

const ticketIn = (status: Status, priority: Ticket['priority'] = 'normal'): Ticket => ({
  ...openTicket(
    {
      subject: 's',
      description: '',
      priority,
      tags: [],
      customFields: {},
      customer: { email: 'c@example.com', tier: 'standard' },
    },
    { id: 'T1', number: 42 },
    as('agent'),
    now,
  ),
  status,
});

const thrown = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
  }
  throw new Error('expected a DomainError');
};

describe('Ticket', () => {
  describe('openTicket()', () => {
    it('starts a ticket in new at version 1 with a number people can read out', () => {
      const ticket = ticketIn('new');
      expect(ticket).toMatchObject({
        status: 'new',
        version: 1,
        number: 'GD-000042',
        channel: 'api',
        createdBy: 'u-agent',
      });
      expect(formatTicketNumber(1_234_567)).toBe('GD-1234567');
    });
  });

  describe('transition()', () => {
    it('rejects closing a ticket that is still new, naming the allowed move', () => {
      const error = thrown(() => transition(ticketIn('new'), 'closed', as('admin'), later));
      expect(error).toMatchObject({
        kind: 'conflict',
        code: 'TICKET.ILLEGAL_TRANSITION',
        details: { allowed: ['open'] },
      });
      expect(error.message).toContain('allowed: open');
    });

    it.each([
      ['new', 'open'],
      ['open', 'pending'],
      ['pending', 'open'],
      ['open', 'resolved'],
      ['pending', 'resolved'],
      ['resolved', 'closed'],
      ['resolved', 'open'],
    ] as const)('lets an agent move %s → %s and bumps the version', (from, to) => {
      const { ticket } = transition(ticketIn(from), to, as('agent'), later);
      expect(ticket).toMatchObject({ status: to, version: 2, updatedAt: later.toISOString() });
    });

    it('refuses every move the lifecycle does not list, from every state', () => {
      for (const from of statuses) {
        const allowed = allowedFrom(from).map((r) => r.to);
        for (const to of statuses.filter((s) => !allowed.includes(s))) {
          expect(thrown(() => transition(ticketIn(from), to, as('admin'), later)).code).toBe(
            'TICKET.ILLEGAL_TRANSITION',
          );
        }
      }
    });

    it('keeps a closed ticket closed', () => {
      expect(allowedFrom('closed')).toEqual([]);
    });

    it('lets only a supervisor or admin close an urgent ticket', () => {
      const error = thrown(() => transition(ticketIn('resolved', 'urgent'), 'closed', as('agent'), later));
      expect(error).toMatchObject({
        kind: 'forbidden',
        code: 'TICKET.TRANSITION_FORBIDDEN',
        details: { roles: ['supervisor', 'admin'] },
      });
      expect(
        transition(ticketIn('resolved', 'urgent'), 'closed', as('supervisor'), later).ticket.closedAt,
      ).toBe(later.toISOString());
    });

    it('lets a customer reopen or resume, but not accept or resolve', () => {
      expect(transition(ticketIn('resolved'), 'open', as('customer'), later).rule.action).toBe('reopen');
      expect(transition(ticketIn('pending'), 'open', as('customer'), later).rule.action).toBe('resume');
      expect(thrown(() => transition(ticketIn('new'), 'open', as('customer'), later)).kind).toBe('forbidden');
      expect(thrown(() => transition(ticketIn('open'), 'resolved', as('customer'), later)).kind).toBe(
        'forbidden',
      );
    });

    it('pauses the SLA clock while pending and resumes it after', () => {
      const pending = transition(ticketIn('open'), 'pending', as('agent'), later).ticket;
      expect(pending.sla.paused).toBe(true);
      expect(transition(pending, 'open', as('agent'), later).ticket.sla.paused).toBe(false);
    });

    it('stamps resolvedAt on resolve and clears it on reopen', () => {
      const resolved = transition(ticketIn('open'), 'resolved', as('agent'), later).ticket;
      expect(resolved.resolvedAt).toBe(later.toISOString());
      expect(transition(resolved, 'open', as('customer'), later).ticket.resolvedAt).toBeNull();
    });

    it('follows a lifecycle given as data', () => {
      const custom = [
        ...defaultLifecycle,
        { from: 'new', to: 'resolved', action: 'resolve', roles: ['admin'] } as const,
      ];
      expect(transition(ticketIn('new'), 'resolved', as('admin'), later, custom).ticket.status).toBe(
        'resolved',
      );
    });
  });

  describe('recordReply()', () => {
    it('takes the first public staff reply as the first response, and only the first', () => {
      const first = recordReply(ticketIn('open'), true, true, now);
      expect(first.firstRespondedAt).toBe(now.toISOString());
      expect(recordReply(first, true, true, later).firstRespondedAt).toBe(now.toISOString());
    });

    it('does not count an internal note or a customer message as a response', () => {
      expect(recordReply(ticketIn('open'), true, false, now).firstRespondedAt).toBeNull();
      expect(recordReply(ticketIn('open'), false, true, now).firstRespondedAt).toBeNull();
    });

    it('refuses a reply on a closed ticket', () => {
      expect(thrown(() => recordReply(ticketIn('closed'), true, true, now)).code).toBe('TICKET.CLOSED');
    });
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '#shared/domain/errors.ts';
import { type NewTicket, touch } from '#shared/domain/ticket/ticket.entity.ts';
import { addReply } from '#shared/use-cases/add-reply.ts';
import { changeTicket } from '#shared/use-cases/change-ticket.ts';
import { createTicket } from '#shared/use-cases/create-ticket.ts';
import { getHistory, getTicket, ListQuery, listTickets } from '#shared/use-cases/read-tickets.ts';
import { transitionTicket } from '#shared/use-cases/transition-ticket.ts';
import { agent, customer, freshTicketDeps, otherCustomer, supervisor } from '../support/ticket-fixtures.ts';

const request = (overrides: Partial<NewTicket> = {}): NewTicket => ({
  subject: '空调不制冷',
  description: '三楼会议室空调从昨天起不制冷',
  priority: 'normal',
  tags: [],
  customFields: {},
  customer: { email: 'zhao@example.com', name: '赵女士', tier: 'standard' },
  ...overrides,
});

const errorOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
};

describe('DynamoDB ticket store (against DynamoDB Local)', () => {
  let ctx: Awaited<ReturnType<typeof freshTicketDeps>>;
  beforeAll(async () => {
    ctx = await freshTicketDeps();
  });

  describe('createTicket()', () => {
    it('stores the ticket, finds it by id and number, and records who created it', async () => {
      // Act
      const { ticket, created } = await createTicket(request(), agent, ctx.deps);
      await ctx.drain();
      // Assess
      expect(created).toBe(true);
      expect(ticket.number).toMatch(/^GD-\d{6}$/);
      expect(await ctx.deps.tickets.get(ticket.id)).toEqual(ticket);
      expect(await ctx.deps.tickets.getByNumber(ticket.number)).toEqual(ticket);
      const [event] = await ctx.deps.tickets.history(ticket.id);
      expect(event).toMatchObject({
        type: 'created',
        actor: { id: 'agent-li', role: 'agent' },
        channel: 'api',
        sourceIp: '10.0.0.7',
        version: 1,
      });
      expect(ctx.events.events.at(-1)).toMatchObject({
        name: 'ticket.created',
        detail: { ticketId: ticket.id, version: 1 },
      });
    });

    it('gives 200 concurrent creates 200 distinct numbers', async () => {
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          createTicket(request({ subject: `并发 ${i}` }), agent, ctx.deps),
        ),
      );
      const numbers = new Set(results.map((r) => r.ticket.number));
      expect(numbers.size).toBe(200);
    });

    it('creates exactly one ticket for 100 concurrent requests with the same idempotency key', async () => {
      // Prepare
      const { deps } = await freshTicketDeps();
      // Act
      const results = await Promise.all(
        Array.from({ length: 100 }, () => createTicket(request(), agent, deps, 'order-8812-retry')),
      );
      // Assess
      const ids = new Set(results.map((r) => r.ticket.id));
      expect(ids.size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const page = await deps.tickets.list({}, { limit: 100 });
      expect(page.items).toHaveLength(1);
    });

    it('refuses an idempotency key reused with a different body', async () => {
      await createTicket(request(), agent, ctx.deps, 'key-reused');
      const error = await errorOf(
        createTicket(request({ subject: '另一个问题' }), agent, ctx.deps, 'key-reused'),
      );
      expect(error.code).toBe('IDEMPOTENCY.KEY_REUSED');
    });

    it('keeps the ticket when publishing the event fails after the write, and publishes it on retry', async () => {
      await ctx.drain();
      ctx.events.failNext = true;
      const { ticket } = await createTicket(request(), agent, ctx.deps);
      await ctx.drain();
      expect(await ctx.deps.tickets.get(ticket.id)).not.toBeNull();
      const created = ctx.events.events.filter(
        (e) => e.name === 'ticket.created' && e.detail.ticketId === ticket.id,
      );
      expect(created).toHaveLength(1);
    });

    it('makes a customer the customer of their own ticket, whatever the body says', async () => {
      const { ticket } = await createTicket(
        request({ customer: { email: 'someone@else.com', tier: 'vip' } }),
        customer,
        ctx.deps,
      );
      expect(ticket.customer).toMatchObject({ email: 'zhao@example.com', tier: 'standard' });
    });
  });

  describe('transitionTicket()', () => {
    it('refuses new → closed and names the allowed move', async () => {
      const { ticket } = await createTicket(request(), agent, ctx.deps);
      const error = await errorOf(transitionTicket(ticket.id, { to: 'closed' }, agent, undefined, ctx.deps));
      expect(error).toMatchObject({
        kind: 'conflict',
        code: 'TICKET.ILLEGAL_TRANSITION',
        details: { allowed: ['open'] },
      });
    });

    it('answers a stale expected version with a precondition failure and writes nothing', async () => {
      const { ticket } = await createTicket(request(), agent, ctx.deps);
      await transitionTicket(ticket.id, { to: 'open' }, agent, 1, ctx.deps);
      const error = await errorOf(transitionTicket(ticket.id, { to: 'pending' }, agent, 1, ctx.deps));
      expect(error).toMatchObject({ kind: 'precondition_failed', code: 'TICKET.VERSION_MISMATCH' });
      expect((await ctx.deps.tickets.get(ticket.id))?.status).toBe('open');
    });

    it('applies concurrent changes without If-Match one after another, losing none', async () => {
      const { ticket } = await createTicket(request(), agent, ctx.deps);
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          addReply(ticket.id, { body: `备注 ${i}`, public: false }, agent, undefined, ctx.deps),
        ),
      );
      const stored = await ctx.deps.tickets.get(ticket.id);
      expect(stored?.version).toBe(11);
      expect(await ctx.deps.tickets.messages(ticket.id)).toHaveLength(10);
    });

    it('walks the whole lifecycle and lets only a supervisor close an urgent ticket', async () => {
      const { ticket } = await createTicket(request({ priority: 'urgent' }), agent, ctx.deps);
      for (const to of ['open', 'pending', 'open', 'resolved'] as const) {
        await transitionTicket(ticket.id, { to, summary: '已处理 / Done' }, agent, undefined, ctx.deps);
      }
      const forbidden = await errorOf(
        transitionTicket(ticket.id, { to: 'closed' }, agent, undefined, ctx.deps),
      );
      expect(forbidden.code).toBe('TICKET.TRANSITION_FORBIDDEN');
      const closed = await transitionTicket(
        ticket.id,
        { to: 'closed', reason: '客户确认' },
        supervisor,
        undefined,
        ctx.deps,
      );
      expect(closed.ticket).toMatchObject({ status: 'closed', version: 6 });
      const history = await getHistory(ticket.id, agent, ctx.deps);
      expect(history.map((e) => e.type)).toEqual([
        'created',
        'transitioned',
        'transitioned',
        'transitioned',
        'transitioned',
        'transitioned',
      ]);
      expect(history.map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('records a reopen as its own audited action', async () => {
      const { ticket } = await createTicket(request(), agent, ctx.deps);
      await transitionTicket(ticket.id, { to: 'open' }, agent, undefined, ctx.deps);
      await transitionTicket(
        ticket.id,
        { to: 'resolved', summary: '已处理 / Done' },
        agent,
        undefined,
        ctx.deps,
      );
      const reopened = await transitionTicket(
        ticket.id,
        { to: 'open', reason: '问题复现' },
        customer,
        undefined,
        ctx.deps,
      );
      expect(reopened.ticket.resolvedAt).toBeNull();
      const history = await ctx.deps.tickets.history(ticket.id);
      expect(history.at(-1)).toMatchObject({
        type: 'reopened',
        data: { action: 'reopen', reason: '问题复现' },
      });
    });
  });

  describe('addReply()', () => {
    it('puts a pending ticket back to work when the customer replies', async () => {
      const { ticket } = await createTicket(request(), customer, ctx.deps);
      await transitionTicket(ticket.id, { to: 'open' }, agent, undefined, ctx.deps);
      await addReply(ticket.id, { body: '请提供设备编号', public: true }, agent, undefined, ctx.deps);
      await transitionTicket(ticket.id, { to: 'pending' }, agent, undefined, ctx.deps);
      const { ticket: after } = await addReply(
        ticket.id,
        { body: 'KT-3321', public: false },
        customer,
        undefined,
        ctx.deps,
      );
      expect(after.status).toBe('open');
      expect(after.firstRespondedAt).not.toBeNull();
      const messages = await ctx.deps.tickets.messages(ticket.id);
      expect(messages.map((m) => m.public)).toEqual([true, true]);
    });
  });

  describe('visibility and listing', () => {
    it('hides a ticket from another customer as if it did not exist', async () => {
      const { ticket } = await createTicket(request(), customer, ctx.deps);
      const error = await errorOf(getTicket(ticket.id, otherCustomer, ctx.deps));
      expect(error.code).toBe('TICKET.NOT_FOUND');
      expect((await getTicket(ticket.id, customer, ctx.deps)).id).toBe(ticket.id);
    });

    it('lists by status, team and customer, newest first, with a cursor through every page', async () => {
      const { deps } = await freshTicketDeps();
      const made = [];
      for (let i = 0; i < 7; i++) {
        made.push(
          (
            await createTicket(
              request({ subject: `T${i}`, team: i % 2 ? 'field-repair' : 'service-desk' }),
              agent,
              deps,
            )
          ).ticket,
        );
      }
      await transitionTicket(made[0]!.id, { to: 'open' }, agent, undefined, deps);

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await listTickets(
          ListQuery.parse({ limit: '3', ...(cursor ? { cursor } : {}) }),
          agent,
          deps,
        );
        seen.push(...page.items.map((t) => t.subject));
        cursor = page.cursor;
      } while (cursor);
      expect(seen).toEqual(['T6', 'T5', 'T4', 'T3', 'T2', 'T1', 'T0']);

      const open = await listTickets(ListQuery.parse({ status: 'open' }), agent, deps);
      expect(open.items.map((t) => t.subject)).toEqual(['T0']);
      const repair = await listTickets(ListQuery.parse({ team: 'field-repair' }), agent, deps);
      expect(repair.items.map((t) => t.subject)).toEqual(['T5', 'T3', 'T1']);
      const newRepair = await listTickets(
        ListQuery.parse({ team: 'service-desk', status: 'new' }),
        agent,
        deps,
      );
      expect(newRepair.items.map((t) => t.subject)).toEqual(['T6', 'T4', 'T2']);
      const mine = await listTickets(ListQuery.parse({}), otherCustomer, deps);
      expect(mine.items).toEqual([]);
    });

    it("reads a team's queue oldest first when asked, through every page, so the longest-waiting are served", async () => {
      // Prepare
      const { deps } = await freshTicketDeps();
      for (let i = 0; i < 5; i++)
        await createTicket(request({ subject: `Q${i}`, team: 'billing' }), agent, deps);
      // Act
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await deps.tickets.list(
          { team: 'billing', status: 'new' },
          { limit: 2, order: 'oldest', ...(cursor ? { cursor } : {}) },
        );
        seen.push(...page.items.map((t) => t.subject));
        cursor = page.cursor;
      } while (cursor);
      // Assess
      expect(seen).toEqual(['Q0', 'Q1', 'Q2', 'Q3', 'Q4']);
    });

    it('lists only the tickets routing never placed (no team, no assignee), oldest first, through every page', async () => {
      // Prepare: created without routing, so only those given a team or an assignee are placed
      const { deps } = await freshTicketDeps();
      await createTicket(request({ subject: 'U0' }), agent, deps);
      await createTicket(request({ subject: 'queued', team: 'billing' }), agent, deps);
      const owned = (await createTicket(request({ subject: 'owned' }), agent, deps)).ticket;
      await createTicket(request({ subject: 'U1' }), agent, deps);
      await changeTicket(owned.id, supervisor, undefined, deps, (current, now) => ({
        ticket: { ...touch(current, now), assignee: 'agent-li' },
        audit: [],
        events: [],
      }));
      // Act
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await deps.tickets.list(
          { status: 'new', unrouted: true },
          { limit: 1, order: 'oldest', ...(cursor ? { cursor } : {}) },
        );
        seen.push(...page.items.map((t) => t.subject));
        cursor = page.cursor;
      } while (cursor);
      // Assess
      expect(seen).toEqual(['U0', 'U1']);
    });

    it('rejects a cursor that was not issued for the query', async () => {
      const bogus = Buffer.from(JSON.stringify({ pk: 'x' })).toString('base64url');
      const error = await errorOf(
        listTickets(ListQuery.parse({ status: 'new', cursor: bogus }), agent, ctx.deps),
      );
      expect(error.kind).toBe('invalid');
      const garbage = await errorOf(listTickets(ListQuery.parse({ cursor: '!!!' }), agent, ctx.deps));
      expect(garbage.kind).toBe('invalid');
    });
  });
});

import { createHash } from 'node:crypto';
import * as z from 'zod';
import { type Actor, primaryRole } from '../domain/actor.ts';
import { type AuditEvent, auditEvent } from '../domain/audit/audit-event.ts';
import { classifyTicket } from '../domain/classify/classify.ts';
import { validationError } from '../domain/errors.ts';
import { AgentId, TeamId } from '../domain/routing/agent.ts';
import { agentAtCapacity, agentUnavailable } from '../domain/routing/routing.errors.ts';
import {
  assertChildDepth,
  assertParentActive,
  defaultChildTicketPolicy,
} from '../domain/ticket/child-tickets.ts';
import { Priority } from '../domain/ticket/lifecycle.ts';
import { openTicket, type Ticket } from '../domain/ticket/ticket.entity.ts';
import { idempotencyKeyReused, ticketNotFound } from '../domain/ticket/ticket.errors.ts';
import { type IntegrationEvent, makeEvent } from '../events/catalogue.ts';
import { writeNewTicket } from './change-ticket.ts';
import type { TicketDeps } from './deps.ts';
import { assignedEvent, releaseUnused, routeOnIntake } from './ticket-routing.ts';
import { loadVisible } from './visibility.ts';

/** `POST /tickets/{id}/children`: a piece of the parent's work for another team. */
export const ChildTicketRequest = z
  .object({
    team: TeamId,
    subject: z.string().trim().min(1).max(200),
    description: z.string().trim().min(1).max(20_000),
    /** A member of `team` to give it to; without one, routing picks within the team (or it waits in its queue). */
    assignee: AgentId.optional(),
    /** Default: the parent's priority. */
    priority: Priority.optional(),
    /** When the requester needs it done (ISO-8601, in the future). The SLA policy still times the child. */
    dueAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type ChildTicketRequest = z.infer<typeof ChildTicketRequest>;

export interface CreateChildResult {
  ticket: Ticket;
  parent: Ticket;
  /** False when an earlier request with the same idempotency key already created it. */
  created: boolean;
}

const policyOf = (deps: TicketDeps) => deps.childTickets ?? defaultChildTicketPolicy;
const who = (actor: Actor) => `${actor.name ?? actor.id} (${primaryRole(actor)})`;

/**
 * The ancestors of `parent` (nearest first) up to the limit that matters, for the depth check: a
 * top-level ticket has none.
 */
async function ancestorsOf(parent: Ticket, limit: number, deps: TicketDeps): Promise<Ticket[]> {
  const chain: Ticket[] = [];
  let next = parent.parentId;
  while (next && chain.length <= limit) {
    const ancestor = await deps.tickets.get(next);
    if (!ancestor) break;
    chain.push(ancestor);
    next = ancestor.parentId;
  }
  return chain;
}

/**
 * Opens a child ticket under `parentId` for another team.
 *
 * 1. Load the parent (staff only): it must still be active, and the child must not nest deeper than the
 *    policy allows (`CHILD_TICKET_MAX_DEPTH`). With an Idempotency-Key already used, return that child.
 * 2. Check the team against the routing configuration and the assignee against the team (400 naming
 *    the field); claim the assignee's capacity, or route within the team (its queue when nobody is free).
 * 3. Build the child: the parent's customer (for context; a child is internal and never mails them),
 *    category and location; its own number, priority and SLA.
 * 4. Store in one transaction: the child, its audit events, a `child.created` event in the parent's
 *    history, the child's summary in the parent's partition and the outbox record (`ticket.created`,
 *    `ticket.assigned`, `ticket.child_created`). The parent item itself is not written, so children
 *    opened at once never contend for it. A failed write gives the claimed capacity back.
 */
export async function createChildTicket(
  parentId: string,
  request: ChildTicketRequest,
  actor: Actor,
  deps: TicketDeps,
  idempotencyKey?: string,
): Promise<CreateChildResult> {
  const parent = await loadVisible(parentId, actor, deps);
  const claim = idempotencyKey
    ? {
        key: `${actor.id}:child:${parent.id}:${idempotencyKey}`,
        fingerprint: createHash('sha256').update(JSON.stringify(request)).digest('hex'),
      }
    : undefined;
  if (claim) {
    const earlier = await deps.tickets.findClaim(claim.key);
    if (earlier) return replay(earlier, claim.fingerprint, idempotencyKey!, parent.id, deps);
  }

  assertParentActive(parent);
  const policy = policyOf(deps);
  const ancestors = await ancestorsOf(parent, policy.maxDepth, deps);
  const chain = [...ancestors.reverse().map((t) => t.number), parent.number];
  assertChildDepth(ancestors.length, policy, [...chain, '(new)']);

  const now = deps.clock.now();
  if (request.dueAt && Date.parse(request.dueAt) <= now.getTime()) {
    throw validationError('The request body has invalid fields', [
      { path: 'dueAt', message: 'The due date must be in the future', code: 'in_the_past' },
    ]);
  }
  const config = await deps.routing.config.get();
  if (!config?.teams.some((t) => t.id === request.team)) {
    throw validationError('The request body has invalid fields', [
      { path: 'team', message: `Unknown team ${request.team}`, code: 'unknown_team' },
    ]);
  }
  const agent = request.assignee ? await deps.routing.agents.get(request.assignee) : null;
  if (request.assignee && !agent) {
    throw validationError('The request body has invalid fields', [
      { path: 'assignee', message: `Unknown agent ${request.assignee}`, code: 'unknown_agent' },
    ]);
  }
  if (agent && !agent.teams.includes(request.team)) {
    throw validationError('The request body has invalid fields', [
      {
        path: 'assignee',
        message: `${agent.id} is not a member of team ${request.team}`,
        code: 'not_a_member',
      },
    ]);
  }

  const number = await deps.tickets.nextNumber();
  const child = openTicket(
    {
      subject: request.subject,
      description: request.description,
      priority: request.priority ?? parent.priority,
      customer: parent.customer,
      team: request.team,
      tags: [],
      customFields: {},
      parentId: parent.id,
      ...(parent.category ? { category: parent.category } : {}),
      ...(parent.location ? { location: parent.location } : {}),
      // The same product and place as the parent's (docs/analytics.md, "Product and region").
      ...(parent.product ? { product: parent.product } : {}),
      ...(parent.region ? { region: parent.region } : {}),
      ...(request.dueAt ? { dueAt: new Date(request.dueAt).toISOString() } : {}),
    },
    { id: deps.ids.next(), number },
    actor,
    now,
  );
  child.classification = classifyTicket(child);
  child.intent = child.classification.intent;
  const depth = ancestors.length + 1;

  const audit: AuditEvent[] = [
    auditEvent(deps.ids.next(), child.id, 'created', actor, now, child.version, {
      number: child.number,
      priority: child.priority,
      parentId: parent.id,
      parentNumber: parent.number,
      depth,
      ...(child.dueAt ? { dueAt: child.dueAt } : {}),
    }),
  ];
  const events: IntegrationEvent[] = [];
  let claimed: string | null = null;
  if (agent) {
    if (!(await deps.routing.agents.claim(agent.id, child.id, { channel: child.channel, at: now }))) {
      throw agent.availability === 'online'
        ? agentAtCapacity(agent.id)
        : agentUnavailable(agent.id, agent.availability);
    }
    claimed = agent.id;
    child.assignee = agent.id;
    child.routing = {
      rule: null,
      reason: `Child of ${parent.number}: assigned to ${agent.id} in ${request.team} by ${who(actor)}`,
      explanation: {
        code: 'person.assigned',
        params: { agent: agent.id, by: actor.name ?? actor.id, team: request.team, fromTeam: parent.team },
      },
      candidates: [],
      relaxed: false,
      decidedAt: now.toISOString(),
    };
    audit.push(
      auditEvent(deps.ids.next(), child.id, 'assigned', actor, now, child.version, {
        by: 'person',
        team: child.team,
        assignee: child.assignee,
        queued: false,
        reason: child.routing.reason,
        routing: child.routing,
      }),
    );
    events.push(assignedEvent(deps.ids.next(), child, child.routing.reason));
  } else {
    const routed = await routeOnIntake(child, deps, now);
    Object.assign(child, routed.ticket);
    claimed = routed.claimed;
    audit.push(...routed.audit);
    events.push(...routed.events);
  }
  // The parent's own history says it was split, written with the child (an item of its own, not the parent).
  audit.push(
    auditEvent(deps.ids.next(), parent.id, 'child.created', actor, now, parent.version, {
      childId: child.id,
      childNumber: child.number,
      team: child.team,
      assignee: child.assignee,
      subject: child.subject,
    }),
  );
  const base = {
    ticketId: child.id,
    number: child.number,
    version: child.version,
    occurredAt: child.createdAt,
  };
  events.unshift(
    makeEvent(deps.ids.next(), 'ticket.created', {
      ...base,
      subject: child.subject,
      status: child.status,
      priority: child.priority,
      category: child.category,
      intent: child.intent,
      channel: child.channel,
      team: child.team,
      customerTier: child.customer.tier,
      parentId: parent.id,
    }),
  );
  events.push(
    makeEvent(deps.ids.next(), 'ticket.child_created', {
      ...base,
      parentId: parent.id,
      parentNumber: parent.number,
      depth,
      subject: child.subject,
      team: child.team,
      assignee: child.assignee,
      priority: child.priority,
      dueAt: child.dueAt ?? null,
      createdBy: actor.id,
    }),
  );

  const { outcome, committed } = await writeNewTicket(
    { ticket: child, audit, events, mail: [], ...(claim ? { claim } : {}) },
    actor,
    deps,
    now,
  ).catch(async (error: unknown) => {
    await releaseUnused(claimed, child.id, deps);
    throw error;
  });
  if (outcome.kind === 'duplicate') {
    await releaseUnused(claimed, child.id, deps);
    return replay(outcome, claim!.fingerprint, idempotencyKey!, parent.id, deps);
  }
  deps.logger.info('ticket.child_created', {
    ticketId: child.id,
    parentId: parent.id,
    number: child.number,
    team: child.team,
    depth,
    recordId: committed.record.id,
  });
  deps.metrics.count('TicketsCreated', 1, { channel: child.channel });
  const fresh = (await deps.tickets.get(parent.id)) ?? parent;
  return { ticket: committed.ticket, parent: fresh, created: true };
}

async function replay(
  earlier: { ticketId: string; fingerprint: string },
  fingerprintNow: string,
  key: string,
  parentId: string,
  deps: TicketDeps,
): Promise<CreateChildResult> {
  if (earlier.fingerprint !== fingerprintNow) throw idempotencyKeyReused(key);
  const [ticket, parent] = await Promise.all([
    deps.tickets.get(earlier.ticketId),
    deps.tickets.get(parentId),
  ]);
  if (!ticket || !parent) throw ticketNotFound(earlier.ticketId);
  return { ticket, parent, created: false };
}

import { createHash } from 'node:crypto';
import { type Actor, hasAnyRole } from '../domain/actor.ts';
import { auditEvent } from '../domain/audit/audit-event.ts';
import { classifyTicket } from '../domain/classify/classify.ts';
import { validationError } from '../domain/errors.ts';
import { withinRole } from '../domain/ticket/create-fields.ts';
import { type Customer, type NewTicket, openTicket, type Ticket } from '../domain/ticket/ticket.entity.ts';
import { idempotencyKeyReused, ticketNotFound } from '../domain/ticket/ticket.errors.ts';
import type { CustomerMailRequest } from '../domain/ticket/ticket-change.ts';
import { ticketCreatedEvent, writeNewTicket } from './change-ticket.ts';
import type { TicketDeps } from './deps.ts';
import { productPrefixes, withDerivedProductRegion } from './product-region.ts';
import { releaseUnused, routeOnIntake } from './ticket-routing.ts';

export interface CreateTicketResult {
  ticket: Ticket;
  /** False when an earlier request with the same idempotency key already created it. */
  created: boolean;
}

/**
 * Opens a ticket.
 *
 * 1. Work out the customer: a customer opens tickets for themselves; staff and systems name one.
 * 2. If the idempotency key was already used, return that ticket (or refuse a different body).
 * 3. Allocate a readable number, build the ticket in `new`, classify its text (intent and key facts,
 *    docs/classify.md) and route it: team, an agent's capacity claimed (or the team's queue), the
 *    explanation and an `assigned` audit event (docs/routing.md).
 * 4. Store ticket, audit events, key claim and the record of what follows (`ticket.created` and
 *    `ticket.assigned` to publish, the SLA timer to start, the mail the channel asked for) in one
 *    transaction; a lost race returns the winner (and gives the claimed capacity back), so a replayed
 *    request never routes twice.
 */
export async function createTicket(
  input: NewTicket,
  actor: Actor,
  deps: TicketDeps,
  idempotencyKey?: string,
  options: { mail?: CustomerMailRequest[] } = {},
): Promise<CreateTicketResult> {
  const customer = customerFor(input, actor);
  const claim = idempotencyKey
    ? { key: `${actor.id}:${idempotencyKey}`, fingerprint: fingerprint(input) }
    : undefined;

  if (claim) {
    const earlier = await deps.tickets.findClaim(claim.key);
    if (earlier) return replay(earlier, claim.fingerprint, idempotencyKey!, deps);
  }

  const number = await deps.tickets.nextNumber();
  const now = deps.clock.now();
  // A customer's ticket starts as every new one does; staff and routing decide the rest.
  const allowed = withinRole(input, actor);
  const ticket = openTicket({ ...allowed, customer }, { id: deps.ids.next(), number }, actor, now);
  ticket.classification = classifyTicket(ticket);
  ticket.intent = ticket.classification.intent;
  // Product and region the caller did not give, read from the text and the address (docs/analytics.md).
  Object.assign(ticket, withDerivedProductRegion(ticket, await productPrefixes(deps)));
  const created = auditEvent(deps.ids.next(), ticket.id, 'created', actor, now, ticket.version, {
    number: ticket.number,
    priority: ticket.priority,
    ...(ticket.parentId ? { parentId: ticket.parentId } : {}),
  });
  // Routed before the first write, so the ticket is stored already assigned (or queued in its team).
  const routed = await routeOnIntake(ticket, deps, now);
  Object.assign(ticket, routed.ticket);
  const events = [ticketCreatedEvent(deps.ids.next(), ticket), ...routed.events];

  const { outcome, committed } = await writeNewTicket(
    {
      ticket,
      audit: [created, ...routed.audit],
      events,
      mail: options.mail ?? [],
      ...(claim ? { claim } : {}),
    },
    actor,
    deps,
    now,
  ).catch(async (error: unknown) => {
    await releaseUnused(routed.claimed, ticket.id, deps);
    throw error;
  });
  if (outcome.kind === 'duplicate') {
    // A concurrent request with the same key won: its ticket is the answer, this claim is not needed.
    await releaseUnused(routed.claimed, ticket.id, deps);
    return replay(outcome, claim!.fingerprint, idempotencyKey!, deps);
  }

  deps.logger.info('ticket.created', {
    ticketId: ticket.id,
    number: ticket.number,
    channel: ticket.channel,
    recordId: committed.record.id,
  });
  deps.metrics.count('TicketsCreated', 1, { channel: ticket.channel });
  return { ticket: committed.ticket, created: true };
}

function customerFor(input: NewTicket, actor: Actor): Customer {
  if (!hasAnyRole(actor, ['agent', 'supervisor', 'admin', 'integration'])) {
    if (!actor.email) throw validationError('Your account has no e-mail address', []);
    // A customer cannot choose their own tier; contact details they give are kept.
    return {
      email: actor.email,
      tier: 'standard',
      ...(actor.name ? { name: actor.name } : {}),
      ...(input.customer?.phone ? { phone: input.customer.phone } : {}),
    };
  }
  if (!input.customer) {
    throw validationError('A ticket opened by staff or a system must name its customer', [
      { path: 'customer', message: 'Required', code: 'required' },
    ]);
  }
  return input.customer;
}

async function replay(
  earlier: { ticketId: string; fingerprint: string },
  fingerprintNow: string,
  key: string,
  deps: TicketDeps,
): Promise<CreateTicketResult> {
  if (earlier.fingerprint !== fingerprintNow) throw idempotencyKeyReused(key);
  const ticket = await deps.tickets.get(earlier.ticketId);
  if (!ticket) throw ticketNotFound(earlier.ticketId);
  return { ticket, created: false };
}

/** A stable hash of the request, independent of key order. */
function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

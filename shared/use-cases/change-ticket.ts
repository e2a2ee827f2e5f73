import { type Actor, primaryRole } from '../domain/actor.ts';
import type { ApprovalWrite } from '../domain/approval/approval.store.ts';
import type { AuditEvent } from '../domain/audit/audit-event.ts';
import { retry, retryOnConflict } from '../domain/retry.ts';
import type { Message } from '../domain/ticket/message.ts';
import type { Ticket } from '../domain/ticket/ticket.entity.ts';
import { concurrentUpdate, versionMismatch } from '../domain/ticket/ticket.errors.ts';
import type { CreateOutcome, IdempotencyClaim } from '../domain/ticket/ticket.store.ts';
import {
  type CustomerMailRequest,
  OutboxNotification,
  type OutboxRecord,
  snapshotOf,
} from '../domain/ticket/ticket-change.ts';
import { type IntegrationEvent, makeEvent } from '../events/catalogue.ts';
import type { TicketDeps } from './deps.ts';
import { type SlaUpdate, slaOnChange, slaOnCreate, timerEffectOf } from './ticket-sla.ts';
import { inTurn } from './ticket-turns.ts';
import { loadVisible } from './visibility.ts';

/**
 * A change to a ticket, as a use case describes it: the ticket as it should be, the audit events and
 * messages that record it, and what must follow it — events to publish, notifications to send, mail the
 * customer is owed. The write path adds the SLA (and the timer's plan) and stores it all at once.
 */
export interface Change {
  ticket: Ticket;
  audit: AuditEvent[];
  events: IntegrationEvent[];
  messages?: Message[];
  notifications?: OutboxNotification[];
  mail?: CustomerMailRequest[];
  /** An approval created or moved on by the change, stored in the same transaction (use-cases/approvals.ts). */
  approval?: ApprovalWrite;
}

/** What a change function sees besides the current ticket: its history, read once per attempt. */
export interface ChangeContext {
  history: readonly AuditEvent[];
}

export type ChangeFn<C extends Change | null = Change> = (
  current: Ticket,
  now: Date,
  context: ChangeContext,
) => C | Promise<C>;

/** A change as stored: the ticket with its SLA, the outbox record, and the SLA update it carried. */
export interface Committed extends Change {
  record: OutboxRecord;
  sla: SlaUpdate;
}

export interface ChangeOptions {
  /**
   * The SLA timer's own change: its execution goes on (no restart), and `sla.reload` tells it whether
   * the change moved the deadlines it waits for.
   */
  fromTimer?: boolean;
  /**
   * The reconciler's change: the ticket's timer is missing or failed, so the next timer version starts
   * (stopping the old one, should it still run) whenever the ticket has a checkpoint ahead.
   */
  restoreTimer?: boolean;
}

/** The event fields every ticket event carries, taken from the version just written. */
export const eventBase = (ticket: Ticket) => ({
  ticketId: ticket.id,
  number: ticket.number,
  version: ticket.version,
  occurredAt: ticket.updatedAt,
});

/** `ticket.created` for a ticket about to be written: what every way of opening a ticket publishes. */
export const ticketCreatedEvent = (id: string, ticket: Ticket) =>
  makeEvent(id, 'ticket.created', {
    ticketId: ticket.id,
    number: ticket.number,
    version: ticket.version,
    occurredAt: ticket.createdAt,
    subject: ticket.subject,
    status: ticket.status,
    priority: ticket.priority,
    category: ticket.category,
    intent: ticket.intent,
    channel: ticket.channel,
    team: ticket.team,
    customerTier: ticket.customer.tier,
    parentId: ticket.parentId,
    product: ticket.product ?? null,
    region: ticket.region ?? null,
  });

function outboxRecord(
  before: Ticket | null,
  change: Change,
  actor: Actor,
  sla: SlaUpdate,
  deps: Pick<TicketDeps, 'ids'>,
): OutboxRecord {
  const { ticket } = change;
  return {
    id: deps.ids.next(),
    ticketId: ticket.id,
    number: ticket.number,
    version: ticket.version,
    at: ticket.updatedAt,
    actor: { id: actor.id, role: primaryRole(actor) },
    before: before && snapshotOf(before),
    after: snapshotOf(ticket),
    events: change.events.map((e) => ({ id: e.id, name: e.name, detail: e.detail })),
    notifications: (change.notifications ?? []).map((n) => OutboxNotification.parse(n)),
    mail: change.mail ?? [],
    timer: timerEffectOf(sla),
  };
}

/**
 * The one way a ticket changes (API, channels, SLA timer, routing maintenance, import): applies
 * `change` to the current ticket with optimistic concurrency and stores ticket, audit events, messages
 * and the outbox record of what follows in one transaction. Nothing happens after the commit here: the
 * outbox dispatcher runs the reactions (publish, notify, timer, agent capacity).
 *
 * 1. Load the ticket the actor may see and its history; with `expectedVersion` (If-Match) a stale
 *    version is a 412.
 * 2. Apply the change; recompute the SLA with it and plan the timer.
 * 3. Write it all on condition that the version has not moved; without If-Match a lost race is applied
 *    again to the fresh ticket, until it lands.
 */
export async function changeTicket(
  id: string,
  actor: Actor,
  expectedVersion: number | undefined,
  deps: TicketDeps,
  change: ChangeFn,
  options: ChangeOptions = {},
): Promise<Committed> {
  return (await changeTicketIf(id, actor, expectedVersion, deps, change, options))!;
}

/** `changeTicket` for a change that may find nothing to do: `change` returns null, nothing is written. */
export function changeTicketIf(
  id: string,
  actor: Actor,
  expectedVersion: number | undefined,
  deps: TicketDeps,
  change: ChangeFn<Change | null>,
  options: ChangeOptions = {},
): Promise<Committed | null> {
  // One process's writers to a ticket take turns; between processes the conditional write decides.
  return inTurn(id, () => changeTicketRacing(id, actor, expectedVersion, deps, change, options));
}

/** The optimistic write: a lost race without If-Match is applied again to the fresh ticket. */
async function changeTicketRacing(
  id: string,
  actor: Actor,
  expectedVersion: number | undefined,
  deps: TicketDeps,
  change: ChangeFn<Change | null>,
  options: ChangeOptions = {},
): Promise<Committed | null> {
  return retryOnConflict(
    async () => {
      const [current, history] = await Promise.all([loadVisible(id, actor, deps), deps.tickets.history(id)]);
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw versionMismatch(id, expectedVersion, current.version);
      }
      const now = deps.clock.now();
      const result = await change(current, now, { history });
      if (!result) return null;
      const sla = await slaOnChange(current, result.ticket, result.audit, deps, now, {
        history,
        ...(options.fromTimer ? { fromTimer: true } : {}),
        ...(options.restoreTimer ? { restoreTimer: true } : {}),
      });
      const ticket: Ticket = { ...result.ticket, sla: sla.state };
      const committed = { ...result, ticket };
      const record = outboxRecord(current, committed, actor, sla, deps);
      const written = await deps.tickets.update(
        {
          ticket,
          audit: result.audit,
          messages: result.messages ?? [],
          outbox: record,
          ...(result.approval ? { approval: result.approval } : {}),
        },
        current.version,
      );
      if (written) {
        deps.logger.info('ticket.changed', { ticketId: id, version: ticket.version, recordId: record.id });
        return { ...committed, record, sla };
      }
      if (expectedVersion !== undefined) {
        const fresh = await deps.tickets.get(id);
        throw versionMismatch(id, expectedVersion, fresh?.version ?? expectedVersion + 1);
      }
      return retry;
    },
    { exhausted: () => concurrentUpdate(id) },
  );
}

/**
 * `writeNewTicket` for many tickets at once (a bulk import of historical tickets): each gets its SLA
 * and outbox record as one would, and the store writes them several to a transaction, each ticket
 * with its audit events and record or not at all. An outcome per ticket, in order.
 */
export async function writeNewTickets(
  inputs: readonly Omit<Change, 'messages' | 'notifications'>[],
  actor: Actor,
  deps: TicketDeps,
  now: Date,
): Promise<{ outcome: CreateOutcome; committed: Committed }[]> {
  const prepared = await Promise.all(
    inputs.map(async (input) => {
      const sla = await slaOnCreate(input.ticket, input.audit, deps.sla, now);
      const ticket: Ticket = { ...input.ticket, sla: sla.state };
      const change: Change = { ticket, audit: input.audit, events: input.events, mail: input.mail ?? [] };
      return { change, record: outboxRecord(null, change, actor, sla, deps), sla };
    }),
  );
  const outcomes = await deps.tickets.createMany(
    prepared.map(({ change, record }) => ({ ticket: change.ticket, audit: change.audit, outbox: record })),
  );
  return prepared.map(({ change, record, sla }, i) => ({
    outcome: outcomes[i]!,
    committed: { ...change, record, sla },
  }));
}

/**
 * Stores a ticket that is being created, through the same record of what follows: its SLA and timer,
 * its events, the mail its channel asked for. With a claim (an idempotency key), a concurrent request
 * that holds the key wins and its ticket is the answer (`duplicate`).
 */
export async function writeNewTicket(
  input: Omit<Change, 'messages' | 'notifications'> & { claim?: IdempotencyClaim },
  actor: Actor,
  deps: TicketDeps,
  now: Date,
): Promise<{ outcome: CreateOutcome; committed: Committed }> {
  const sla = await slaOnCreate(input.ticket, input.audit, deps.sla, now);
  const ticket: Ticket = { ...input.ticket, sla: sla.state };
  const change: Change = { ticket, audit: input.audit, events: input.events, mail: input.mail ?? [] };
  const record = outboxRecord(null, change, actor, sla, deps);
  const outcome = await deps.tickets.create({ ticket, audit: input.audit, outbox: record }, input.claim);
  return { outcome, committed: { ...change, record, sla } };
}

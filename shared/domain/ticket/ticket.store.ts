import type { ApprovalWrite } from '../approval/approval.store.ts';
import type { AuditEvent } from '../audit/audit-event.ts';
import type { Status } from './lifecycle.ts';
import type { Message } from './message.ts';
import type { Ticket } from './ticket.entity.ts';
import type { OutboxRecord } from './ticket-change.ts';

/** A claim on an Idempotency-Key (or e-mail Message-ID, event id…): which ticket it made, from what. */
export interface IdempotencyClaim {
  key: string;
  fingerprint: string;
}

export type CreateOutcome =
  | { kind: 'created' }
  | {
      kind: 'duplicate';
      ticketId: string;
      fingerprint: string;
      /** For a taken legacy number (`externalRef`): who created the ticket that holds it. */
      createdBy?: string;
    };

export interface TicketFilter {
  status?: Status;
  team?: string;
  assignee?: string;
  customerEmail?: string;
  breached?: boolean;
  /**
   * Only active tickets routing never placed: no team and no assignee (created while routing was off
   * or failed). Served by an index partition of just those tickets; combine with `status` only.
   */
  unrouted?: boolean;
  /** Only tickets that still need work (new, open, pending). */
  active?: boolean;
  priority?: Ticket['priority'];
  tier?: Ticket['customer']['tier'];
  channel?: Ticket['channel'];
  intent?: string;
  /** Product line, exact (a filter on the index read: no index of its own). */
  product?: string;
  /** Model number, exact (upper case as stored). */
  model?: string;
  /** Region, or its start (`北京市` finds `北京市/朝阳区`). */
  region?: string;
  /** Only tickets this agent watches (follows or was mentioned on). */
  watcher?: string;
  /** Lower-cased words that must all occur in the ticket's search text (`searchText`). */
  words?: string[];
}

export interface PageRequest {
  limit: number;
  cursor?: string;
  /**
   * By creation time; default newest first (what people browsing want). Queues read oldest first.
   * `due`: by the nearest SLA due time (at most 2,000 items of the query's index are read and sorted —
   * a queue's active tickets; see docs/console.md, "How search scales").
   */
  order?: 'newest' | 'oldest' | 'due';
}

export interface Page<T> {
  items: T[];
  /**
   * Opaque; pass back to get the next page. Absent on the last page. A list reads a bounded number of
   * items per call (docs/data-model.md, "Sharded indexes and the read budget"), so a page with a filter
   * may hold fewer items than asked — even none — and still have a cursor.
   */
  cursor?: string;
}

/** Which running SLAs to read (`listDueTickets`). */
export interface DueTicketQuery {
  /** ISO-8601: tickets whose resolution is due at or before this instant. */
  before: string;
  /** The most tickets returned by this call, and read (but at least one per index shard); default 1,000. */
  budget?: number;
  cursor?: string;
}

/** An active ticket with a running resolution SLA, as the SLA timer reconciler needs it. */
export interface DueTicket {
  id: string;
  number: string;
  status: Status;
  version: number;
  resolutionDueAt: string;
  /** The ticket version whose timer should be running (`sla.timerVersion`). */
  timerVersion: number | null;
}

/**
 * One ticket write: the ticket as it is now, the audit events and messages the change adds, and the
 * outbox record of what must follow it — stored all together or not at all.
 */
export interface TicketWrite {
  ticket: Ticket;
  audit: AuditEvent[];
  messages?: Message[];
  outbox: OutboxRecord;
  /** An approval the change creates or moves on, written conditionally on its version (docs/collaboration.md). */
  approval?: ApprovalWrite;
}

/** Persistence of tickets, their history and thread. Every write is atomic with its audit events. */
export interface TicketStore {
  /** A new ticket number, unique under concurrency (numbers may have gaps). */
  nextNumber(): Promise<number>;
  /** `count` consecutive new ticket numbers in one call (a bulk import); the first is returned. */
  reserveNumbers(count: number): Promise<number>;
  /**
   * Stores a new ticket (with its number lookup); with a claim, at most one ticket per key. A ticket
   * with an `externalRef` is stored only if no ticket holds that reference: otherwise `duplicate`.
   */
  create(write: TicketWrite, claim?: IdempotencyClaim): Promise<CreateOutcome>;
  /**
   * Stores many new tickets (a bulk import), each all or nothing as `create` stores one, several to a
   * transaction; an outcome per write, in order.
   */
  createMany(writes: readonly TicketWrite[]): Promise<CreateOutcome[]>;
  findClaim(key: string): Promise<{ ticketId: string; fingerprint: string } | null>;
  get(id: string): Promise<Ticket | null>;
  getByNumber(number: string): Promise<Ticket | null>;
  /** The ticket imported under this legacy number (`externalRef`, unique), if any. */
  getByExternalRef(externalRef: string): Promise<Ticket | null>;
  /** Replaces the ticket if it is still at `expectedVersion`; returns false (writing nothing) if not. */
  update(write: TicketWrite, expectedVersion: number): Promise<boolean>;
  /** Appends audit events that change nothing else (e.g. `viewed`). */
  appendAudit(events: AuditEvent[]): Promise<void>;
  history(ticketId: string): Promise<AuditEvent[]>;
  messages(ticketId: string): Promise<Message[]>;
  list(filter: TicketFilter, page: PageRequest): Promise<Page<Ticket>>;
  /**
   * Active, unpaused tickets whose resolution is due at or before `before`, earliest due first (ties by
   * id), from the sharded due index: at most `budget` per call, with a cursor to go on.
   */
  listDueTickets(query: DueTicketQuery): Promise<Page<DueTicket>>;
}

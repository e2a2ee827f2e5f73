import type { CustomerMailDeps } from '../channels/customer-mail.ts';
import type { LakeSink } from '../domain/analytics/lake-records.ts';
import type { ApprovalTimerStarter } from '../domain/approval/delegation.ts';
import type { IntakeLedger } from '../domain/intake/intake-ledger.ts';
import type { Notifier } from '../domain/notify/notifier.ts';
import type { WorkflowStarter } from '../domain/sla/timer.ts';
import type { OutboxRecord } from '../domain/ticket/ticket-change.ts';
import type { EventPublisher } from '../events/catalogue.ts';
import type { TicketDeps } from '../use-cases/deps.ts';

/**
 * What the reactions need: the ticket use cases' deps (capacity settles through them) and the edges
 * the write path no longer touches — the bus, the SLA timer, the notifiers, and a ledger of what was
 * sent (idempotency keys, so a retried reaction sends nothing twice).
 */
export interface ReactionDeps extends TicketDeps {
  events: EventPublisher;
  timers: WorkflowStarter;
  /** Approval stages' delegation timers. */
  approvalTimers: ApprovalTimerStarter;
  /** Staff notifications (SLA warnings and escalations): e-mail, SMS, chat. */
  notifier: Notifier;
  /** Remembers each send under its key. */
  sent: IntakeLedger;
  /** Mail to customers: settings, threading state and the mail notifier. */
  mail: CustomerMailDeps;
  /** The analytics lake (docs/analytics.md): Firehose in AWS, JSONL files under the data dir locally. */
  lake: LakeSink;
}

/**
 * One thing that follows a ticket change, in a module of its own: which records it is for, and what it
 * does for one. `run` must be idempotent — a record is retried until every reaction is done, and a
 * reaction that finished may run again after a crash — and throws when it should be tried again.
 */
export interface Reaction {
  name: string;
  handles(record: OutboxRecord): boolean;
  run(record: OutboxRecord, deps: ReactionDeps): Promise<void>;
}

export const defineReaction = (reaction: Reaction): Reaction => reaction;

import * as z from 'zod';
import { Channel, Role } from '../actor.ts';
import { Notification } from '../notify/notifier.ts';
import { Priority, Status } from './lifecycle.ts';
import type { Ticket } from './ticket.entity.ts';

/**
 * What the reactions need to know of a ticket on either side of a change (agent capacity, parent
 * roll-ups, analytics), without copying its text: they read the ticket itself when they need more.
 */
export const TicketSnapshot = z.object({
  status: Status,
  priority: Priority,
  team: z.string().nullable(),
  assignee: z.string().nullable(),
  channel: Channel,
  parentId: z.string().nullable(),
  version: z.number().int().positive(),
});
export type TicketSnapshot = z.infer<typeof TicketSnapshot>;

export const snapshotOf = (t: Ticket): TicketSnapshot => ({
  status: t.status,
  priority: t.priority,
  team: t.team,
  assignee: t.assignee,
  channel: t.channel,
  parentId: t.parentId,
  version: t.version,
});

/** A message rendered when the change was made (SLA warnings, escalations), sent once per key. */
export const OutboxNotification = z.object({
  key: z.string().min(1).max(300),
  /** Who it is for, for logs and history without the address: `assignee:u-1`, `team_supervisor:desk`. */
  who: z.string().max(200).optional(),
  notification: Notification,
});
export type OutboxNotification = z.input<typeof OutboxNotification>;

/**
 * Mail to the customer that a channel asked for with the change, beyond what the change's events
 * imply (those are derived by the customer-mail reaction): e-mail intake's acknowledgement, which loop
 * protection may withhold, and its notice that the customer's mail reopened the ticket.
 */
export const CustomerMailRequest = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('ack'),
    followUpOf: z.string().nullable(),
    /**
     * The mail it answers: its Message-ID and Outlook conversation. The channel indexes the thread
     * after the ticket commits, so the acknowledgement may run before that index exists.
     */
    replyTo: z
      .object({ messageId: z.string().max(1000).nullable(), threadIndexRoot: z.string().max(100).nullable() })
      .optional(),
  }),
  z.object({ kind: z.literal('reopened') }),
  /**
   * The closing report of a resolving move (docs/closing-report.md), with the rating link's token: the
   * ticket keeps only its hash, so the record is the one place the report's link can come from.
   */
  z.object({ kind: z.literal('closing_report'), token: z.string().max(100), expiresAt: z.string() }),
]);
export type CustomerMailRequest = z.infer<typeof CustomerMailRequest>;

/** What the SLA timer must do after the change: stop `previousVersion`, start `version`. */
export const TimerEffect = z.object({
  plan: z.enum(['start', 'restart', 'stop']),
  version: z.number().int().nonnegative().nullable(),
  previousVersion: z.number().int().nonnegative().nullable(),
  /** The new timer's first checkpoint as the write path computed it (it starts waiting at once). */
  checkpointAt: z.string().nullable().optional(),
});
export type TimerEffect = z.infer<typeof TimerEffect>;

const StoredEvent = z.object({
  id: z.string(),
  name: z.string(),
  detail: z.record(z.string(), z.unknown()),
});

/**
 * One committed ticket change, as the outbox keeps it: written in the same transaction as the ticket,
 * its audit events and messages, and read by the dispatcher, which runs the reactions it calls for.
 * `id` is time-ordered; `version` is the ticket version the change wrote.
 */
export const OutboxRecord = z.object({
  id: z.string(),
  ticketId: z.string(),
  number: z.string(),
  version: z.number().int().positive(),
  at: z.string(),
  actor: z.object({ id: z.string(), role: Role }),
  /** Null for the change that created the ticket. */
  before: TicketSnapshot.nullable(),
  after: TicketSnapshot,
  /** Integration events to publish on the bus, ids fixed at commit (consumers de-duplicate on them). */
  events: z.array(StoredEvent),
  notifications: z.array(OutboxNotification),
  mail: z.array(CustomerMailRequest),
  timer: TimerEffect.nullable(),
});
export type OutboxRecord = z.infer<typeof OutboxRecord>;

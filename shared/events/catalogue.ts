import * as z from 'zod';
import { Channel } from '../domain/actor.ts';
import { SlaTarget } from '../domain/sla/policy.ts';
import { Priority, Status } from '../domain/ticket/lifecycle.ts';

/** Every event Gongdan publishes has source `gongdan` on its bus. */
export const eventSource = 'gongdan';

/** Fields every event's detail carries (DESIGN.md §7). */
const base = {
  ticketId: z.string(),
  number: z.string(),
  version: z.number().int(),
  occurredAt: z.string(),
  schemaVersion: z.number().int(),
};

export interface EventDefinition<N extends string, S extends z.ZodType> {
  name: N;
  version: number;
  description: string;
  schema: S;
}

/** Fields of every `sla.*` event: which clock, and the action key consumers de-duplicate on. */
const slaBase = {
  ...base,
  /** The timer action's idempotency key, e.g. `firstResponse#1:breach`: the same key is the same fact. */
  key: z.string(),
  policy: z.string(),
  target: SlaTarget,
  /** 1 for the first response and first resolution; later next responses and reopens count on. */
  cycle: z.number().int().positive(),
  dueAt: z.string(),
};

/** Fields of every `approval.*` event: which approval and the stage it is at. */
const approvalBase = {
  ...base,
  approvalId: z.string(),
  currentStage: z.number().int().nonnegative(),
};

const define = <N extends string, S extends z.ZodType>(
  name: N,
  version: number,
  description: string,
  schema: S,
): EventDefinition<N, S> => ({ name, version, description, schema });

/**
 * The event catalogue: one definition per event, imported by publishers and consumers alike.
 * A breaking change to a detail bumps `version` (carried as `detail.schemaVersion`).
 */
export const catalogue = {
  'ticket.created': define(
    'ticket.created',
    1,
    'A ticket was opened, from any channel.',
    z.object({
      ...base,
      subject: z.string(),
      status: Status,
      priority: Priority,
      category: z.string().nullable(),
      /** The intent the classifier read in the text (null: not sure enough). */
      intent: z.string().nullable(),
      channel: Channel,
      team: z.string().nullable(),
      customerTier: z.string(),
      parentId: z.string().nullable(),
      /** Product line and model, given or derived (docs/analytics.md); absent on events before it. */
      product: z.object({ line: z.string(), model: z.string().optional() }).nullable().optional(),
      /** `北京市/朝阳区`, given or derived; absent on events before it. */
      region: z.string().nullable().optional(),
    }),
  ),
  'ticket.child_created': define(
    'ticket.child_created',
    1,
    'A child ticket was opened under a parent for another team (`ticketId`/`number`/`version`: the child). It is internal: the customer is never mailed about it.',
    z.object({
      ...base,
      parentId: z.string(),
      parentNumber: z.string(),
      /** 1 for a child of a top-level ticket, 2 for a child of a child. */
      depth: z.number().int().positive(),
      subject: z.string(),
      team: z.string().nullable(),
      assignee: z.string().nullable(),
      priority: Priority,
      dueAt: z.string().nullable(),
      createdBy: z.string(),
    }),
  ),
  'ticket.status_changed': define(
    'ticket.status_changed',
    1,
    'A ticket moved through its lifecycle (including reopen).',
    z.object({ ...base, from: Status, to: Status, action: z.string(), reason: z.string().optional() }),
  ),
  'ticket.replied': define(
    'ticket.replied',
    1,
    'A public reply or an internal note was added. The body is not in the event (it may hold PII).',
    z.object({ ...base, messageId: z.string(), public: z.boolean(), authorRole: z.string() }),
  ),
  'ticket.resolved': define(
    'ticket.resolved',
    1,
    'A ticket reached resolved.',
    z.object({ ...base, resolvedAt: z.string() }),
  ),
  'ticket.closed': define(
    'ticket.closed',
    1,
    'A ticket was archived.',
    z.object({ ...base, closedAt: z.string() }),
  ),
  'ticket.rated': define(
    'ticket.rated',
    1,
    'The customer rated a resolved ticket (1–5) through the closing report; who and what was rated, for CSAT.',
    z.object({
      ...base,
      score: z.number().int().min(1).max(5),
      /** Whether the customer wrote a comment (the text stays on the ticket). */
      commented: z.boolean(),
      assignee: z.string().nullable(),
      team: z.string().nullable(),
      category: z.string().nullable(),
      resolvedBy: z.string().nullable(),
      ratedAt: z.string(),
    }),
  ),
  'ticket.assigned': define(
    'ticket.assigned',
    1,
    'A ticket got a team and/or an agent.',
    z.object({ ...base, team: z.string().nullable(), assignee: z.string().nullable(), reason: z.string() }),
  ),
  'ticket.merged': define(
    'ticket.merged',
    1,
    "A duplicate ticket was merged into another and closed: its thread was copied there, its watchers moved, and the customer's later replies land on the target.",
    z.object({
      ...base,
      intoTicketId: z.string(),
      intoNumber: z.string(),
      messagesCopied: z.number().int().nonnegative(),
    }),
  ),
  'import.completed': define(
    'import.completed',
    1,
    'A bulk import (docs/import.md) finished committing: its totals. Imported tickets publish no events of their own when they arrive already resolved or closed.',
    z.object({
      importId: z.string(),
      fileName: z.string(),
      total: z.number().int().nonnegative(),
      created: z.number().int().nonnegative(),
      updated: z.number().int().nonnegative(),
      skipped: z.number().int().nonnegative(),
      errorCount: z.number().int().nonnegative(),
      occurredAt: z.string(),
      schemaVersion: z.number().int(),
    }),
  ),
  'approval.requested': define(
    'approval.requested',
    1,
    'Someone asked for an approval on a ticket: serial stages, each decided by all or any of its approvers.',
    z.object({
      ...approvalBase,
      reason: z.string(),
      requestedBy: z.string(),
      stages: z.array(z.object({ mode: z.enum(['all', 'any']), approvers: z.array(z.string()) })),
    }),
  ),
  'approval.decided': define(
    'approval.decided',
    1,
    'An approver approved or rejected; `outcome` says whether the approval closed with it (approved, rejected) or is still pending (then `startedStage` names a stage that began).',
    z.object({
      ...approvalBase,
      stage: z.number().int().nonnegative(),
      approver: z.string(),
      decision: z.enum(['approve', 'reject']),
      outcome: z.enum(['pending', 'approved', 'rejected']),
      startedStage: z.number().int().nonnegative().nullable(),
    }),
  ),
  'approval.nudged': define(
    'approval.nudged',
    1,
    "The requester (or a supervisor) reminded the current stage's pending approvers (催办); counts are per approval and per approver.",
    z.object({
      ...approvalBase,
      by: z.string(),
      approvers: z.array(z.string()),
      count: z.number().int().positive(),
      byApprover: z.record(z.string(), z.number().int().nonnegative()),
    }),
  ),
  'approval.delegated': define(
    'approval.delegated',
    1,
    'A pending approver was replaced by their delegate (after the delegation deadline, or by a supervisor); the delegate now decides in their place.',
    z.object({
      ...approvalBase,
      from: z.string(),
      to: z.string(),
      reason: z.string(),
      stages: z.array(z.number().int().nonnegative()),
    }),
  ),
  'sla.warning': define(
    'sla.warning',
    1,
    'An SLA target is close to its deadline: a warning threshold of the policy was crossed.',
    z.object({ ...slaBase, percent: z.number(), remainingMinutes: z.number() }),
  ),
  'sla.breached': define(
    'sla.breached',
    1,
    'An SLA target passed its deadline unmet (recorded once per target and cycle, also when a late reply came first).',
    z.object({ ...slaBase }),
  ),
  'sla.escalated': define(
    'sla.escalated',
    1,
    "A level of the policy's escalation chain fired for a breached target; the people it names were notified.",
    z.object({
      ...slaBase,
      level: z.number().int().positive(),
      overdueMinutes: z.number(),
      team: z.string().nullable(),
      assignee: z.string().nullable(),
    }),
  ),
  'sla.timer_degraded': define(
    'sla.timer_degraded',
    1,
    'The SLA timer of a ticket gave up after repeated failed steps: warnings and escalations wait until the reconciler restarts it (operators should look at the cause).',
    z.object({ ...base, timerVersion: z.number().int().nonnegative(), error: z.string() }),
  ),
  'sla.timer_restored': define(
    'sla.timer_restored',
    1,
    'The reconciler restarted the SLA timer of a ticket whose timer was missing or had failed.',
    z.object({
      ...base,
      previousVersion: z.number().int().nonnegative().nullable(),
      timerVersion: z.number().int().nonnegative().nullable(),
      reason: z.enum(['missing', 'failed', 'degraded']),
    }),
  ),
  'insight.spike_detected': define(
    'insight.spike_detected',
    1,
    'The spike job found a series (intent or category × product × region, or a model) with far more new tickets than its seasonal baseline; once per episode (docs/analytics.md, Spikes). Not about one ticket: `sampleTicketIds` lists a few tickets of the window.',
    z.object({
      insightId: z.string(),
      series: z.object({
        intent: z.string().optional(),
        category: z.string().optional(),
        product: z.string().optional(),
        model: z.string().optional(),
        region: z.string().optional(),
      }),
      count: z.number().int().nonnegative(),
      expected: z.number().nonnegative(),
      factor: z.number().nonnegative(),
      pValue: z.number().min(0).max(1),
      windowStart: z.string(),
      windowEnd: z.string(),
      sampleTicketIds: z.array(z.string()),
      occurredAt: z.string(),
      schemaVersion: z.number().int(),
    }),
  ),
} as const;

export type EventName = keyof typeof catalogue;
export type EventDetail<N extends EventName> = z.infer<(typeof catalogue)[N]['schema']>;

/**
 * An event ready for the bus; `id` makes delivery idempotent for consumers. A union by name, so a check
 * of `name` narrows `detail` (not every event is about one ticket: `import.completed`).
 */
export type IntegrationEvent<N extends EventName = EventName> = {
  [K in N]: { id: string; name: K; detail: EventDetail<K> };
}[N];

/** Builds a validated event; throws if the detail does not match the catalogue (a programming error). */
export function makeEvent<N extends EventName>(
  id: string,
  name: N,
  detail: Omit<EventDetail<N>, 'schemaVersion'>,
): IntegrationEvent<N> {
  const def = catalogue[name];
  const parsed = def.schema.parse({ ...detail, schemaVersion: def.version }) as EventDetail<N>;
  return { id, name, detail: parsed };
}

export interface EventPublisher {
  /** Publishes events that describe committed changes. */
  publish(events: IntegrationEvent[]): Promise<void>;
}

import * as z from 'zod';
import { type Actor, Channel, hasAnyRole } from '../actor.ts';
import { Visit } from '../field/visit.ts';
import { safeRecord } from '../safe-record.ts';
import { ChildSummary } from './child-summary.ts';
import { Feedback, Resolution } from './closing-report.ts';
import {
  activeStatuses,
  allowedFrom,
  findRule,
  Priority,
  rolesFor,
  Status,
  type TransitionRule,
} from './lifecycle.ts';
import { DerivedField, normaliseRegion, Product, RegionName } from './product-region.ts';
import { illegalTransition, ticketClosed, transitionForbidden } from './ticket.errors.ts';

export const tiers = ['standard', 'vip'] as const;
export const Tier = z.enum(tiers);
export type Tier = z.infer<typeof Tier>;

/**
 * Who a ticket is for. An e-mail address or a phone number, at least one: a customer known by phone
 * only is told about their ticket by SMS (docs/channels.md, the portal).
 */
export const Customer = z
  .object({
    email: z.email().max(254).optional(),
    name: z.string().trim().min(1).max(120).optional(),
    phone: z.string().trim().min(3).max(40).optional(),
    tier: Tier.default('standard'),
    externalId: z.string().max(120).optional(),
  })
  .refine((c) => !!c.email || !!c.phone, {
    message: 'An e-mail address or a phone number is required',
    path: ['email'],
  });
export type Customer = z.infer<typeof Customer>;

export const Location = z.object({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  address: z.string().max(300).optional(),
});

export const CustomFieldValue = z.union([z.string().max(1000), z.number(), z.boolean()]);

/** One SLA target's latest clock cycle, as of `SlaState.computedAt` (see docs/sla.md). */
export const SlaTargetState = z.object({
  target: z.enum(['firstResponse', 'nextResponse', 'resolution']),
  /** 1 for the first response and the first resolution; next responses and reopens count on. */
  cycle: z.number().int().positive(),
  state: z.enum(['running', 'paused', 'met', 'breached']),
  targetMinutes: z.number(),
  startedAt: z.string(),
  /** Null while paused before the deadline (a paused clock has no due time). */
  dueAt: z.string().nullable(),
  /** Business minutes left; negative when overdue. */
  remainingMinutes: z.number(),
  stoppedAt: z.string().nullable(),
  breachedAt: z.string().nullable(),
});
export type SlaTargetState = z.infer<typeof SlaTargetState>;

export const SlaState = z.object({
  policy: z.string().nullable(),
  firstResponseDueAt: z.string().nullable(),
  resolutionDueAt: z.string().nullable(),
  breached: z.array(z.string()),
  paused: z.boolean(),
  /** The due time of the open next-response cycle (after a customer reply), if any. */
  nextResponseDueAt: z.string().nullable().optional(),
  /** The policy's business calendar. */
  calendar: z.string().nullable().optional(),
  /** Each target's latest cycle: due time, remaining time, state. */
  targets: z.array(SlaTargetState).optional(),
  /** Every breach so far, earliest first. */
  breaches: z
    .array(z.object({ target: SlaTargetState.shape.target, cycle: z.number().int(), at: z.string() }))
    .optional(),
  /** When `targets` (and their remaining time) were computed. */
  computedAt: z.string().optional(),
  /** The version of the SLA timer that should be running (its execution name's `-v<n>`). */
  timerVersion: z.number().int().nonnegative().nullable().optional(),
});
export type SlaState = z.infer<typeof SlaState>;

/**
 * Why routing (or a person) placed the ticket, as a code with parameters the console words in Chinese or
 * English (`reason` keeps the English prose for logs and older readers).
 */
export const RoutingExplanation = z.object({
  code: z.enum([
    'rule.assigned',
    'rule.queued',
    'queue.picked_up',
    'person.assigned',
    'person.transferred',
    'person.taken',
  ]),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});
export type RoutingExplanation = z.infer<typeof RoutingExplanation>;

export const RoutingDecision = z.object({
  rule: z.string().nullable(),
  reason: z.string(),
  /** Absent on decisions stored before explanations existed. */
  explanation: RoutingExplanation.optional(),
  candidates: z.array(z.object({ agentId: z.string(), score: z.number() })).default([]),
  relaxed: z.boolean().default(false),
  decidedAt: z.string(),
});

/** Key facts quoted from the ticket's text (`shared/domain/classify/facts.ts`). */
export const TicketFacts = z.object({
  times: z.array(z.string()),
  places: z.array(z.string()),
  assets: z.array(z.string()),
  symptoms: z.array(z.string()),
  references: z.array(z.string()),
  amounts: z.array(z.string()),
});

/** What the intake classifier made of the ticket's text (docs/classify.md). */
export const Classification = z.object({
  /** The intent routing acted on; null when the model was not sure enough. */
  intent: z.string().nullable(),
  confidence: z.number(),
  scores: z.array(z.object({ intent: z.string(), probability: z.number() })),
  facts: TicketFacts,
  model: z.string(),
});
export type Classification = z.infer<typeof Classification>;

/** A link to another ticket: `related` (set by people) or `merged` (that duplicate was merged into this one). */
export const TicketLink = z.object({
  ticketId: z.string(),
  number: z.string(),
  kind: z.enum(['related', 'merged', 'merged-into']),
  by: z.string(),
  at: z.string(),
});
export type TicketLink = z.infer<typeof TicketLink>;

/** The ticket as stored and as the API returns it (DESIGN.md §6). */
export const Ticket = z.object({
  id: z.string(),
  number: z.string(),
  subject: z.string(),
  description: z.string(),
  status: Status,
  priority: Priority,
  category: z.string().nullable(),
  intent: z.string().nullable(),
  channel: Channel,
  customer: Customer,
  team: z.string().nullable(),
  assignee: z.string().nullable(),
  sla: SlaState,
  routing: RoutingDecision.nullable(),
  /** Absent on tickets stored before classification existed. */
  classification: Classification.nullable().optional(),
  parentId: z.string().nullable(),
  /**
   * Each child ticket (docs/collaboration.md, "Child tickets"), read from the child index items in the
   * ticket's partition: never written through the ticket item itself.
   */
  children: z.array(ChildSummary),
  /** The due date asked for when this ticket was opened as a child (absent on most tickets). */
  dueAt: z.string().nullable().optional(),
  /** Agents following the ticket (docs/collaboration.md); absent on tickets stored before watchers. */
  watchers: z.array(z.string()).optional(),
  /** Tickets linked to this one, shown on both (`merged`: a duplicate merged into this one). */
  links: z.array(TicketLink).optional(),
  /** On a duplicate merged into another ticket: the ticket it was merged into (it is closed). */
  mergedInto: z.object({ id: z.string(), number: z.string() }).nullable().optional(),
  /** Field engineers' visits to the site (docs/field-service.md); absent until the first. */
  visits: z.array(Visit).optional(),
  /**
   * The SLA timer gave up after repeated failed steps (docs/sla.md, "When the timer fails"): the
   * reconciler restarts it and clears this. Absent or null while the timer is healthy.
   */
  slaTimerDegraded: z
    .object({ at: z.string(), version: z.number().int().nonnegative(), error: z.string().max(500) })
    .nullable()
    .optional(),
  tags: z.array(z.string()),
  /**
   * The ticket's number in the system it was imported from (docs/import.md): unique (a second import
   * of the same row is a skip) and found by `q`. Absent on tickets opened in Gongdan.
   */
  externalRef: z.string().max(120).optional(),
  customFields: safeRecord(z.string(), CustomFieldValue),
  location: Location.nullable(),
  /**
   * The product line and model (docs/analytics.md, "Product and region"); absent on tickets stored
   * before the field existed (read as null).
   */
  product: Product.nullable().optional(),
  /** `北京市/朝阳区`, `广东省/深圳市`: province-level, then city-level; absent on older tickets (null). */
  region: RegionName.nullable().optional(),
  /** Which of `product` and `region` were derived from the ticket's text or address, not given. */
  derived: z.array(DerivedField).optional(),
  firstRespondedAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  /** What was done, given with the move to resolved (docs/closing-report.md); absent before it. */
  resolution: Resolution.nullable().optional(),
  /** The closing report's rating links (hashed) and the customer's rating, once given. */
  feedback: Feedback.optional(),
  closedAt: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int().positive(),
});
export type Ticket = z.infer<typeof Ticket>;

/** What a caller supplies to open a ticket; everything else is derived. */
export const NewTicket = z.object({
  subject: z.string().trim().min(1).max(200),
  description: z.string().max(20_000).default(''),
  priority: Priority.default('normal'),
  category: z.string().trim().min(1).max(80).optional(),
  customer: Customer.optional(),
  team: z.string().trim().min(1).max(80).optional(),
  tags: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
  customFields: safeRecord(z.string().max(60), CustomFieldValue).default({}),
  location: Location.optional(),
  /** Derived from a model number in the text when absent. */
  product: Product.optional(),
  /** Derived from the location's address or the text when absent; a recognised place is normalised. */
  region: RegionName.optional(),
});
export type NewTicket = z.infer<typeof NewTicket>;

/** Number people can read over the phone: `GD-000123` (six digits, more when needed). */
export const formatTicketNumber = (n: number) => `GD-${String(n).padStart(6, '0')}`;
export const ticketNumberPattern = /^GD-\d{6,}$/;

/** A fresh ticket in `new`, version 1. */
export function openTicket(
  input: NewTicket & { customer: Customer; parentId?: string; dueAt?: string },
  ids: { id: string; number: number },
  actor: Actor,
  now: Date,
): Ticket {
  const at = now.toISOString();
  return {
    id: ids.id,
    number: formatTicketNumber(ids.number),
    subject: input.subject,
    description: input.description,
    status: 'new',
    priority: input.priority,
    category: input.category ?? null,
    intent: null,
    channel: actor.channel,
    customer: input.customer,
    team: input.team ?? null,
    assignee: null,
    sla: { policy: null, firstResponseDueAt: null, resolutionDueAt: null, breached: [], paused: false },
    routing: null,
    parentId: input.parentId ?? null,
    children: [],
    ...(input.dueAt ? { dueAt: input.dueAt } : {}),
    tags: input.tags,
    customFields: input.customFields,
    location: input.location ?? null,
    product: input.product ?? null,
    region: input.region ? normaliseRegion(input.region) : null,
    firstRespondedAt: null,
    resolvedAt: null,
    closedAt: null,
    createdBy: actor.id,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
}

/**
 * Moves `ticket` to `to` if the lifecycle allows it and `actor` holds a role that may, returning the
 * next version and the rule applied. Throws TICKET.ILLEGAL_TRANSITION (naming the allowed moves) or
 * TICKET.TRANSITION_FORBIDDEN.
 */
export function transition(
  ticket: Ticket,
  to: Status,
  actor: Actor,
  now: Date,
  lifecycle?: readonly TransitionRule[],
): { ticket: Ticket; rule: TransitionRule } {
  const rule = findRule(ticket.status, to, lifecycle);
  if (!rule) {
    throw illegalTransition(
      ticket.status,
      to,
      allowedFrom(ticket.status, lifecycle).map((r) => r.to),
    );
  }
  const allowedRoles = rolesFor(rule, ticket.priority);
  if (!hasAnyRole(actor, allowedRoles)) throw transitionForbidden(ticket.status, to, allowedRoles);

  const at = now.toISOString();
  const next: Ticket = { ...touch(ticket, now), status: to };
  if (to === 'resolved') next.resolvedAt = at;
  if (to === 'closed') next.closedAt = at;
  if (rule.action === 'reopen') next.resolvedAt = null;
  next.sla = { ...next.sla, paused: to === 'pending' };
  return { ticket: next, rule };
}

/** Records a reply; the first public reply by staff is the ticket's first response. */
export function recordReply(ticket: Ticket, byStaff: boolean, isPublic: boolean, now: Date): Ticket {
  if (ticket.status === 'closed') throw ticketClosed(ticket.id);
  const next = touch(ticket, now);
  if (byStaff && isPublic && !ticket.firstRespondedAt) next.firstRespondedAt = now.toISOString();
  return next;
}

/** The next version of `ticket`, stamped at `now`. */
export const touch = (ticket: Ticket, now: Date): Ticket => ({
  ...ticket,
  updatedAt: now.toISOString(),
  version: ticket.version + 1,
});

/**
 * The nearest due time of a running SLA target (or the stored due times on older tickets): what queues
 * sort by. Null for a ticket that needs no work or whose clock is paused.
 */
export function nextDueAt(ticket: Ticket): string | null {
  if (!activeStatuses.includes(ticket.status) || ticket.sla.paused) return null;
  const running = (ticket.sla.targets ?? []).filter((t) => t.state === 'running' && t.dueAt);
  const candidates = running.length
    ? running.map((t) => t.dueAt!)
    : [ticket.sla.nextResponseDueAt, ticket.firstRespondedAt ? null : ticket.sla.firstResponseDueAt]
        .concat(ticket.sla.resolutionDueAt)
        .filter((d): d is string => !!d);
  return candidates.length ? candidates.reduce((a, b) => (a < b ? a : b)) : null;
}

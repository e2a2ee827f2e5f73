import * as z from 'zod';
import { safeRecord } from '../safe-record.ts';
import { Priority, Status } from '../ticket/lifecycle.ts';
import { Customer, CustomFieldValue, Location } from '../ticket/ticket.entity.ts';
import { eventInvalid } from './intake.errors.ts';
import { ledgerKey } from './intake-ledger.ts';

/**
 * Events other systems put on the bus to ask Gongdan for work (DESIGN.md §7, "In"). One definition per
 * event, like the outbound catalogue; the stack's rule matches these detail-types from any source but
 * `gongdan` (so nothing we publish can loop back in).
 */
const requestId = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .describe('Idempotency key chosen by the producer; the same id creates or changes at most once.');

const externalRef = z
  .object({ system: z.string().trim().min(1).max(60), id: z.string().trim().min(1).max(200) })
  .strict()
  .describe('The record in the producing system this ticket is about, e.g. a CRM case or an order.');

export const TicketCreateRequested = z
  .object({
    requestId: requestId.optional(),
    ticket: z
      .object({
        subject: z.string().trim().min(1).max(200),
        description: z.string().max(20_000).default(''),
        priority: Priority.default('normal'),
        category: z.string().trim().min(1).max(80).optional(),
        team: z.string().trim().min(1).max(80).optional(),
        customer: Customer,
        tags: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
        customFields: safeRecord(z.string().max(60), CustomFieldValue).default({}),
        location: Location.optional(),
      })
      .strict(),
    externalRef: externalRef.optional(),
  })
  .strict();
export type TicketCreateRequested = z.infer<typeof TicketCreateRequested>;

/** Which ticket: by id, by number (`GD-000123`), or by the producer's own reference given at creation. */
const TicketSelector = z.union([
  z.object({ id: z.string().min(1).max(64) }).strict(),
  z.object({ number: z.string().regex(/^GD-\d{6,}$/) }).strict(),
  z.object({ externalRef }).strict(),
]);

export const TicketUpdateRequested = z
  .object({
    requestId: requestId.optional(),
    ticket: TicketSelector,
    /** Apply only if the ticket is still at this version (else the request is refused, not retried). */
    expectedVersion: z.number().int().positive().optional(),
    changes: z
      .object({
        status: z
          .object({ to: Status, reason: z.string().trim().min(1).max(1000).optional() })
          .strict()
          .optional(),
        priority: Priority.optional(),
        comment: z
          .object({ body: z.string().trim().min(1).max(50_000), public: z.boolean().default(false) })
          .strict()
          .optional(),
        customFields: safeRecord(z.string().max(60), CustomFieldValue).optional(),
        tags: z
          .object({
            add: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
            remove: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
          })
          .strict()
          .optional(),
      })
      .strict()
      .refine((c) => Object.values(c).some((v) => v !== undefined), { message: 'Name at least one change' }),
  })
  .strict();
export type TicketUpdateRequested = z.infer<typeof TicketUpdateRequested>;

export const intakeEventCatalogue = {
  'ticket.create.requested': {
    name: 'ticket.create.requested',
    version: 1,
    description: 'Another system asks for a ticket to be opened (channel `event`).',
    schema: TicketCreateRequested,
  },
  'ticket.update.requested': {
    name: 'ticket.update.requested',
    version: 1,
    description: 'Another system asks for a change to a ticket: status, priority, a comment, fields, tags.',
    schema: TicketUpdateRequested,
  },
} as const;

export type IntakeEventName = keyof typeof intakeEventCatalogue;

/** The EventBridge envelope as a Lambda target receives it. */
export const IntakeEventEnvelope = z.object({
  id: z.string().min(1),
  source: z
    .string()
    .min(1)
    .refine((s) => s !== 'gongdan', { message: 'Gongdan does not consume its own events' }),
  'detail-type': z.enum(['ticket.create.requested', 'ticket.update.requested']),
  time: z.string().optional(),
  detail: z.unknown(),
});

export type ParsedIntakeEvent =
  | { name: 'ticket.create.requested'; source: string; detail: TicketCreateRequested; idempotencyKey: string }
  | {
      name: 'ticket.update.requested';
      source: string;
      detail: TicketUpdateRequested;
      idempotencyKey: string;
    };

/**
 * Validates an incoming event. The idempotency key is the producer's `requestId` when it gives one
 * (it survives the producer's own retries, which get new event ids), else the EventBridge event id
 * (which survives EventBridge's redelivery to us). Throws INTAKE.EVENT_INVALID with field details.
 */
export function parseIntakeEvent(event: unknown): ParsedIntakeEvent {
  const envelope = IntakeEventEnvelope.safeParse(event);
  if (!envelope.success) throw eventInvalid('envelope', issues(envelope.error));
  const { id, source } = envelope.data;
  const name = envelope.data['detail-type'];
  const key = (requestId: string | undefined) =>
    requestId ? ledgerKey(`event:${source}:request`, requestId) : ledgerKey(`event:${source}:id`, id);

  if (name === 'ticket.create.requested') {
    const detail = TicketCreateRequested.safeParse(envelope.data.detail);
    if (!detail.success) throw eventInvalid(name, issues(detail.error));
    return { name, source, detail: detail.data, idempotencyKey: key(detail.data.requestId) };
  }
  const detail = TicketUpdateRequested.safeParse(envelope.data.detail);
  if (!detail.success) throw eventInvalid(name, issues(detail.error));
  return { name, source, detail: detail.data, idempotencyKey: key(detail.data.requestId) };
}

const issues = (error: z.ZodError) =>
  error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));

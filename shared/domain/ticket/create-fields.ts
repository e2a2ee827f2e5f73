import * as z from 'zod';
import { type Actor, hasAnyRole } from '../actor.ts';
import { DomainError, validationError } from '../errors.ts';
import { Priority } from './lifecycle.ts';
import { NewTicket, Tier } from './ticket.entity.ts';

/**
 * `POST /tickets` as a caller sends it: `NewTicket` without its defaults (so what was sent can be told
 * from what was filled in), plus `parentId`, which no one sets here (children are opened with
 * `POST /tickets/{id}/children`, which checks the parent) and is named so it can be refused rather than
 * silently dropped.
 */
export const CreateTicketRequest = NewTicket.omit({ priority: true, tags: true, customer: true }).extend({
  priority: Priority.optional().describe('Staff and integrations only; `normal` when absent'),
  tags: NewTicket.shape.tags.unwrap().optional().describe('Staff and integrations only'),
  customer: z
    .object({
      email: z.email().max(254).optional(),
      name: z.string().trim().min(1).max(120).optional(),
      phone: z.string().trim().min(3).max(40).optional(),
      tier: Tier.optional(),
      externalId: z.string().max(120).optional(),
    })
    .optional()
    .describe('Staff and integrations name the customer; a customer may give only a phone number'),
  team: NewTicket.shape.team.describe('Staff and integrations only'),
  parentId: z.string().max(64).optional().describe('Never accepted here: use POST /tickets/{id}/children'),
});
export type CreateTicketRequest = z.infer<typeof CreateTicketRequest>;

/**
 * What a customer may set when opening a ticket through the API (docs/security.md, "What a caller may
 * set on a new ticket"). The customer is who the token says; priority, team, tags and the customer's
 * tier are decided by staff and routing. Staff and integrations may set every field but `parentId`.
 */
export const customerCreateFields: readonly string[] = [
  'subject',
  'description',
  'category',
  'customFields',
  'location',
  'product',
  'region',
  'customer.phone',
];

const present = (request: CreateTicketRequest): string[] => {
  const { customer, ...top } = request;
  return [
    ...Object.keys(top).filter((k) => top[k as keyof typeof top] !== undefined),
    ...Object.keys(customer ?? {})
      .filter((k) => customer?.[k as keyof typeof customer] !== undefined)
      .map((k) => `customer.${k}`),
  ];
};

/** The fields of `request` that `actor` may not set, by path (`priority`, `customer.tier`). */
export function refusedCreateFields(request: CreateTicketRequest, actor: Pick<Actor, 'roles'>): string[] {
  const staffOrSystem = hasAnyRole(actor, ['agent', 'supervisor', 'admin', 'integration']);
  return present(request)
    .filter((f) => (staffOrSystem ? f === 'parentId' : !customerCreateFields.includes(f)))
    .sort();
}

/**
 * Checks `request` against what `actor`'s role may set (403 TICKET.FIELDS_FORBIDDEN naming every
 * refused field) and returns it as the `NewTicket` the use case takes, defaults filled in. Runs before
 * anything is written or numbered.
 */
export function newTicketFor(request: CreateTicketRequest, actor: Pick<Actor, 'roles'>): NewTicket {
  const refused = refusedCreateFields(request, actor);
  if (refused.length) {
    throw new DomainError(
      'forbidden',
      'TICKET.FIELDS_FORBIDDEN',
      `Your role may not set these fields on a new ticket: ${refused.join(', ')}`,
      { fields: refused },
    );
  }
  const { parentId: _never, customer, priority, tags, ...rest } = request;
  const parsed = NewTicket.safeParse({
    ...rest,
    priority: priority ?? 'normal',
    tags: tags ?? [],
    ...(customer ? { customer } : {}),
  });
  if (parsed.success) return parsed.data;
  throw validationError(
    'The request body has invalid fields',
    parsed.error.issues.map((i) => ({
      path: i.path.map(String).join('.'),
      message: i.message,
      code: i.code,
    })),
  );
}

/**
 * `input` as `actor` may open it, for use cases called from anywhere: for a customer the staff-only
 * fields are put back to what a new ticket starts with (the API refuses them before this; other
 * callers cannot slip them through either).
 */
export function withinRole(input: NewTicket, actor: Pick<Actor, 'roles'>): NewTicket {
  if (hasAnyRole(actor, ['agent', 'supervisor', 'admin', 'integration'])) return input;
  const { team: _decidedByRouting, ...rest } = input;
  return { ...rest, priority: 'normal', tags: [] };
}

import * as z from 'zod';
import { staffRoles } from '#shared/domain/actor.ts';
import { Priority } from '#shared/domain/ticket/lifecycle.ts';
import { Product, RegionName } from '#shared/domain/ticket/product-region.ts';
import { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import {
  etag,
  etagHeader,
  expectedVersion,
  ifMatchHeader,
  ticketIdParam,
} from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { ticketView } from '#shared/use-cases/ticket-view.ts';
import { updateTicketFields } from '#shared/use-cases/update-ticket.ts';

/** What staff change on a ticket by hand: its priority (the SLA follows), tags, product and region. */
export const TicketPatch = z
  .object({
    priority: Priority.optional(),
    tags: z
      .object({
        add: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
        remove: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
      })
      .optional(),
    product: Product.nullable().optional().describe('Product line and model; null clears it'),
    region: RegionName.nullable()
      .optional()
      .describe('`北京市/朝阳区`, `广东省/深圳市`; a recognised place is normalised; null clears it'),
  })
  .strict()
  .refine(
    (p) =>
      p.priority !== undefined || p.tags !== undefined || p.product !== undefined || p.region !== undefined,
    { message: 'Give a priority, tags, a product or a region to change', path: ['priority'] },
  );

export const route = defineRoute({
  name: 'update-ticket',
  method: 'PATCH',
  path: '/tickets/{id}',
  roles: staffRoles,
  body: TicketPatch,
  access: 'write',
  doc: {
    headers: [ifMatchHeader],
    responses: [{ status: 200, description: 'The ticket as changed', body: Ticket, headers: etagHeader }],
  },
  async handle({ params, body, headers, actor }, deps) {
    const { ticket } = await updateTicketFields(
      ticketIdParam(params),
      body,
      actor,
      expectedVersion(headers),
      deps,
    );
    return { status: 200, body: ticketView(ticket, actor, null), headers: { etag: etag(ticket) } };
  },
});

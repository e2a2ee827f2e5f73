import * as z from 'zod';
import { Approval } from '#shared/domain/approval/approval.entity.ts';
import { ticketIdParam } from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { listTicketApprovals } from '#shared/use-cases/approvals.ts';

export const route = defineRoute({
  name: 'list-ticket-approvals',
  method: 'GET',
  path: '/tickets/{id}/approvals',
  roles: ['agent', 'supervisor', 'admin', 'integration'],
  access: 'read',
  doc: {
    responses: [
      {
        status: 200,
        description: "The ticket's approvals, oldest first",
        body: z.object({ items: z.array(Approval) }),
      },
    ],
  },
  async handle({ params, actor }, deps) {
    return { status: 200, body: { items: await listTicketApprovals(ticketIdParam(params), actor, deps) } };
  },
});

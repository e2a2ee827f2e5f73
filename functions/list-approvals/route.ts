import * as z from 'zod';
import { defineRoute } from '#shared/http/route.ts';
import { pendingApprovals } from '#shared/use-cases/approvals.ts';

const PendingApproval = z.object({
  approvalId: z.string(),
  ticketId: z.string(),
  ticketNumber: z.string(),
  subject: z.string(),
  reason: z.string(),
  requestedBy: z.object({ id: z.string(), name: z.string().optional() }),
  requestedAt: z.string(),
  stage: z.number().int(),
  stages: z.number().int(),
  since: z.string(),
  nudges: z.number().int(),
});

export const route = defineRoute({
  name: 'list-approvals',
  method: 'GET',
  path: '/approvals',
  roles: ['agent', 'supervisor', 'admin'],
  query: z.object({
    /** What waits on the caller (the only listing there is). */
    mine: z.literal('pending').default('pending'),
    /** A supervisor or admin may read someone else's queue. */
    approver: z.string().trim().min(1).max(64).optional(),
  }),
  access: 'read',
  doc: {
    responses: [
      {
        status: 200,
        description: 'Approvals waiting on the caller (or on `approver`), the longest waiting first',
        body: z.object({ items: z.array(PendingApproval) }),
      },
    ],
  },
  async handle({ query, actor }, deps) {
    return { status: 200, body: { items: await pendingApprovals(actor, deps, query.approver) } };
  },
});

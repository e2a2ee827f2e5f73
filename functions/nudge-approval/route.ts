import * as z from 'zod';
import { Approval } from '#shared/domain/approval/approval.entity.ts';
import { DomainError } from '#shared/domain/errors.ts';
import { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import { approvalIdParam } from '#shared/http/approval-params.ts';
import { etag } from '#shared/http/preconditions.ts';
import { defineRoute, type HttpResult } from '#shared/http/route.ts';
import { nudgeApproval } from '#shared/use-cases/approvals.ts';

export const route = defineRoute({
  name: 'nudge-approval',
  method: 'POST',
  path: '/approvals/{id}/nudge',
  roles: ['agent', 'supervisor', 'admin'],
  access: 'write',
  doc: {
    responses: [
      {
        status: 200,
        description:
          'The pending approvers were reminded; the approval with its nudge counts, and the ticket',
        body: z.object({ approval: Approval, ticket: Ticket, reminded: z.array(z.string()) }),
      },
      {
        status: 429,
        description: 'Nudged again within the cooldown (APPROVAL.NUDGE_TOO_SOON)',
        headers: { 'Retry-After': 'Seconds until the approval may be nudged again' },
      },
    ],
  },
  async handle({ params, actor }, deps): Promise<HttpResult> {
    try {
      const { approval, ticket, reminded } = await nudgeApproval(approvalIdParam(params), actor, deps);
      return { status: 200, body: { approval, ticket, reminded }, headers: { etag: etag(ticket) } };
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'APPROVAL.NUDGE_TOO_SOON')) throw error;
      return {
        status: 429,
        body: { error: { code: error.code, message: error.message, details: error.details } },
        headers: { 'retry-after': String(error.details?.retryAfterSeconds ?? 60) },
      };
    }
  },
});

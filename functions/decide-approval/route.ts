import { ApprovalWithTicket, approvalIdParam } from '#shared/http/approval-params.ts';
import { etag, etagHeader } from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { DecisionRequest, decideApproval } from '#shared/use-cases/approvals.ts';

export const route = defineRoute({
  name: 'decide-approval',
  method: 'POST',
  path: '/approvals/{id}/decision',
  roles: ['agent', 'supervisor', 'admin'],
  body: DecisionRequest,
  access: 'write',
  doc: {
    responses: [
      {
        status: 200,
        description:
          'The decision is recorded (time, actor, IP, user agent). 403 APPROVAL.NOT_APPROVER; 409 APPROVAL.ALREADY_DECIDED, APPROVAL.NOT_PENDING, APPROVAL.CLOSED.',
        body: ApprovalWithTicket,
        headers: etagHeader,
      },
    ],
  },
  async handle({ params, body, headers, actor }, deps) {
    const { approval, ticket } = await decideApproval(
      approvalIdParam(params),
      body,
      actor,
      { via: 'api', ...(headers['user-agent'] ? { userAgent: headers['user-agent'] } : {}) },
      deps,
    );
    return { status: 200, body: { approval, ticket }, headers: { etag: etag(ticket) } };
  },
});

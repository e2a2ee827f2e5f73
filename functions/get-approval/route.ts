import { Approval } from '#shared/domain/approval/approval.entity.ts';
import { approvalIdParam } from '#shared/http/approval-params.ts';
import { defineRoute } from '#shared/http/route.ts';
import { getApproval } from '#shared/use-cases/approvals.ts';

export const route = defineRoute({
  name: 'get-approval',
  method: 'GET',
  path: '/approvals/{id}',
  roles: ['agent', 'supervisor', 'admin', 'integration'],
  access: 'read',
  doc: {
    responses: [
      { status: 200, description: 'The approval: stages, approvers, decisions, nudges', body: Approval },
    ],
  },
  async handle({ params, actor }, deps) {
    return { status: 200, body: await getApproval(approvalIdParam(params), actor, deps) };
  },
});

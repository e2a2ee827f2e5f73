import { ApprovalPolicy } from '#shared/domain/approval/approval-policy.ts';
import { configEtag, etagHeader } from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { readApprovalPolicy } from '#shared/use-cases/approvals.ts';

export const route = defineRoute({
  name: 'get-approvals-config',
  method: 'GET',
  path: '/config/approvals',
  roles: ['admin', 'supervisor'],
  access: 'read',
  doc: {
    responses: [
      {
        status: 200,
        description: 'The approvals policy (the defaults, version 0, until one is stored)',
        body: ApprovalPolicy,
        headers: etagHeader,
      },
    ],
  },
  async handle(_request, deps) {
    const policy = await readApprovalPolicy(deps);
    return { status: 200, body: policy, headers: { etag: configEtag(policy) } };
  },
});

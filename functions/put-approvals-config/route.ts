import { ApprovalPolicy } from '#shared/domain/approval/approval-policy.ts';
import { configEtag, etagHeader, expectedVersion, ifMatchHeader } from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { putApprovalPolicy } from '#shared/use-cases/approvals.ts';

export const route = defineRoute({
  name: 'put-approvals-config',
  method: 'PUT',
  path: '/config/approvals',
  roles: ['admin'],
  body: ApprovalPolicy.omit({ version: true }).strict(),
  access: 'write',
  doc: {
    headers: [ifMatchHeader],
    responses: [
      {
        status: 200,
        description: 'The approvals policy, as stored',
        body: ApprovalPolicy,
        headers: etagHeader,
      },
    ],
  },
  async handle({ body, headers }, deps) {
    const policy = await putApprovalPolicy(body, expectedVersion(headers), deps);
    return { status: 200, body: policy, headers: { etag: configEtag(policy) } };
  },
});

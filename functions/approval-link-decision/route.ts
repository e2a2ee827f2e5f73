import { decideWithLink } from '#shared/channels/approval-link.ts';
import { defineRoute } from '#shared/http/route.ts';

export const route = defineRoute({
  name: 'approval-link-decision',
  method: 'POST',
  path: '/approvals/{id}/act',
  // The form of the link's page: the token in the body is the credential; it works once.
  auth: 'public',
  roles: [],
  rawBody: true,
  maxBodyBytes: 16 * 1024,
  access: 'write',
  doc: {
    rawBody: {
      mediaTypes: ['application/x-www-form-urlencoded'],
      description: '`token` (from the link), `decision` (`approve` or `reject`), `comment`, `lang`',
    },
    responses: [
      { status: 200, description: 'The decision is recorded (with IP and user agent)', html: true },
      { status: 400, description: 'The form again: no decision was chosen', html: true },
      { status: 404, description: 'A link nobody minted', html: true },
      { status: 409, description: 'The approval is closed, or no longer waits on this approver', html: true },
      {
        status: 410,
        description: 'The link expired or was used already (a replay changes nothing)',
        html: true,
      },
    ],
  },
  async handle({ params, headers, rawBody, actor }, deps) {
    return decideWithLink(
      {
        approvalId: params.id ?? '',
        headers,
        ...(rawBody ? { rawBody } : {}),
        ...(actor.sourceIp ? { sourceIp: actor.sourceIp } : {}),
      },
      deps,
    );
  },
});

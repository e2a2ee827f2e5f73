import * as z from 'zod';
import { showDecisionLink } from '#shared/channels/approval-link.ts';
import { defineRoute } from '#shared/http/route.ts';

export const route = defineRoute({
  name: 'approval-link-page',
  method: 'GET',
  path: '/approvals/{id}/act',
  // The approver's one-time e-mailed link: no sign-in; the token is the credential (docs/collaboration.md).
  auth: 'public',
  roles: [],
  query: z.record(z.string(), z.string()),
  access: 'read',
  doc: {
    responses: [
      {
        status: 200,
        description: 'What is asked, and a form to approve or reject (`lang=en` for English)',
        html: true,
      },
      { status: 404, description: 'A link nobody minted', html: true },
      { status: 409, description: 'The approval is closed, or no longer waits on this approver', html: true },
      { status: 410, description: 'The link expired or was used', html: true },
    ],
  },
  async handle({ params, headers, query }, deps) {
    return showDecisionLink({ approvalId: params.id ?? '', headers, query }, deps);
  },
});

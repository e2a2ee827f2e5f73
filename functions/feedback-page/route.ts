import * as z from 'zod';
import { showFeedback } from '#shared/channels/feedback.ts';
import { defineRoute } from '#shared/http/route.ts';

export const route = defineRoute({
  name: 'feedback-page',
  method: 'GET',
  path: '/tickets/{id}/feedback',
  // The closing report's rating link: no sign-in; the token is the credential (docs/closing-report.md).
  auth: 'public',
  roles: [],
  query: z.record(z.string(), z.string()),
  access: 'read',
  doc: {
    responses: [
      {
        status: 200,
        description: 'The closing report and the rating form (once rated: the thanks; `lang=en` for English)',
        html: true,
      },
      {
        status: 401,
        description: 'A token that is not one of the ticket’s (altered, or for another ticket)',
        html: true,
      },
      { status: 410, description: 'The link expired', html: true },
    ],
  },
  async handle({ params, headers, query }, deps) {
    return showFeedback({ ticketId: params.id ?? '', headers, query }, deps);
  },
});

import { reopenFromFeedback } from '#shared/channels/feedback.ts';
import { defineRoute } from '#shared/http/route.ts';

export const route = defineRoute({
  name: 'feedback-reopen',
  method: 'POST',
  path: '/tickets/{id}/feedback/reopen',
  // The thank-you page's offer after a low rating: the rating link's token reopens the ticket once.
  auth: 'public',
  roles: [],
  rawBody: true,
  maxBodyBytes: 4 * 1024,
  access: 'write',
  doc: {
    rawBody: {
      mediaTypes: ['application/json', 'application/x-www-form-urlencoded'],
      description: '`{ token }` from the rating link (a form may add `lang`)',
    },
    responses: [
      { status: 200, description: 'Reopened (resolved → open, as the customer): JSON, or a page for a form' },
      { status: 401, description: 'A token that is not one of the ticket’s' },
      { status: 409, description: 'Reopening is offered after a low rating (≤ 2) of a resolved ticket only' },
      { status: 410, description: 'The link expired' },
    ],
  },
  async handle({ params, headers, rawBody, actor }, deps) {
    return reopenFromFeedback(
      {
        ticketId: params.id ?? '',
        headers,
        ...(rawBody ? { rawBody } : {}),
        ...(actor.sourceIp ? { sourceIp: actor.sourceIp } : {}),
      },
      deps,
    );
  },
});

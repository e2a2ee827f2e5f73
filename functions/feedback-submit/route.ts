import { submitFeedback } from '#shared/channels/feedback.ts';
import { defineRoute } from '#shared/http/route.ts';

export const route = defineRoute({
  name: 'feedback-submit',
  method: 'POST',
  path: '/tickets/{id}/feedback',
  // The rating from the closing report's link: the token in the body is the credential; one per ticket.
  auth: 'public',
  roles: [],
  rawBody: true,
  maxBodyBytes: 16 * 1024,
  access: 'write',
  doc: {
    rawBody: {
      mediaTypes: ['application/json', 'application/x-www-form-urlencoded'],
      description:
        '`{ token, score, comment }`: `token` from the link, `score` 1–5, `comment` up to 2000 characters (a form may add `lang`)',
    },
    responses: [
      {
        status: 200,
        description:
          'Rated: JSON `{ ticketId, number, rating, reopenOffered }`, or the thank-you page for a form',
      },
      {
        status: 400,
        description: 'No score, or one outside 1–5 (field details; a form gets the form again)',
      },
      { status: 401, description: 'A token that is not one of the ticket’s' },
      { status: 409, description: 'Rated already (once per ticket), or the ticket is not resolved' },
      { status: 410, description: 'The link expired' },
    ],
  },
  async handle({ params, headers, rawBody, actor }, deps) {
    return submitFeedback(
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

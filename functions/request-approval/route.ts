import { ApprovalWithTicket } from '#shared/http/approval-params.ts';
import {
  etag,
  etagHeader,
  idempotencyKey,
  idempotencyKeyHeader,
  ticketIdParam,
} from '#shared/http/preconditions.ts';
import { defineRoute, type HttpResult } from '#shared/http/route.ts';
import { ApprovalRequest, requestApproval } from '#shared/use-cases/approvals.ts';

export const route = defineRoute({
  name: 'request-approval',
  method: 'POST',
  path: '/tickets/{id}/approvals',
  roles: ['agent', 'supervisor', 'admin'],
  body: ApprovalRequest,
  access: 'write',
  doc: {
    headers: [
      {
        ...idempotencyKeyHeader,
        description:
          'Up to 255 printable ASCII characters without spaces; a retry with the same key and body answers with the approval the first request made (Idempotent-Replayed: true) instead of asking again, the same key with another body is a 422.',
      },
    ],
    responses: [
      {
        status: 201,
        description:
          'The approval (stage 1 pending, its approvers notified) and the ticket after it. Unknown approvers are a 400 naming each field.',
        body: ApprovalWithTicket,
        headers: {
          ...etagHeader,
          'Idempotent-Replayed': '`true` when an earlier request with the same key made it',
        },
      },
    ],
  },
  async handle({ params, body, headers, actor }, deps): Promise<HttpResult> {
    const { approval, ticket, replayed } = await requestApproval(
      ticketIdParam(params),
      body,
      actor,
      deps,
      idempotencyKey(headers),
    );
    return {
      status: 201,
      body: { approval, ticket },
      headers: { etag: etag(ticket), ...(replayed ? { 'idempotent-replayed': 'true' } : {}) },
    };
  },
});

import * as z from 'zod';
import type { ChannelTicketDeps } from '#shared/channels/deps.ts';
import { SignOffRequest, signOff } from '#shared/channels/field-visits.ts';
import { Visit, VisitStep } from '#shared/domain/field/visit.ts';
import { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import {
  etagHeader,
  idempotencyKey,
  idempotencyKeyHeader,
  ticketIdParam,
} from '#shared/http/preconditions.ts';
import { replayableAnswer } from '#shared/http/replayable.ts';
import { type ApiDeps, defineRoute } from '#shared/http/route.ts';

const SignOffAnswer = z.object({ ticket: Ticket, visit: Visit, step: VisitStep, replayed: z.boolean() });

export const route = defineRoute<SignOffRequest, undefined, ApiDeps & ChannelTicketDeps>({
  name: 'sign-off',
  method: 'POST',
  path: '/tickets/{id}/sign-off',
  // The customer's signature on the visit under way: a PNG data URL (400 otherwise, 413 over the limit),
  // kept as an attachment with its SHA-256; signer, time, position and IP in the audit trail.
  roles: ['agent', 'supervisor', 'admin'],
  body: SignOffRequest,
  maxBodyBytes: 600_000,
  access: 'write',
  uses: ['attachments'],
  doc: {
    headers: [idempotencyKeyHeader],
    responses: [
      {
        status: 201,
        description: 'The signature recorded on the visit',
        body: SignOffAnswer,
        headers: etagHeader,
      },
      {
        status: 200,
        description: 'The client id was recorded before: nothing new written',
        body: SignOffAnswer,
      },
    ],
  },
  async handle({ params, body, headers, actor }, deps) {
    return replayableAnswer(
      await signOff(ticketIdParam(params), body, actor, idempotencyKey(headers), deps),
      actor,
    );
  },
});

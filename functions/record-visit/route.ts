import * as z from 'zod';
import type { ChannelTicketDeps } from '#shared/channels/deps.ts';
import { recordVisit, VisitRequest } from '#shared/channels/field-visits.ts';
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

const VisitAnswer = z.object({
  ticket: Ticket,
  visit: Visit,
  step: VisitStep,
  replayed: z.boolean(),
  resolution: z
    .object({ resolved: z.boolean(), code: z.string().optional(), message: z.string().optional() })
    .optional(),
});

export const route = defineRoute<VisitRequest, undefined, ApiDeps & ChannelTicketDeps>({
  name: 'record-visit',
  method: 'POST',
  path: '/tickets/{id}/visits',
  // A field visit's step (start, arrive, check-in, check-out) with the browser's position, or notes,
  // parts and photos on site (record). Only the assigned field engineer (403); a step out of order is a
  // 409; a client id seen before answers with what it recorded (docs/field-service.md).
  roles: ['agent', 'supervisor', 'admin'],
  body: VisitRequest,
  access: 'write',
  uses: ['attachments'],
  doc: {
    headers: [idempotencyKeyHeader],
    responses: [
      {
        status: 201,
        description:
          'The step recorded: the ticket, the visit and the step (check-out: whether it resolved the ticket)',
        body: VisitAnswer,
        headers: etagHeader,
      },
      {
        status: 200,
        description: 'The client id was recorded before: the visit as it is, nothing new written',
        body: VisitAnswer,
      },
    ],
  },
  async handle({ params, body, headers, actor }, deps) {
    return replayableAnswer(
      await recordVisit(ticketIdParam(params), body, actor, idempotencyKey(headers), deps),
      actor,
    );
  },
});

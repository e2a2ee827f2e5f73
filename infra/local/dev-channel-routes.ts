import * as z from 'zod';
import { parseEmail } from '#shared/adapters/email/parse-email.ts';
import type { ChannelTicketDeps } from '#shared/channels/deps.ts';
import { receiveEmail } from '#shared/channels/email-channel.ts';
import { DomainError } from '#shared/domain/errors.ts';
import type { Logger } from '#shared/domain/ports.ts';
import { statusOf } from '#shared/http/api-handler.ts';
import type { LocalEventBus } from './event-bus.ts';
import type { ApiEvent, ApiResult, GatewayRoute } from './http-gateway.ts';

const json = (statusCode: number, body: unknown): ApiResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

const errorResult = (error: DomainError) =>
  json(statusOf[error.kind], {
    error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
  });

/** The raw request body as bytes (the gateway base64-encodes anything that is not text). */
const bodyBytes = (event: ApiEvent) =>
  event.body === undefined
    ? Buffer.alloc(0)
    : event.isBase64Encoded
      ? Buffer.from(event.body, 'base64')
      : Buffer.from(event.body, 'utf8');

/** Raw mail is `message/rfc822`; plain text and octet streams are accepted too (curl's defaults). */
const mailTypes = /^(?:message\/rfc822|text\/plain|application\/octet-stream)\b/i;

/**
 * `POST /dev/inbound-email`: one raw RFC 822 message in, the same parse and intake as the SES Lambda,
 * `202 {"ticketId", "created", "outcome", "number"}` out. Refusals keep the API's error shape
 * (422 unparseable or no sender, 413 too large, 429 sender flood, 409 still in progress).
 */
export function inboundEmailRoute(deps: ChannelTicketDeps): GatewayRoute['invoke'] {
  return async (event) => {
    const contentType = event.headers?.['content-type'];
    if (contentType && !mailTypes.test(contentType)) {
      return errorResult(
        new DomainError(
          'unsupported_media',
          'REQUEST.UNSUPPORTED_MEDIA_TYPE',
          'Send the raw message as message/rfc822',
          {
            contentType,
          },
        ),
      );
    }
    try {
      // The verdicts come from the message's topmost Authentication-Results header (SES's receipt in AWS).
      const parsed = await parseEmail(bodyBytes(event), { authenticationFromHeader: true });
      if (!parsed.ok) return errorResult(parsed.error);
      const result = await receiveEmail(parsed.email, deps);
      return json(202, result);
    } catch (error) {
      if (error instanceof DomainError) return errorResult(error);
      throw error;
    }
  };
}

const PutEntry = z.object({
  source: z.string().min(1).max(256),
  'detail-type': z.string().min(1).max(128),
  detail: z.record(z.string(), z.unknown()),
  id: z.string().min(1).max(128).optional(),
});
const PutRequest = z.union([z.object({ entries: z.array(PutEntry).min(1).max(10) }), PutEntry]);

/**
 * `POST /dev/events`: what `PutEvents` does for an external system in AWS. Body: one EventBridge-style
 * entry `{source, "detail-type", detail, id?}` or `{entries: [...]}`; answers `202 {"ids"}`. The bus's
 * rules (the same as the stack's) deliver them, e.g. `ticket.create.requested` to intake.
 */
export function putEventsRoute(bus: LocalEventBus, logger: Logger): GatewayRoute {
  return {
    method: 'POST',
    path: '/dev/events',
    name: 'dev-put-events',
    async invoke(event) {
      let body: unknown;
      try {
        body = JSON.parse(bodyBytes(event).toString('utf8'));
      } catch {
        return json(400, {
          error: { code: 'REQUEST.MALFORMED_JSON', message: 'The body is not valid JSON' },
        });
      }
      const parsed = PutRequest.safeParse(body);
      if (!parsed.success) {
        return json(400, {
          error: {
            code: 'REQUEST.INVALID',
            message: 'Send {source, "detail-type", detail} or {entries: [...]}',
            details: {
              fields: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
            },
          },
        });
      }
      const entries = 'entries' in parsed.data ? parsed.data.entries : [parsed.data];
      const ids = bus.putEvents(
        entries.map((e) => ({
          source: e.source,
          detailType: e['detail-type'],
          detail: e.detail,
          ...(e.id ? { id: e.id } : {}),
        })),
      );
      logger.info('dev.events_put', { count: ids.length });
      return json(202, { ids });
    },
  };
}

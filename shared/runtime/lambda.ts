import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { ApiDeps } from '../http/route.ts';
import type { TicketDeps } from '../use-cases/deps.ts';
import { authEdges } from './aws/auth-edges.ts';
import { awsObservability } from './aws/observability.ts';
import { type AwsEdges, awsPlatform } from './aws-platform.ts';
import { wireAuth } from './wire-auth.ts';
import { wireTickets } from './wire-tickets.ts';

/** A value made on first use and kept for the container's life. */
export const once = <T>(make: () => T) => {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
};

/**
 * How the Lambdas compose the capabilities' wirings, once per container. This module holds what every
 * function shares (the platform without extra edges, the tickets, the API's sign-in);
 * `lambda-channels.ts` and `lambda-reactions.ts` add the channels' and the dispatcher's, so a function
 * bundles only the AWS clients it uses.
 */
// The `@__PURE__` marks let esbuild drop what a function does not use (the sweep bundles no jose).
export const platformWith = (edges: AwsEdges = {}) => awsPlatform(process.env, edges);
export const platform = /* @__PURE__ */ once(() => platformWith());
export const ticketDeps = /* @__PURE__ */ once((): TicketDeps => wireTickets(process.env, platform()));
export const apiDeps = /* @__PURE__ */ once(
  (): ApiDeps => ({ ...ticketDeps(), verifyToken: wireAuth(process.env, platformWith(authEdges)) }),
);

/**
 * A Lambda entry with Powertools around it: the log lines carry the function's context, cold start and
 * the invocation's correlation id (`correlationId` reads it from the event: the API request id, the
 * EventBridge event id…; a Lambda runs one invocation at a time, and the keys are reset after each); the
 * invocation is traced; metrics are flushed at its end, with a cold-start count.
 */
export function lambda<E, R>(
  handler: (event: E, context: Context) => Promise<R>,
  correlationId: (event: E) => string | undefined = () => undefined,
) {
  const { logger, metrics, tracer } = awsObservability();
  return middy<E, R>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .before((request) => {
      const id = correlationId(request.event);
      if (id) logger.appendKeys({ correlation_id: id });
    })
    .handler((event, context) => handler(event, context));
}

/** Where the correlation id is in each kind of event. */
export const correlationOf = {
  api: (event: { requestContext?: { requestId?: string } }) => event.requestContext?.requestId,
  eventBridge: (event: { id?: string }) => event.id,
  ses: (event: { Records?: { ses?: { mail?: { messageId?: string } } }[] }) =>
    event.Records?.[0]?.ses?.mail?.messageId,
  stepFunctions: (event: { ticketId?: string; version?: number }) =>
    event.ticketId ? `sla-${event.ticketId}-v${event.version ?? 0}` : undefined,
  approvalTimer: (event: { approvalId?: string; stage?: number }) =>
    event.approvalId ? `approval-${event.approvalId}-s${event.stage ?? 0}` : undefined,
};

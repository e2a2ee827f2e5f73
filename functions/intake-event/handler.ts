import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { acceptIntakeEvent } from '#shared/channels/event-intake.ts';
import { channelLambdaDeps } from '#shared/runtime/channel-lambda-deps.ts';

const deps = channelLambdaDeps();

/**
 * Target of the intake rule (`ticket.create.requested` / `ticket.update.requested` from other
 * systems). An event that can never succeed (invalid, unknown ticket, illegal move) is logged and
 * dropped; anything else fails the invocation so EventBridge's retry (and the DLQ after it) take over.
 */
export const handler = middy<EventBridgeEvent<string, unknown>, void>().handler((event) =>
  acceptIntakeEvent(event, deps),
);

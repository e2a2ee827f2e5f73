import type { EventBridgeEvent } from 'aws-lambda';
import { acceptIntakeEvent } from '#shared/channels/event-intake.ts';
import { correlationOf, lambda } from '#shared/runtime/lambda.ts';
import { intakeDeps } from '#shared/runtime/lambda-channels.ts';

const deps = intakeDeps();

/**
 * Target of the intake rule (`ticket.create.requested` / `ticket.update.requested` from other
 * systems). An event that can never succeed (invalid, unknown ticket, illegal move) is logged and
 * dropped; anything else fails the invocation so EventBridge's retry (and the DLQ after it) take over.
 */
export const handler = lambda(
  (event: EventBridgeEvent<string, unknown>) => acceptIntakeEvent(event, deps),
  correlationOf.eventBridge,
);

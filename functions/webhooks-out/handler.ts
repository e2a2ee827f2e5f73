import type { ScheduledEvent, SQSEvent } from 'aws-lambda';
import { correlationOf, lambda } from '#shared/runtime/lambda.ts';
import { webhooksOutDeps } from '#shared/runtime/lambda-webhooks-out.ts';
import { isSqs, webhooksOutHandler } from './task.ts';

export const handler = lambda(webhooksOutHandler(webhooksOutDeps), (event: SQSEvent | ScheduledEvent) =>
  isSqs(event) ? event.Records[0]?.messageId : correlationOf.eventBridge(event),
);

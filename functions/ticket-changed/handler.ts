import type { DynamoDBStreamEvent } from 'aws-lambda';
import { lambda } from '#shared/runtime/lambda.ts';
import { dispatcher } from '#shared/runtime/lambda-reactions.ts';
import { ticketChangedHandler } from './task.ts';

export const handler = lambda(
  ticketChangedHandler(dispatcher()),
  (event: DynamoDBStreamEvent) => event.Records[0]?.eventID,
);

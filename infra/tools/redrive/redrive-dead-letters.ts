import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export interface RedriveOptions {
  queueUrl: string;
  /** Stop after this many letters. @default 1000 */
  max?: number;
  /** Say what would be replayed; invoke and delete nothing. */
  dryRun?: boolean;
}

export interface RedriveReport {
  /** Message ids replayed (and deleted), or that would be with `dryRun`. */
  redriven: string[];
  /** Letters left in the queue, and why. */
  left: { messageId: string; why: string }[];
}

type Replay = { functionName: string; payload: unknown } | { why: string };

/**
 * Where a dead letter was going, from its shape: Lambda's on-failure record of an asynchronous
 * invocation (`requestContext.functionArn`, `requestPayload`: InboundEmail), or an event EventBridge
 * could not deliver (the event as the body, its target in the `TARGET_ARN` attribute: IntakeEvent).
 * The dispatcher's own letters (a reaction's record) and stream batch records are not replayed here
 * (docs/operations.md, "Dead letters").
 */
export function replayOf(message: Message): Replay {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(message.Body ?? '');
  } catch {
    return { why: 'the body is not JSON' };
  }
  const context = body.requestContext as { functionArn?: string } | undefined;
  if (context?.functionArn && 'requestPayload' in body) {
    // `<function arn>:$LATEST` (or a version): invoke what is deployed now.
    const functionName = context.functionArn.split(':').slice(0, 7).join(':');
    return { functionName, payload: body.requestPayload };
  }
  const target = message.MessageAttributes?.TARGET_ARN?.StringValue;
  if (target && 'detail-type' in body) {
    if (!target.includes(':lambda:')) return { why: `its target ${target} is not a function` };
    return { functionName: target, payload: body };
  }
  if ('reaction' in body && 'record' in body) {
    return {
      why: `the dispatcher's letter of reaction ${String(body.reaction)}: do what it would have done`,
    };
  }
  if ('DDBStreamBatchInfo' in body) return { why: 'a stream batch: the outbox retry sweep dispatches it' };
  return { why: 'no known shape' };
}

/**
 * Replays the dead letters of `queueUrl` that name their function: each is invoked asynchronously with
 * its original payload (the intake functions are idempotent per message and event), then deleted. A
 * letter that fails to replay stays (visible again after 5 minutes). Neither dead-letter queue is an SQS
 * queue's, so SQS's own redrive (StartMessageMoveTask) has nowhere to move them.
 */
export async function redriveDeadLetters(
  clients: { sqs: SQSClient; lambda: LambdaClient },
  options: RedriveOptions,
): Promise<RedriveReport> {
  const max = options.max ?? 1000;
  const report: RedriveReport = { redriven: [], left: [] };
  while (report.redriven.length + report.left.length < max) {
    const { Messages: messages = [] } = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(10, max - report.redriven.length - report.left.length),
        // Letters left behind stay hidden for the rest of the run, so each is seen once.
        VisibilityTimeout: 300,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    if (!messages.length) break;
    for (const message of messages) {
      const messageId = message.MessageId ?? '?';
      const replay = replayOf(message);
      if ('why' in replay) {
        report.left.push({ messageId, why: replay.why });
        continue;
      }
      if (options.dryRun) {
        report.redriven.push(messageId);
        continue;
      }
      try {
        await clients.lambda.send(
          new InvokeCommand({
            FunctionName: replay.functionName,
            InvocationType: 'Event',
            Payload: Buffer.from(JSON.stringify(replay.payload)),
          }),
        );
        await clients.sqs.send(
          new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
        report.redriven.push(messageId);
      } catch (error) {
        report.left.push({
          messageId,
          why: `replay failed: ${(error as Error).name}: ${(error as Error).message}`,
        });
      }
    }
  }
  return report;
}

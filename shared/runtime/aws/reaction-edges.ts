import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { SESClient } from '@aws-sdk/client-ses';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { firehoseLakeSink } from '../../adapters/analytics/firehose-lake-sink.ts';
import { eventBridgePublisher } from '../../adapters/events/eventbridge-publisher.ts';
import { chatWebhookNotifier } from '../../adapters/notify/chat-webhook-notifier.ts';
import { sesNotifier } from '../../adapters/notify/ses-notifier.ts';
import { snsSmsNotifier } from '../../adapters/notify/sns-sms-notifier.ts';
import { sfnApprovalTimer } from '../../adapters/sfn/sfn-approval-timer.ts';
import { sqsDeadLetterQueue } from '../../adapters/sqs/sqs-dead-letter-queue.ts';
import type { Notifier } from '../../domain/notify/notifier.ts';
import type { AwsContext, AwsEdges } from '../aws-platform.ts';
import { env } from '../env.ts';
import { slaTimerEdges } from './timer-edges.ts';

/**
 * The SES Message-ID domain: SES gives what it sends `<id@email.amazonses.com>` in us-east-1,
 * `<id@<region>.amazonses.com>` elsewhere; SES_MESSAGE_ID_DOMAIN overrides.
 */
export const sesMessageIdDomain = (region: string | undefined, override?: string) =>
  override ?? (!region || region === 'us-east-1' ? 'email.amazonses.com' : `${region}.amazonses.com`);

const once = <T>(make: () => T) => {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
};

/** SES, reporting the Message-ID it really used, so replies naming it find their ticket. */
function sesEmail(ctx: AwsContext) {
  const client = once(() => ctx.trace(new SESClient({})));
  const domain = sesMessageIdDomain(
    ctx.source.AWS_REGION,
    ctx.source[env.sesMessageIdDomain.name] || undefined,
  );
  return (from: string): Notifier => {
    const ses = sesNotifier(client(), { from, clock: ctx.clock, ids: ctx.ids });
    return {
      async send(notification) {
        const sent = await ses.send(notification);
        return sent.providerMessageId
          ? { ...sent, providerMessageId: `${sent.providerMessageId}@${domain}` }
          : sent;
      },
    };
  };
}

/** What the dispatcher reaches: EventBridge, Step Functions, SES, SNS, chat webhooks, SQS and Firehose. */
export const reactionEdges: AwsEdges = {
  eventBus: (ctx) => {
    const client = once(() => ctx.trace(new EventBridgeClient({})));
    return (name) => eventBridgePublisher(client(), name);
  },
  stateMachine: slaTimerEdges.stateMachine,
  approvalTimer: (ctx) => {
    const client = once(() => ctx.trace(new SFNClient({})));
    return (arn) => sfnApprovalTimer(client(), arn, ctx.logger);
  },
  email: sesEmail,
  sms: (ctx) => {
    const client = once(() => ctx.trace(new SNSClient({})));
    return (senderId) =>
      snsSmsNotifier(client(), { ...(senderId ? { senderId } : {}), clock: ctx.clock, ids: ctx.ids });
  },
  chat: (ctx) => () => chatWebhookNotifier({ clock: ctx.clock, ids: ctx.ids }),
  deadLetterQueue: (ctx) => {
    const client = once(() => ctx.trace(new SQSClient({})));
    return (url) => sqsDeadLetterQueue(client(), url);
  },
  lake: (ctx) => {
    const client = once(() => ctx.trace(new FirehoseClient({})));
    return (streams) => firehoseLakeSink(client(), streams);
  },
};

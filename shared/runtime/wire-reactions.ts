import { dynamoIntakeStore } from '../adapters/dynamo/dynamo-intake-store.ts';
import { dynamoOutboxStore } from '../adapters/dynamo/dynamo-outbox-store.ts';
import { channelNotifier } from '../adapters/notify/channel-notifier.ts';
import { type DispatcherDeps, type DispatcherOptions, outboxDispatcher } from '../reactions/dispatcher.ts';
import type { TicketDeps } from '../use-cases/deps.ts';
import { type EnvSource, env, readEnv } from './env.ts';
import type { Platform } from './platform.ts';
import { channelSettings, channelSettingsEnv } from './wire-channels.ts';

export const reactionsEnv = {
  ...channelSettingsEnv,
  eventBusName: env.eventBusName,
  slaTimerArn: env.slaTimerArn,
  approvalTimerArn: env.approvalTimerArn,
  deadLetterQueueUrl: env.deadLetterQueueUrl,
  slaNotifyFrom: env.slaNotifyFrom,
  slaSmsSenderId: env.slaSmsSenderId,
  slaSms: env.slaSms,
  lakeFactsStream: env.lakeFactsStream,
  lakeEventsStream: env.lakeEventsStream,
};

/** `Name <address>` with the name RFC 2047-encoded when it is not ASCII (SES requires it in Source). */
export function formatFrom(address: string, name: string | undefined): string {
  if (!name) return address;
  const display = /^[\x20-\x7e]*$/.test(name)
    ? `"${name.replace(/["\\]/g, '')}"`
    : `=?UTF-8?B?${Buffer.from(name, 'utf8').toString('base64')}?=`;
  return `${display} <${address}>`;
}

/**
 * The reactions capability: everything that follows a ticket change — the bus (EVENT_BUS_NAME), the
 * SLA timer (SLA_TIMER_ARN), the approval timer (APPROVAL_TIMER_ARN), staff notifications (SLA_NOTIFY_FROM; SMS when SLA_SMS), customer mail
 * (the channel mail settings), the sent-ledger and the outbox on the table, and the dead-letter queue
 * (DEAD_LETTER_QUEUE_URL), and the analytics lake (LAKE_FACTS_STREAM, LAKE_EVENTS_STREAM). The stream-driven function and the retry sweep run this dispatcher; so does
 * the local runtime.
 */
export function wireReactions(
  source: EnvSource,
  platform: Platform,
  tickets: TicketDeps,
  options: DispatcherOptions = {},
) {
  const c = readEnv(reactionsEnv, source);
  const settings = channelSettings(source);
  const intake = dynamoIntakeStore(platform.dynamo, c.tableName, tickets.tickets, platform.clock);
  const deps: DispatcherDeps = {
    ...tickets,
    events: platform.eventBus(c.eventBusName),
    timers: platform.stateMachine(c.slaTimerArn),
    approvalTimers: platform.approvalTimer(c.approvalTimerArn),
    notifier: channelNotifier({
      email: platform.email(c.slaNotifyFrom),
      ...(c.slaSms ? { sms: platform.sms(c.slaSmsSenderId) } : {}),
      chat: platform.chat(),
    }),
    sent: intake.ledger,
    mail: {
      settings,
      threads: intake.threads,
      notifier: platform.email(formatFrom(settings.mailFrom, settings.mailFromName)),
    },
    outbox: dynamoOutboxStore(platform.dynamo, c.tableName),
    deadLetters: platform.deadLetterQueue(c.deadLetterQueueUrl),
    lake: platform.lake({ ticket_facts: c.lakeFactsStream, ticket_events: c.lakeEventsStream }),
  };
  return { deps, dispatcher: outboxDispatcher(deps, options) };
}

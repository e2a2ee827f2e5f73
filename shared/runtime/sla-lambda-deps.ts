import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SESClient } from '@aws-sdk/client-ses';
import { SNSClient } from '@aws-sdk/client-sns';
import { dynamoAgentStore } from '../adapters/dynamo/dynamo-agent-store.ts';
import { dynamoContactDirectory } from '../adapters/dynamo/dynamo-contact-directory.ts';
import { dynamoRoutingConfigStore } from '../adapters/dynamo/dynamo-routing-config-store.ts';
import { cachedSlaConfigStore, dynamoSlaConfigStore } from '../adapters/dynamo/dynamo-sla-config-store.ts';
import { dynamoTicketStore } from '../adapters/dynamo/dynamo-ticket-store.ts';
import { eventBridgePublisher } from '../adapters/events/eventbridge-publisher.ts';
import { ulidGenerator } from '../adapters/ids.ts';
import { jsonLogger } from '../adapters/json-logger.ts';
import { channelNotifier } from '../adapters/notify/channel-notifier.ts';
import { chatWebhookNotifier } from '../adapters/notify/chat-webhook-notifier.ts';
import { sesNotifier } from '../adapters/notify/ses-notifier.ts';
import { snsSmsNotifier } from '../adapters/notify/sns-sms-notifier.ts';
import type { SlaTimerDeps } from '../domain/sla/timer-steps.ts';
import { slaTimerDeps, ticketSlaSubjects } from '../use-cases/sla-actions.ts';
import { optionalEnv, requiredEnv } from './env.ts';

/**
 * The ComputeCheckpoint Lambda's dependencies: it reads the ticket, its history and the SLA
 * configuration (read-only on the table) and applies nothing.
 */
export function slaCheckpointLambdaDeps(): SlaTimerDeps {
  const tableName = requiredEnv('TABLE_NAME');
  const dynamo = new DynamoDBClient({});
  const tickets = dynamoTicketStore(dynamo, tableName);
  return {
    subjects: ticketSlaSubjects({ tickets }),
    config: cachedSlaConfigStore(dynamoSlaConfigStore(dynamo, tableName)),
    actions: {
      apply: () => Promise.reject(new Error('ComputeCheckpoint applies no actions')),
    },
    clock: { now: () => new Date() },
    logger: jsonLogger({ function: process.env.AWS_LAMBDA_FUNCTION_NAME }),
  };
}

/**
 * The EvaluateCheckpoint Lambda's dependencies, from the environment the stack sets (`SlaTimer`
 * construct): the table and bus, the SES sender, the link base for messages, and optionally an SMS
 * sender id and a fixed on-call line.
 */
export function slaEvaluateLambdaDeps(): SlaTimerDeps {
  const tableName = requiredEnv('TABLE_NAME');
  const busName = requiredEnv('EVENT_BUS_NAME');
  const from = requiredEnv('SLA_NOTIFY_FROM');
  const linkBase = requiredEnv('SLA_TICKET_LINK_BASE');
  const logger = jsonLogger({ function: process.env.AWS_LAMBDA_FUNCTION_NAME });
  const dynamo = new DynamoDBClient({});
  const store = cachedSlaConfigStore(dynamoSlaConfigStore(dynamo, tableName));
  const onCallEmail = optionalEnv('SLA_ON_CALL_EMAIL');
  const onCallPhone = optionalEnv('SLA_ON_CALL_PHONE');
  return slaTimerDeps({
    tickets: dynamoTicketStore(dynamo, tableName),
    // An escalation that reassigns moves agents' load (and may hand the freed agent queued work).
    routing: {
      agents: dynamoAgentStore(dynamo, tableName),
      config: dynamoRoutingConfigStore(dynamo, tableName),
    },
    events: eventBridgePublisher(new EventBridgeClient({}), busName),
    clock: { now: () => new Date() },
    ids: ulidGenerator(),
    logger,
    sla: { config: store, store },
    notifier: channelNotifier({
      email: sesNotifier(new SESClient({}), { from }),
      sms: snsSmsNotifier(new SNSClient({}), { senderId: optionalEnv('SLA_SMS_SENDER_ID') }),
      chat: chatWebhookNotifier(),
    }),
    contacts: dynamoContactDirectory(dynamo, tableName, {
      onCall:
        onCallEmail || onCallPhone
          ? { name: 'On call', email: onCallEmail, phone: onCallPhone, locale: 'zh' }
          : null,
    }),
    ticketLink: (ticket) => `${linkBase.replace(/\/+$/, '')}/${ticket.id}`,
    displayTimeZone: optionalEnv('SLA_DISPLAY_TIME_ZONE'),
  });
}

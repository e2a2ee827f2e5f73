import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { dynamoDeadLetters } from '#shared/adapters/dynamo/dynamo-outbox-store.ts';
import { ticketTable } from '#shared/adapters/dynamo/table-design.ts';
import { ulidGenerator } from '#shared/adapters/ids.ts';
import type { Actor } from '#shared/domain/actor.ts';
import { approvalExecutionName } from '#shared/domain/approval/delegation.ts';
import type { Notification, Notifier, SentNotification } from '#shared/domain/notify/notifier.ts';
import type { Logger, Metrics } from '#shared/domain/ports.ts';
import { silentLogger } from '#shared/domain/ports.ts';
import { type SlaTimerStart, slaExecutionName, type WorkflowStarter } from '#shared/domain/sla/timer.ts';
import type { ReactionState } from '#shared/domain/ticket/outbox.store.ts';
import type { OutboxRecord } from '#shared/domain/ticket/ticket-change.ts';
import type { EventPublisher, IntegrationEvent } from '#shared/events/catalogue.ts';
import type { DispatcherOptions } from '#shared/reactions/dispatcher.ts';
import type { EnvSource } from '#shared/runtime/env.ts';
import type { Platform } from '#shared/runtime/platform.ts';
import { wireReactions } from '#shared/runtime/wire-reactions.ts';
import { wireTickets } from '#shared/runtime/wire-tickets.ts';
import type { TicketDeps } from '#shared/use-cases/deps.ts';
import { ensureTable, localAwsConfig } from '../../infra/local/dynamodb-local.ts';

export const agent: Actor = {
  id: 'agent-li',
  name: '李工',
  roles: ['agent'],
  channel: 'api',
  sourceIp: '10.0.0.7',
};
export const supervisor: Actor = { id: 'sup-wang', name: '王主管', roles: ['supervisor'], channel: 'api' };
export const customer: Actor = {
  id: 'cust-zhao',
  name: '赵女士',
  email: 'zhao@example.com',
  roles: ['customer'],
  channel: 'web',
  sourceIp: '203.0.113.9',
};
export const otherCustomer: Actor = {
  id: 'cust-qian',
  email: 'qian@example.com',
  roles: ['customer'],
  channel: 'web',
};

/** An event publisher that remembers what it was given (and can be told to fail). */
export function recordingPublisher(): EventPublisher & { events: IntegrationEvent[]; failNext: boolean } {
  const publisher = {
    events: [] as IntegrationEvent[],
    failNext: false,
    async publish(events: IntegrationEvent[]) {
      if (publisher.failNext) {
        publisher.failNext = false;
        throw new Error('bus unavailable');
      }
      publisher.events.push(...events);
    },
  };
  return publisher;
}

/**
 * A WorkflowStarter that records what it was asked (`start v2`, `stop v1`), the inputs it was started
 * with, and which executions run (started and not stopped).
 */
export function recordingStarter(): WorkflowStarter & {
  calls: string[];
  inputs: SlaTimerStart[];
  running: Set<string>;
} {
  const calls: string[] = [];
  const inputs: SlaTimerStart[] = [];
  const running = new Set<string>();
  return {
    calls,
    inputs,
    running,
    async start(ticketId, version, input) {
      calls.push(`start v${version}`);
      inputs.push(input);
      running.add(slaExecutionName(ticketId, version));
      return { executionName: slaExecutionName(ticketId, version) };
    },
    async stop(ticketId, version) {
      calls.push(`stop v${version}`);
      for (const name of running) {
        if (
          version === undefined
            ? name.startsWith(`sla-${ticketId}-v`)
            : name === slaExecutionName(ticketId, version)
        )
          running.delete(name);
      }
    },
    async runningExecutions() {
      return new Set(running);
    },
  };
}

/** A notifier that keeps what it was asked to send (the outbox's contract, in memory); `failing` throws. */
export function recordingNotifier(): Notifier & { sent: SentNotification[]; failing: boolean } {
  let n = 0;
  const notifier = {
    sent: [] as SentNotification[],
    failing: false,
    async send(notification: Notification): Promise<SentNotification> {
      if (notifier.failing) throw new Error('SES is throttling');
      const message = {
        ...notification,
        subject: notification.subject ?? '',
        id: `N${++n}`,
        sentAt: new Date().toISOString(),
      } as SentNotification;
      notifier.sent.push(message);
      return message;
    },
  };
  return notifier;
}

/** The variables the wirings read, for a test table. */
export const testEnvironment = (tableName: string): EnvSource => ({
  TABLE_NAME: tableName,
  EVENT_BUS_NAME: 'test-bus',
  SLA_TIMER_ARN: 'arn:aws:states:local:000000000000:stateMachine:sla-timer',
  APPROVAL_TIMER_ARN: 'arn:aws:states:local:000000000000:stateMachine:approval-timer',
  DEAD_LETTER_QUEUE_URL: 'test:dead-letters',
  MAIL_FROM: 'support@desk.example.com',
  MAIL_FROM_NAME: 'Desk',
  MESSAGE_ID_DOMAIN: 'mail.desk.example.com',
  OWN_ADDRESSES: 'support@desk.example.com',
  REOPEN_WINDOW_DAYS: '7',
  SLA_NOTIFY_FROM: 'sla@desk.example.com',
  SLA_TICKET_LINK_BASE: 'https://desk.example.com/tickets',
  SLA_SMS: 'true',
  LAKE_FACTS_STREAM: 'test-facts',
  LAKE_EVENTS_STREAM: 'test-events',
});

/**
 * A platform for tests on DynamoDB Local: what leaves the system (events, timers, messages) is recorded,
 * dead letters go to the table.
 */
export function testPlatform(input: {
  client: DynamoDBClient;
  tableName: string;
  clock: { now(): Date };
  logger?: Logger;
  metrics?: Metrics;
  events?: EventPublisher;
  timers?: WorkflowStarter;
  notifier?: Notifier;
  /** Edges to use instead of the recorded ones (e.g. the AWS adapters over mocked clients). */
  edges?: Partial<Platform>;
}): Platform {
  const notifier = input.notifier ?? recordingNotifier();
  const refuse = () => {
    throw new Error('not available in this test');
  };
  return {
    clock: input.clock,
    ids: ulidGenerator(),
    logger: input.logger ?? silentLogger,
    metrics: input.metrics ?? { count() {} },
    dynamo: input.client,
    eventBus: () => input.events ?? recordingPublisher(),
    stateMachine: () => input.timers ?? recordingStarter(),
    approvalTimer: () => ({ start: async (timer) => ({ executionName: approvalExecutionName(timer) }) }),
    email: () => notifier,
    sms: () => notifier,
    chat: () => notifier,
    deadLetterQueue: () => dynamoDeadLetters(input.client, input.tableName),
    // Lake rows are dropped unless a test passes a sink (`edges.lake`).
    lake: () => ({ put: async () => {} }),
    attachments: () => ({ put: refuse }),
    attachmentFiles: () => ({ keyFor: refuse, uploadUrl: refuse, downloadUrl: refuse, sizeOf: refuse }),
    webhookSources: () => ({ get: () => null }),
    webhookSecrets: () => ({ forSource: async () => [] }),
    tokenKeys: refuse,
    ...input.edges,
  };
}

/** A fresh, empty table in the suite's DynamoDB Local. */
export async function freshTable() {
  const client = new DynamoDBClient(localAwsConfig(inject('dynamoEndpoint')));
  const tableName = `tickets-${randomUUID()}`;
  await ensureTable(client, ticketTable, tableName);
  return { client, tableName };
}

/**
 * A fresh table with the use-case dependencies over it, wired as the functions wire them (routing and
 * SLA configuration stores included, none stored: routing off, the default SLA policies), and the
 * outbox dispatcher behind it with recorded edges. `drain()` runs every pending reaction now, as the
 * stream would have.
 */
export async function freshTicketDeps(
  now = () => new Date('2026-11-20T08:00:00Z'),
  options: {
    logger?: Logger;
    metrics?: Metrics;
    dispatcher?: DispatcherOptions;
    notifier?: Notifier;
    edges?: Partial<Platform>;
  } = {},
) {
  const { client, tableName } = await freshTable();
  const clock = { now };
  const events = recordingPublisher();
  const timers = recordingStarter();
  const notifier = options.notifier ?? recordingNotifier();
  const platform = testPlatform({ client, tableName, clock, events, timers, notifier, ...options });
  const environment = testEnvironment(tableName);
  const deps: TicketDeps = wireTickets(environment, platform);
  // What the table's stream would deliver: the outbox record of every committed write, in commit order.
  const delivered: OutboxRecord[] = [];
  const store = deps.tickets;
  deps.tickets = {
    ...store,
    async create(write, claim) {
      const outcome = await store.create(write, claim);
      if (outcome.kind === 'created') delivered.push(write.outbox);
      return outcome;
    },
    async update(write, expected) {
      const written = await store.update(write, expected);
      if (written) delivered.push(write.outbox);
      return written;
    },
  };
  const reactions = wireReactions(environment, platform, deps, options.dispatcher);
  const deadLetters = dynamoDeadLetters(client, tableName);
  return {
    deps,
    events,
    timers,
    notifier,
    client,
    tableName,
    environment,
    platform,
    dispatcher: reactions.dispatcher,
    reactionDeps: reactions.deps,
    deadLetters,
    /** The ticket's outbox items as stored: the record, its status and each reaction's outcome, oldest first. */
    async outboxOf(ticketId: string) {
      const doc = DynamoDBDocumentClient.from(client);
      const { Items } = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :outbox)',
          ExpressionAttributeValues: { ':pk': `TICKET#${ticketId}`, ':outbox': 'OUTBOX#' },
          ConsistentRead: true,
        }),
      );
      return (Items ?? []).map((item) => ({
        record: JSON.parse(String(item.recordJson)) as OutboxRecord,
        status: item.status as 'pending' | 'done',
        reactions: (item.reactions ?? {}) as Record<string, ReactionState>,
        gsDueAt: item.gsDueAt as string | undefined,
      }));
    },
    /** The stream's delivery of what was committed so far: each record dispatched as it came. */
    streamDelivers() {
      const batch = delivered.splice(0);
      return reactions.dispatcher.dispatchAll(
        batch.map((record) => ({ ref: { ticketId: record.ticketId, recordId: record.id }, record })),
      );
    },
    /**
     * Runs what follows every change so far: the stream's delivery of each committed record, then every
     * record waiting for a retry at once (whatever its back-off), until nothing is left — reactions may
     * write more. Leases are honoured, as between the stream and the retry sweep: a record another
     * drain is running is waited for, not run twice.
     */
    async drain() {
      const { outbox } = reactions.deps;
      for (let round = 0; round < 100; round++) {
        const batch = delivered.splice(0);
        if (batch.length) {
          await reactions.dispatcher.dispatchAll(
            batch.map((record) => ({ ref: { ticketId: record.ticketId, recordId: record.id }, record })),
          );
        }
        const refs = await outbox.due(clock.now(), 1000, { all: true });
        if (refs.length) await reactions.dispatcher.dispatchAll(refs);
        if (!batch.length && !refs.length) return;
        if (round > 0) await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('The outbox did not drain in 100 rounds');
    },
  };
}

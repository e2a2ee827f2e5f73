import 'aws-sdk-client-mock-vitest/extend';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ulidGenerator } from '#shared/adapters/ids.ts';
import type { Actor } from '#shared/domain/actor.ts';
import { silentLogger } from '#shared/domain/ports.ts';
import type { NewTicket } from '#shared/domain/ticket/ticket.entity.ts';
import { reactionEdges } from '#shared/runtime/aws/reaction-edges.ts';
import type { AwsContext } from '#shared/runtime/aws-platform.ts';
import type { Platform } from '#shared/runtime/platform.ts';
import { createTicket } from '#shared/use-cases/create-ticket.ts';
import { freshTicketDeps } from '../support/ticket-fixtures.ts';

/**
 * What follows a ticket change when AWS fails: the real adapters (EventBridge, SES, Step Functions,
 * SQS) over mocked clients that fail on cue, the real dispatcher and outbox on DynamoDB Local, and a
 * clock the test moves through the back-off (30 s, 1 min, 2 min, 4 min between attempts).
 */
const eventBridge = mockClient(EventBridgeClient);
const ses = mockClient(SESClient);
const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);

afterEach(() => {
  eventBridge.reset();
  ses.reset();
  sfn.reset();
  sqs.reset();
});

const start = new Date('2026-11-20T08:00:00Z');

/** A table, the dispatcher over the AWS edges the Lambda composes, and a clock to move. */
async function world() {
  let now = start;
  const clock = { now: () => now };
  // What the Lambda's platform gives the edges (shared/runtime/aws-platform.ts), untraced here.
  const ctx: AwsContext = {
    source: { AWS_REGION: 'eu-central-1' },
    clock,
    ids: ulidGenerator(),
    logger: silentLogger,
    trace: (client) => client,
  };
  const edges: Partial<Platform> = {
    eventBus: reactionEdges.eventBus!(ctx),
    stateMachine: reactionEdges.stateMachine!(ctx),
    email: reactionEdges.email!(ctx),
    sms: reactionEdges.sms!(ctx),
    chat: reactionEdges.chat!(ctx),
    deadLetterQueue: reactionEdges.deadLetterQueue!(ctx),
  };
  const w = await freshTicketDeps(clock.now, { edges });
  return {
    ...w,
    advance(seconds: number) {
      now = new Date(now.getTime() + seconds * 1000);
    },
  };
}

const portal: Actor = { id: 'portal', name: 'Customer portal', roles: ['integration'], channel: 'web' };
const request = (overrides: Partial<NewTicket> = {}): NewTicket => ({
  subject: '空调不制冷',
  description: '三楼会议室',
  priority: 'normal',
  tags: [],
  customFields: {},
  customer: { email: 'zhao@example.com', name: '赵女士', tier: 'standard' },
  ...overrides,
});

/** Each distinct event the bus accepted (an idempotent consumer keys on `eventId`). */
const deliveredEvents = () => {
  const seen = new Map<string, { name: string; ticketId: string }>();
  for (const call of eventBridge.commandCalls(PutEventsCommand)) {
    for (const entry of call.args[0].input.Entries ?? []) {
      const detail = JSON.parse(entry.Detail!);
      seen.set(detail.eventId, { name: entry.DetailType!, ticketId: detail.ticketId });
    }
  }
  return [...seen.values()];
};

describe('Reactions when AWS fails (real adapters, mocked clients, DynamoDB Local)', () => {
  it('publishes an event whose first PutEvents failed on the retry, once, and runs nothing else twice', async () => {
    // Prepare
    const w = await world();
    eventBridge
      .on(PutEventsCommand)
      .rejectsOnce(new Error('ServiceUnavailable'))
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }, { EventId: 'e' }] });
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn' });
    ses.on(SendRawEmailCommand).resolves({ MessageId: 'ses-1' });
    const { ticket } = await createTicket(request(), portal, w.deps);

    // Act: the stream delivers the record; the bus is down
    await w.streamDelivers();
    const [afterFailure] = await w.outboxOf(ticket.id);
    w.advance(10);
    const early = await w.dispatcher.retryDue();
    w.advance(25);
    const retried = await w.dispatcher.retryDue();

    // Assess: the ticket stands; the event went out on the retry 30 s later, and only then
    expect(await w.deps.tickets.get(ticket.id)).toMatchObject({ id: ticket.id, version: 1 });
    expect(afterFailure!.status).toBe('retrying');
    expect(afterFailure!.reactions['publish-events']).toMatchObject({ status: 'failed', attempts: 1 });
    expect(afterFailure!.reactions['sla-timer']).toMatchObject({ status: 'done', attempts: 1 });
    expect([early, retried]).toEqual([0, 1]);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);
    expect(deliveredEvents().filter((e) => e.ticketId === ticket.id)).toEqual([
      { name: 'ticket.created', ticketId: ticket.id },
    ]);
    const [done] = await w.outboxOf(ticket.id);
    expect(done!.status).toBe('done');
    expect(done!.reactions['publish-events']).toMatchObject({ status: 'done', attempts: 2 });
    // The timer and the acknowledgement went out on the first dispatch, and not again with the retry.
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect(ses).toHaveReceivedCommandTimes(SendRawEmailCommand, 1);
  });

  it('sends the acknowledgement on the fourth try when SES fails three times', async () => {
    // Prepare
    const w = await world();
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn' });
    ses
      .on(SendRawEmailCommand)
      .rejectsOnce(new Error('Throttling'))
      .rejectsOnce(new Error('Throttling'))
      .rejectsOnce(new Error('Throttling'))
      .resolves({ MessageId: 'ses-1' });
    const { ticket } = await createTicket(request(), portal, w.deps);

    // Act: the stream's delivery, then the sweep at each back-off (30 s, 1 min, 2 min)
    await w.streamDelivers();
    for (const seconds of [31, 61, 121]) {
      w.advance(seconds);
      await w.dispatcher.retryDue();
    }

    // Assess
    expect(ses).toHaveReceivedCommandTimes(SendRawEmailCommand, 4);
    const [record] = await w.outboxOf(ticket.id);
    expect(record!.status).toBe('done');
    expect(record!.reactions['customer-mail']).toMatchObject({ status: 'done', attempts: 4 });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 0);
    expect((await w.deps.tickets.history(ticket.id)).map((e) => e.type)).not.toContain('reaction.failed');
  });

  it('puts a notification that never goes out in the dead-letter queue with its record, and notes it on the ticket', async () => {
    // Prepare
    const w = await world();
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn' });
    ses.on(SendRawEmailCommand).rejects(new Error('Email address is not verified: zhao@example.com'));
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
    const { ticket } = await createTicket(request(), portal, w.deps);

    // Act: the first attempt and four more, each when it is due
    await w.streamDelivers();
    for (const seconds of [31, 61, 121, 241]) {
      w.advance(seconds);
      await w.dispatcher.retryDue();
    }
    w.advance(3600);
    const afterwards = await w.dispatcher.retryDue();

    // Assess: five tries, then the dead-letter queue (whole record), a note on the ticket, and no more tries
    expect(ses).toHaveReceivedCommandTimes(SendRawEmailCommand, 5);
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
    const letter = JSON.parse(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody!);
    expect(letter).toMatchObject({
      kind: 'gongdan.reaction_failed',
      reaction: 'customer-mail',
      attempts: 5,
      record: { ticketId: ticket.id, number: ticket.number, version: 1 },
    });
    expect(letter.error).not.toContain('zhao@example.com');
    const failed = (await w.deps.tickets.history(ticket.id)).find((e) => e.type === 'reaction.failed');
    expect(failed).toMatchObject({
      actor: { id: 'system' },
      data: { reaction: 'customer-mail', attempts: 5, recordId: letter.record.id },
    });
    const [record] = await w.outboxOf(ticket.id);
    expect(record!.status).toBe('done');
    expect(record!.reactions['customer-mail']).toMatchObject({ status: 'dead', attempts: 5 });
    expect(afterwards).toBe(0);
  });

  it('starts the SLA timer on the retry when StartExecution fails, under the same execution name', async () => {
    // Prepare
    const w = await world();
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    ses.on(SendRawEmailCommand).resolves({ MessageId: 'ses-1' });
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(new Error('ThrottlingException'))
      .resolves({ executionArn: 'arn' });
    const { ticket } = await createTicket(request({ priority: 'urgent' }), portal, w.deps);
    expect(ticket.sla.timerVersion).toBe(1);

    // Act
    await w.streamDelivers();
    w.advance(31);
    await w.dispatcher.retryDue();

    // Assess
    const names = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name);
    expect(names).toEqual([`sla-${ticket.id}-v1`, `sla-${ticket.id}-v1`]);
    const [record] = await w.outboxOf(ticket.id);
    expect(record!.reactions['sla-timer']).toMatchObject({ status: 'done', attempts: 2 });
    expect(record!.reactions['publish-events']).toMatchObject({ status: 'done', attempts: 1 });
  });
});

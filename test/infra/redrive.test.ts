import 'aws-sdk-client-mock-vitest/extend';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { redriveDeadLetters } from '#infra/tools/redrive/redrive-dead-letters.ts';

const sqs = mockClient(SQSClient);
const lambda = mockClient(LambdaClient);

afterEach(() => {
  sqs.reset();
  lambda.reset();
});

const queueUrl = 'https://sqs.eu-central-1.amazonaws.com/111122223333/Channels-DeadLetters';
const inboundArn = 'arn:aws:lambda:eu-central-1:111122223333:function:Gongdan-InboundEmail';
const intakeArn = 'arn:aws:lambda:eu-central-1:111122223333:function:Gongdan-IntakeEvent';

/** What Lambda's on-failure destination puts in the queue after an asynchronous invocation's last retry. */
const lambdaFailure = {
  MessageId: 'm-1',
  ReceiptHandle: 'r-1',
  Body: JSON.stringify({
    version: '1.0',
    requestContext: {
      functionArn: `${inboundArn}:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload: { Records: [{ eventSource: 'aws:ses', ses: { mail: { messageId: 'ses-1' } } }] },
    responsePayload: { errorMessage: 'boom' },
  }),
};

/** What EventBridge puts in a target's dead-letter queue: the event, and why, as attributes. */
const eventFailure = {
  MessageId: 'm-2',
  ReceiptHandle: 'r-2',
  Body: JSON.stringify({
    id: 'ev-1',
    'detail-type': 'ticket.create.requested',
    source: 'crm',
    detail: { subject: 'x' },
  }),
  MessageAttributes: {
    TARGET_ARN: { DataType: 'String', StringValue: intakeArn },
    ERROR_CODE: { DataType: 'String', StringValue: 'SDKClientException' },
  },
};

/** The dispatcher's dead letter: a reaction's record, which this tool does not replay. */
const reactionLetter = {
  MessageId: 'm-3',
  ReceiptHandle: 'r-3',
  Body: JSON.stringify({ record: { id: 'rec-1', ticketId: 't-1' }, reaction: 'customer-mail', attempts: 5 }),
};

describe('redriveDeadLetters()', () => {
  it('invokes the function each letter was meant for with its original payload, then deletes only those', async () => {
    // Prepare
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [lambdaFailure, eventFailure, reactionLetter] })
      .resolves({ Messages: [] });
    sqs.on(DeleteMessageCommand).resolves({});
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });

    // Act
    const report = await redriveDeadLetters(
      { sqs: new SQSClient({}), lambda: new LambdaClient({}) },
      { queueUrl },
    );

    // Assess
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 2);
    const invokes = lambda.commandCalls(InvokeCommand).map((c) => ({
      FunctionName: c.args[0].input.FunctionName,
      InvocationType: c.args[0].input.InvocationType,
      payload: JSON.parse(Buffer.from(c.args[0].input.Payload as Uint8Array).toString('utf8')),
    }));
    expect(invokes).toEqual([
      {
        FunctionName: inboundArn,
        InvocationType: 'Event',
        payload: JSON.parse(lambdaFailure.Body).requestPayload,
      },
      { FunctionName: intakeArn, InvocationType: 'Event', payload: JSON.parse(eventFailure.Body) },
    ]);
    expect(sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle)).toEqual([
      'r-1',
      'r-2',
    ]);
    expect(report).toEqual({
      redriven: ['m-1', 'm-2'],
      left: [{ messageId: 'm-3', why: expect.stringContaining('reaction') }],
    });
  });

  it('keeps a letter whose invocation fails, and with --dry-run invokes and deletes nothing', async () => {
    // Prepare
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [lambdaFailure] })
      .resolves({ Messages: [] });
    lambda.on(InvokeCommand).rejects(new Error('TooManyRequestsException'));
    const clients = { sqs: new SQSClient({}), lambda: new LambdaClient({}) };

    // Act
    const failed = await redriveDeadLetters(clients, { queueUrl });
    const deletedAfterFailure = sqs.commandCalls(DeleteMessageCommand).length;
    sqs.reset();
    lambda.reset();
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [eventFailure] })
      .resolves({ Messages: [] });
    const dry = await redriveDeadLetters(clients, { queueUrl, dryRun: true });

    // Assess
    expect(failed).toEqual({
      redriven: [],
      left: [{ messageId: 'm-1', why: expect.stringContaining('TooManyRequestsException') }],
    });
    expect(deletedAfterFailure).toBe(0);
    expect(dry).toEqual({ redriven: ['m-2'], left: [] });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 0);
    expect(sqs).toHaveReceivedCommandTimes(DeleteMessageCommand, 0);
  });
});

import 'aws-sdk-client-mock-vitest/extend';
import { MessageRejected, SESClient, SendEmailCommand, SendRawEmailCommand } from '@aws-sdk/client-ses';
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidArn,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient, ThrottledException } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { channelNotifier } from '#shared/adapters/notify/channel-notifier.ts';
import {
  ChatWebhookError,
  chatPayload,
  chatWebhookNotifier,
  dingTalkSign,
  parseChatAddress,
} from '#shared/adapters/notify/chat-webhook-notifier.ts';
import { sesNotifier } from '#shared/adapters/notify/ses-notifier.ts';
import { snsSmsNotifier } from '#shared/adapters/notify/sns-sms-notifier.ts';
import { executionArn, sfnWorkflowStarter } from '#shared/adapters/sfn/sfn-workflow-starter.ts';
import type { Notification } from '#shared/domain/notify/notifier.ts';

const ses = mockClient(SESClient);
const sns = mockClient(SNSClient);
const sfn = mockClient(SFNClient);

afterEach(() => {
  ses.reset();
  sns.reset();
  sfn.reset();
});

const clock = { now: () => new Date('2026-06-08T01:30:00Z') };
let n = 0;
const ids = { next: () => `id-${++n}` };

const escalation = (overrides: Partial<Notification> = {}): Notification => ({
  channel: 'email',
  to: 'liu.yang@gongdan.local',
  subject: '【SLA 升级 L1】GD-000006 首次响应已超时 5 分钟',
  body: '工单 GD-000006「电梯停运」的首次响应已超时 5 分钟。\n查看工单：https://desk.example.com/tickets/T1',
  ticketId: 'T1',
  kind: 'sla.escalation',
  ...overrides,
});

const stateMachineArn = 'arn:aws:states:eu-central-1:123456789012:stateMachine:SlaTimer-abc';

describe('sesNotifier()', () => {
  it('sends a UTF-8 text e-mail from the configured sender and stamps it on the system clock', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    const notifier = sesNotifier(new SESClient({}), { from: 'sla@desk.example.com', clock, ids });

    // Act
    const sent = await notifier.send(escalation());

    // Assess
    expect(ses).toHaveReceivedCommandWith(SendEmailCommand, {
      Source: 'sla@desk.example.com',
      Destination: { ToAddresses: ['liu.yang@gongdan.local'] },
      Message: {
        Subject: { Data: escalation().subject, Charset: 'UTF-8' },
        Body: { Text: { Data: escalation().body, Charset: 'UTF-8' } },
      },
    });
    expect(sent).toMatchObject({ kind: 'sla.escalation', sentAt: '2026-06-08T01:30:00.000Z' });
    expect(sent.id).toMatch(/^id-/);
  });

  it('sends raw MIME when the message carries headers, with the subject RFC 2047-encoded', async () => {
    // Prepare
    ses.on(SendRawEmailCommand).resolves({ MessageId: 'ses-2' });
    const notifier = sesNotifier(new SESClient({}), { from: 'sla@desk.example.com', clock, ids });

    // Act
    await notifier.send(escalation({ headers: { 'Auto-Submitted': 'auto-generated' } }));

    // Assess
    const raw = Buffer.from(
      ses.commandCalls(SendRawEmailCommand)[0]!.args[0].input.RawMessage!.Data as Uint8Array,
    ).toString('utf8');
    expect(raw).toContain('Auto-Submitted: auto-generated');
    expect(raw).toContain(
      `Subject: =?UTF-8?B?${Buffer.from(escalation().subject ?? '').toString('base64')}?=`,
    );
    expect(raw).toContain('Content-Type: text/plain; charset=UTF-8');
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('passes an SES rejection to the caller', async () => {
    // Prepare
    ses
      .on(SendEmailCommand)
      .rejects(new MessageRejected({ message: 'Email address is not verified', $metadata: {} }));
    const notifier = sesNotifier(new SESClient({}), { from: 'sla@desk.example.com' });

    // Act
    const sending = notifier.send(escalation());

    // Assess
    await expect(sending).rejects.toBeInstanceOf(MessageRejected);
  });

  it('refuses a message for another channel without calling SES', async () => {
    const notifier = sesNotifier(new SESClient({}), { from: 'sla@desk.example.com' });
    await expect(notifier.send(escalation({ channel: 'sms', to: '+8613800000001' }))).rejects.toThrow(
      /not sms/,
    );
    expect(ses).not.toHaveReceivedAnyCommand();
  });
});

describe('snsSmsNotifier()', () => {
  it('publishes a transactional SMS to an E.164 number', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
    const notifier = snsSmsNotifier(new SNSClient({}), { senderId: 'Gongdan', clock, ids });

    // Act
    await notifier.send(escalation({ channel: 'sms', to: '+86 138-0000-0001', subject: '' }));

    // Assess
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      PhoneNumber: '+8613800000001',
      Message: escalation().body,
      MessageAttributes: {
        'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
        'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'Gongdan' },
      },
    });
  });

  it('refuses a number that is not E.164 before calling SNS', async () => {
    const notifier = snsSmsNotifier(new SNSClient({}));
    await expect(notifier.send(escalation({ channel: 'sms', to: '13800000001' }))).rejects.toThrow(/E\.164/);
    expect(sns).not.toHaveReceivedAnyCommand();
  });

  it('passes throttling (after the SDK retries) to the caller', async () => {
    sns.on(PublishCommand).rejects(new ThrottledException({ message: 'Rate exceeded', $metadata: {} }));
    const notifier = snsSmsNotifier(new SNSClient({ maxAttempts: 1 }));
    await expect(notifier.send(escalation({ channel: 'sms', to: '+8613800000001' }))).rejects.toBeInstanceOf(
      ThrottledException,
    );
  });
});

describe('chat webhooks', () => {
  const reply = (status: number, body: unknown) =>
    new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
  const recorder = (answer: () => Response) => {
    const calls: { url: string; body: unknown }[] = [];
    const fetch = (async (url: URL | string, init?: RequestInit) => {
      calls.push({ url: String(url), body: JSON.parse(String(init?.body)) });
      return answer();
    }) as typeof globalThis.fetch;
    return { calls, fetch };
  };
  const chat = (to: string) => escalation({ channel: 'chat', to });

  it('recognises WeCom, DingTalk and Slack by host, or by an explicit prefix', () => {
    expect(parseChatAddress('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K').format).toBe('wecom');
    expect(parseChatAddress('https://oapi.dingtalk.com/robot/send?access_token=T').format).toBe('dingtalk');
    expect(parseChatAddress('https://hooks.slack.com/services/A/B/C').format).toBe('slack');
    expect(parseChatAddress('dingtalk:https://proxy.example.com/robot').format).toBe('dingtalk');
    expect(() => parseChatAddress('https://example.com/hook')).toThrow(/Unknown chat webhook host/);
    expect(() => parseChatAddress('http://hooks.slack.com/services/A')).toThrow(/https/);
  });

  it('posts WeCom markdown and accepts errcode 0', async () => {
    // Prepare
    const { calls, fetch } = recorder(() => reply(200, { errcode: 0, errmsg: 'ok' }));
    const notifier = chatWebhookNotifier({ fetch, clock, ids });

    // Act
    await notifier.send(chat('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K'));

    // Assess
    expect(calls[0]!.body).toEqual({
      msgtype: 'markdown',
      markdown: { content: `**${escalation().subject}**\n${escalation().body}` },
    });
  });

  it('signs DingTalk requests with the secret from the fragment, which is never sent', async () => {
    // Prepare
    const { calls, fetch } = recorder(() => reply(200, { errcode: 0, errmsg: 'ok' }));
    const notifier = chatWebhookNotifier({ fetch });

    // Act
    await notifier.send(chat('https://oapi.dingtalk.com/robot/send?access_token=T#secret=SECabc'));

    // Assess
    const url = new URL(calls[0]!.url);
    expect(url.hash).toBe('');
    expect(url.searchParams.get('access_token')).toBe('T');
    const timestamp = Number(url.searchParams.get('timestamp'));
    expect(url.searchParams.get('sign')).toBe(dingTalkSign('SECabc', timestamp).sign);
    expect(calls[0]!.body).toMatchObject({ msgtype: 'markdown', markdown: { title: escalation().subject } });
  });

  it('posts a Slack message with a header block and escaped mrkdwn', () => {
    const payload = chatPayload('slack', 'SLA <L1>', 'a & b') as { blocks: { text: { text: string } }[] };
    expect(payload.blocks[0]!.text.text).toBe('SLA <L1>');
    expect(payload.blocks[1]!.text.text).toBe('a &amp; b');
  });

  it('throws when WeCom or DingTalk answers 200 with an error code', async () => {
    const { fetch } = recorder(() => reply(200, { errcode: 93000, errmsg: 'invalid webhook url' }));
    const notifier = chatWebhookNotifier({ fetch });
    const sending = notifier.send(chat('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=bad'));
    await expect(sending).rejects.toMatchObject({ name: 'ChatWebhookError', code: 93000 });
  });

  it('throws on an HTTP error without putting the webhook URL (its key) in the message', async () => {
    const { fetch } = recorder(() => reply(404, 'no_service'));
    const notifier = chatWebhookNotifier({ fetch });
    const error = await notifier.send(chat('https://hooks.slack.com/services/SECRET/KEY')).catch((e) => e);
    expect(error).toBeInstanceOf(ChatWebhookError);
    expect(error.status).toBe(404);
    expect(String(error.message)).not.toContain('SECRET');
  });

  it('gives up on a webhook that does not answer in time', async () => {
    const fetch = ((_url: unknown, init?: RequestInit) =>
      new Promise((_, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)),
      )) as typeof globalThis.fetch;
    const notifier = chatWebhookNotifier({ fetch, timeoutMs: 20 });
    await expect(notifier.send(chat('https://hooks.slack.com/services/A/B/C'))).rejects.toThrow(
      /timeout|aborted/i,
    );
  });
});

describe('channelNotifier()', () => {
  it('hands each message to the adapter of its channel and refuses a channel it has none for', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'sns-2' });
    const notifier = channelNotifier({ sms: snsSmsNotifier(new SNSClient({})) });

    // Act
    await notifier.send(escalation({ channel: 'sms', to: '+8613800000001' }));
    const email = notifier.send(escalation());

    // Assess
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    await expect(email).rejects.toThrow(/No notifier for channel email/);
  });
});

describe('sfnWorkflowStarter()', () => {
  it('starts the execution under the versioned name with the timer input', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn', startDate: new Date() });
    const starter = sfnWorkflowStarter(new SFNClient({}), stateMachineArn);

    // Act
    const { executionName } = await starter.start('01J0ABC', 3, { ticketId: '01J0ABC', version: 3 });

    // Assess
    expect(executionName).toBe('sla-01J0ABC-v3');
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn,
      name: 'sla-01J0ABC-v3',
      input: JSON.stringify({ ticketId: '01J0ABC', version: 3, failures: { count: 0 } }),
    });
  });

  it('starts waiting at once with the checkpoint the write path computed: whole seconds, spread by ticket', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn', startDate: new Date() });
    const starter = sfnWorkflowStarter(new SFNClient({}), stateMachineArn);
    const checkpointAt = '2026-12-07T01:00:00.250Z';

    // Act
    await starter.start('01J0ABC', 3, { ticketId: '01J0ABC', version: 3, checkpointAt });
    await starter.start('01J0XYZ', 1, { ticketId: '01J0XYZ', version: 1, checkpointAt });

    // Assess: never before the checkpoint, within its 30 s spread, and different tickets apart
    const inputs = sfn
      .commandCalls(StartExecutionCommand)
      .map(
        (c) => JSON.parse(c.args[0].input.input!) as { timer: { waitUntil: string; checkpointAt: string } },
      );
    const waits = inputs.map((i) => Date.parse(i.timer.waitUntil));
    for (const [i, input] of inputs.entries()) {
      expect(input).toMatchObject({
        failures: { count: 0 },
        timer: { done: false, checkpointAt, reason: 'checkpoint' },
      });
      expect(input.timer.waitUntil).toMatch(/:\d\dZ$/);
      expect(waits[i]).toBeGreaterThanOrEqual(Date.parse(checkpointAt));
      expect(waits[i]).toBeLessThanOrEqual(Date.parse(checkpointAt) + 31_000);
    }
    expect(waits[0]).not.toBe(waits[1]);
  });

  it('lists the running executions a thousand a page', async () => {
    sfn
      .on(ListExecutionsCommand)
      .resolvesOnce({ executions: [{ name: 'sla-A-v1' } as never], nextToken: 'next' })
      .resolvesOnce({ executions: [{ name: 'sla-B-v4' } as never] });
    const starter = sfnWorkflowStarter(new SFNClient({}), stateMachineArn);
    expect([...(await starter.runningExecutions())]).toEqual(['sla-A-v1', 'sla-B-v4']);
    expect(sfn).toHaveReceivedCommandWith(ListExecutionsCommand, {
      statusFilter: 'RUNNING',
      maxResults: 1000,
    });
  });

  it('treats ExecutionAlreadyExists as success: that version already runs (or ran)', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    const starter = sfnWorkflowStarter(new SFNClient({}), stateMachineArn);
    await expect(starter.start('T1', 1, { ticketId: 'T1', version: 1 })).resolves.toEqual({
      executionName: 'sla-T1-v1',
    });
  });

  it('passes any other start failure to the caller', async () => {
    sfn.on(StartExecutionCommand).rejects(new InvalidArn({ message: 'bad arn', $metadata: {} }));
    const starter = sfnWorkflowStarter(new SFNClient({}), stateMachineArn);
    await expect(starter.start('T1', 1, { ticketId: 'T1', version: 1 })).rejects.toBeInstanceOf(InvalidArn);
  });

  it('stops the previous version by the ARN its name gives, without listing', async () => {
    // Prepare
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    const starter = sfnWorkflowStarter(new SFNClient({}), stateMachineArn);

    // Act
    await starter.stop('T1', 2);

    // Assess
    expect(sfn).toHaveReceivedCommandWith(StopExecutionCommand, {
      executionArn: 'arn:aws:states:eu-central-1:123456789012:execution:SlaTimer-abc:sla-T1-v2',
    });
    expect(sfn).not.toHaveReceivedCommand(ListExecutionsCommand);
  });

  it('ignores stopping an execution that does not exist', async () => {
    sfn.on(StopExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'gone', $metadata: {} }));
    const starter = sfnWorkflowStarter(new SFNClient({}), stateMachineArn);
    await expect(starter.stop('T1', 2)).resolves.toBeUndefined();
  });

  it("without a version, stops the ticket's running executions and no other ticket's", async () => {
    // Prepare
    sfn
      .on(ListExecutionsCommand)
      .resolvesOnce({
        executions: [{ name: 'sla-T1-v4' } as never, { name: 'sla-T10-v1' } as never],
        nextToken: 'p2',
      })
      .resolvesOnce({ executions: [{ name: 'sla-T1-v5' } as never] });
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    const starter = sfnWorkflowStarter(new SFNClient({}), stateMachineArn);

    // Act
    await starter.stop('T1');

    // Assess
    const stopped = sfn
      .commandCalls(StopExecutionCommand)
      .map((c) => c.args[0].input.executionArn?.split(':').at(-1));
    expect(stopped).toEqual(['sla-T1-v4', 'sla-T1-v5']);
  });

  it('derives execution ARNs from the state machine ARN in any partition', () => {
    expect(executionArn('arn:aws-cn:states:cn-north-1:1:stateMachine:M', 'sla-x-v1')).toBe(
      'arn:aws-cn:states:cn-north-1:1:execution:M:sla-x-v1',
    );
    expect(() => executionArn('arn:aws:lambda:x:1:function:F', 'n')).toThrow(/state machine ARN/);
  });
});

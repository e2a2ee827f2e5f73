import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  type DevTokens,
  type RuntimeProcess,
  removeDataDir,
  startRuntimeProcess,
} from './support/runtime-process.ts';

/**
 * E-mail in and out through the local runtime: `POST /dev/inbound-email` with raw mail, the outbox
 * standing in for SES. Each scenario uses its own customer address, so they do not thread onto each
 * other and the per-sender limits do not interfere.
 */
let runtime: RuntimeProcess;
let api: ReturnType<typeof apiClient>;
let tokens: DevTokens;

// biome-ignore lint/suspicious/noExplicitAny: outbox and API bodies are asserted field by field
type Json = any;

beforeAll(async () => {
  runtime = await startRuntimeProcess({ args: ['--no-seed'] });
  api = apiClient(runtime.url);
  tokens = (await api<DevTokens>('GET', '/dev/tokens')).body;
});

afterAll(async () => {
  await runtime?.stop();
  if (runtime) removeDataDir(runtime.dataDir);
});

interface Mail {
  from: string;
  to?: string;
  cc?: string;
  subject: string;
  body: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string;
  headers?: Record<string, string>;
}

const customer = () => `kunde-${randomUUID().slice(0, 8)}@example.com`;
const mid = () => `${randomUUID()}@mail.example.com`;

/** A raw RFC 822 message, UTF-8, CRLF; the subject RFC 2047-encoded when it is not ASCII. */
function raw(mail: Mail): string {
  const subject = /^[\x20-\x7e]*$/.test(mail.subject)
    ? mail.subject
    : `=?UTF-8?B?${Buffer.from(mail.subject).toString('base64')}?=`;
  return [
    `From: ${mail.from}`,
    `To: ${mail.to ?? 'support@gongdan.local'}`,
    ...(mail.cc ? [`Cc: ${mail.cc}`] : []),
    `Subject: ${subject}`,
    'Date: Fri, 20 Nov 2026 08:00:00 +0800',
    `Message-ID: <${mail.messageId ?? mid()}>`,
    ...(mail.inReplyTo ? [`In-Reply-To: ${mail.inReplyTo}`] : []),
    ...(mail.references ? [`References: ${mail.references}`] : []),
    ...Object.entries(mail.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    mail.body,
    '',
  ].join('\r\n');
}

const deliver = (mail: Mail | string) =>
  api('POST', '/dev/inbound-email', {
    rawBody: typeof mail === 'string' ? mail : raw(mail),
    headers: { 'content-type': 'message/rfc822' },
  });

async function outboxFor(ticketId: string): Promise<Json[]> {
  const { messages } = (await api('GET', '/dev/outbox')).body;
  return messages.filter((m: Json) => m.ticketId === ticketId);
}

/** Polls the outbox until `count` messages for the ticket are there (bus deliveries are asynchronous). */
async function waitForOutbox(ticketId: string, count: number): Promise<Json[]> {
  for (let i = 0; i < 100; i++) {
    const messages = await outboxFor(ticketId);
    if (messages.length >= count) return messages;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`expected ${count} outbox messages for ${ticketId}`);
}

const thread = async (ticketId: string) =>
  (await api('GET', `/tickets/${ticketId}/messages`, { token: tokens.agent })).body.items as Json[];
const ticket = async (ticketId: string) =>
  (await api('GET', `/tickets/${ticketId}`, { token: tokens.agent })).body as Json;
const move = (ticketId: string, to: string) =>
  api('POST', `/tickets/${ticketId}/transitions`, {
    token: tokens.supervisor,
    body: { to, ...(to === 'resolved' ? { summary: '已处理 / Done' } : {}) },
  });

/** Opens a ticket by mail and returns it with the acknowledgement. */
async function openByMail(overrides: Partial<Mail> = {}) {
  const from = overrides.from ?? `客户 <${customer()}>`;
  const messageId = overrides.messageId ?? mid();
  const response = await deliver({
    subject: '三楼打印机卡纸',
    body: '三楼打印机卡纸了，打不出来。',
    from,
    messageId,
    ...overrides,
  });
  expect(response.status).toBe(202);
  const [ack] = await waitForOutbox(response.body.ticketId, 1);
  return { ...response.body, ack, from, messageId } as Json;
}

describe('E-mail in: POST /dev/inbound-email', () => {
  it('opens a ticket from a new mail and acknowledges it with the number, threaded to the mail', async () => {
    // Act
    const opened = await openByMail({ subject: '空调不制冷' });

    // Assess
    expect(opened).toMatchObject({
      created: true,
      outcome: 'created',
      number: expect.stringMatching(/^GD-\d{6}$/),
    });
    const created = await ticket(opened.ticketId);
    expect(created).toMatchObject({ subject: '空调不制冷', channel: 'email', status: 'new' });
    expect(created.customer.email).toBe(opened.from.match(/<(.+)>/)[1]);
    expect(opened.ack).toMatchObject({
      channel: 'email',
      kind: 'ack',
      to: created.customer.email,
      subject: `Re: 空调不制冷 [${opened.number}]`,
    });
    expect(opened.ack.body).toContain(opened.number);
    expect(opened.ack.headers).toMatchObject({
      'Message-ID': expect.stringMatching(
        new RegExp(`^<gd\\.${opened.ticketId}\\.\\w+@mail\\.gongdan\\.local>$`),
      ),
      'In-Reply-To': `<${opened.messageId}>`,
      References: `<${opened.messageId}>`,
      'Auto-Submitted': 'auto-replied',
    });
  });

  it('changes nothing when the same Message-ID is delivered again', async () => {
    // Prepare
    const opened = await openByMail();
    const mail = raw({
      from: opened.from,
      subject: '三楼打印机卡纸',
      body: '三楼打印机卡纸了，打不出来。',
      messageId: opened.messageId,
    });

    // Act
    const again = await deliver(mail);

    // Assess
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ ticketId: opened.ticketId, created: false, outcome: 'duplicate' });
    expect(await thread(opened.ticketId)).toHaveLength(0);
    expect((await ticket(opened.ticketId)).version).toBe(1);
    expect(await outboxFor(opened.ticketId)).toHaveLength(1);
  });

  it('threads a reply by In-Reply-To onto the ticket and stores only the new text', async () => {
    // Prepare
    const opened = await openByMail();

    // Act
    const reply = await deliver({
      from: opened.from,
      subject: `Re: ${opened.ack.subject}`,
      inReplyTo: opened.ack.headers['Message-ID'],
      body: '补充：是 HP 那台。\n\n在 2026年11月20日，Gongdan 写道：\n> 我们已收到您的请求\n> 工单号',
    });

    // Assess
    expect(reply.body).toMatchObject({ ticketId: opened.ticketId, created: false, outcome: 'appended' });
    const messages = await thread(opened.ticketId);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ body: '补充：是 HP 那台。', public: true, channel: 'email' });
    expect(messages[0].author).toMatchObject({ role: 'customer', email: opened.from.match(/<(.+)>/)[1] });
  });

  it('threads a reply whose client kept only References', async () => {
    const opened = await openByMail();
    const reply = await deliver({
      from: opened.from,
      subject: 'Re: 三楼打印机卡纸',
      references: `<${opened.messageId}> ${opened.ack.headers['Message-ID']}`,
      body: '还在等。',
    });
    expect(reply.body).toMatchObject({ ticketId: opened.ticketId, outcome: 'appended' });
  });

  it("threads by the subject tag alone for the ticket's customer, and not for a stranger", async () => {
    // Prepare
    const opened = await openByMail();

    // Act
    const own = await deliver({
      from: opened.from,
      subject: `进展如何？ [${opened.number}]`,
      body: '请问进展？',
    });
    const stranger = await deliver({ from: customer(), subject: `Re: [${opened.number}]`, body: '我也是' });

    // Assess
    expect(own.body).toMatchObject({ ticketId: opened.ticketId, outcome: 'appended' });
    expect(stranger.body).toMatchObject({ created: true, outcome: 'created' });
    expect(stranger.body.ticketId).not.toBe(opened.ticketId);
  });

  it('threads an Outlook reply that has no References by its Thread-Index', async () => {
    // Prepare: the customer's Outlook starts a conversation (22-byte Thread-Index root)
    const root = Buffer.concat([Buffer.from([1]), randomBytes(21)]);
    const opened = await openByMail({
      subject: 'Projector flickers',
      headers: { 'Thread-Index': root.toString('base64'), 'Thread-Topic': 'Projector flickers' },
    });
    const child = Buffer.concat([root, Buffer.from([0, 0, 0, 1, 2])]).toString('base64');

    // Act: a child block of the same root; no In-Reply-To / References, and a topic that matches nothing
    const reply = await deliver({
      from: opened.from,
      subject: 'AW: Beamer flackert',
      headers: { 'Thread-Index': child, 'Thread-Topic': 'Beamer flackert' },
      body: 'It is worse today.',
    });

    // Assess
    expect(reply.body).toMatchObject({ ticketId: opened.ticketId, outcome: 'appended' });
    expect(opened.ack.headers['Thread-Index']).toBe(root.toString('base64'));
  });

  it('reopens a resolved ticket when the customer replies, and says so', async () => {
    // Prepare
    const opened = await openByMail();
    expect((await move(opened.ticketId, 'open')).status).toBe(200);
    expect((await move(opened.ticketId, 'resolved')).status).toBe(200);
    await waitForOutbox(opened.ticketId, 2); // the closing report (docs/closing-report.md)

    // Act
    const reply = await deliver({
      from: opened.from,
      subject: `Re: 三楼打印机卡纸 [${opened.number}]`,
      inReplyTo: opened.ack.headers['Message-ID'],
      body: '又坏了。',
    });

    // Assess
    expect(reply.body).toMatchObject({ ticketId: opened.ticketId, outcome: 'reopened' });
    expect((await ticket(opened.ticketId)).status).toBe('open');
    const history = (await api('GET', `/tickets/${opened.ticketId}/history`, { token: tokens.agent })).body
      .items;
    expect(history.map((e: Json) => e.type)).toContain('reopened');
    const mails = await waitForOutbox(opened.ticketId, 3);
    expect(mails.map((m: Json) => m.kind)).toEqual(['ack', 'closing_report', 'status']);
    expect(mails[2].body).toContain('重新打开');
  });

  it('opens a new ticket linked to a closed one when the customer replies to it', async () => {
    // Prepare
    const opened = await openByMail();
    for (const to of ['open', 'resolved', 'closed'])
      expect((await move(opened.ticketId, to)).status).toBe(200);

    // Act
    const reply = await deliver({
      from: opened.from,
      subject: `Re: 三楼打印机卡纸 [${opened.number}]`,
      inReplyTo: opened.ack.headers['Message-ID'],
      body: '同样的问题又出现了。\n\n> 旧的引用',
    });

    // Assess
    expect(reply.body).toMatchObject({ created: true, outcome: 'created_linked' });
    const followUp = await ticket(reply.body.ticketId);
    expect(followUp).toMatchObject({
      subject: 'Re: 三楼打印机卡纸',
      description: '同样的问题又出现了。',
      customFields: { followUpOf: opened.number, followUpOfId: opened.ticketId },
    });
    expect((await ticket(opened.ticketId)).status).toBe('closed');
    const [ack] = await waitForOutbox(followUp.id, 1);
    expect(ack.body).toContain(opened.number);
  });

  it("records a reply from someone the customer copied, and copies them on the agent's answer", async () => {
    // Prepare
    const boss = `boss-${randomUUID().slice(0, 8)}@example.com`;
    const opened = await openByMail({ cc: `Boss <${boss}>` });

    // Act
    const reply = await deliver({
      from: `Boss <${boss}>`,
      subject: `Re: ${opened.ack.subject}`,
      inReplyTo: opened.ack.headers['Message-ID'],
      body: '请优先处理。',
    });
    await api('POST', `/tickets/${opened.ticketId}/replies`, {
      token: tokens.agent,
      body: { body: '师傅下午两点上门。', public: true },
    });

    // Assess
    expect(reply.body).toMatchObject({ ticketId: opened.ticketId, outcome: 'appended' });
    const [message] = await thread(opened.ticketId);
    expect(message.author).toMatchObject({ role: 'customer', email: boss, name: 'Boss' });
    const mails = await waitForOutbox(opened.ticketId, 2);
    expect(mails[1]).toMatchObject({
      kind: 'reply',
      cc: [boss],
      body: expect.stringContaining('师傅下午两点上门。'),
    });
    expect(mails[1].headers['In-Reply-To']).toMatch(/^<.+@mail\.example\.com>$/);
    expect(mails[1].headers['Auto-Submitted']).toBeUndefined();
  });

  it("brings the customer's answer to an agent's reply back to the same ticket", async () => {
    // Prepare
    const opened = await openByMail();
    await api('POST', `/tickets/${opened.ticketId}/replies`, {
      token: tokens.agent,
      body: { body: '请问是哪台打印机？', public: true },
    });
    const [, agentMail] = await waitForOutbox(opened.ticketId, 2);

    // Act
    const answer = await deliver({
      from: opened.from,
      subject: `Re: ${agentMail.subject}`,
      inReplyTo: agentMail.headers['Message-ID'],
      references: `${agentMail.headers.References} ${agentMail.headers['Message-ID']}`,
      body: '靠窗那台。',
    });

    // Assess
    expect(answer.body).toMatchObject({ ticketId: opened.ticketId, outcome: 'appended' });
    expect((await thread(opened.ticketId)).map((m: Json) => m.body)).toEqual([
      '请问是哪台打印机？',
      '靠窗那台。',
    ]);
  });

  it('keeps an auto-reply on the ticket as a note and never answers it', async () => {
    // Prepare
    const opened = await openByMail();

    // Act
    const away = await deliver({
      from: opened.from,
      subject: `Automatic reply: ${opened.ack.subject}`,
      inReplyTo: opened.ack.headers['Message-ID'],
      headers: { 'Auto-Submitted': 'auto-replied' },
      body: '我正在休假，12 月 1 日返回。',
    });

    // Assess
    expect(away.body).toMatchObject({ ticketId: opened.ticketId, outcome: 'noted', created: false });
    const [note] = await thread(opened.ticketId);
    expect(note.public).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(await outboxFor(opened.ticketId)).toHaveLength(1);
  });

  it('opens nothing and sends nothing for a bounce that belongs to no ticket', async () => {
    // Act
    const bounce = await deliver({
      from: 'Mail Delivery System <MAILER-DAEMON@mx.example.com>',
      subject: 'Undelivered Mail Returned to Sender',
      body: 'This is the mail system. I am sorry to have to inform you that your message could not be delivered.',
    });

    // Assess
    expect(bounce.status).toBe(202);
    expect(bounce.body).toMatchObject({ ticketId: null, created: false, outcome: 'ignored' });
  });

  it('takes every shared .eml without a 5xx, with the subject and sender its manifest expects', async () => {
    // Prepare
    const root = join(import.meta.dirname, '../../../shared/data/email');
    const { files } = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as {
      files: {
        file: string;
        expected_from_source_tests?: { subject?: string; from_first?: { address: string } };
      }[];
    };

    for (const { file, expected_from_source_tests: expected } of files) {
      // Act
      const response = await api('POST', '/dev/inbound-email', {
        rawBody: readFileSync(join(root, file)),
        headers: { 'content-type': 'message/rfc822' },
      });

      // Assess: 202, or a clear refusal; several fixtures share a Message-ID (then: duplicate)
      expect(response.status, file).toBeLessThan(500);
      if (response.status !== 202) {
        expect(response.body.error.code, file).toBe('INTAKE.NO_SENDER');
        continue;
      }
      if (!response.body.created) continue;
      const created = await ticket(response.body.ticketId);
      if (expected?.subject !== undefined) {
        expect(created.subject, file).toBe((expected.subject.trim() || '(no subject)').slice(0, 200));
      }
      if (expected?.from_first) {
        expect(created.customer.email.toLowerCase(), file).toBe(expected.from_first.address.toLowerCase());
      }
    }
  });

  it('refuses a message with nobody to answer (422) and a non-mail body (415), never a 5xx', async () => {
    const noSender = await deliver('Subject: hello\r\n\r\nno from here\r\n');
    expect(noSender.status).toBe(422);
    expect(noSender.body.error.code).toBe('INTAKE.NO_SENDER');
    const json = await api('POST', '/dev/inbound-email', { body: { not: 'mail' } });
    expect(json.status).toBe(415);
    const empty = await deliver('');
    expect(empty.status).toBe(422);
    expect(empty.body.error.code).toBe('INTAKE.UNPARSEABLE_EMAIL');
  });
});

import { randomUUID } from 'node:crypto';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  type DevTokens,
  type RuntimeProcess,
  removeDataDir,
  startRuntimeProcess,
} from './support/runtime-process.ts';

/**
 * Mail that must not land where it says it belongs (a forged sender failing SPF/DKIM/DMARC), mail that
 * must (a copied colleague answering the customer's own mail), and legacy 8-bit headers, through
 * `POST /dev/inbound-email`. Locally the verdicts come from the message's topmost
 * Authentication-Results header, as the receiving server wrote it; in AWS from SES's receipt.
 */
let runtime: RuntimeProcess;
let api: ReturnType<typeof apiClient>;
let tokens: DevTokens;

// biome-ignore lint/suspicious/noExplicitAny: API bodies are asserted field by field
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

const passing =
  'mx.gongdan.local; spf=pass smtp.mailfrom=example.com; dkim=pass header.d=example.com; dmarc=pass header.from=example.com';
const failing =
  'mx.gongdan.local; spf=fail smtp.mailfrom=example.com; dkim=fail header.d=example.com; dmarc=fail (p=reject) header.from=example.com';

interface Mail {
  from: string;
  cc?: string;
  subject: string;
  body: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string;
  auth?: string;
  headers?: Record<string, string>;
}

const address = (name: string) => `${name}-${randomUUID().slice(0, 8)}@example.com`;
const mid = () => `<${randomUUID()}@mail.example.com>`;

function raw(mail: Mail): string {
  const subject = /^[\x20-\x7e]*$/.test(mail.subject)
    ? mail.subject
    : `=?UTF-8?B?${Buffer.from(mail.subject).toString('base64')}?=`;
  return [
    ...(mail.auth ? [`Authentication-Results: ${mail.auth}`] : []),
    `From: ${mail.from}`,
    'To: support@gongdan.local',
    ...(mail.cc ? [`Cc: ${mail.cc}`] : []),
    `Subject: ${subject}`,
    'Date: Fri, 20 Nov 2026 08:00:00 +0800',
    `Message-ID: ${mail.messageId ?? mid()}`,
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

const deliver = (mail: Mail | Buffer) =>
  api('POST', '/dev/inbound-email', {
    rawBody: Buffer.isBuffer(mail) ? mail : raw(mail),
    headers: { 'content-type': 'message/rfc822' },
  });

const thread = async (ticketId: string) =>
  (await api('GET', `/tickets/${ticketId}/messages`, { token: tokens.agent })).body.items as Json[];
const ticket = async (ticketId: string) =>
  (await api('GET', `/tickets/${ticketId}`, { token: tokens.agent })).body as Json;

async function outboxFor(ticketId: string): Promise<Json[]> {
  const { messages } = (await api('GET', '/dev/outbox')).body;
  return messages.filter((m: Json) => m.ticketId === ticketId);
}

/** A customer's first mail (authenticated), with a colleague copied. */
async function opened(cc?: string) {
  const from = `客户 <${address('kunde')}>`;
  const messageId = mid();
  const response = await deliver({
    from,
    ...(cc ? { cc } : {}),
    subject: '会议室投影仪无信号',
    body: '三楼会议室的投影仪没有信号。',
    messageId,
    auth: passing,
    headers: { 'Thread-Topic': '会议室投影仪无信号' },
  });
  expect(response.status).toBe(202);
  return { ...response.body, from, messageId } as Json;
}

describe('Mail that fails sender authentication', () => {
  it("opens a flagged ticket for a forged customer's mail with the ticket's subject tag, and leaves the ticket alone", async () => {
    // Prepare
    const original = await opened();

    // Act: the customer's address, the ticket's tag, but SPF, DKIM and DMARC all fail
    const forged = await deliver({
      from: original.from,
      subject: `Re: 会议室投影仪无信号 [${original.number}]`,
      body: '请把报价单改寄到 attacker@evil.example。',
      auth: failing,
    });

    // Assess
    expect(forged.status).toBe(202);
    expect(forged.body).toMatchObject({ created: true, outcome: 'created' });
    expect(forged.body.ticketId).not.toBe(original.ticketId);
    expect(await thread(original.ticketId)).toEqual([]);
    const quarantined = await ticket(forged.body.ticketId);
    expect(quarantined.tags).toEqual(expect.arrayContaining(['mail-auth-failed', 'needs-review']));
    expect(quarantined.customFields).toMatchObject({
      mailAuth: 'fail',
      mailAuthResults: 'spf=fail dkim=fail dmarc=fail',
      mailAuthClaimed: original.number,
    });
    // Nothing is sent to the address it claims to come from (its owner did not write it).
    await new Promise((r) => setTimeout(r, 300));
    expect(await outboxFor(forged.body.ticketId)).toEqual([]);
  });

  it('does not thread a failing Outlook reply by its Thread-Topic either', async () => {
    const original = await opened();

    const forged = await deliver({
      from: original.from,
      subject: 'RE: 会议室投影仪无信号',
      body: '已解决，请关闭。',
      auth: 'mx.gongdan.local; spf=fail smtp.mailfrom=example.com; dkim=fail header.d=example.com',
      headers: { 'Thread-Topic': '会议室投影仪无信号' },
    });

    expect(forged.body).toMatchObject({ created: true });
    expect(forged.body.ticketId).not.toBe(original.ticketId);
    expect(await thread(original.ticketId)).toEqual([]);
  });

  it('keeps the verdicts on an authenticated reply it threads', async () => {
    const original = await opened();

    const reply = await deliver({
      from: original.from,
      subject: `Re: 会议室投影仪无信号 [${original.number}]`,
      body: '换了线也不行。',
      auth: passing,
    });

    expect(reply.body).toMatchObject({ ticketId: original.ticketId, outcome: 'appended' });
    const [message] = await thread(original.ticketId);
    expect(message.mailAuth).toEqual({ spf: 'pass', dkim: 'pass', dmarc: 'pass', verdict: 'pass' });
    expect((await ticket(original.ticketId)).customFields).toMatchObject({ mailAuth: 'pass' });
  });
});

describe("A colleague's reply-all to the customer's first mail", () => {
  it("lands on the customer's ticket by In-Reply-To naming the customer's Message-ID", async () => {
    // Prepare
    const colleague = address('kollege');
    const original = await opened(`同事 <${colleague}>`);

    // Act: answered before any mail of ours reached them, so it names only the customer's id
    const reply = await deliver({
      from: `同事 <${colleague}>`,
      subject: 'Re: 会议室投影仪无信号',
      body: '我这边也看到了，下午两点要用。',
      inReplyTo: original.messageId,
      references: original.messageId,
      auth: passing,
    });

    // Assess
    expect(reply.body).toMatchObject({ ticketId: original.ticketId, created: false, outcome: 'appended' });
    const [message] = await thread(original.ticketId);
    expect(message).toMatchObject({ public: true, body: '我这边也看到了，下午两点要用。' });
    expect(message.author).toMatchObject({ email: colleague });
  });

  it('lands there by References when In-Reply-To names a mail we never saw', async () => {
    const colleague = address('kollege');
    const original = await opened(`同事 <${colleague}>`);

    const reply = await deliver({
      from: colleague,
      subject: 'Re: 会议室投影仪无信号',
      body: '补充一下型号。',
      inReplyTo: mid(),
      references: original.messageId,
      auth: passing,
    });

    expect(reply.body).toMatchObject({ ticketId: original.ticketId, outcome: 'appended' });
  });

  it("does not thread by the customer's Message-ID when the reply fails authentication", async () => {
    const colleague = address('kollege');
    const original = await opened(`同事 <${colleague}>`);

    const forged = await deliver({
      from: colleague,
      subject: 'Re: 会议室投影仪无信号',
      body: '请改寄到新地址。',
      inReplyTo: original.messageId,
      auth: failing,
    });

    expect(forged.body).toMatchObject({ created: true });
    expect(forged.body.ticketId).not.toBe(original.ticketId);
    expect(await thread(original.ticketId)).toEqual([]);
    expect((await ticket(forged.body.ticketId)).customFields).toMatchObject({
      mailAuth: 'fail',
      mailAuthClaimed: original.number,
    });
  });
});

describe('Legacy 8-bit headers', () => {
  it('opens a ticket with the subject and name a GBK client wrote without a charset label', async () => {
    const from = address('legacy');
    const mail = Buffer.concat([
      Buffer.from('From: '),
      iconv.encode('张三', 'gbk'),
      Buffer.from(` <${from}>\r\nTo: support@gongdan.local\r\nSubject: `),
      iconv.encode('打印机坏了，请尽快处理', 'gbk'),
      Buffer.from(
        `\r\nMessage-ID: ${mid()}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nHP 4250\r\n`,
      ),
    ]);

    const response = await deliver(mail);

    expect(response.status).toBe(202);
    const created = await ticket(response.body.ticketId);
    expect(created.subject).toBe('打印机坏了，请尽快处理');
    expect(created.customer).toMatchObject({ email: from, name: '张三' });
  });
});

import { describe, expect, it } from 'vitest';
import { DomainError } from '#shared/domain/errors.ts';
import { emailIdempotencyKey, emailIntakePolicy, ingestEmail } from '#shared/domain/intake/email-intake.ts';
import {
  decideThread,
  findSubjectTags,
  normalizeTopic,
  outboundMessageId,
  parseOutboundMessageId,
  removeSubjectTags,
  type ThreadLookups,
  type ThreadTicket,
  threadIndexDepth,
  threadIndexFor,
  threadIndexRoot,
  withSubjectTag,
} from '#shared/domain/intake/threading.ts';
import { fakeDesk, mail, ourDomain, parsed, readFixture } from './intake-fakes.ts';

const policy = emailIntakePolicy(ourDomain);
const ours = (ticketId: string, messageId = 'M1') => outboundMessageId({ ticketId, messageId }, ourDomain);
const day = 86_400_000;

describe('Outbound Message-ID', () => {
  it('round-trips the ticket and message ids through our Message-ID format', () => {
    const id = outboundMessageId({ ticketId: '01JD7ZK9Q0', messageId: '01JD80AB12' }, 'Mail.Gongdan.test');
    expect(id).toBe('<gd.01JD7ZK9Q0.01JD80AB12@mail.gongdan.test>');
    expect(parseOutboundMessageId(id, ourDomain)).toEqual({
      ticketId: '01JD7ZK9Q0',
      messageId: '01JD80AB12',
    });
    expect(parseOutboundMessageId('gd.01JD7ZK9Q0.01JD80AB12@MAIL.GONGDAN.TEST', ourDomain)).not.toBeNull();
  });

  it('does not claim a Message-ID that names another domain or another shape', () => {
    expect(parseOutboundMessageId('<gd.T1.M1@evil.example>', ourDomain)).toBeNull();
    expect(parseOutboundMessageId('<CAH_ZkVm@mail.gmail.com>', ourDomain)).toBeNull();
    expect(() => outboundMessageId({ ticketId: 'a.b', messageId: 'M1' }, ourDomain)).toThrow();
  });
});

describe('Subject tag', () => {
  it('adds the tag once and finds it again in any case and spacing', () => {
    const tagged = withSubjectTag('Re: 打印机坏了', 'GD-000123');
    expect(tagged).toBe('Re: 打印机坏了 [GD-000123]');
    expect(withSubjectTag(tagged, 'GD-000123')).toBe(tagged);
    expect(findSubjectTags('回复: [ gd-000123 ] and [#GD-1234567]')).toEqual(['GD-000123', 'GD-1234567']);
    expect(removeSubjectTags('Re: [GD-000123] Printer broken')).toBe('Re: Printer broken');
  });

  it('normalizes a topic across reply prefixes in several languages', () => {
    expect(normalizeTopic('RE: AW: 回复：答复: Printer  Broken [GD-000123]')).toBe('printer broken');
    expect(normalizeTopic('Printer broken')).toBe('printer broken');
  });
});

describe('Outlook Thread-Index', () => {
  it('gives a reply the same conversation root as the message it answers', () => {
    // From php-mime-mail-parser/issue158a.eml: the forwarded original and the reply to it.
    const original = 'BsIxD6EDQhVNqaTfcPN/d36x7UYGqw==';
    const reply = 'BsIxD6EDQhVNqaTfcPN/d36x7UYGq6dRLyIX';
    expect(threadIndexRoot(reply)).toBe(threadIndexRoot(original));
    expect([threadIndexDepth(original), threadIndexDepth(reply)]).toEqual([0, 1]);
  });

  it('derives the same root for a ticket every time, and none from garbage', () => {
    const at = new Date('2026-11-20T08:00:00Z');
    expect(threadIndexFor('T1', at)).toBe(threadIndexFor('T1', at));
    expect(threadIndexFor('T1', at)).not.toBe(threadIndexFor('T2', at));
    expect(threadIndexRoot(threadIndexFor('T1', at))).toBe(threadIndexFor('T1', at));
    expect(threadIndexRoot('not base64!')).toBeNull();
    expect(threadIndexRoot('AAAA')).toBeNull();
  });
});

describe('decideThread()', () => {
  const now = new Date('2026-11-20T08:00:00Z');
  const ticket = (over: Partial<ThreadTicket> = {}): ThreadTicket => ({
    id: 'T1',
    number: 'GD-000001',
    status: 'open',
    resolvedAt: null,
    customer: { email: 'zhao@example.com' },
    ...over,
  });
  const lookups = (found: ThreadTicket, calls: string[] = []): ThreadLookups => {
    const seen = <T>(call: string, result: T) => {
      calls.push(call);
      return result;
    };
    return {
      byOutboundMessageId: (ref) => seen(`mid:${ref.ticketId}`, ref.ticketId === found.id ? found : null),
      byNumber: (n) => seen(`number:${n}`, n === found.number ? found : null),
      byThreadIndexRoot: (r) => seen(`index:${r}`, null),
      byThreadTopic: (t) => seen(`topic:${t}`, null),
    };
  };
  const threading = policy.threading;

  it('prefers our Message-ID over a subject tag naming another ticket', async () => {
    const calls: string[] = [];
    const email = await parsed(mail({ subject: 'Re: x [GD-000999]', inReplyTo: ours('T1') }));
    const decision = await decideThread(email, lookups(ticket(), calls), threading, now);
    expect(decision).toMatchObject({
      kind: 'append',
      ticketId: 'T1',
      via: 'in-reply-to',
      author: 'customer',
    });
    expect(calls).toEqual(['mid:T1']);
  });

  it('reopens a resolved ticket on the last day of the window and links a new one the day after', async () => {
    const email = await parsed(mail({ inReplyTo: ours('T1') }));
    const resolvedAt = new Date(now.getTime() - 7 * day).toISOString();
    const onTime = await decideThread(
      email,
      lookups(ticket({ status: 'resolved', resolvedAt })),
      threading,
      now,
    );
    expect(onTime.kind).toBe('reopen');
    const late = await decideThread(
      email,
      lookups(ticket({ status: 'resolved', resolvedAt })),
      threading,
      new Date(now.getTime() + 1000),
    );
    expect(late).toMatchObject({ kind: 'new_linked', reason: 'reopen_window_passed', ticketId: 'T1' });
  });

  it('does not thread by a guessed ticket number from a stranger', async () => {
    const email = await parsed(mail({ from: 'mallory@evil.example', subject: 'Re: [GD-000001]' }));
    expect(await decideThread(email, lookups(ticket()), threading, now)).toEqual({ kind: 'new' });
    const lax = { ...threading, subjectTagRequiresKnownSender: false };
    expect(await decideThread(email, lookups(ticket()), lax, now)).toMatchObject({
      kind: 'append',
      author: 'participant',
    });
  });

  it('does not look a topic up for a message that is not a reply', async () => {
    const calls: string[] = [];
    const email = await parsed(mail({ subject: 'Printer broken' }));
    expect(await decideThread(email, lookups(ticket(), calls), threading, now)).toEqual({ kind: 'new' });
    expect(calls.some((c) => c.startsWith('topic:'))).toBe(false);
  });
});

describe('ingestEmail() threading', () => {
  it('appends a reply found by In-Reply-To, without the quoted history', async () => {
    const desk = fakeDesk();
    const ticket = desk.seed();
    const email = await parsed(
      mail({
        subject: 'Re: Printer broken',
        inReplyTo: ours(ticket.id),
        body: 'It works again, thanks!\n\nOn Fri, Nov 20, 2026 at 9:00 AM Gongdan <support@gongdan.test> wrote:\n> Please restart it.\n',
      }),
    );
    const result = await ingestEmail(email, policy, desk.ports);
    expect(result).toMatchObject({
      outcome: 'appended',
      ticketId: ticket.id,
      created: false,
      reason: 'in-reply-to (customer)',
    });
    expect(ticket.thread).toHaveLength(1);
    expect(ticket.thread[0]).toMatchObject({ body: 'It works again, thanks!', public: true, reopen: false });
    expect(result.autoReply.send).toBe(false);
  });

  it('appends a reply found by References only', async () => {
    const desk = fakeDesk();
    const ticket = desk.seed();
    const email = await parsed(
      mail({
        subject: 'Printer broken',
        references: `<first@example.com> ${ours(ticket.id)} <other@example.com>`,
      }),
    );
    const result = await ingestEmail(email, policy, desk.ports);
    expect(result).toMatchObject({
      outcome: 'appended',
      ticketId: ticket.id,
      reason: 'references (customer)',
    });
    expect(desk.all()).toHaveLength(1);
  });

  it('appends a reply found by the subject tag only', async () => {
    const desk = fakeDesk();
    const ticket = desk.seed();
    const email = await parsed(mail({ subject: `回复：打印机坏了 [${ticket.number}]`, body: '还是不行。' }));
    const result = await ingestEmail(email, policy, desk.ports);
    expect(result).toMatchObject({
      outcome: 'appended',
      ticketId: ticket.id,
      reason: 'subject-tag (customer)',
    });
    expect(ticket.thread[0]!.body).toBe('还是不行。');
  });

  it('threads an Outlook reply without References by its Thread-Index (issue158a.eml)', async () => {
    const desk = fakeDesk();
    const outer = await parsed(readFixture('php-mime-mail-parser/issue158a.eml'));
    // The attached message is the conversation's first message: it opens the ticket.
    const first = await parsed(outer.attachments.find((a) => a.contentType === 'message/rfc822')!.content);
    const opened = await ingestEmail(first, policy, desk.ports);
    expect(opened).toMatchObject({ outcome: 'created', created: true });

    const reply = await ingestEmail(outer, policy, desk.ports);
    expect(reply).toMatchObject({
      outcome: 'appended',
      ticketId: opened.ticketId,
      reason: 'thread-index (customer)',
    });
    expect(desk.all()).toHaveLength(1);
  });

  it('threads an Outlook reply with only Thread-Topic by topic and sender', async () => {
    const desk = fakeDesk();
    const ticket = desk.seed({ topic: 'vpn drops every hour' });
    const email = await parsed(
      mail({
        subject: 'RE: VPN drops every hour',
        messageId: 'outlook-1@corp.example',
        headers: { 'Thread-Topic': 'VPN drops every hour' },
      }),
    );
    const result = await ingestEmail(email, policy, desk.ports);
    expect(result).toMatchObject({
      outcome: 'appended',
      ticketId: ticket.id,
      reason: 'thread-topic (customer)',
    });
  });

  it('reopens a resolved ticket when the customer replies within the window', async () => {
    const desk = fakeDesk();
    const ticket = desk.seed({ status: 'resolved', resolvedAt: '2026-11-18T08:00:00Z' });
    const email = await parsed(mail({ inReplyTo: ours(ticket.id), body: 'It broke again.' }));
    const result = await ingestEmail(email, policy, desk.ports);
    expect(result).toMatchObject({ outcome: 'reopened', ticketId: ticket.id, autoReply: { send: true } });
    expect(ticket.status).toBe('open');
    expect(ticket.thread[0]).toMatchObject({ reopen: true, public: true });
  });

  it('opens a new linked ticket when the customer replies to a closed ticket', async () => {
    const desk = fakeDesk();
    const closed = desk.seed({ status: 'closed', resolvedAt: '2026-10-01T08:00:00Z' });
    const email = await parsed(
      mail({
        subject: `Re: Printer broken [${closed.number}]`,
        inReplyTo: ours(closed.id),
        body: 'Same problem on floor 4.\n\n> Your ticket is resolved.',
      }),
    );
    const result = await ingestEmail(email, policy, desk.ports);
    expect(result).toMatchObject({
      outcome: 'created_linked',
      created: true,
      reason: `closed (${closed.number})`,
    });
    const linked = desk.tickets.get(result.ticketId!)!;
    expect(linked).toMatchObject({
      subject: 'Re: Printer broken',
      description: 'Same problem on floor 4.',
      linkedTo: closed.id,
      customFields: { followUpOf: closed.number, followUpOfId: closed.id },
    });
    expect(closed.thread).toHaveLength(0);
  });

  it('opens a new linked ticket when a resolved ticket is replied to after the window', async () => {
    const desk = fakeDesk();
    const old = desk.seed({ status: 'resolved', resolvedAt: '2026-10-01T08:00:00Z' });
    const result = await ingestEmail(await parsed(mail({ inReplyTo: ours(old.id) })), policy, desk.ports);
    expect(result).toMatchObject({
      outcome: 'created_linked',
      reason: `reopen_window_passed (${old.number})`,
    });
    expect(old.status).toBe('resolved');
  });

  it('appends a reply from a third party who was copied on the thread, as a participant', async () => {
    const desk = fakeDesk();
    const ticket = desk.seed({ participants: ['li.it@example.com'] });
    const byMessageId = await parsed(
      mail({ from: 'Li IT <li.it@example.com>', cc: 'zhao@example.com', inReplyTo: ours(ticket.id) }),
    );
    const byTag = await parsed(mail({ from: 'li.it@example.com', subject: `Re: [${ticket.number}] toner` }));
    expect(await ingestEmail(byMessageId, policy, desk.ports)).toMatchObject({
      outcome: 'appended',
      reason: 'in-reply-to (participant)',
    });
    expect(await ingestEmail(byTag, policy, desk.ports)).toMatchObject({
      outcome: 'appended',
      reason: 'subject-tag (participant)',
    });
    expect(ticket.thread.map((m) => m.author)).toEqual([
      { address: 'li.it@example.com', name: 'Li IT', role: 'participant' },
      { address: 'li.it@example.com', name: '', role: 'participant' },
    ]);
    expect(ticket.customer.email).toBe('zhao@example.com');
  });

  it('changes nothing when the same message is delivered twice', async () => {
    const desk = fakeDesk();
    const ticket = desk.seed();
    const reply = mail({ messageId: 'twice@example.com', inReplyTo: ours(ticket.id) });
    const fresh = mail({ messageId: 'new-twice@example.com', subject: 'Scanner jammed' });

    const first = [await ingestEmail(await parsed(reply), policy, desk.ports)];
    first.push(await ingestEmail(await parsed(fresh), policy, desk.ports));
    const again = [
      await ingestEmail(await parsed(reply), policy, desk.ports),
      await ingestEmail(await parsed(fresh), policy, desk.ports),
    ];

    expect(first.map((r) => r.outcome)).toEqual(['appended', 'created']);
    expect(again).toMatchObject([
      { outcome: 'duplicate', ticketId: ticket.id, created: false, autoReply: { send: false } },
      { outcome: 'duplicate', ticketId: first[1]!.ticketId, created: false },
    ]);
    expect(ticket.thread).toHaveLength(1);
    expect(desk.all()).toHaveLength(2);
  });

  it('recognises a redelivery of a message without Message-ID by its content', async () => {
    const desk = fakeDesk();
    const raw = mail({ messageId: null, subject: 'No id here' });
    const relayed = `Received: from mx2.example by inbound-smtp.amazonaws.com\r\n${raw}`;
    const a = await parsed(raw);
    const b = await parsed(relayed);
    expect(emailIdempotencyKey(a)).toBe(emailIdempotencyKey(b));
    expect(emailIdempotencyKey(a)).toMatch(/^email:hash:[0-9a-f]{64}$/);
    await ingestEmail(a, policy, desk.ports);
    expect(await ingestEmail(b, policy, desk.ports)).toMatchObject({ outcome: 'duplicate' });
    expect(desk.all()).toHaveLength(1);
  });

  it('keeps a duplicate that slipped past the ledger from opening a second ticket (createTicket claim)', async () => {
    const desk = fakeDesk();
    const email = await parsed(mail({ messageId: 'claimed@example.com' }));
    await ingestEmail(email, policy, desk.ports);
    desk.ledger.records.clear();
    expect(await ingestEmail(email, policy, desk.ports)).toMatchObject({
      outcome: 'duplicate',
      created: false,
    });
    expect(desk.all()).toHaveLength(1);
  });

  it('treats createTicket refusing a known key with a different body as the duplicate it is', async () => {
    const desk = fakeDesk();
    desk.ports.tickets.open = async () => {
      throw new DomainError('unprocessable', 'IDEMPOTENCY.KEY_REUSED', 'reused');
    };
    expect(await ingestEmail(await parsed(mail({})), policy, desk.ports)).toMatchObject({
      outcome: 'duplicate',
      created: false,
      ticketId: null,
    });
  });

  it('notes an out-of-office reply on the ticket without reopening it or answering', async () => {
    const desk = fakeDesk();
    const ticket = desk.seed({ status: 'resolved', resolvedAt: '2026-11-19T08:00:00Z' });
    const email = await parsed(
      mail({
        subject: 'Automatic reply: Printer broken',
        inReplyTo: ours(ticket.id),
        headers: { 'Auto-Submitted': 'auto-replied' },
        body: 'I am out of the office until Monday.',
      }),
    );
    const result = await ingestEmail(email, policy, desk.ports);
    expect(result).toMatchObject({ outcome: 'noted', ticketId: ticket.id, autoReply: { send: false } });
    expect(ticket.status).toBe('resolved');
    expect(ticket.thread[0]).toMatchObject({ public: false, reopen: false });
  });

  it('drops an auto-reply that belongs to no ticket instead of opening one', async () => {
    const desk = fakeDesk();
    const email = await parsed(mail({ subject: 'Out of Office: hello', headers: { 'X-Autoreply': 'yes' } }));
    expect(await ingestEmail(email, policy, desk.ports)).toMatchObject({
      outcome: 'ignored',
      autoReply: { send: false, reason: 'auto-reply: x-autoreply' },
    });
    expect(desk.all()).toHaveLength(0);
  });

  it('notes a bounce of our reply on its ticket, and never answers a bounce', async () => {
    const desk = fakeDesk();
    const ticket = desk.seed();
    const email = await parsed(
      mail({
        from: 'MAILER-DAEMON@amazonses.com',
        subject: 'Delivery Status Notification (Failure)',
        inReplyTo: ours(ticket.id),
        body: 'Action: failed\nStatus: 5.1.1',
      }),
    );
    const result = await ingestEmail(email, policy, desk.ports);
    expect(result).toMatchObject({
      outcome: 'noted',
      autoReply: { send: false, reason: 'bounce: sender is a mail daemon' },
    });
    expect(ticket.thread[0]!.public).toBe(false);
  });

  it('opens a ticket for list mail but sends it no acknowledgement', async () => {
    const desk = fakeDesk();
    const email = await parsed(mail({ subject: 'Weekly report', headers: { Precedence: 'bulk' } }));
    expect(await ingestEmail(email, policy, desk.ports)).toMatchObject({
      outcome: 'created',
      autoReply: { send: false, reason: 'bulk: precedence: bulk' },
    });
  });

  it('acknowledges a person, goes quiet in a burst, and refuses a flood from one sender', async () => {
    const desk = fakeDesk();
    const strict = { ...policy, rate: { windowMinutes: 60, autoReplyLimit: 2, intakeLimit: 3 } };
    const send = async (i: number) =>
      ingestEmail(await parsed(mail({ subject: `Help ${i}` })), strict, desk.ports);

    expect((await send(1)).autoReply.send).toBe(true);
    expect((await send(2)).autoReply.send).toBe(true);
    expect(await send(3)).toMatchObject({
      outcome: 'created',
      autoReply: { send: false, reason: 'sender rate limit' },
    });
    const flood = await send(4).catch((e: unknown) => e);
    expect(flood).toBeInstanceOf(DomainError);
    expect(flood).toMatchObject({ code: 'INTAKE.SENDER_RATE_LIMITED', kind: 'rate_limited' });
    expect(desk.all()).toHaveLength(3);
  });

  it('refuses mail with no usable sender with INTAKE.NO_SENDER', async () => {
    const desk = fakeDesk();
    const email = await parsed(readFixture('letters/test_english_empty.eml'));
    await expect(ingestEmail(email, policy, desk.ports)).rejects.toMatchObject({ code: 'INTAKE.NO_SENDER' });
  });

  it('answers INTAKE.IN_PROGRESS while another worker holds the same message', async () => {
    const desk = fakeDesk();
    const email = await parsed(mail({ messageId: 'held@example.com' }));
    await desk.ledger.claim(emailIdempotencyKey(email), new Date('2026-11-20T08:00:00Z'), 300);
    await expect(ingestEmail(email, policy, desk.ports)).rejects.toMatchObject({
      code: 'INTAKE.IN_PROGRESS',
    });
    desk.setNow(new Date('2026-11-20T08:06:00Z'));
    expect(await ingestEmail(email, policy, desk.ports)).toMatchObject({ outcome: 'created' });
  });
});

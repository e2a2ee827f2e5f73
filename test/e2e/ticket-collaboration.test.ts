import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.ts';
import { runtimeSuite } from './support/runtime-process.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies field by field and assert on them.
type Json = any;

/**
 * Working together on a ticket, over HTTP against the local runtime (docs/collaboration.md): watchers,
 * @mentions in internal notes, staff attachments, merge (with the customer's later mail) and links.
 * The seeded staff: u-agent-zhang (service-desk), u-agent-wang (field-repair), u-agent-li, supervisors.
 */
describe('Working together on a ticket over HTTP', () => {
  const rt = runtimeSuite();
  const as = (id: string) => rt.tokens.users.find((u) => u.id === id)!.token;
  const customer = () => ({ email: `kunde-${randomUUID().slice(0, 8)}@example.com`, name: '李小姐' });

  async function newTicket(subject = '打印机卡纸', team = 'service-desk') {
    const created = await rt.api('POST', '/tickets', {
      token: rt.tokens.admin,
      body: { subject, description: '三楼打印机卡纸了', customer: customer(), team },
    });
    expect(created.status).toBe(201);
    return created.body as Json;
  }
  const get = async (id: string, token = rt.tokens.admin) =>
    (await rt.api('GET', `/tickets/${id}`, { token })).body as Json;
  const thread = async (id: string) =>
    (await rt.api('GET', `/tickets/${id}/messages`, { token: rt.tokens.admin })).body.items as Json[];
  const history = async (id: string) =>
    (await rt.api('GET', `/tickets/${id}/history`, { token: rt.tokens.admin })).body.items as Json[];
  const outbox = async (ticketId: string) =>
    ((await rt.api('GET', '/dev/outbox')).body.messages as Json[]).filter((m) => m.ticketId === ticketId);
  const outboxWith = (ticketId: string, match: (m: Json[]) => boolean) =>
    eventually(async () => {
      const messages = await outbox(ticketId);
      return match(messages) ? messages : undefined;
    }, 10_000);
  const reply = (id: string, body: Record<string, unknown>, token = rt.tokens.agent) =>
    rt.api('POST', `/tickets/${id}/replies`, { token, body });

  describe('watchers', () => {
    it('lets staff follow and unfollow, notifies watchers of replies, notes and status changes', async () => {
      // Prepare
      const ticket = await newTicket();

      // Act: zhang follows himself (twice: the retry changes nothing); the supervisor adds wang
      const followed = await rt.api('POST', `/tickets/${ticket.id}/watchers`, {
        token: rt.tokens.agent,
        body: {},
      });
      const again = await rt.api('POST', `/tickets/${ticket.id}/watchers`, {
        token: rt.tokens.agent,
        body: {},
      });
      const added = await rt.api('POST', `/tickets/${ticket.id}/watchers`, {
        token: rt.tokens.supervisor,
        body: { agentId: 'u-agent-wang' },
      });
      const replied = await reply(
        ticket.id,
        { body: '我们已安排工程师上门。', public: true },
        rt.tokens.admin,
      );

      // Assess
      expect(followed.status).toBe(200);
      expect(followed.body.watchers).toEqual(['u-agent-zhang']);
      expect(again.body.version).toBe(followed.body.version);
      expect(added.body.watchers).toEqual(['u-agent-zhang', 'u-agent-wang']);
      expect(replied.status).toBe(201);
      const notified = await outboxWith(
        ticket.id,
        (m) => m.filter((x) => x.kind === 'watch.reply').length >= 2,
      );
      expect(
        notified
          .filter((m) => m.kind === 'watch.reply')
          .map((m) => m.to)
          .sort(),
      ).toEqual(['wang.qiang@gongdan.local', 'zhang.wei@gongdan.local']);
      expect(notified.find((m) => m.kind === 'watch.reply').body).toContain('我们已安排工程师上门。');
      expect(
        (await history(ticket.id)).filter((e) => e.type === 'watched').map((e) => e.data.agentId),
      ).toEqual(['u-agent-zhang', 'u-agent-wang']);

      // Act: zhang unfollows; a status change then reaches wang only
      const unfollowed = await rt.api('DELETE', `/tickets/${ticket.id}/watchers/u-agent-zhang`, {
        token: rt.tokens.agent,
      });
      const moved = await rt.api('POST', `/tickets/${ticket.id}/transitions`, {
        token: rt.tokens.admin,
        body: { to: 'open' },
      });

      // Assess
      expect(unfollowed.status).toBe(200);
      expect(unfollowed.body.watchers).toEqual(['u-agent-wang']);
      expect(moved.status).toBe(200);
      const after = await outboxWith(ticket.id, (m) => m.some((x) => x.kind === 'watch.status'));
      expect(after.filter((m) => m.kind === 'watch.status').map((m) => m.to)).toEqual([
        'wang.qiang@gongdan.local',
      ]);
      expect(after.find((m) => m.kind === 'watch.status').subject).toContain('new → open');
    });

    it('refuses adding others without a supervisor, unknown agents and unknown tickets', async () => {
      const ticket = await newTicket();
      const byAgent = await rt.api('POST', `/tickets/${ticket.id}/watchers`, {
        token: rt.tokens.agent,
        body: { agentId: 'u-agent-li' },
      });
      const unknown = await rt.api('POST', `/tickets/${ticket.id}/watchers`, {
        token: rt.tokens.supervisor,
        body: { agentId: 'u-nobody' },
      });
      const malformed = await rt.api('POST', `/tickets/${ticket.id}/watchers`, {
        token: rt.tokens.supervisor,
        body: { agentId: 'not an id!' },
      });
      const removeOther = await rt.api('DELETE', `/tickets/${ticket.id}/watchers/u-agent-li`, {
        token: rt.tokens.agent,
      });
      const noTicket = await rt.api('POST', '/tickets/01NOSUCHTICKET/watchers', {
        token: rt.tokens.agent,
        body: {},
      });
      const byCustomer = await rt.api('POST', `/tickets/${ticket.id}/watchers`, {
        token: rt.tokens.customer,
        body: {},
      });

      expect(byAgent.status).toBe(403);
      expect(byAgent.body.error.code).toBe('TICKET.WATCHER_FORBIDDEN');
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.details.fields).toEqual([expect.objectContaining({ path: 'agentId' })]);
      expect(malformed.status).toBe(400);
      expect(removeOther.status).toBe(403);
      expect(noTicket.status).toBe(404);
      expect(byCustomer.status).toBe(403);
      expect((await get(ticket.id)).watchers ?? []).toEqual([]);
    });
  });

  describe('@mentions in internal notes', () => {
    it('notifies the mentioned agent of another team, makes them a watcher and records the mention', async () => {
      // Prepare: a service-desk ticket; wang works in field-repair
      const ticket = await newTicket('电梯异响', 'service-desk');

      // Act
      const noted = await reply(ticket.id, {
        body: '请 @u-agent-wang 帮忙看一下现场，结果发给 li.na@gongdan.local。',
        public: false,
      });

      // Assess
      expect(noted.status).toBe(201);
      expect(noted.body.message).toMatchObject({ public: false, mentions: ['u-agent-wang'] });
      expect(noted.body.ticket.watchers).toEqual(['u-agent-wang']);
      const mails = await outboxWith(ticket.id, (m) => m.some((x) => x.kind === 'mention'));
      const mention = mails.filter((m) => m.kind === 'mention');
      expect(mention).toHaveLength(1);
      expect(mention[0]).toMatchObject({ channel: 'email', to: 'wang.qiang@gongdan.local' });
      expect(mention[0].body).toContain('帮忙看一下现场');
      // The note reaches wang once (as a mention), not also as a watcher's note.
      expect(
        mails.filter((m) => m.kind === 'watch.note' && m.to === 'wang.qiang@gongdan.local'),
      ).toHaveLength(0);
      const mentioned = (await history(ticket.id)).find((e) => e.type === 'mentioned');
      expect(mentioned).toMatchObject({
        actor: { id: 'u-agent-zhang' },
        data: { agents: ['u-agent-wang'], messageId: noted.body.message.id },
      });
      const asWang = await rt.api('GET', `/tickets/${ticket.id}`, { token: as('u-agent-wang') });
      expect(asWang.status).toBe(200);
      expect(asWang.body.watchers).toContain('u-agent-wang');
      const watching = await rt.api('GET', '/tickets?watcher=me&limit=100', { token: as('u-agent-wang') });
      expect(watching.body.items.map((t: Json) => t.id)).toContain(ticket.id);
      const notWatching = await rt.api('GET', '/tickets?watcher=me&limit=100', { token: as('u-agent-li') });
      expect(notWatching.body.items.map((t: Json) => t.id)).not.toContain(ticket.id);
    });

    it('refuses a note mentioning an unknown agent with the field named, writing nothing', async () => {
      const ticket = await newTicket();
      const refused = await reply(ticket.id, { body: '@u-agent-wang 和 @u-nobody 请看', public: false });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('TICKET.UNKNOWN_MENTION');
      expect(refused.body.error.details.fields).toEqual([
        { path: 'body', message: '@u-nobody is not an agent', code: 'unknown_agent' },
      ]);
      expect(await thread(ticket.id)).toHaveLength(0);
      expect((await get(ticket.id)).watchers ?? []).toEqual([]);
    });

    it('treats @ in a public reply as text', async () => {
      const ticket = await newTicket();
      const sent = await reply(ticket.id, { body: '请联系 @u-nobody 或 service@example.com', public: true });
      expect(sent.status).toBe(201);
      expect(sent.body.message.mentions).toBeUndefined();
    });
  });

  describe('staff attachments', () => {
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

    it('uploads a file, attaches it to a note, lists it and downloads the same bytes', async () => {
      // Prepare
      const ticket = await newTicket();
      const bytes = Buffer.from(`%PDF-1.4 现场照片说明 ${randomUUID()}`);

      // Act: ask for a link, put the bytes, attach it to a note
      const started = await rt.api('POST', `/tickets/${ticket.id}/attachments`, {
        token: rt.tokens.agent,
        body: {
          filename: '现场报告.pdf',
          contentType: 'application/pdf',
          size: bytes.length,
          sha256: sha(bytes),
        },
      });
      expect(started.status).toBe(201);
      expect(started.body.attachment.status).toBe('pending');
      const early = await reply(ticket.id, {
        body: '附件见下',
        public: false,
        attachments: [started.body.attachment.id],
      });
      const put = await fetch(started.body.upload.url, {
        method: 'PUT',
        headers: started.body.upload.headers,
        body: bytes,
      });
      const noted = await reply(ticket.id, {
        body: '现场报告见附件',
        public: false,
        attachments: [started.body.attachment.id],
      });
      const listed = await rt.api('GET', `/tickets/${ticket.id}/attachments`, { token: rt.tokens.agent });
      const link = await rt.api('GET', `/tickets/${ticket.id}/attachments/${started.body.attachment.id}`, {
        token: as('u-agent-wang'),
      });
      const downloaded = await fetch(link.body.url);

      // Assess
      expect(early.status).toBe(409);
      expect(early.body.error.code).toBe('ATTACHMENT.NOT_UPLOADED');
      expect(put.status).toBe(200);
      expect(noted.status).toBe(201);
      expect(noted.body.message.attachments).toEqual([started.body.attachment.id]);
      expect(listed.body.items).toEqual([
        expect.objectContaining({
          id: started.body.attachment.id,
          filename: '现场报告.pdf',
          size: bytes.length,
          status: 'stored',
          uploadedBy: 'u-agent-zhang',
          messageId: noted.body.message.id,
        }),
      ]);
      expect(link.status).toBe(200);
      expect(downloaded.status).toBe(200);
      expect(downloaded.headers.get('content-disposition')).toMatch(/^attachment;/);
      expect(Buffer.from(await downloaded.arrayBuffer()).equals(bytes)).toBe(true);
      expect((await history(ticket.id)).some((e) => e.type === 'attached')).toBe(true);
    });

    it('refuses files too large, of a refused type or a program, and bytes other than declared', async () => {
      const ticket = await newTicket();
      const ask = (body: Record<string, unknown>) =>
        rt.api('POST', `/tickets/${ticket.id}/attachments`, { token: rt.tokens.agent, body });
      const hash = 'a'.repeat(64);

      const large = await ask({
        filename: 'big.zip',
        contentType: 'application/zip',
        size: 11 * 1024 * 1024,
        sha256: hash,
      });
      const program = await ask({
        filename: 'setup.exe',
        contentType: 'application/pdf',
        size: 10,
        sha256: hash,
      });
      const type = await ask({
        filename: 'a.bin',
        contentType: 'application/x-msdownload',
        size: 10,
        sha256: hash,
      });
      const bad = await ask({ filename: 'a/b.pdf', contentType: 'pdf', size: -1, sha256: 'xyz' });
      expect(large.status).toBe(413);
      expect(large.body.error.details).toMatchObject({
        maxBytes: 10 * 1024 * 1024,
        fields: [{ path: 'size' }],
      });
      expect(program.status).toBe(415);
      expect(program.body.error.details.fields).toEqual([
        expect.objectContaining({ path: 'filename', code: 'executable' }),
      ]);
      expect(type.status).toBe(415);
      expect(type.body.error.details.fields).toEqual([expect.objectContaining({ path: 'contentType' })]);
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.fields.map((f: Json) => f.path).sort()).toEqual([
        'contentType',
        'filename',
        'sha256',
        'size',
      ]);

      // Bytes that are not the declared ones are refused by the upload link
      const declared = Buffer.from('hello');
      const started = await ask({
        filename: 'a.txt',
        contentType: 'text/plain',
        size: 5,
        sha256: sha(declared),
      });
      const wrong = await fetch(started.body.upload.url, {
        method: 'PUT',
        headers: started.body.upload.headers,
        body: Buffer.from('HELLO'),
      });
      const tampered = await fetch(started.body.upload.url.replace('size=5', 'size=6'), {
        method: 'PUT',
        body: Buffer.from('hello!'),
      });
      expect(wrong.status).toBe(400);
      expect(tampered.status).toBe(403);
      const unknown = await reply(ticket.id, { body: 'x', public: false, attachments: ['nope'] });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.details.fields).toEqual([expect.objectContaining({ path: 'attachments.0' })]);
      const noFile = await rt.api('GET', `/tickets/${ticket.id}/attachments/nope`, {
        token: rt.tokens.agent,
      });
      expect(noFile.status).toBe(404);
      const byCustomer = await rt.api('GET', `/tickets/${ticket.id}/attachments`, {
        token: rt.tokens.customer,
      });
      expect(byCustomer.status).toBe(403);
    });
  });

  describe('merge', () => {
    const mid = () => `${randomUUID()}@mail.example.com`;
    const raw = (m: { from: string; subject: string; body: string; messageId: string; inReplyTo?: string }) =>
      [
        `From: ${m.from}`,
        'To: support@gongdan.local',
        `Subject: =?UTF-8?B?${Buffer.from(m.subject).toString('base64')}?=`,
        'Date: Fri, 20 Nov 2026 08:00:00 +0800',
        `Message-ID: <${m.messageId}>`,
        ...(m.inReplyTo ? [`In-Reply-To: ${m.inReplyTo}`] : []),
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        m.body,
        '',
      ].join('\r\n');
    const deliver = (m: Parameters<typeof raw>[0]) =>
      rt.api('POST', '/dev/inbound-email', {
        rawBody: raw(m),
        headers: { 'content-type': 'message/rfc822' },
      });

    it('moves the thread and watchers to the target, closes the duplicate, and routes later mail there', async () => {
      // Prepare: the same customer mails twice about one problem
      const from = `kunde-${randomUUID().slice(0, 8)}@example.com`;
      const first = await deliver({ from, subject: '打印机卡纸', body: '三楼打印机卡纸', messageId: mid() });
      const second = await deliver({ from, subject: '打印机又坏了', body: '还是三楼那台', messageId: mid() });
      expect(first.status).toBe(202);
      expect(second.status).toBe(202);
      const duplicateId = second.body.ticketId as string;
      const targetId = first.body.ticketId as string;
      const [ack] = await outboxWith(duplicateId, (m) => m.some((x) => x.kind === 'ack'));
      await rt.api('POST', `/tickets/${duplicateId}/watchers`, { token: as('u-agent-li'), body: {} });
      const asked = await reply(duplicateId, { body: '请问是哪一台打印机？', public: true });
      expect(asked.status).toBe(201);
      const target = await get(targetId);

      // Act
      const merged = await rt.api('POST', `/tickets/${duplicateId}/merge`, {
        token: rt.tokens.agent,
        body: { into: target.number, reason: '同一台打印机' },
      });

      // Assess: the duplicate is closed with its pointer; the target has the thread, the note, the watcher
      expect(merged.status).toBe(200);
      expect(merged.body.messagesCopied).toBe(1);
      expect(merged.body.duplicate).toMatchObject({
        status: 'closed',
        mergedInto: { id: targetId, number: target.number },
      });
      const onTarget = await thread(targetId);
      expect(onTarget.find((m) => m.body === '请问是哪一台打印机？')).toMatchObject({
        public: true,
        mergedFrom: { ticketId: duplicateId, number: second.body.number, messageId: asked.body.message.id },
      });
      const note = onTarget.find((m) => !m.public && m.body.includes('同一台打印机'));
      expect(note.body).toContain(second.body.number);
      expect(note.body).toContain('还是三楼那台');
      const into = await get(targetId);
      expect(into.watchers).toContain('u-agent-li');
      expect(into.links).toEqual([expect.objectContaining({ ticketId: duplicateId, kind: 'merged' })]);
      expect((await history(targetId)).find((e) => e.type === 'merged')).toMatchObject({
        data: { from: duplicateId, messagesCopied: 1, reason: '同一台打印机' },
      });
      const events = await eventually(async () => {
        const all = (await rt.api('GET', '/dev/events')).body.events as Json[];
        const found = all.filter(
          (e) => e.detailType === 'ticket.merged' && e.detail.ticketId === duplicateId,
        );
        return found.length ? found : undefined;
      }, 10_000);
      expect(events[0].detail).toMatchObject({ intoTicketId: targetId, intoNumber: target.number });

      // Act: the customer answers the duplicate's acknowledgement
      const later = await deliver({
        from,
        subject: `Re: ${ack.subject}`,
        body: '打印机现在又能用了吗？',
        messageId: mid(),
        inReplyTo: ack.headers['Message-ID'],
      });

      // Assess: it lands on the target
      expect(later.status).toBe(202);
      expect(later.body).toMatchObject({ ticketId: targetId, created: false });
      expect((await thread(targetId)).some((m) => m.body === '打印机现在又能用了吗？' && m.public)).toBe(
        true,
      );
      expect((await thread(duplicateId)).some((m) => m.body === '打印机现在又能用了吗？')).toBe(false);
    });

    it('refuses merging into itself, a merged ticket twice, into a merged or a closed ticket', async () => {
      const a = await newTicket('A');
      const b = await newTicket('B');
      const c = await newTicket('C');
      const merge = (id: string, into: string) =>
        rt.api('POST', `/tickets/${id}/merge`, { token: rt.tokens.agent, body: { into } });

      const self = await merge(a.id, a.number);
      expect(self.status).toBe(400);
      expect(self.body.error.details.fields).toEqual([expect.objectContaining({ path: 'into' })]);
      expect((await merge(a.id, b.id)).status).toBe(200);
      const twice = await merge(a.id, c.number);
      expect(twice.status).toBe(409);
      expect(twice.body.error.details.reason).toBe('already_merged');
      const intoMerged = await merge(c.id, a.number);
      expect(intoMerged.status).toBe(409);
      expect(intoMerged.body.error.details.reason).toBe('target_merged');
      const unknown = await merge(c.id, 'GD-999999');
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.details.fields).toEqual([expect.objectContaining({ path: 'into' })]);
      const empty = await rt.api('POST', `/tickets/${c.id}/merge`, { token: rt.tokens.agent, body: {} });
      expect(empty.status).toBe(400);

      // A closed target
      const d = await newTicket('D');
      for (const to of ['open', 'resolved', 'closed']) {
        const moved = await rt.api('POST', `/tickets/${d.id}/transitions`, {
          token: rt.tokens.admin,
          body: { to, ...(to === 'resolved' ? { summary: '已处理 / Done' } : {}) },
        });
        expect(moved.status).toBe(200);
      }
      const intoClosed = await merge(c.id, d.number);
      expect(intoClosed.status).toBe(409);
      expect(intoClosed.body.error.details.reason).toBe('target_closed');
      expect((await get(c.id)).status).toBe('new');
    });
  });

  describe('related links', () => {
    it('links two tickets, shows the link on both and removes it from both', async () => {
      const a = await newTicket('网络断开');
      const b = await newTicket('交换机告警');

      const linked = await rt.api('POST', `/tickets/${a.id}/links`, {
        token: rt.tokens.agent,
        body: { ticket: b.number, kind: 'related' },
      });
      expect(linked.status).toBe(201);
      expect(linked.body.links).toEqual([
        expect.objectContaining({ ticketId: b.id, number: b.number, kind: 'related' }),
      ]);
      expect((await get(b.id)).links).toEqual([expect.objectContaining({ ticketId: a.id, kind: 'related' })]);

      const self = await rt.api('POST', `/tickets/${a.id}/links`, {
        token: rt.tokens.agent,
        body: { ticket: a.id },
      });
      const unknown = await rt.api('POST', `/tickets/${a.id}/links`, {
        token: rt.tokens.agent,
        body: { ticket: 'GD-999999' },
      });
      const kind = await rt.api('POST', `/tickets/${a.id}/links`, {
        token: rt.tokens.agent,
        body: { ticket: b.id, kind: 'parent' },
      });
      expect(self.status).toBe(400);
      expect(unknown.status).toBe(404);
      expect(kind.status).toBe(400);

      const removed = await rt.api('DELETE', `/tickets/${a.id}/links/${b.number}`, {
        token: rt.tokens.agent,
      });
      expect(removed.status).toBe(200);
      expect(removed.body.links).toEqual([]);
      expect((await get(b.id)).links).toEqual([]);
      const again = await rt.api('DELETE', `/tickets/${a.id}/links/${b.id}`, { token: rt.tokens.agent });
      expect(again.status).toBe(404);
    });
  });
});

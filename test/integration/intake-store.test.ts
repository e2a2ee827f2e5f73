import { beforeAll, describe, expect, it } from 'vitest';
import type { DynamoIntakeStore } from '#shared/adapters/dynamo/dynamo-intake-store.ts';
import type { NewTicket, Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import { createTicket } from '#shared/use-cases/create-ticket.ts';
import type { TicketDeps } from '#shared/use-cases/deps.ts';
import { freshChannelDeps } from '../support/channel-fixtures.ts';
import { agent } from '../support/ticket-fixtures.ts';

let store: DynamoIntakeStore;
let deps: TicketDeps;
const at = (iso: string) => new Date(iso);

const newTicket = (email: string, subject = '打印机卡纸'): NewTicket => ({
  subject,
  description: '',
  priority: 'normal',
  tags: [],
  customFields: {},
  customer: { email, tier: 'standard' },
});
const open = async (email = 'zhao@example.com', subject?: string): Promise<Ticket> =>
  (await createTicket(newTicket(email, subject), agent, deps)).ticket;

beforeAll(async () => {
  const ctx = await freshChannelDeps();
  store = ctx.store;
  deps = ctx.deps;
});

describe('DynamoDB intake store (against DynamoDB Local)', () => {
  describe('ledger', () => {
    it('claims a key once, holds it against others, and answers with the record once done', async () => {
      // Prepare
      const now = at('2026-11-20T08:00:00Z');

      // Act
      const first = await store.ledger.claim('email:mid:a@x', now, 300);
      const second = await store.ledger.claim('email:mid:a@x', now, 300);
      const before = await store.ledger.find('email:mid:a@x');
      await store.ledger.complete('email:mid:a@x', { outcome: 'created', ticketId: 'T1' }, now);
      const after = await store.ledger.claim('email:mid:a@x', now, 300);

      // Assess
      expect(first).toEqual({ kind: 'claimed' });
      expect(second).toEqual({ kind: 'held' });
      expect(before).toBeNull();
      expect(after).toEqual({ kind: 'done', record: { outcome: 'created', ticketId: 'T1' } });
      expect(await store.ledger.find('email:mid:a@x')).toEqual({ outcome: 'created', ticketId: 'T1' });
    });

    it('lets a released key, or one whose holder crashed (hold expired), be claimed again', async () => {
      const now = at('2026-11-20T08:00:00Z');
      await store.ledger.claim('k-release', now, 300);
      await store.ledger.release('k-release');
      expect(await store.ledger.claim('k-release', now, 300)).toEqual({ kind: 'claimed' });

      await store.ledger.claim('k-crash', now, 60);
      expect(await store.ledger.claim('k-crash', at('2026-11-20T08:00:59Z'), 60)).toEqual({ kind: 'held' });
      expect(await store.ledger.claim('k-crash', at('2026-11-20T08:01:01Z'), 60)).toEqual({
        kind: 'claimed',
      });
    });

    it('gives a key to exactly one of many concurrent claimants', async () => {
      const now = at('2026-11-20T08:00:00Z');
      const claims = await Promise.all(
        Array.from({ length: 25 }, () => store.ledger.claim('k-race', now, 300)),
      );
      expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(1);
      expect(claims.filter((c) => c.kind === 'held')).toHaveLength(24);
    });

    it('keeps very long or odd keys (hashed into the item key)', async () => {
      const key = `email:mid:${'x'.repeat(600)} 空格`;
      expect(await store.ledger.claim(key, at('2026-11-20T08:00:00Z'), 300)).toEqual({ kind: 'claimed' });
      await store.ledger.complete(key, { outcome: 'appended', ticketId: 'T9' }, at('2026-11-20T08:00:00Z'));
      expect(await store.ledger.find(key)).toEqual({ outcome: 'appended', ticketId: 'T9' });
    });
  });

  describe('threading lookups and mail state', () => {
    it('finds a ticket by an outbound Message-ID only once that id was recorded as sent', async () => {
      // Prepare
      const ticket = await open();

      // Act
      const before = await store.lookups.byOutboundMessageId({ ticketId: ticket.id, messageId: 'M1' });
      await store.threads.recordOutbound(ticket.id, {
        messageId: 'M1',
        headerId: `gd.${ticket.id}.M1@d`,
        kind: 'ack',
      });
      const after = await store.lookups.byOutboundMessageId({ ticketId: ticket.id, messageId: 'M1' });
      const guessed = await store.lookups.byOutboundMessageId({ ticketId: ticket.id, messageId: 'M2' });

      // Assess
      expect(before).toBeNull();
      expect(after).toMatchObject({ id: ticket.id, number: ticket.number, participants: [] });
      expect(guessed).toBeNull();
    });

    it("finds a ticket by the provider's rewritten Message-ID, case-insensitively", async () => {
      const ticket = await open();
      await store.threads.recordProviderId('0102019ABC-def@eu-central-1.amazonses.com', ticket.id, 'M1');
      expect(
        await store.lookups.bySentMessageId?.('0102019abc-DEF@EU-CENTRAL-1.amazonses.com'),
      ).toMatchObject({
        id: ticket.id,
      });
      expect(await store.lookups.bySentMessageId?.('other@eu-central-1.amazonses.com')).toBeNull();
    });

    it('finds a ticket by an inbound Message-ID recorded on it, the first ticket keeping the id', async () => {
      // Prepare
      const first = await open();
      const second = await open();

      // Act
      await store.threads.recordInbound(first.id, 'Customer-Mail-1@Example.COM', []);
      await store.threads.recordInbound(second.id, 'customer-mail-1@example.com', []);

      // Assess
      expect(await store.lookups.byInboundMessageId?.('customer-mail-1@example.com')).toMatchObject({
        id: first.id,
      });
      expect(await store.lookups.byInboundMessageId?.('never-seen@example.com')).toBeNull();
    });

    it('finds a ticket by number, by Thread-Index root (the newest ticket wins) and by topic and sender', async () => {
      // Prepare
      const older = await open('li@example.com', 'VPN drops');
      const newer = await open('li@example.com', 'VPN drops');
      await store.threads.indexOpened(newer.id, {
        threadIndexRoot: 'ROOT1',
        topic: 'vpn drops',
        customerEmail: 'li@example.com',
        at: at('2026-11-20T09:00:00Z'),
      });
      await store.threads.indexOpened(older.id, {
        threadIndexRoot: 'ROOT1',
        topic: 'vpn drops',
        customerEmail: 'li@example.com',
        at: at('2026-11-20T08:00:00Z'),
      });

      // Act
      const byNumber = await store.lookups.byNumber(older.number);
      const byRoot = await store.lookups.byThreadIndexRoot('ROOT1');
      const byTopic = await store.lookups.byThreadTopic('vpn drops', 'LI@example.com');
      const otherSender = await store.lookups.byThreadTopic('vpn drops', 'wang@example.com');

      // Assess
      expect(byNumber?.id).toBe(older.id);
      expect(byRoot?.id).toBe(newer.id);
      expect(byTopic?.id).toBe(newer.id);
      expect(otherSender).toBeNull();
      expect((await store.threads.state(newer.id)).threadIndexRoot).toBe('ROOT1');
    });

    it('keeps the thread: first and latest inbound ids, every id in order, participants lower-cased once', async () => {
      // Prepare
      const ticket = await open();

      // Act
      await store.threads.recordInbound(ticket.id, 'c1@mail', ['Boss@Example.com', 'li@example.com']);
      await store.threads.recordOutbound(ticket.id, { messageId: 'M1', headerId: 'gd.1@d', kind: 'ack' });
      await store.threads.recordInbound(ticket.id, 'c2@mail', ['boss@example.com']);
      await store.threads.recordInbound(ticket.id, null, []);

      // Assess
      expect(await store.threads.state(ticket.id)).toEqual({
        participants: ['boss@example.com', 'li@example.com'],
        firstMessageId: 'c1@mail',
        lastInboundMessageId: 'c2@mail',
        messageIds: ['c1@mail', 'gd.1@d', 'c2@mail'],
        threadIndexRoot: null,
      });
      expect((await store.lookups.byNumber(ticket.number))?.participants).toEqual([
        'boss@example.com',
        'li@example.com',
      ]);
    });
  });

  describe('rate counter', () => {
    it('counts hits per subject over a sliding window', async () => {
      // Act
      const counts: number[] = [];
      for (const minute of [0, 10, 20, 50]) {
        counts.push(
          await store.rates.hit(
            'email-sender',
            'flood@example.com',
            at(`2026-11-20T08:${String(minute).padStart(2, '0')}:00Z`),
            60,
          ),
        );
      }
      const later = await store.rates.hit(
        'email-sender',
        'FLOOD@example.com',
        at('2026-11-20T09:25:00Z'),
        60,
      );
      const other = await store.rates.hit('email-sender', 'calm@example.com', at('2026-11-20T08:50:00Z'), 60);
      const otherScope = await store.rates.hit(
        'portal-ip',
        'flood@example.com',
        at('2026-11-20T08:50:00Z'),
        60,
      );

      // Assess: at 09:25 only the hits since 08:25 (08:50 and this one) count
      expect(counts).toEqual([1, 2, 3, 4]);
      expect(later).toBe(2);
      expect(other).toBe(1);
      expect(otherScope).toBe(1);
    });

    it('counts every one of many concurrent hits', async () => {
      const now = at('2026-11-20T08:00:00Z');
      await Promise.all(
        Array.from({ length: 30 }, () => store.rates.hit('portal-ip', '203.0.113.7', now, 10)),
      );
      expect(await store.rates.hit('portal-ip', '203.0.113.7', now, 10)).toBe(31);
    });
  });

  describe('alert index, external references, attachment records', () => {
    it('points an alert key at the newest ticket opened for it', async () => {
      // Prepare
      const first = await open('ops@example.com', 'DiskFull');
      const second = await open('ops@example.com', 'DiskFull');

      // Act
      const none = await store.alerts.latestByKey('alert:grafana:fp1');
      await store.alerts.setLatest('alert:grafana:fp1', second.id, '2026-11-20T09:00:00Z');
      await store.alerts.setLatest('alert:grafana:fp1', first.id, '2026-11-20T08:00:00Z');

      // Assess
      expect(none).toBeNull();
      expect(await store.alerts.latestByKey('alert:grafana:fp1')).toEqual({
        id: second.id,
        number: second.number,
        status: 'new',
        customFields: {},
      });
    });

    it('remembers the first ticket for an external reference', async () => {
      await store.externalRefs.put('erp', '1234', 'T1');
      await store.externalRefs.put('erp', '1234', 'T2');
      expect(await store.externalRefs.find('erp', '1234')).toBe('T1');
      expect(await store.externalRefs.find('erp', '9999')).toBeNull();
    });

    it('lists attachment records of a ticket, once per file however often they are stored', async () => {
      const record = {
        ticketId: 'TA',
        filename: 'photo.jpg',
        contentType: 'image/jpeg',
        size: 10,
        sha256: 'a'.repeat(64),
        inline: false,
        storageKey: `attachments/TA/${'a'.repeat(64)}/photo.jpg`,
        channel: 'email',
        at: '2026-11-20T08:00:00.000Z',
      };
      await store.attachmentRecords.add([record]);
      await store.attachmentRecords.add([
        record,
        { ...record, filename: 'scan.pdf', contentType: 'application/pdf' },
      ]);
      expect((await store.attachmentRecords.list('TA')).map((r) => r.filename)).toEqual([
        'photo.jpg',
        'scan.pdf',
      ]);
    });
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseEmail } from '#shared/adapters/email/parse-email.ts';
import type { ChannelTicketDeps } from '#shared/channels/deps.ts';
import { receiveEmail } from '#shared/channels/email-channel.ts';
import { receiveWebhook } from '#shared/channels/webhook-channel.ts';
import { DomainError } from '#shared/domain/errors.ts';
import type { InboundEmail } from '#shared/domain/intake/inbound-email.ts';
import { removeSubjectTags } from '#shared/domain/intake/threading.ts';
import { signatureHeaderValue, WebhookSourceConfig } from '#shared/domain/intake/webhook.ts';
import { freshChannelDeps, randomSecret } from '../support/channel-fixtures.ts';

const fixtureRoot = path.resolve(fileURLToPath(new URL('../../', import.meta.url)), '../shared/data/email');

interface ManifestFile {
  file: string;
  expected_from_source_tests?: {
    subject?: string;
    from_first?: { address: string };
    from?: string;
    from_address?: string;
    from_header_decoded?: string;
  };
}

const manifest = JSON.parse(readFileSync(path.join(fixtureRoot, 'manifest.json'), 'utf8')) as {
  files: ManifestFile[];
};

/** The address a source test expects, from whichever field it used. */
function expectedSender(e: ManifestFile['expected_from_source_tests'] = {}): string | undefined {
  const text = e.from_first?.address ?? e.from_address ?? e.from ?? e.from_header_decoded;
  if (!text) return undefined;
  return (/<([^<>]+)>\s*$/.exec(text)?.[1] ?? text).trim();
}

async function parsed(raw: Buffer | string): Promise<InboundEmail> {
  const result = await parseEmail(raw);
  if (!result.ok) throw result.error;
  return result.email;
}

const codeOf = (error: unknown) =>
  error instanceof DomainError ? error.code : `unexpected: ${String(error)}`;

describe('Every shared .eml through the e-mail channel over DynamoDB Local', () => {
  it('finds the fixtures the manifest lists', () => {
    expect(manifest.files.length).toBeGreaterThanOrEqual(61);
  });

  // A fresh table each: several fixtures share a Message-ID (and would rightly be duplicates).
  it.each(manifest.files)(
    'ingests $file with its subject and sender, or refuses it clearly',
    async ({ file, expected_from_source_tests: expected }) => {
      // Prepare
      const { deps, notifier, attachments, drain } = await freshChannelDeps();
      const raw = readFileSync(path.join(fixtureRoot, file));
      const parse = await parseEmail(raw);
      expect(parse.ok, file).toBe(true);
      const email = (parse as { email: InboundEmail }).email;

      // Act
      let result: Awaited<ReturnType<typeof receiveEmail>>;
      try {
        result = await receiveEmail(email, deps);
      } catch (error) {
        // The one refusal a parsed message can get here: nobody to answer.
        expect(codeOf(error), file).toBe('INTAKE.NO_SENDER');
        expect(email.from, file).toBeNull();
        return;
      }

      await drain();
      // Assess
      expect(['created', 'ignored'], file).toContain(result.outcome);
      if (result.outcome === 'ignored') {
        expect(email.headers.reportType ?? email.from?.address, file).toMatch(
          /delivery-status|daemon|postmaster/i,
        );
        return;
      }
      const ticket = (await deps.tickets.get(result.ticketId!))!;
      const subject = (removeSubjectTags(email.subject) || '(no subject)').slice(0, 200);
      expect(ticket.subject, file).toBe(subject);
      if (expected?.subject !== undefined) {
        expect(ticket.subject, file).toBe((expected.subject.trim() || '(no subject)').slice(0, 200));
      }
      const sender = expectedSender(expected);
      if (sender) expect(ticket.customer.email?.toLowerCase(), file).toBe(sender.toLowerCase());
      expect(ticket.channel).toBe('email');
      expect(attachments.files.size, file).toBe(
        new Set(email.attachments.map((a) => `${a.sha256}/${a.filename}`)).size,
      );
      expect(notifier.sent.length, file).toBeLessThanOrEqual(1);
    },
  );
});

describe('The acknowledgement when it runs before the thread is indexed', () => {
  it("answers the customer's mail and keeps their Outlook conversation, from what the change recorded", async () => {
    // Prepare: the dispatcher runs the acknowledgement between the ticket's commit and the channel's
    // thread index (as a stream can), so the thread state knows nothing of the mail yet
    const { deps, notifier, drain } = await freshChannelDeps();
    const { threads } = deps.channels;
    const raced = {
      ...deps,
      channels: {
        ...deps.channels,
        threads: {
          ...threads,
          indexOpened: async (...args: Parameters<typeof threads.indexOpened>) => {
            await drain();
            return threads.indexOpened(...args);
          },
        },
      },
    };
    const root = Buffer.concat([Buffer.from([1]), randomBytes(21)]).toString('base64');
    const messageId = `${randomUUID()}@mail.example.com`;
    const email = await parsed(
      [
        `From: race-${randomUUID().slice(0, 8)}@example.com`,
        'To: support@desk.example.com',
        'Subject: Projector flickers',
        `Message-ID: <${messageId}>`,
        `Thread-Index: ${root}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'The projector in room 4 flickers.',
        '',
      ].join('\r\n'),
    );

    // Act
    const result = await receiveEmail(email, raced);
    await drain();

    // Assess
    expect(result.outcome).toBe('created');
    const acks = notifier.sent.filter((m) => m.kind === 'ack');
    expect(acks).toHaveLength(1);
    expect(acks[0]!.headers).toMatchObject({
      'In-Reply-To': `<${messageId}>`,
      References: `<${messageId}>`,
      'Thread-Index': root,
    });
    const state = await threads.state(result.ticketId!);
    expect(state.threadIndexRoot).toBe(root);
  });
});

describe('Idempotency under concurrency', () => {
  const mail = (from: string, messageId: string, extraHeader?: string) =>
    [
      `From: ${from}`,
      'To: support@desk.example.com',
      'Subject: Printer broken',
      `Message-ID: <${messageId}>`,
      ...(extraHeader ? [extraHeader] : []),
      'Content-Type: text/plain; charset=utf-8',
      '',
      'The printer on floor 3 is broken.',
      '',
    ].join('\r\n');

  const settle = (deps: ChannelTicketDeps, email: InboundEmail, n: number) =>
    Promise.allSettled(Array.from({ length: n }, () => receiveEmail(email, deps)));

  it('opens one ticket and sends one acknowledgement for a mail delivered many times at once', async () => {
    // Prepare
    const { deps, notifier, drain } = await freshChannelDeps();
    const customer = `race-${randomUUID().slice(0, 8)}@example.com`;
    const email = await parsed(mail(customer, `${randomUUID()}@example.com`));

    // Act
    const results = await settle(deps, email, 12);
    await drain();

    // Assess: one created; the others saw the first's result or were told to retry (IN_PROGRESS)
    const fulfilled = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const rejected = results.flatMap((r) => (r.status === 'rejected' ? [codeOf(r.reason)] : []));
    expect(fulfilled.filter((r) => r.created)).toHaveLength(1);
    expect(fulfilled.filter((r) => !r.created).every((r) => r.outcome === 'duplicate')).toBe(true);
    expect(rejected.every((code) => code === 'INTAKE.IN_PROGRESS')).toBe(true);
    const list = await deps.tickets.list({ customerEmail: customer }, { limit: 50 });
    expect(list.items).toHaveLength(1);
    expect(notifier.sent.filter((m) => m.kind === 'ack')).toHaveLength(1);

    // Act again: a retry after the race changes nothing
    const retry = await receiveEmail(email, deps);
    expect(retry).toMatchObject({ outcome: 'duplicate', ticketId: list.items[0]!.id, created: false });
  });

  it('appends a reply delivered many times at once exactly once', async () => {
    // Prepare
    const { deps, notifier, drain } = await freshChannelDeps();
    const customer = `reply-${randomUUID().slice(0, 8)}@example.com`;
    const opened = await receiveEmail(await parsed(mail(customer, `${randomUUID()}@example.com`)), deps);
    await drain();
    const ack = notifier.sent[0]!;
    const reply = await parsed(
      mail(customer, `${randomUUID()}@example.com`, `In-Reply-To: ${ack.headers!['Message-ID']}`).replace(
        'Subject: Printer broken',
        `Subject: Re: ${ack.subject}`,
      ),
    );

    // Act
    await settle(deps, reply, 8);

    // Assess
    expect(await deps.tickets.messages(opened.ticketId!)).toHaveLength(1);
  });

  it('keeps one ticket per alert episode when copies of an alert race, counting every repeat', async () => {
    // Prepare
    const secret = randomSecret();
    const config = WebhookSourceConfig.parse({
      source: 'grafana',
      secretRef: '/gongdan/webhooks/grafana',
      mapping: {
        subject: { template: '{{labels.alertname}} on {{labels.instance}}' },
        customer: { email: { value: 'ops@example.com' } },
      },
      alert: { fingerprint: 'fingerprint' },
    });
    const { deps } = await freshChannelDeps({ webhooks: [{ config, secrets: [secret] }] });
    const fingerprint = randomUUID();
    const deliver = () => {
      const body = JSON.stringify({
        fingerprint,
        id: randomUUID(),
        labels: { alertname: 'Down', instance: 'web-1' },
      });
      const timestamp = String(Math.floor(deps.clock.now().getTime() / 1000));
      return receiveWebhook(
        {
          source: 'grafana',
          body,
          headers: {
            'x-gongdan-timestamp': timestamp,
            'x-gongdan-signature': signatureHeaderValue(secret, timestamp, body),
            'x-gongdan-delivery': randomUUID(),
          },
        },
        deps,
      );
    };

    // Act
    const results = await Promise.allSettled(Array.from({ length: 10 }, deliver));

    // Assess
    const outcomes = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.outcome] : []));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [codeOf(r.reason)] : []));
    expect(
      failures.every((code) => code === 'INTAKE.IN_PROGRESS'),
      failures.join(),
    ).toBe(true);
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    const list = await deps.tickets.list({ customerEmail: 'ops@example.com' }, { limit: 50 });
    expect(list.items).toHaveLength(1);
    expect(list.items[0]!.customFields.alertCount).toBe(
      1 + outcomes.filter((o) => o === 'alert_repeated').length,
    );
  });
});

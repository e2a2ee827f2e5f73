import { describe, expect, it } from 'vitest';
import { emailIntakePolicy, ingestEmail, quarantineTags } from '#shared/domain/intake/email-intake.ts';
import type { InboundEmail } from '#shared/domain/intake/inbound-email.ts';
import { type MailAuth, mailAuthOf } from '#shared/domain/intake/mail-auth.ts';
import { decideThread, defaultThreadingPolicy } from '#shared/domain/intake/threading.ts';
import { fakeDesk, mail, ourDomain, parsed } from './intake-fakes.ts';

const policy = emailIntakePolicy(ourDomain);
const failed: MailAuth = mailAuthOf({ spf: 'fail', dkim: 'fail', dmarc: 'fail' });
const passed: MailAuth = mailAuthOf({ spf: 'pass', dkim: 'pass', dmarc: 'pass' });

/** A desk whose tickets also know the inbound Message-IDs that landed on them. */
function deskWithInboundIds() {
  const desk = fakeDesk();
  const inbound = new Map<string, string>();
  desk.ports.lookups.byInboundMessageId = (id) => {
    const ticketId = inbound.get(id.toLowerCase());
    return ticketId ? desk.tickets.get(ticketId)! : null;
  };
  return { desk, recordInbound: (id: string, ticketId: string) => inbound.set(id.toLowerCase(), ticketId) };
}

const withAuth = (email: InboundEmail, auth: MailAuth): InboundEmail => ({ ...email, auth });

describe('threading by inbound Message-IDs', () => {
  it("finds the ticket a colleague's reply-all belongs to by the customer's own Message-ID", async () => {
    // Prepare
    const { desk, recordInbound } = deskWithInboundIds();
    const ticket = desk.seed({ customer: { email: 'zhao@example.com' } });
    recordInbound('first-123@example.com', ticket.id);
    const reply = await parsed(
      mail({
        from: 'Qian <qian@example.com>',
        subject: 'Re: Printer broken',
        inReplyTo: '<first-123@example.com>',
      }),
    );

    // Act
    const decision = await decideThread(
      reply,
      desk.ports.lookups,
      { ...defaultThreadingPolicy, messageIdDomain: ourDomain },
      new Date('2026-11-20T09:00:00Z'),
    );

    // Assess
    expect(decision).toMatchObject({
      kind: 'append',
      ticketId: ticket.id,
      via: 'in-reply-to',
      author: 'participant',
    });
  });

  it('finds it by References when In-Reply-To names nothing known', async () => {
    const { desk, recordInbound } = deskWithInboundIds();
    const ticket = desk.seed();
    recordInbound('first-456@example.com', ticket.id);
    const reply = await parsed(
      mail({
        from: 'qian@example.com',
        inReplyTo: '<unknown@example.com>',
        references: '<first-456@example.com> <unknown@example.com>',
      }),
    );

    const decision = await decideThread(
      reply,
      desk.ports.lookups,
      { ...defaultThreadingPolicy, messageIdDomain: ourDomain },
      new Date('2026-11-20T09:00:00Z'),
    );

    expect(decision).toMatchObject({ kind: 'append', ticketId: ticket.id, via: 'references' });
  });
});

describe('ingestEmail() and sender authentication', () => {
  it('opens a flagged ticket, unacknowledged, for failing mail that carries a ticket tag', async () => {
    // Prepare
    const { desk } = deskWithInboundIds();
    const ticket = desk.seed();
    const forged = withAuth(
      await parsed(mail({ from: 'zhao@example.com', subject: `Re: Printer broken [${ticket.number}]` })),
      failed,
    );

    // Act
    const result = await ingestEmail(forged, policy, desk.ports);

    // Assess
    expect(result).toMatchObject({ outcome: 'created', created: true, autoReply: { send: false } });
    expect(result.ticketId).not.toBe(ticket.id);
    expect(ticket.thread).toEqual([]);
    const opened = desk.tickets.get(result.ticketId!)!;
    expect(opened.customFields).toEqual({
      mailAuth: 'fail',
      mailAuthResults: 'spf=fail dkim=fail dmarc=fail',
      mailAuthClaimed: ticket.number,
    });
    expect(quarantineTags).toEqual(['mail-auth-failed', 'needs-review']);
  });

  it("does not thread failing mail by a Message-ID it names either (ours or the customer's)", async () => {
    const { desk, recordInbound } = deskWithInboundIds();
    const ticket = desk.seed();
    recordInbound('first-789@example.com', ticket.id);
    const byTheirs = withAuth(
      await parsed(mail({ from: 'qian@example.com', inReplyTo: '<first-789@example.com>' })),
      failed,
    );
    const byOurs = withAuth(
      await parsed(mail({ from: 'zhao@example.com', inReplyTo: `<gd.${ticket.id}.M1@${ourDomain}>` })),
      failed,
    );

    const results = [
      await ingestEmail(byTheirs, policy, desk.ports),
      await ingestEmail(byOurs, policy, desk.ports),
    ];

    for (const result of results) expect(result).toMatchObject({ created: true });
    expect(ticket.thread).toEqual([]);
  });

  it('threads passing mail as before and hands its verdicts on with the message', async () => {
    const { desk } = deskWithInboundIds();
    const ticket = desk.seed();
    const reply = withAuth(
      await parsed(mail({ from: 'zhao@example.com', subject: `Re: Printer broken [${ticket.number}]` })),
      passed,
    );

    const result = await ingestEmail(reply, policy, desk.ports);

    expect(result).toMatchObject({ outcome: 'appended', ticketId: ticket.id });
    expect(ticket.thread[0]?.email.auth).toEqual(passed);
  });
});

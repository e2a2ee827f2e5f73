import { describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.ts';
import { runtimeSuite } from './support/runtime-process.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field and asserted on.
type Json = any;

/** Approvers decide from a link in their e-mail, without signing in; 600×, so an hour is 6 s. */
const rt = runtimeSuite({ args: ['--time-scale', '600'] });

async function newApproval(approver: string, approverEmail: string) {
  const ticket = (
    await rt.api<Json>('POST', '/tickets', {
      token: rt.tokens.agent,
      body: {
        subject: '退款申请',
        description: '重复扣费 680 元',
        customer: { email: 'refund@example.com' },
      },
    })
  ).body;
  const requested = await rt.api<Json>('POST', `/tickets/${ticket.id}/approvals`, {
    token: rt.tokens.agent,
    body: { approvers: [approver], mode: 'any', reason: '退款超过 500 元' },
  });
  expect(requested.status).toBe(201);
  const approval = requested.body.approval;
  const mail = await eventually(async () => {
    const { body } = await rt.api<{ messages: Json[] }>('GET', '/dev/outbox');
    return body.messages.find(
      (m) => m.to === approverEmail && m.kind === 'approval.requested' && m.ticketId === ticket.id,
    );
  }, 20_000);
  const link = /(https?:\/\/\S+\/approvals\/\S+\/act\?token=[\w-]+)/.exec(mail.body)?.[1];
  expect(link, mail.body).toBeDefined();
  return { ticket, approval, link: new URL(link!) };
}

const post = (link: URL, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${rt.runtime.url}${link.pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });

describe('One-time decision links in approval e-mails', () => {
  it('open a page that decides nothing, then decide once, as the approver, with IP and user agent kept', async () => {
    // Prepare
    const { approval, link } = await newApproval('u-sup-desk', 'chen.jing@gongdan.local');
    const token = link.searchParams.get('token')!;

    // Act: open the link (as a mail scanner would, too)
    const page = await fetch(`${rt.runtime.url}${link.pathname}${link.search}`);
    const pageText = await page.text();

    // Assess: a form, no decision yet, a strict page
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(pageText).toContain(approval.ticketNumber);
    expect(pageText).toContain('name="decision" value="approve"');
    expect(
      (await rt.api<Json>('GET', `/approvals/${approval.id}`, { token: rt.tokens.admin })).body.status,
    ).toBe('pending');

    // Act: approve through the form
    const decided = await post(
      link,
      { token, decision: 'approve', comment: '同意 <b>退款</b>' },
      {
        'user-agent': 'MailClient/1.0',
      },
    );

    // Assess
    expect(decided.status).toBe(200);
    const decidedText = await decided.text();
    expect(decidedText).toContain('已同意');
    const after = (await rt.api<Json>('GET', `/approvals/${approval.id}`, { token: rt.tokens.admin })).body;
    expect(after.status).toBe('approved');
    expect(after.decisions).toEqual([
      expect.objectContaining({
        approver: 'u-sup-desk',
        decision: 'approve',
        comment: '同意 <b>退款</b>',
        via: 'link',
        userAgent: 'MailClient/1.0',
        sourceIp: expect.any(String),
      }),
    ]);
    expect(after.links[0].usedAt).not.toBeNull();
    expect(JSON.stringify(after)).not.toContain(token);

    // Act: the same post again (a double click, a replay), and the link opened again
    const replayed = await post(link, { token, decision: 'reject' });
    const reopened = await fetch(`${rt.runtime.url}${link.pathname}${link.search}`);

    // Assess: refused, nothing changed
    expect(replayed.status).toBe(410);
    expect(reopened.status).toBe(410);
    const still = (await rt.api<Json>('GET', `/approvals/${approval.id}`, { token: rt.tokens.admin })).body;
    expect(still.decisions).toHaveLength(1);
    expect(still.status).toBe('approved');
  });

  it('refuse an expired link, a forged token and a post without a decision, changing nothing', async () => {
    // Prepare: links valid 36 seconds of Gongdan time (60 ms at 600×)
    const policy = await rt.api('PUT', '/config/approvals', {
      token: rt.tokens.admin,
      body: { linkValidHours: 0.01 },
    });
    expect(policy.status).toBe(200);
    const { approval, link } = await newApproval('u-sup-field', 'liu.yang@gongdan.local');
    const token = link.searchParams.get('token')!;
    await new Promise((r) => setTimeout(r, 500));

    // Act
    const expired = await post(link, { token, decision: 'approve' });
    const forged = await post(link, { token: `${token.slice(0, -2)}xx`, decision: 'approve' });
    const undecided = await post(link, { token });

    // Assess
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('已过期');
    expect(forged.status).toBe(404);
    expect(undecided.status).toBe(410);
    const after = (await rt.api<Json>('GET', `/approvals/${approval.id}`, { token: rt.tokens.admin })).body;
    expect(after.status).toBe('pending');
    expect(after.decisions).toEqual([]);
    await rt.api('PUT', '/config/approvals', { token: rt.tokens.admin, body: {} });
  });
});

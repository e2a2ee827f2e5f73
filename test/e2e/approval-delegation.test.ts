import { describe, expect, it } from 'vitest';
import { addBusinessMinutes, defaultCalendars } from '#shared/domain/sla/calendar.ts';
import { eventually } from './support/eventually.ts';
import { runtimeSuite } from './support/runtime-process.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field and asserted on.
type Json = any;

/**
 * 48 business hours on the Beijing office calendar are six working days — eight or more calendar days.
 * At 20 000× they pass in about 35 s of wall time; no seed, so nothing else runs on the clock.
 */
const rt = runtimeSuite({ args: ['--time-scale', '20000', '--no-seed'] });
const cnOffice = defaultCalendars.find((c) => c.id === 'cn-office')!;
const hour = 3_600_000;

const tokenOf = (id: string) => rt.tokens.users.find((u) => u.id === id)!.token;

/** An agent profile for a local user, with their e-mail (where approval notices go). */
async function putAgent(id: string, body: Json) {
  const user = rt.tokens.users.find((u) => u.id === id);
  return rt.api('PUT', `/agents/${id}`, {
    token: rt.tokens.admin,
    body: { teams: ['desk'], capacity: 5, ...(user ? { email: user.email } : {}), ...body },
  });
}

describe('Approval delegation (the approval timer, executed locally, --time-scale 20000)', () => {
  it('refuses a delegate who is the agent, unknown, or delegates back, naming the field', async () => {
    // Prepare
    expect((await putAgent('u-agent-wang', { name: '王强' })).status).toBe(201);
    expect((await putAgent('u-agent-zhao', { name: '赵敏', delegate: 'u-agent-wang' })).status).toBe(201);

    // Act
    const self = await putAgent('u-agent-li', { name: '李娜', delegate: 'u-agent-li' });
    const unknown = await putAgent('u-agent-li', { name: '李娜', delegate: 'u-nobody' });
    const cycle = await putAgent('u-agent-wang', { name: '王强', delegate: 'u-agent-zhao' });

    // Assess
    for (const [response, code] of [
      [self, 'self_delegate'],
      [unknown, 'unknown_agent'],
      [cycle, 'delegate_cycle'],
    ] as const) {
      expect(response.status).toBe(400);
      expect((response.body as Json).error.details.fields).toEqual([
        expect.objectContaining({ path: 'delegate', code }),
      ]);
    }
  });

  it('hands an approver’s place to their delegate once 48 business hours pass, audited, announced and mailed', async () => {
    // Prepare: 李娜 delegates to 王强; 孙浩 has no delegate
    expect((await putAgent('u-agent-li', { name: '李娜', delegate: 'u-agent-wang' })).status).toBe(201);
    expect((await putAgent('u-agent-sun', { name: '孙浩' })).status).toBe(201);
    const ticket = (
      await rt.api('POST', '/tickets', {
        token: rt.tokens.agent,
        body: {
          subject: '退款申请：重复扣费',
          description: '客户被扣费两次',
          customer: { email: 'refund@example.com' },
        },
      })
    ).body as Json;
    const requested = await rt.api('POST', `/tickets/${ticket.id}/approvals`, {
      token: rt.tokens.agent,
      body: { approvers: ['u-agent-li', 'u-agent-sun'], mode: 'all', reason: '退款超过 500 元' },
    });
    expect(requested.status).toBe(201);
    const approval = (requested.body as Json).approval;
    const since = approval.stages[0].approvers[0].since as string;
    const deadline = addBusinessMinutes(cnOffice, new Date(since), 48 * 60).getTime();

    // Act: wait for the replacement
    const delegated = await eventually(async () => {
      const { body } = await rt.api<Json>('GET', `/approvals/${approval.id}`, {
        token: rt.tokens.supervisor,
      });
      return body.replacements?.length ? body : undefined;
    }, 120_000);

    // Assess: not before the deadline (48 working hours, not 48 clock hours), and promptly after it
    expect(delegated.replacements).toEqual([
      expect.objectContaining({
        stage: 0,
        from: 'u-agent-li',
        to: 'u-agent-wang',
        reason: 'delegation_timeout',
      }),
    ]);
    const at = Date.parse(delegated.replacements[0].at);
    expect(deadline - Date.parse(since)).toBeGreaterThan(6 * 24 * hour);
    expect(at).toBeGreaterThanOrEqual(deadline);
    expect(at - deadline).toBeLessThan(6 * hour);
    const approvers = delegated.stages[0].approvers.map((a: Json) => [a.agentId, a.status]);
    expect(approvers).toEqual([
      ['u-agent-li', 'replaced'],
      ['u-agent-wang', 'pending'],
      ['u-agent-sun', 'pending'],
    ]);

    // …audited on the ticket, published, and the delegate told
    const history = (
      await rt.api<Json>('GET', `/tickets/${ticket.id}/history`, { token: rt.tokens.supervisor })
    ).body;
    const audit = (history.items ?? history).find((e: Json) => e.type === 'approval.delegated');
    expect(audit).toMatchObject({ actor: expect.objectContaining({ id: 'system' }) });
    await eventually(async () => {
      const { body } = await rt.api<{ events: Json[] }>('GET', '/dev/events');
      return (
        body.events.some(
          (e) => e.detailType === 'approval.delegated' && e.detail.approvalId === approval.id,
        ) || undefined
      );
    }, 20_000);
    const mail = await eventually(async () => {
      const { body } = await rt.api<{ messages: Json[] }>('GET', '/dev/outbox');
      return body.messages.find((m) => m.to === 'wang.qiang@gongdan.local' && m.ticketId === ticket.id);
    }, 20_000);
    expect(mail).toBeDefined();

    // …and the delegate decides in 李娜's place; 孙浩, with no delegate, is still asked
    const decided = await rt.api('POST', `/approvals/${approval.id}/decision`, {
      token: tokenOf('u-agent-wang'),
      body: { decision: 'approve', comment: '代李娜审批' },
    });
    expect(decided.status).toBe(200);
    expect(
      (decided.body as Json).approval.stages[0].approvers.map((a: Json) => [a.agentId, a.status]),
    ).toEqual([
      ['u-agent-li', 'replaced'],
      ['u-agent-wang', 'approved'],
      ['u-agent-sun', 'pending'],
    ]);
    const replaced = await rt.api('POST', `/approvals/${approval.id}/decision`, {
      token: tokenOf('u-agent-li'),
      body: { decision: 'approve' },
    });
    expect(replaced.status).toBeGreaterThanOrEqual(400);
    expect(replaced.status).toBeLessThan(500);
  }, 180_000);
});

import { describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.ts';
import { runtimeSuite } from './support/runtime-process.ts';

interface Approver {
  agentId: string;
  status: string;
  since: string | null;
}
interface Approval {
  id: string;
  ticketId: string;
  status: string;
  currentStage: number;
  stages: { mode: string; status: string; approvers: Approver[] }[];
  decisions: {
    approver: string;
    decision: string;
    comment: string | null;
    sourceIp: string | null;
    userAgent: string | null;
    via: string;
    stage: number;
  }[];
  nudges: { count: number; byApprover: Record<string, number>; lastAt: string | null };
}
/** An answer: the approval (and ticket) on success, the error on a refusal. */
interface Answer {
  approval: Approval;
  ticket: { version: number };
  reminded?: string[];
  error: {
    code: string;
    message: string;
    details: { fields: { path: string; message: string; code?: string }[] };
  };
}
interface OutboxMessage {
  to: string;
  kind: string;
  subject: string;
  body: string;
  ticketId: string;
}

/**
 * Approvals (审批) over the local runtime's HTTP API with its seeded agents: stages, modes, decisions,
 * the resolve gate, nudges and their cooldown, concurrency and bad input. The virtual clock runs 60×,
 * so the nudge cooldown (set to 5 minutes here) passes in seconds.
 */
describe('Approvals over the HTTP API (local runtime)', () => {
  const rt = runtimeSuite({ args: ['--time-scale', '60'] });
  const tokenOf = (userId: string) => rt.tokens.users.find((u) => u.id === userId)!.token;
  const requester = () => rt.tokens.agent; // u-agent-zhang (张伟)
  const sup = 'u-sup-field';
  const desk = 'u-sup-desk';
  const li = 'u-agent-li';
  const wang = 'u-agent-wang';

  async function ticket(body: Record<string, unknown> = {}) {
    const created = await rt.api('POST', '/tickets', {
      token: rt.tokens.supervisor,
      body: { subject: '押金退款申请', customer: { email: 'li.xiaojie@example.com' }, ...body },
    });
    expect(created.status).toBe(201);
    return created.body as { id: string; number: string; version: number; category: string | null };
  }

  async function request(ticketId: string, body: Record<string, unknown>, token = requester()) {
    return rt.api<Answer>('POST', `/tickets/${ticketId}/approvals`, {
      token,
      body,
    });
  }

  const decide = (approvalId: string, who: string, decision: 'approve' | 'reject', comment?: string) =>
    rt.api<Answer>('POST', `/approvals/${approvalId}/decision`, {
      token: tokenOf(who),
      body: { decision, ...(comment ? { comment } : {}) },
      headers: { 'user-agent': `approvals-e2e/${who}` },
    });

  const queueOf = async (who: string) =>
    (
      await rt.api<{ items: { approvalId: string; stage: number; since: string; ticketNumber: string }[] }>(
        'GET',
        '/approvals?mine=pending',
        { token: tokenOf(who) },
      )
    ).body.items;

  const outbox = async () =>
    (await rt.api<{ messages: OutboxMessage[] }>('GET', '/dev/outbox')).body.messages;
  const mailTo = (email: string, kind: string, ticketId: string) =>
    eventually(async () => {
      const found = (await outbox()).filter(
        (m) => m.to === email && m.kind === kind && m.ticketId === ticketId,
      );
      return found.length ? found : undefined;
    }, 10_000);

  const history = async (ticketId: string) =>
    (
      await rt.api<{
        items: { type: string; actor: { id: string }; sourceIp?: string; data: Record<string, unknown> }[];
      }>('GET', `/tickets/${ticketId}/history`, { token: rt.tokens.supervisor })
    ).body.items;

  it('passes an any-of approval on the first approve, with the e-signature trail, the queue, mail and events', async () => {
    // Prepare
    const t = await ticket({ subject: '退款 300 元' });
    // Act
    const asked = await request(t.id, { approvers: [sup, desk], mode: 'any', reason: '客户要求退还押金' });
    // Assess: stage 1 pending, in both approvers' queues, each e-mailed
    expect(asked.status).toBe(201);
    const approval = asked.body.approval;
    expect(approval).toMatchObject({
      status: 'pending',
      currentStage: 0,
      stages: [{ mode: 'any', status: 'pending' }],
    });
    expect((await queueOf(desk)).map((q) => q.approvalId)).toContain(approval.id);
    expect((await queueOf(sup)).find((q) => q.approvalId === approval.id)).toMatchObject({
      ticketNumber: t.number,
      stage: 0,
    });
    await mailTo('liu.yang@gongdan.local', 'approval.requested', t.id);
    await mailTo('chen.jing@gongdan.local', 'approval.requested', t.id);

    const decided = await decide(approval.id, desk, 'approve', '同意退款');
    expect(decided.status).toBe(200);
    expect(decided.body.approval).toMatchObject({ status: 'approved', stages: [{ status: 'approved' }] });
    expect(decided.body.approval.stages[0]!.approvers.map((a) => [a.agentId, a.status])).toEqual([
      [sup, 'not_needed'],
      [desk, 'approved'],
    ]);
    const [record] = decided.body.approval.decisions;
    expect(record).toMatchObject({ approver: desk, decision: 'approve', comment: '同意退款', via: 'api' });
    expect(record!.userAgent).toBe(`approvals-e2e/${desk}`);
    expect(record!.sourceIp).toMatch(/127\.0\.0\.1|::1/);

    // The other approver has nothing left; both queues are empty of it
    const late = await decide(approval.id, sup, 'approve');
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ error: { code: 'APPROVAL.CLOSED' } });
    expect((await queueOf(sup)).map((q) => q.approvalId)).not.toContain(approval.id);
    expect((await queueOf(desk)).map((q) => q.approvalId)).not.toContain(approval.id);

    // On the ticket's audit trail, published, and the requester told
    const trail = await history(t.id);
    expect(trail.filter((e) => e.type.startsWith('approval.')).map((e) => e.type)).toEqual([
      'approval.requested',
      'approval.decided',
    ]);
    const decidedEvent = trail.find((e) => e.type === 'approval.decided')!;
    expect(decidedEvent).toMatchObject({
      actor: { id: desk },
      data: {
        approvalId: approval.id,
        decision: 'approve',
        outcome: 'approved',
        userAgent: `approvals-e2e/${desk}`,
      },
    });
    expect(decidedEvent.sourceIp).toBeTruthy();
    const published = await eventually(async () => {
      const events = (await rt.api('GET', '/dev/events')).body.events as {
        detailType: string;
        detail: { approvalId?: string; outcome?: string };
      }[];
      return events.find((e) => e.detailType === 'approval.decided' && e.detail.approvalId === approval.id);
    }, 10_000);
    expect(published.detail.outcome).toBe('approved');
    const [told] = await mailTo('zhang.wei@gongdan.local', 'approval.decided', t.id);
    expect(told!.subject).toContain(t.number);

    // Read back
    const one = await rt.api('GET', `/approvals/${approval.id}`, { token: rt.tokens.agent });
    expect(one.body).toMatchObject({ id: approval.id, status: 'approved' });
    const list = await rt.api('GET', `/tickets/${t.id}/approvals`, { token: rt.tokens.agent });
    expect(list.body.items.map((a: Approval) => a.id)).toEqual([approval.id]);
  });

  it('keeps an all-of approval pending until every approver approved, and refuses approving twice', async () => {
    const t = await ticket();
    const { approval } = (await request(t.id, { approvers: [li, wang], mode: 'all', reason: '两人会签' }))
      .body;

    const first = await decide(approval.id, li, 'approve');
    expect(first.body.approval.status).toBe('pending');
    const twice = await decide(approval.id, li, 'approve');
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ error: { code: 'APPROVAL.ALREADY_DECIDED' } });
    expect((await queueOf(li)).map((q) => q.approvalId)).not.toContain(approval.id);
    expect((await queueOf(wang)).map((q) => q.approvalId)).toContain(approval.id);

    const second = await decide(approval.id, wang, 'approve');
    expect(second.body.approval.status).toBe('approved');
    expect(second.body.approval.decisions.map((d) => d.approver)).toEqual([li, wang]);
  });

  it('runs a serial two-stage approval: the second stage starts, is mailed and queued when the first passes', async () => {
    const t = await ticket();
    const asked = await request(t.id, {
      reason: '先组长，后主管',
      stages: [
        { approvers: [li, wang], mode: 'any' },
        { approvers: [sup], mode: 'all' },
      ],
    });
    expect(asked.status).toBe(201);
    const id = asked.body.approval.id;
    expect(asked.body.approval.stages.map((s) => s.status)).toEqual(['pending', 'waiting']);

    // The second stage's approver cannot act yet, and is not waited on yet
    const early = await decide(id, sup, 'approve');
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ error: { code: 'APPROVAL.NOT_PENDING' } });
    expect((await queueOf(sup)).map((q) => q.approvalId)).not.toContain(id);

    const one = await decide(id, wang, 'approve');
    expect(one.body.approval).toMatchObject({ status: 'pending', currentStage: 1 });
    expect(one.body.approval.stages.map((s) => s.status)).toEqual(['approved', 'pending']);
    expect((await queueOf(sup)).find((q) => q.approvalId === id)).toMatchObject({ stage: 1 });
    expect((await queueOf(li)).map((q) => q.approvalId)).not.toContain(id);
    await mailTo('liu.yang@gongdan.local', 'approval.requested', t.id);

    const two = await decide(id, sup, 'approve', '准');
    expect(two.body.approval).toMatchObject({ status: 'approved', currentStage: 1 });
    expect(two.body.approval.decisions.map((d) => [d.stage, d.approver])).toEqual([
      [0, wang],
      [1, sup],
    ]);
  });

  it('rejects the whole approval on one reject, tells the requester, and refuses deciding it afterwards', async () => {
    const t = await ticket();
    const { approval } = (
      await request(t.id, {
        stages: [
          { approvers: [li, wang], mode: 'all' },
          { approvers: [sup], mode: 'any' },
        ],
        reason: '超额退款',
      })
    ).body;
    const rejected = await decide(approval.id, wang, 'reject', '金额不符');
    expect(rejected.status).toBe(200);
    expect(rejected.body.approval).toMatchObject({ status: 'rejected' });
    expect(rejected.body.approval.stages.map((s) => s.status)).toEqual(['rejected', 'waiting']);

    const closed = await decide(approval.id, li, 'approve');
    expect(closed.status).toBe(409);
    expect(closed.body).toMatchObject({ error: { code: 'APPROVAL.CLOSED' } });
    expect((await queueOf(li)).map((q) => q.approvalId)).not.toContain(approval.id);
    const [told] = await mailTo('zhang.wei@gongdan.local', 'approval.decided', t.id);
    expect(told!.body).toContain('金额不符');
  });

  it('gates resolving: a refund needs an approved approval, a pending one holds any ticket; 409 names it', async () => {
    // Prepare: a refund ticket, accepted
    const t = await ticket({ subject: '申请退款', category: 'refund' });
    expect(t.category).toBe('refund');
    const resolve = () =>
      rt.api('POST', `/tickets/${t.id}/transitions`, {
        token: rt.tokens.supervisor,
        body: { to: 'resolved', summary: '已处理 / Done' },
      });
    expect(
      (
        await rt.api('POST', `/tickets/${t.id}/transitions`, {
          token: rt.tokens.supervisor,
          body: { to: 'open' },
        })
      ).status,
    ).toBe(200);

    // No approval yet
    const none = await resolve();
    expect(none.status).toBe(409);
    expect(none.body).toMatchObject({
      error: { code: 'APPROVAL.REQUIRED', details: { approval: { approvalId: null } } },
    });

    // Pending: named, with who is awaited
    const { approval } = (await request(t.id, { approvers: [sup], mode: 'any', reason: '退款审批' })).body;
    const held = await resolve();
    expect(held.status).toBe(409);
    expect(held.body).toMatchObject({
      error: {
        code: 'APPROVAL.PENDING',
        details: { approval: { approvalId: approval.id, pendingApprovers: [sup] } },
      },
    });
    expect(held.body.error.message).toContain(approval.id);

    // Approved: the move goes through
    expect((await decide(approval.id, sup, 'approve')).status).toBe(200);
    const done = await resolve();
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('resolved');
  });

  it('holds a non-refund ticket only while its approval is pending, and a rejected refund stays held', async () => {
    const plain = await ticket({ subject: '普通工单' });
    await rt.api('POST', `/tickets/${plain.id}/transitions`, {
      token: rt.tokens.supervisor,
      body: { to: 'open' },
    });
    const { approval } = (await request(plain.id, { approvers: [li], mode: 'any', reason: '确认' })).body;
    const held = await rt.api('POST', `/tickets/${plain.id}/transitions`, {
      token: rt.tokens.supervisor,
      body: { to: 'resolved', summary: '已处理 / Done' },
    });
    expect(held.body).toMatchObject({ error: { code: 'APPROVAL.PENDING' } });
    await decide(approval.id, li, 'reject', '不同意');
    const free = await rt.api('POST', `/tickets/${plain.id}/transitions`, {
      token: rt.tokens.supervisor,
      body: { to: 'resolved', summary: '已处理 / Done' },
    });
    expect(free.status).toBe(200);

    const refund = await ticket({ category: 'refund' });
    await rt.api('POST', `/tickets/${refund.id}/transitions`, {
      token: rt.tokens.supervisor,
      body: { to: 'open' },
    });
    const r = (await request(refund.id, { approvers: [li], mode: 'any', reason: '退款' })).body.approval;
    await decide(r.id, li, 'reject');
    const still = await rt.api('POST', `/tickets/${refund.id}/transitions`, {
      token: rt.tokens.supervisor,
      body: { to: 'resolved', summary: '已处理 / Done' },
    });
    expect(still.status).toBe(409);
    expect(still.body).toMatchObject({
      error: { code: 'APPROVAL.REQUIRED', details: { approval: { approvalId: r.id, status: 'rejected' } } },
    });
  });

  it('counts nudges per approval and per approver, refuses one too soon with 429 and Retry-After', async () => {
    // Prepare: a 5-minute cooldown (5 s of real time at 60×)
    const policy = await rt.api('GET', '/config/approvals', { token: rt.tokens.admin });
    expect(policy.body).toMatchObject({ nudgeCooldownMinutes: 60, require: [{ category: 'refund' }] });
    const put = await rt.api('PUT', '/config/approvals', {
      token: rt.tokens.admin,
      headers: { 'if-match': policy.headers.get('etag')! },
      body: { ...policy.body, version: undefined, nudgeCooldownMinutes: 5 },
    });
    expect(put.status).toBe(200);
    const t = await ticket();
    const { approval } = (
      await request(t.id, {
        stages: [
          { approvers: [li, wang], mode: 'all' },
          { approvers: [sup], mode: 'any' },
        ],
        reason: '催办测试',
      })
    ).body;
    await decide(approval.id, li, 'approve');
    const nudge = (token = requester()) => rt.api('POST', `/approvals/${approval.id}/nudge`, { token });

    // Act: the first nudge reminds only who is still pending
    const first = await nudge();
    expect(first.status).toBe(200);
    expect(first.body.reminded).toEqual([wang]);
    expect(first.body.approval.nudges).toMatchObject({ count: 1, byApprover: { [wang]: 1 } });
    const [mail] = await mailTo('wang.qiang@gongdan.local', 'approval.nudged', t.id);
    expect(mail!.subject).toContain(t.number);

    // Too soon: 429 with Retry-After; someone else's approval cannot be nudged by another agent
    const soon = await nudge();
    expect(soon.status).toBe(429);
    expect(soon.body).toMatchObject({ error: { code: 'APPROVAL.NUDGE_TOO_SOON' } });
    const retryAfter = Number(soon.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(300);
    const stranger = await nudge(tokenOf('u-agent-zhao'));
    expect(stranger.status).toBe(403);
    expect(stranger.body).toMatchObject({ error: { code: 'APPROVAL.NUDGE_FORBIDDEN' } });

    // After the cooldown (a supervisor may nudge too): counted again
    const again = await eventually(
      async () => {
        const r = await nudge(rt.tokens.supervisor);
        return r.status === 200 ? r : undefined;
      },
      20_000,
      500,
    );
    expect(again.body.approval.nudges).toMatchObject({ count: 2, byApprover: { [wang]: 2 } });
    expect((await queueOf(wang)).find((q) => q.approvalId === approval.id)).toMatchObject({ nudges: 2 });
    const nudged = (await history(t.id)).filter((e) => e.type === 'approval.nudged');
    expect(nudged.map((e) => e.data.count)).toEqual([1, 2]);
  });

  it('gives exactly one outcome when two approvers decide an any-of stage at once', async () => {
    for (let round = 0; round < 3; round++) {
      const t = await ticket({ subject: `并发审批 ${round}` });
      const { approval } = (await request(t.id, { approvers: [li, wang, desk], mode: 'any', reason: '并发' }))
        .body;
      // Act: both at once (one approves, one rejects: the outcome shows who won)
      const [a, b] = await Promise.all([
        decide(approval.id, li, 'approve'),
        decide(approval.id, wang, 'reject'),
      ]);
      // Assess
      const statuses = [a.status, b.status].sort();
      expect(statuses).toEqual([200, 409]);
      const loser = a.status === 409 ? a : b;
      expect(['APPROVAL.NOT_PENDING', 'APPROVAL.CLOSED']).toContain(loser.body.error.code);
      const final = (await rt.api<Approval>('GET', `/approvals/${approval.id}`, { token: rt.tokens.agent }))
        .body;
      expect(final.decisions).toHaveLength(1);
      expect(final.status).toBe(final.decisions[0]!.decision === 'approve' ? 'approved' : 'rejected');
      expect((await history(t.id)).filter((e) => e.type === 'approval.decided')).toHaveLength(1);
    }
  });

  it('asks once for a request retried with the same Idempotency-Key, also when the retries arrive together', async () => {
    const t = await ticket();
    const body = { approvers: [li, wang], mode: 'any', reason: '幂等重试' };
    const send = (key: string, b: Record<string, unknown> = body) =>
      rt.api<Answer>('POST', `/tickets/${t.id}/approvals`, {
        token: requester(),
        body: b,
        headers: { 'idempotency-key': key },
      });
    // Act: three at once with one key
    const answers = await Promise.all([send('retry-1'), send('retry-1'), send('retry-1')]);
    // Assess: one approval, the others replay it
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(new Set(answers.map((a) => a.body.approval.id)).size).toBe(1);
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(2);
    const listed = await rt.api('GET', `/tickets/${t.id}/approvals`, { token: rt.tokens.agent });
    expect(listed.body.items).toHaveLength(1);
    expect((await history(t.id)).filter((e) => e.type === 'approval.requested')).toHaveLength(1);
    // Later, the same key: the same answer; with another request: 422
    const later = await send('retry-1');
    expect(later.body.approval.id).toBe(answers[0]!.body.approval.id);
    const other = await send('retry-1', { ...body, reason: '另一件事' });
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ error: { code: 'APPROVAL.IDEMPOTENCY_MISMATCH' } });
    // A new key is a new approval
    expect((await send('retry-2')).body.approval.id).not.toBe(answers[0]!.body.approval.id);
  });

  it('answers bad input with a clear 4xx and writes nothing', async () => {
    const t = await ticket();
    const before = (await rt.api('GET', `/tickets/${t.id}`, { token: rt.tokens.agent })).body.version;

    const unknown = await request(t.id, { approvers: [li, 'u-nobody'], mode: 'all', reason: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.fields).toEqual([
      { path: 'stages.0.approvers.1', message: 'No agent u-nobody', code: 'unknown_agent' },
    ]);
    const self = await request(t.id, { approvers: ['u-agent-zhang'], mode: 'any', reason: 'x' });
    expect(self.status).toBe(400);
    expect(self.body.error.details.fields[0]).toMatchObject({ code: 'self_approval' });
    const both = await request(t.id, {
      approvers: [li],
      mode: 'any',
      stages: [{ approvers: [wang] }],
      reason: 'x',
    });
    expect(both.status).toBe(400);
    expect(both.body.error.details.fields[0]).toMatchObject({ path: 'stages' });
    const noReason = await request(t.id, { approvers: [li], mode: 'any', reason: '' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details.fields[0]).toMatchObject({ path: 'reason' });
    const badMode = await request(t.id, { approvers: [li], mode: 'most', reason: 'x' });
    expect(badMode.status).toBe(400);
    expect(badMode.body.error.details.fields[0]).toMatchObject({ path: 'mode' });
    const customer = await request(t.id, { approvers: [li], mode: 'any', reason: 'x' }, rt.tokens.customer);
    expect(customer.status).toBe(403);

    // Malformed bodies and queries: each a 400 naming a field, never a 5xx
    for (const bad of [
      { approvers: 'u-agent-li', mode: 'any', reason: 'x' },
      { stages: [{}], reason: 'x' },
      { stages: [], reason: 'x' },
      { approvers: [], mode: 'any', reason: 'x' },
      { approvers: [li], mode: 'any', reason: 'x'.repeat(2001) },
      { approvers: Array.from({ length: 21 }, (_, i) => `u-${i}`), mode: 'all', reason: 'x' },
    ]) {
      const answer = await request(t.id, bad);
      expect(answer.status, JSON.stringify(bad).slice(0, 80)).toBe(400);
      expect(answer.body.error.details.fields.length).toBeGreaterThan(0);
    }
    expect((await rt.api('GET', '/approvals?mine=all', { token: rt.tokens.agent })).status).toBe(400);
    const badPolicy = await rt.api('PUT', '/config/approvals', {
      token: rt.tokens.admin,
      body: { require: [{}], nudgeCooldownMinutes: 0 },
    });
    expect(badPolicy.status).toBe(400);
    expect(badPolicy.body.error.details.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      'nudgeCooldownMinutes',
      'require.0',
    ]);

    // Nothing was written
    expect(
      (await rt.api('GET', `/tickets/${t.id}/approvals`, { token: rt.tokens.agent })).body.items,
    ).toEqual([]);
    expect((await rt.api('GET', `/tickets/${t.id}`, { token: rt.tokens.agent })).body.version).toBe(before);

    const { approval } = (await request(t.id, { approvers: [li], mode: 'any', reason: 'x' })).body;
    const stranger = await decide(approval.id, 'u-agent-zhao', 'approve');
    expect(stranger.status).toBe(403);
    expect(stranger.body).toMatchObject({ error: { code: 'APPROVAL.NOT_APPROVER' } });
    const badDecision = await rt.api('POST', `/approvals/${approval.id}/decision`, {
      token: tokenOf(li),
      body: { decision: 'maybe' },
    });
    expect(badDecision.status).toBe(400);
    expect(badDecision.body.error.details.fields[0]).toMatchObject({ path: 'decision' });
    const missing = await rt.api('POST', '/approvals/01NOSUCHAPPROVAL/decision', {
      token: tokenOf(li),
      body: { decision: 'approve' },
    });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'APPROVAL.NOT_FOUND' } });
    const other = await rt.api('GET', '/approvals?mine=pending&approver=u-agent-li', {
      token: rt.tokens.agent,
    });
    expect(other.status).toBe(403);
    const asSupervisor = await rt.api('GET', '/approvals?mine=pending&approver=u-agent-li', {
      token: rt.tokens.supervisor,
    });
    expect(asSupervisor.body.items.map((q: { approvalId: string }) => q.approvalId)).toContain(approval.id);
    // The approval is untouched by the refusals
    const after = (await rt.api<Approval>('GET', `/approvals/${approval.id}`, { token: rt.tokens.agent }))
      .body;
    expect(after).toMatchObject({ status: 'pending', decisions: [] });
  });
});

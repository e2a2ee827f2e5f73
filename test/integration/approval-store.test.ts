import { describe, expect, it } from 'vitest';
import { decide } from '#shared/domain/approval/approval.entity.ts';
import { AgentProfile } from '#shared/domain/routing/agent.ts';
import { touch } from '#shared/domain/ticket/ticket.entity.ts';
import { decideApproval, replaceApprover, requestApproval } from '#shared/use-cases/approvals.ts';
import { createTicket } from '#shared/use-cases/create-ticket.ts';
import { agent, customer, freshTicketDeps, recordingNotifier } from '../support/ticket-fixtures.ts';

/** The approval items on DynamoDB Local: written with the ticket's change, conditional on their version. */
describe('Approvals in the ticket table', () => {
  async function world() {
    const notifier = recordingNotifier();
    const w = await freshTicketDeps(undefined, { notifier });
    for (const [id, email] of [
      ['ap-a', 'a@desk.example.com'],
      ['ap-b', 'b@desk.example.com'],
      ['ap-c', undefined],
    ] as const) {
      await w.deps.routing.agents.put(
        AgentProfile.parse({
          id,
          name: id,
          teams: ['service-desk'],
          capacity: 5,
          ...(email ? { email } : {}),
        }),
      );
    }
    const { ticket } = await createTicket(
      { subject: '退款', description: '', priority: 'normal', tags: [], customFields: {} },
      customer,
      w.deps,
    );
    return { ...w, ticket, notifier };
  }
  const as = (id: string) => ({
    id,
    roles: ['agent' as const],
    channel: 'api' as const,
    sourceIp: '10.1.1.1',
  });

  it('refuses a write of an approval whose version moved, and writes nothing of that change', async () => {
    // Prepare: an approval at version 1, then decided (version 2)
    const w = await world();
    const { approval } = await requestApproval(
      w.ticket.id,
      { approvers: ['ap-a', 'ap-b'], mode: 'any', reason: '退款' },
      agent,
      w.deps,
    );
    await decideApproval(approval.id, { decision: 'approve' }, as('ap-a'), { via: 'api' }, w.deps);
    const ticketNow = (await w.deps.tickets.get(w.ticket.id))!;
    const historyBefore = (await w.deps.tickets.history(w.ticket.id)).length;
    // Act: a decision computed on the stale version 1, at the ticket's current version
    const stale = decide(
      approval,
      {
        approver: 'ap-b',
        decision: 'reject',
        comment: null,
        record: {
          id: 'd-stale',
          actor: { id: 'ap-b', role: 'agent' },
          via: 'api',
          sourceIp: null,
          userAgent: null,
        },
      },
      new Date(),
    );
    const written = await w.deps.tickets.update(
      {
        ticket: touch(ticketNow, new Date()),
        audit: [],
        outbox: { ...(await w.outboxOf(w.ticket.id)).at(-1)!.record, id: 'stale-record' },
        approval: { approval: stale.approval, previous: approval },
      },
      ticketNow.version,
    );
    // Assess
    expect(written).toBe(false);
    expect((await w.deps.approvals.get(approval.id))!).toMatchObject({ status: 'approved', version: 2 });
    expect((await w.deps.tickets.get(w.ticket.id))!.version).toBe(ticketNow.version);
    expect(await w.deps.tickets.history(w.ticket.id)).toHaveLength(historyBefore);
  });

  it("keeps each approver's waiting item in step: put while pending, moved on delegation, gone when decided", async () => {
    const w = await world();
    const { approval } = await requestApproval(
      w.ticket.id,
      { stages: [{ approvers: ['ap-a', 'ap-b'], mode: 'all' }], reason: '会签' },
      agent,
      w.deps,
    );
    expect((await w.deps.approvals.pendingFor('ap-a')).map((p) => p.approvalId)).toEqual([approval.id]);
    expect(await w.deps.approvals.listByTicket(w.ticket.id)).toHaveLength(1);

    // The seam delegation uses: ap-b's place goes to ap-c (who has no e-mail: recorded, not sent)
    const replaced = await replaceApprover(approval.id, 'ap-b', 'ap-c', 'delegation_timeout', agent, w.deps);
    expect(replaced.approval.stages[0]!.approvers.map((x) => [x.agentId, x.status])).toEqual([
      ['ap-a', 'pending'],
      ['ap-b', 'replaced'],
      ['ap-c', 'pending'],
    ]);
    expect(await w.deps.approvals.pendingFor('ap-b')).toEqual([]);
    expect((await w.deps.approvals.pendingFor('ap-c')).map((p) => p.approvalId)).toEqual([approval.id]);

    await decideApproval(
      approval.id,
      { decision: 'approve' },
      as('ap-a'),
      { via: 'link', userAgent: 'mail' },
      w.deps,
    );
    const done = await decideApproval(
      approval.id,
      { decision: 'approve' },
      as('ap-c'),
      { via: 'api' },
      w.deps,
    );
    expect(done.approval.status).toBe('approved');
    expect(done.approval.decisions.map((d) => [d.approver, d.via, d.sourceIp])).toEqual([
      ['ap-a', 'link', '10.1.1.1'],
      ['ap-c', 'api', '10.1.1.1'],
    ]);
    for (const id of ['ap-a', 'ap-b', 'ap-c']) expect(await w.deps.approvals.pendingFor(id)).toEqual([]);

    // What followed: mails to the approvers with addresses, the events, the audit trail
    await w.drain();
    const mails = w.notifier.sent.filter((n) => n.kind.startsWith('approval.'));
    expect(mails.map((n) => [n.kind, n.to])).toEqual([
      ['approval.requested', 'a@desk.example.com'],
      ['approval.requested', 'b@desk.example.com'],
    ]);
    expect(w.events.events.map((e) => e.name)).toEqual(
      expect.arrayContaining(['approval.requested', 'approval.delegated', 'approval.decided']),
    );
    const trail = (await w.deps.tickets.history(w.ticket.id)).filter((e) => e.type.startsWith('approval.'));
    expect(trail.map((e) => e.type)).toEqual([
      'approval.requested',
      'approval.delegated',
      'approval.decided',
      'approval.decided',
    ]);
    expect(trail[1]!.data).toMatchObject({
      from: 'ap-b',
      to: 'ap-c',
      reason: 'delegation_timeout',
      stages: [0],
    });
  });
});

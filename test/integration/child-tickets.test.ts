import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { agents as seedAgents } from '#infra/local/seed-data.ts';
import { ticketItem } from '#shared/adapters/dynamo/dynamo-ticket-store.ts';
import type { Actor } from '#shared/domain/actor.ts';
import { AgentProfile } from '#shared/domain/routing/agent.ts';
import { defaultRoutingConfig } from '#shared/domain/routing/default-config.ts';
import { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import type { OutboxRecord } from '#shared/domain/ticket/ticket-change.ts';
import { parentRollup } from '#shared/reactions/parent-rollup.ts';
import { assignTicket } from '#shared/use-cases/assign-ticket.ts';
import { createChildTicket } from '#shared/use-cases/child-tickets.ts';
import { createTicket } from '#shared/use-cases/create-ticket.ts';
import { transitionTicket } from '#shared/use-cases/transition-ticket.ts';
import { ticket as fixture } from '../fixtures/tickets.ts';
import { routedWorld } from '../support/routed-world.ts';
import type { recordingNotifier } from '../support/ticket-fixtures.ts';

/**
 * Child tickets on DynamoDB Local with the real use cases and the roll-up reaction: what the e2e test
 * cannot provoke on cue — a record delivered twice, the last two children finishing at once, the
 * auto-resolve policy — and old stored tickets.
 */
const start = new Date('2026-11-23T02:00:00Z'); // a Monday, 10:00 in Shanghai
const staff: Actor = { id: 'u-sup-desk', name: '陈静', roles: ['supervisor'], channel: 'api' };

async function world() {
  const w = await routedWorld(
    defaultRoutingConfig,
    seedAgents.map((a) => AgentProfile.parse(a)),
    start,
  );
  const { ticket: parent } = await createTicket(
    {
      subject: '新员工入职：电脑、账号和门禁',
      description: '下周一入职',
      priority: 'normal',
      tags: [],
      customFields: {},
      customer: { email: 'hr@example.com', name: '人事部', tier: 'standard' },
    },
    staff,
    w.deps,
  );
  await assignTicket(
    parent.id,
    { agentId: 'u-agent-zhang', reason: '主工单由张伟跟进' },
    staff,
    undefined,
    w.deps,
  );
  await transitionTicket(parent.id, { to: 'open' }, staff, undefined, w.deps);
  const child = async (team: string, subject: string) =>
    (await createChildTicket(parent.id, { team, subject, description: subject }, staff, w.deps)).ticket;
  /** Resolves a child; returns the outbox record of the resolve (what the stream would deliver). */
  const resolve = async (id: string, reason: string) => {
    await transitionTicket(id, { to: 'open' }, staff, undefined, w.deps);
    const done = await transitionTicket(
      id,
      { to: 'resolved', reason, summary: reason },
      staff,
      undefined,
      w.deps,
    );
    return done.record;
  };
  const notes = async () =>
    (await w.deps.tickets.messages(parent.id)).filter((m) => !m.public && m.author.id === 'system');
  return { ...w, parent, child, resolve, notes };
}

describe('Parent roll-up (shared/reactions/parent-rollup.ts)', () => {
  it('handles only a child leaving work', async () => {
    const w = await world();
    const a = await w.child('billing', '开通报销账号');
    const record = await w.resolve(a.id, '账号已开通');
    expect(parentRollup.handles(record)).toBe(true);
    expect(parentRollup.handles({ ...record, after: { ...record.after, parentId: null } })).toBe(false);
    expect(parentRollup.handles({ ...record, before: { ...record.before!, status: 'resolved' } })).toBe(
      false,
    );
  });

  it('notes the roll-up once when the record is delivered twice, even at the same time', async () => {
    // Prepare
    const w = await world();
    const a = await w.child('billing', '开通报销账号');
    const b = await w.child('field-repair', '装门禁卡');
    await w.resolve(a.id, '账号已开通');
    const last = await w.resolve(b.id, '门禁卡已制好');
    // Act: the stream and the retry sweep both run it, then a redelivery
    await Promise.all([parentRollup.run(last, w.reactionDeps), parentRollup.run(last, w.reactionDeps)]);
    await parentRollup.run(last, w.reactionDeps);
    // Assess
    const notes = await w.notes();
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain(a.number);
    expect(notes[0]!.body).toContain('门禁卡已制好');
    const history = await w.deps.tickets.history(w.parent.id);
    expect(history.filter((e) => e.type === 'noted' && e.data.rollupKey)).toHaveLength(1);
    const parent = await w.deps.tickets.get(w.parent.id);
    expect(parent!.status).toBe('open'); // the policy's default: note only
  });

  it('notes once when the last two children finish at once and both records are handled', async () => {
    const w = await world();
    const a = await w.child('billing', '开通报销账号');
    const b = await w.child('complaints', '回访');
    const [ra, rb] = await Promise.all([w.resolve(a.id, '已开通'), w.resolve(b.id, '已回访')]);
    await Promise.all([parentRollup.run(ra, w.reactionDeps), parentRollup.run(rb, w.reactionDeps)]);
    expect(await w.notes()).toHaveLength(1);
  });

  it('does nothing while another child is still open', async () => {
    const w = await world();
    const a = await w.child('billing', '开通报销账号');
    await w.child('field-repair', '装门禁卡');
    const record = await w.resolve(a.id, '已开通');
    await parentRollup.run(record, w.reactionDeps);
    expect(await w.notes()).toEqual([]);
  });

  it('resolves the parent too under the auto-resolve policy, by the system, and tells the assignee', async () => {
    const w = await world();
    const a = await w.child('billing', '开通报销账号');
    const record: OutboxRecord = await w.resolve(a.id, '已开通');
    const deps = { ...w.reactionDeps, childTickets: { maxDepth: 2, autoResolveParent: true } };
    await parentRollup.run(record, deps);
    await parentRollup.run(record, deps);
    const parent = await w.deps.tickets.get(w.parent.id);
    expect(parent!.status).toBe('resolved');
    const history = await w.deps.tickets.history(w.parent.id);
    const resolved = history.filter((e) => e.type === 'transitioned' && e.data.to === 'resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.actor.id).toBe('system');
    // What was done is each child's resolution, and the customer gets the closing report with a rating link
    expect(parent!.resolution?.summary).toContain(`${a.number} 开通报销账号: 已开通`);
    expect(parent!.feedback?.links).toHaveLength(1);
    const child = await w.deps.tickets.get(a.id);
    expect(child!.resolution?.summary).toBe('已开通');
    expect(child!.feedback).toBeUndefined(); // a child ticket's customer is told nothing
    expect(await w.notes()).toHaveLength(1);
    await w.drain();
    const mail = (w.notifier as ReturnType<typeof recordingNotifier>).sent.filter(
      (n) => n.kind === 'child.rollup',
    );
    expect(mail).toHaveLength(1);
    expect(mail[0]!.to).toBe('zhang.wei@gongdan.local');
    expect(mail[0]!.subject).toContain('resolved');
  });
});

describe('Child index items (dynamo-ticket-store.ts)', () => {
  it('reads a ticket stored before child items existed (children as ids), and no longer stores the list on the ticket', async () => {
    const w = await world();
    const doc = DynamoDBDocumentClient.from(w.client);
    const old = { ...ticketItem(fixture({ id: 'OLD-1', number: 'GD-000999' })), children: ['legacy-id'] };
    await doc.send(new PutCommand({ TableName: w.tableName, Item: old }));
    const read = await w.deps.tickets.get('OLD-1');
    expect(read!.children).toEqual([]);
    expect(() => Ticket.parse(read)).not.toThrow();

    await w.child('billing', '开通报销账号');
    const { Item } = await doc.send(
      new GetCommand({ TableName: w.tableName, Key: { pk: `TICKET#${w.parent.id}`, sk: 'TICKET' } }),
    );
    expect(Item!.children).toBeUndefined();
    expect((await w.deps.tickets.get(w.parent.id))!.children).toHaveLength(1);
  });
});

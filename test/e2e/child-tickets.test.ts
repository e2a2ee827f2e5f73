import { describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.ts';
import { runtimeSuite } from './support/runtime-process.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies field by field and assert on them.
type Json = any;

/** The customer (the local user `c-li`), so their own token can look at parents and children. */
const customer = { email: 'li.xiaojie@example.com', name: '李小姐' };

describe('Child tickets over HTTP (主子工单)', () => {
  const rt = runtimeSuite();
  const token = () => rt.tokens.agent; // u-agent-zhang: service-desk, billing
  const supervisor = () => rt.tokens.supervisor;

  /**
   * A parent being worked on (open). With `assign`, held by u-agent-zhang (whose capacity is 8, so only
   * the test that needs an assignee asks for one); otherwise wherever routing put it.
   */
  async function openParent(subject: string, assign = false) {
    const created = await rt.api('POST', '/tickets', {
      token: rt.tokens.admin,
      body: { subject, description: '客户的网络和账单同时出了问题', customer },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    if (assign) {
      const assigned = await rt.api('POST', `/tickets/${id}/assignment`, {
        token: rt.tokens.admin,
        body: { agentId: 'u-agent-zhang', team: 'service-desk', reason: '主工单由张伟跟进' },
      });
      expect(assigned.status).toBe(200);
    }
    const accepted = await rt.api('POST', `/tickets/${id}/transitions`, {
      token: rt.tokens.admin,
      body: { to: 'open' },
    });
    expect(accepted.status).toBe(200);
    return accepted.body as Json;
  }

  const child = (parentId: string, body: Record<string, unknown>, auth = token(), headers = {}) =>
    rt.api('POST', `/tickets/${parentId}/children`, { token: auth, body, headers });
  const get = async (id: string) => (await rt.api('GET', `/tickets/${id}`, { token: token() })).body as Json;
  const move = (id: string, body: Record<string, unknown>, auth = token()) =>
    rt.api('POST', `/tickets/${id}/transitions`, { token: auth, body });

  async function finish(childId: string, reason: string) {
    expect((await move(childId, { to: 'open' })).status).toBe(200);
    const resolved = await move(childId, { to: 'resolved', reason, summary: reason });
    expect(resolved.status).toBe(200);
  }

  it('opens two children in two teams, routed with their own SLA, listed on the parent', async () => {
    // Prepare
    const parent = await openParent('宽带断线并且重复扣费');
    // Act
    const network = await child(parent.id, {
      team: 'field-repair',
      subject: '上门检查光猫',
      description: '客户家光猫红灯，需要上门',
      assignee: 'u-agent-wang',
      priority: 'high',
    });
    const billing = await child(parent.id, {
      team: 'billing',
      subject: '核对重复扣费',
      description: '本月扣费两次',
      dueAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    });
    // Assess
    expect(network.status).toBe(201);
    expect(billing.status).toBe(201);
    expect(network.headers.get('location')).toBe(`/tickets/${network.body.id}`);
    expect(network.body).toMatchObject({
      parentId: parent.id,
      team: 'field-repair',
      assignee: 'u-agent-wang',
      priority: 'high',
      customer: { email: customer.email },
    });
    expect(network.body.sla.policy).toEqual(expect.any(String));
    expect(network.body.sla.resolutionDueAt).toEqual(expect.any(String));
    expect(billing.body).toMatchObject({ parentId: parent.id, team: 'billing', priority: parent.priority });
    expect(billing.body.dueAt).toEqual(expect.any(String));

    const fresh = await get(parent.id);
    expect(fresh.version).toBe(parent.version); // the parent item itself was not written
    expect(fresh.children).toHaveLength(2);
    expect(fresh.children).toEqual([
      expect.objectContaining({
        id: network.body.id,
        number: network.body.number,
        team: 'field-repair',
        status: 'new',
        assignee: 'u-agent-wang',
        subject: '上门检查光猫',
        createdAt: network.body.createdAt,
        resolvedAt: null,
      }),
      expect.objectContaining({
        id: billing.body.id,
        number: billing.body.number,
        team: 'billing',
        status: 'new',
      }),
    ]);
    const history = (await rt.api('GET', `/tickets/${parent.id}/history`, { token: token() })).body as Json;
    const events = (history.events ?? history.items ?? history) as Json[];
    expect(events.filter((e) => e.type === 'child.created').map((e) => e.data.childNumber)).toEqual([
      network.body.number,
      billing.body.number,
    ]);

    // The child's later changes keep the parent's list current.
    expect((await move(network.body.id, { to: 'open' })).status).toBe(200);
    expect((await get(parent.id)).children[0]).toMatchObject({ id: network.body.id, status: 'open' });

    // Internal: the customer sees the parent, not the children.
    const own = await rt.api('GET', `/tickets/${parent.id}`, { token: rt.tokens.customer });
    expect(own.status).toBe(200);
    const hidden = await rt.api('GET', `/tickets/${network.body.id}`, { token: rt.tokens.customer });
    expect(hidden.status).toBe(404);
    const lookup = (number: string) =>
      rt.api('POST', '/portal/status', {
        rawBody: new URLSearchParams({ action: 'lookup', number, email: customer.email }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    expect((await lookup(parent.number)).status).toBe(200);
    expect((await lookup(network.body.number)).status).toBe(404);
  });

  it('refuses to resolve a parent with open children (409 naming both), and lets a supervisor force it, audited', async () => {
    // Prepare
    const parent = await openParent('门禁和发票');
    const a = (await child(parent.id, { team: 'field-repair', subject: '修门禁', description: '门禁坏了' }))
      .body;
    const b = (await child(parent.id, { team: 'billing', subject: '补开发票', description: '需要发票' }))
      .body;

    // Act: an agent resolves
    const refused = await move(parent.id, { to: 'resolved', reason: '都处理好了', summary: '都处理好了' });
    // Assess
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('TICKET.OPEN_CHILDREN');
    expect(refused.body.error.message).toContain(a.number);
    expect(refused.body.error.message).toContain(b.number);
    expect(refused.body.error.details.openChildren.map((c: Json) => c.number)).toEqual([a.number, b.number]);
    expect((await get(parent.id)).status).toBe('open');

    // Forcing needs a supervisor (403) and a reason (400).
    const agentForce = await move(parent.id, {
      to: 'resolved',
      force: true,
      reason: '客户同意',
      summary: '已处理 / Done',
    });
    expect(agentForce.status).toBe(403);
    expect(agentForce.body.error.code).toBe('TICKET.FORCE_FORBIDDEN');
    const noReason = await move(
      parent.id,
      { to: 'resolved', force: true, summary: '已处理 / Done' },
      supervisor(),
    );
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details.fields[0].path).toBe('reason');

    // Act: the supervisor forces it
    const forced = await move(
      parent.id,
      { to: 'resolved', force: true, reason: '客户确认可以先结单', summary: '已处理 / Done' },
      supervisor(),
    );
    // Assess
    expect(forced.status).toBe(200);
    expect(forced.body.status).toBe('resolved');
    const history = (await rt.api('GET', `/tickets/${parent.id}/history`, { token: supervisor() }))
      .body as Json;
    const events = (history.events ?? history.items ?? history) as Json[];
    const audit = events.find((e) => e.type === 'transitioned' && e.data.to === 'resolved');
    expect(audit.actor.id).toBe('u-sup-field');
    expect(audit.data).toMatchObject({ forced: true, reason: '客户确认可以先结单' });
    expect(audit.data.overrides).toEqual([
      {
        gate: 'open-children',
        openChildren: [
          expect.objectContaining({ number: a.number, team: 'field-repair' }),
          expect.objectContaining({ number: b.number, team: 'billing' }),
        ],
      },
    ]);
  });

  it('notes the roll-up on the parent once the last child resolves, and tells its assignee', async () => {
    // Prepare
    const parent = await openParent('搬家移机', true);
    const a = (await child(parent.id, { team: 'field-repair', subject: '拆机', description: '旧地址拆机' }))
      .body;
    const b = (
      await child(parent.id, { team: 'billing', subject: '迁移套餐', description: '套餐迁到新地址' })
    ).body;
    const notesOf = async () =>
      (
        (await rt.api('GET', `/tickets/${parent.id}/messages`, { token: token() })).body.items as Json[]
      ).filter((m) => !m.public && m.author.id === 'system');

    // Act: the first child resolves; one is still open
    await finish(a.id, '旧地址设备已拆除');
    await new Promise((r) => setTimeout(r, 1500));
    // Assess
    expect(await notesOf()).toEqual([]);

    // Act: the last child resolves
    await finish(b.id, '套餐已迁移，费用不变');
    // Assess: one internal note naming each child's number, team and resolution
    const notes = await eventually(async () => {
      const found = await notesOf();
      return found.length ? found : undefined;
    }, 15_000);
    expect(notes).toHaveLength(1);
    expect(notes[0].body).toContain(a.number);
    expect(notes[0].body).toContain(b.number);
    expect(notes[0].body).toContain('旧地址设备已拆除');
    expect(notes[0].body).toContain('套餐已迁移，费用不变');
    const mail = await eventually(async () => {
      const { messages } = (await rt.api('GET', '/dev/outbox')).body as { messages: Json[] };
      return messages.find((m) => m.kind === 'child.rollup' && m.ticketId === parent.id);
    }, 15_000);
    expect(mail.to).toBe('zhang.wei@gongdan.local');
    expect(mail.body).toContain(b.number);
    // The flag is off by default: the parent is noted, not resolved.
    expect((await get(parent.id)).status).toBe('open');
    expect((await get(parent.id)).children.map((c: Json) => c.status)).toEqual(['resolved', 'resolved']);

    // Nothing about the children ever went to the customer.
    await new Promise((r) => setTimeout(r, 1000));
    const { messages } = (await rt.api('GET', '/dev/outbox')).body as { messages: Json[] };
    expect(messages.filter((m) => m.ticketId === a.id || m.ticketId === b.id)).toEqual([]);
    expect(await notesOf()).toHaveLength(1);
  });

  it('keeps all 20 children created at once on one parent', async () => {
    // Prepare
    const parent = await openParent('批量开通二十个门店');
    // Act
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        child(parent.id, {
          team: i % 2 ? 'billing' : 'complaints',
          subject: `门店 ${i + 1}`,
          description: '开通',
        }),
      ),
    );
    // Assess
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    const ids = results.map((r) => r.body.id as string);
    expect(new Set(results.map((r) => r.body.number)).size).toBe(20);
    const listed = (await get(parent.id)).children as Json[];
    expect(listed).toHaveLength(20);
    expect(new Set(listed.map((c) => c.id))).toEqual(new Set(ids));
  });

  it('replays a child creation with the same Idempotency-Key instead of opening a second child', async () => {
    const parent = await openParent('重复提交');
    const body = { team: 'billing', subject: '退款', description: '退款一次' };
    const first = await child(parent.id, body, token(), { 'idempotency-key': 'child-refund-1' });
    const again = await child(parent.id, body, token(), { 'idempotency-key': 'child-refund-1' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect((await get(parent.id)).children).toHaveLength(1);
  });

  describe('bad input: a clear 4xx and nothing written', () => {
    it('refuses an unknown team, an unknown assignee and one outside the team, naming the field', async () => {
      const parent = await openParent('坏输入');
      const unknownTeam = await child(parent.id, {
        team: 'no-such-team',
        subject: 'bad-input-probe',
        description: 'y',
      });
      expect(unknownTeam.status).toBe(400);
      expect(unknownTeam.body.error.details.fields).toEqual([
        expect.objectContaining({ path: 'team', code: 'unknown_team' }),
      ]);
      const unknownAgent = await child(parent.id, {
        team: 'billing',
        subject: 'bad-input-probe',
        description: 'y',
        assignee: 'u-nobody',
      });
      expect(unknownAgent.status).toBe(400);
      expect(unknownAgent.body.error.details.fields[0]).toMatchObject({
        path: 'assignee',
        code: 'unknown_agent',
      });
      const outsider = await child(parent.id, {
        team: 'billing',
        subject: 'bad-input-probe',
        description: 'y',
        assignee: 'u-agent-wang',
      });
      expect(outsider.status).toBe(400);
      expect(outsider.body.error.details.fields[0]).toMatchObject({ path: 'assignee', code: 'not_a_member' });
      const missing = await child(parent.id, { team: 'billing' });
      expect(missing.status).toBe(400);
      expect(missing.body.error.details.fields.map((f: Json) => f.path).sort()).toEqual([
        'description',
        'subject',
      ]);
      const customerTry = await child(
        parent.id,
        { team: 'billing', subject: 'bad-input-probe', description: 'y' },
        rt.tokens.customer,
      );
      expect(customerTry.status).toBe(403);

      expect((await get(parent.id)).children).toEqual([]);
      const search = await rt.api('GET', '/tickets?q=bad-input-probe', { token: token() });
      expect(search.body.items).toEqual([]);
    });

    it('lets a child have children but refuses a child of a child of a child (422), writing nothing', async () => {
      const parent = await openParent('三层子工单');
      const first = await child(parent.id, { team: 'billing', subject: '一级', description: '一级子工单' });
      expect(first.status).toBe(201);
      const second = await child(first.body.id, {
        team: 'complaints',
        subject: '二级',
        description: '二级子工单',
      });
      expect(second.status).toBe(201);
      expect(second.body.parentId).toBe(first.body.id);

      const third = await child(second.body.id, {
        team: 'billing',
        subject: '三级不允许',
        description: '太深了',
      });
      expect(third.status).toBe(422);
      expect(third.body.error.code).toBe('TICKET.CHILD_DEPTH_EXCEEDED');
      expect(third.body.error.details).toMatchObject({ depth: 3, maxDepth: 2 });
      expect(third.body.error.message).toContain(parent.number);

      expect((await get(second.body.id)).children).toEqual([]);
      expect((await get(first.body.id)).children.map((c: Json) => c.id)).toEqual([second.body.id]);
      const search = await rt.api('GET', `/tickets?q=${encodeURIComponent('三级不允许')}`, {
        token: token(),
      });
      expect(search.body.items).toEqual([]);
    });

    it('refuses a child of a resolved or closed parent (409)', async () => {
      const parent = await openParent('已解决的主工单');
      expect((await move(parent.id, { to: 'resolved', reason: '已处理', summary: '已处理' })).status).toBe(
        200,
      );
      const late = await child(parent.id, { team: 'billing', subject: '迟到的子工单', description: 'x' });
      expect(late.status).toBe(409);
      expect(late.body.error.code).toBe('TICKET.PARENT_NOT_ACTIVE');
      expect((await move(parent.id, { to: 'closed' })).status).toBe(200);
      const closed = await child(parent.id, { team: 'billing', subject: '迟到的子工单', description: 'x' });
      expect(closed.status).toBe(409);
      expect(closed.body.error.details.status).toBe('closed');
      expect((await get(parent.id)).children).toEqual([]);
      const search = await rt.api('GET', `/tickets?q=${encodeURIComponent('迟到的子工单')}`, {
        token: token(),
      });
      expect(search.body.items).toEqual([]);
    });
  });
});

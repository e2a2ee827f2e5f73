import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoAgentStore } from '#shared/adapters/dynamo/dynamo-agent-store.ts';
import { dynamoRoutingConfigStore } from '#shared/adapters/dynamo/dynamo-routing-config-store.ts';
import { AgentProfile } from '#shared/domain/routing/agent.ts';
import { defaultRoutingConfig } from '#shared/domain/routing/default-config.ts';
import type { ApiDeps } from '#shared/http/route.ts';
import { routeCaller } from '../support/route-call.ts';
import { freshTicketDeps } from '../support/ticket-fixtures.ts';
import { testIssuer } from '../support/tokens.ts';

/** What the console needs from the API: numbers, search, queues by due time, actions, names. */
describe('The API as the console uses it (handlers over DynamoDB Local)', () => {
  let deps: ApiDeps;
  const tokens = {} as Record<'admin' | 'supervisor' | 'wang' | 'li' | 'customer', string>;
  const call = routeCaller(() => deps);
  const create = async (body: Record<string, unknown>) => {
    const created = await call('create-ticket', { token: tokens.admin, body });
    expect(created.status).toBe(201);
    return created.body;
  };

  beforeAll(async () => {
    const issuer = await testIssuer();
    const base = await freshTicketDeps();
    const agents = dynamoAgentStore(base.client, base.tableName, base.deps.clock);
    const config = dynamoRoutingConfigStore(base.client, base.tableName);
    // Routing on, but with nobody online: tickets wait in their team's queue, unassigned.
    await config.put({ ...defaultRoutingConfig, updatedBy: 'seed' }, 0);
    for (const id of ['u-wang', 'u-li']) {
      await agents.put(
        AgentProfile.parse({ id, name: id, teams: ['service-desk'], capacity: 5, availability: 'offline' }),
      );
    }
    deps = { ...base.deps, routing: { agents, config }, verifyToken: issuer.verifyToken };
    tokens.admin = await issuer.sign('u-admin', ['admin'], { name: '王磊' });
    tokens.supervisor = await issuer.sign('u-sup', ['supervisor'], { name: '刘洋' });
    tokens.wang = await issuer.sign('u-wang', ['agent'], { name: '王强' });
    tokens.li = await issuer.sign('u-li', ['agent'], { name: '李娜' });
    tokens.customer = await issuer.sign('c-zhao', ['customer'], { email: 'zhao@example.com' });
  });

  describe('GET /tickets/{number}', () => {
    it('finds a ticket by the number customers read out, and hides other customers’ tickets', async () => {
      // Prepare
      const ticket = await create({ subject: '打印机卡纸', customer: { email: 'qian@example.com' } });
      // Act
      const byNumber = await call('get-ticket', { token: tokens.wang, params: { id: ticket.number } });
      const asOther = await call('get-ticket', { token: tokens.customer, params: { id: ticket.number } });
      const unknown = await call('get-ticket', { token: tokens.wang, params: { id: 'GD-999999' } });
      // Assess
      expect(byNumber.status).toBe(200);
      expect(byNumber.body.id).toBe(ticket.id);
      expect(asOther.status).toBe(404);
      expect(unknown.status).toBe(404);
    });
  });

  describe('allowedTransitions and canTake', () => {
    it('name only the moves the caller’s roles may make now', async () => {
      // Prepare: an urgent ticket, resolved (closing it needs a supervisor)
      const ticket = await create({
        subject: '整栋楼停电',
        priority: 'urgent',
        customer: { email: 'zhao@example.com' },
      });
      const view = async (token: string) =>
        (await call('get-ticket', { token, params: { id: ticket.id } })).body as {
          allowedTransitions: string[];
          canTake: boolean;
        };
      const asNew = await view(tokens.wang);
      await call('transition-ticket', {
        token: tokens.supervisor,
        params: { id: ticket.id },
        body: { to: 'open' },
      });
      await call('transition-ticket', {
        token: tokens.supervisor,
        params: { id: ticket.id },
        body: { to: 'resolved', summary: '已处理 / Done' },
      });
      // Act
      const [agent, supervisor, customer] = await Promise.all([
        view(tokens.wang),
        view(tokens.supervisor),
        view(tokens.customer),
      ]);
      // Assess
      expect(asNew).toMatchObject({ allowedTransitions: ['open'], canTake: true });
      expect(agent.allowedTransitions).toEqual(['open']); // reopen, not close: urgent closes need a supervisor
      expect(supervisor.allowedTransitions).toEqual(['closed', 'open']);
      expect(supervisor.canTake).toBe(false); // supervisors assign; agents take
      expect(customer).toMatchObject({ allowedTransitions: ['open'], canTake: false });
    });
  });

  describe('POST /tickets/{id}/take and accepting', () => {
    it('take assigns an unassigned ticket to the agent; another agent may not take it from them', async () => {
      // Prepare
      await call('set-agent-availability', {
        token: tokens.wang,
        params: { id: 'u-wang' },
        body: { availability: 'online' },
      });
      await call('set-agent-availability', {
        token: tokens.li,
        params: { id: 'u-li' },
        body: { availability: 'online' },
      });
      // In a team neither agent is in, it waits unassigned (a service-desk ticket would be routed to one of them)
      const ticket = await create({
        subject: '门禁卡失效',
        team: 'field-service',
        customer: { email: 'sun@example.com' },
      });
      // Act
      const taken = await call('take-ticket', { token: tokens.wang, params: { id: ticket.id } });
      const again = await call('take-ticket', { token: tokens.li, params: { id: ticket.id } });
      const bySupervisor = await call('take-ticket', { token: tokens.supervisor, params: { id: ticket.id } });
      // Assess
      expect(taken.status).toBe(200);
      expect(taken.body).toMatchObject({ assignee: 'u-wang', canTake: false, canAssign: true });
      const asLi = await call('get-ticket', { token: tokens.li, params: { id: ticket.id } });
      expect(asLi.body).toMatchObject({ canTake: false, canAssign: false }); // 王强's ticket: li may not move it
      expect(taken.body.routing.explanation).toMatchObject({
        code: 'person.taken',
        params: { agent: 'u-wang', team: 'service-desk', fromTeam: 'field-service' },
      });
      const queued = await call('get-ticket', { token: tokens.wang, params: { id: ticket.id } });
      expect(ticket.routing.explanation).toMatchObject({
        code: 'rule.queued',
        params: { team: 'field-service', match: 'pinned', eligible: 0 },
      });
      expect(queued.status).toBe(200);
      expect(again.status).toBe(403);
      expect(bySupervisor.status).toBe(403);
    });

    it('accepting an unassigned ticket takes it; an offline agent accepts it unassigned', async () => {
      // Prepare
      await call('set-agent-availability', {
        token: tokens.li,
        params: { id: 'u-li' },
        body: { availability: 'online' },
      });
      const first = await create({ subject: '会议室投影仪坏了', customer: { email: 'sun@example.com' } });
      const second = await create({ subject: '空调漏水', customer: { email: 'sun@example.com' } });
      await call('set-agent-availability', {
        token: tokens.wang,
        params: { id: 'u-wang' },
        body: { availability: 'offline' },
      });
      // Act
      const byOnline = await call('transition-ticket', {
        token: tokens.li,
        params: { id: first.id },
        body: { to: 'open' },
      });
      const byOffline = await call('transition-ticket', {
        token: tokens.wang,
        params: { id: second.id },
        body: { to: 'open' },
      });
      // Assess
      expect(byOnline.status).toBe(200);
      expect(byOnline.body).toMatchObject({ status: 'open', assignee: 'u-li' });
      expect(byOffline.status).toBe(200);
      expect(byOffline.body).toMatchObject({ status: 'open', assignee: null });
      const history = await call('get-history', { token: tokens.li, params: { id: first.id } });
      expect(history.body.items.map((e: { type: string }) => e.type)).toEqual(
        expect.arrayContaining(['assigned', 'transitioned']),
      );
    });
  });

  describe('GET /tickets search, filters and queues', () => {
    it('searches number, Chinese words of the subject, customer name, e-mail and phone', async () => {
      // Prepare
      const target = await create({
        subject: '朝阳区望京西园三区电梯困人',
        description: '12号楼电梯停在五层',
        priority: 'high',
        customer: { email: 'Feng.Yi@Example.com', name: '冯一', phone: '13800138000', tier: 'vip' },
      });
      await create({ subject: '发票抬头错了', customer: { email: 'chu@example.com', name: '褚二' } });
      const search = async (q: string, extra: Record<string, string> = {}) =>
        (await call('list-tickets', { token: tokens.wang, query: { q, ...extra } })).body.items.map(
          (t: { id: string }) => t.id,
        );
      // Act / Assess
      expect(await search('望京')).toEqual([target.id]);
      expect(await search('电梯 五层')).toEqual([target.id]); // every word, subject or description
      expect(await search('冯一')).toEqual([target.id]);
      expect(await search('feng.yi@example')).toEqual([target.id]);
      expect(await search('13800138000')).toEqual([target.id]);
      expect(await search(target.number.toLowerCase())).toEqual([target.id]);
      expect(await search('望京', { tier: 'standard' })).toEqual([]);
      expect(await search('望京', { tier: 'vip', priority: 'high', channel: 'api' })).toEqual([target.id]);
      expect(await search('不存在的词')).toEqual([]);
    });

    it('lists summaries by default: no description, with the next due time and warning instants', async () => {
      // Act
      const list = await call('list-tickets', { token: tokens.wang, query: { limit: '5' } });
      const full = await call('list-tickets', { token: tokens.wang, query: { limit: '5', view: 'full' } });
      // Assess
      const row = list.body.items[0];
      expect(row).not.toHaveProperty('description');
      expect(row).toHaveProperty('nextDueAt');
      expect(row.sla.targets[0]).toHaveProperty('warnAt');
      const running = row.sla.targets.find((t: { state: string }) => t.state === 'running');
      expect(Date.parse(running.warnAt)).toBeLessThan(Date.parse(running.dueAt));
      expect(full.body.items[0]).toHaveProperty('description');
      expect(JSON.stringify(list.body).length).toBeLessThan(JSON.stringify(full.body).length);
    });

    it('sorts a queue by the nearest due time and pages it with a cursor', async () => {
      // Prepare: a team's active tickets of every priority
      for (const priority of ['low', 'urgent', 'normal', 'high', 'urgent']) {
        await create({
          subject: `排序 ${priority}`,
          priority,
          team: 'field-service',
          customer: { email: 'x@example.com' },
        });
      }
      const query = { team: 'field-service', active: 'true', sort: 'due', limit: '3' };
      // Act
      const first = await call('list-tickets', { token: tokens.wang, query });
      const second = await call('list-tickets', {
        token: tokens.wang,
        query: { ...query, cursor: first.body.cursor },
      });
      // Assess
      const rows = [...first.body.items, ...second.body.items];
      expect(rows).toHaveLength(5);
      expect(second.body.cursor).toBeUndefined();
      const dues = rows.map((r: { nextDueAt: string | null }) => r.nextDueAt ?? '~');
      expect(dues).toEqual([...dues].sort());
      expect(rows.slice(0, 2).map((r: { priority: string }) => r.priority)).toEqual(['urgent', 'urgent']);
      const bad = await call('list-tickets', { token: tokens.wang, query: { ...query, cursor: 'nonsense' } });
      expect(bad.status).toBe(400);
    });
  });

  describe('PATCH /tickets/{id}', () => {
    it('changes the priority (the SLA policy follows) and tags; customers and empty changes are refused', async () => {
      // Prepare
      const ticket = await create({ subject: '网站偶尔打不开', customer: { email: 'web@example.com' } });
      // Act
      const raised = await call('update-ticket', {
        token: tokens.wang,
        params: { id: ticket.id },
        body: { priority: 'urgent', tags: { add: ['网站'] } },
        headers: { 'if-match': `"${ticket.version}"` },
      });
      const stale = await call('update-ticket', {
        token: tokens.wang,
        params: { id: ticket.id },
        body: { priority: 'low' },
        headers: { 'if-match': `"${ticket.version}"` },
      });
      const empty = await call('update-ticket', { token: tokens.wang, params: { id: ticket.id }, body: {} });
      const byCustomer = await call('update-ticket', {
        token: tokens.customer,
        params: { id: ticket.id },
        body: { priority: 'urgent' },
      });
      // Assess
      expect(raised.status).toBe(200);
      expect(raised.body).toMatchObject({ priority: 'urgent', tags: ['网站'], sla: { policy: 'urgent' } });
      expect(stale.status).toBe(412);
      expect(empty.status).toBe(400);
      expect(empty.body.error.details.fields[0].path).toBe('priority');
      expect(byCustomer.status).toBe(403);
      const history = await call('get-history', { token: tokens.wang, params: { id: ticket.id } });
      expect(history.body.items.at(-1)).toMatchObject({
        type: 'updated',
        data: { priority: { from: 'normal', to: 'urgent' } },
      });
    });
  });

  describe('GET /directory', () => {
    it('gives staff team names, agents, policies and labels; customers are refused', async () => {
      const staff = await call('get-directory', { token: tokens.wang });
      const customer = await call('get-directory', { token: tokens.customer });
      expect(staff.status).toBe(200);
      expect(staff.body.teams.map((t: { id: string }) => t.id)).toContain('service-desk');
      expect(staff.body.agents.map((a: { id: string }) => a.id)).toEqual(
        expect.arrayContaining(['u-wang', 'u-li']),
      );
      expect(staff.body.statuses).toContainEqual({ id: 'new', zh: '待受理', en: 'New' });
      expect(staff.body.intents).toContainEqual({ id: 'repair', zh: '报修', en: 'Repair' });
      expect(customer.status).toBe(403);
    });
  });
});

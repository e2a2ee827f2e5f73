import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoAgentStore } from '#shared/adapters/dynamo/dynamo-agent-store.ts';
import { dynamoRoutingConfigStore } from '#shared/adapters/dynamo/dynamo-routing-config-store.ts';
import { AgentProfile } from '#shared/domain/routing/agent.ts';
import { defaultRoutingConfig, defaultRoutingInput } from '#shared/domain/routing/default-config.ts';
import type { RoutingConfigStore } from '#shared/domain/routing/routing-config.store.ts';
import type { ApiDeps } from '#shared/http/route.ts';
import { routeCaller } from '../support/route-call.ts';
import { freshTicketDeps } from '../support/ticket-fixtures.ts';
import { testIssuer } from '../support/tokens.ts';

describe('Routing API (handlers over DynamoDB Local)', () => {
  let deps: ApiDeps;
  let config: RoutingConfigStore;
  const tokens: Record<string, string> = {};
  const call = routeCaller(() => deps);

  beforeAll(async () => {
    const issuer = await testIssuer();
    const base = await freshTicketDeps();
    const agents = dynamoAgentStore(base.client, base.tableName, base.deps.clock);
    config = dynamoRoutingConfigStore(base.client, base.tableName);
    await config.put({ ...defaultRoutingConfig, updatedBy: 'seed' }, 0);
    for (const id of ['u-wang', 'u-li']) {
      await agents.put(
        AgentProfile.parse({ id, name: id, teams: ['service-desk'], capacity: 3, availability: 'online' }),
      );
    }
    deps = { ...base.deps, routing: { agents, config }, verifyToken: issuer.verifyToken };
    tokens.admin = await issuer.sign('u-admin', ['admin'], { name: '王磊' });
    tokens.supervisor = await issuer.sign('u-sup', ['supervisor'], { name: '刘洋' });
    tokens.wang = await issuer.sign('u-wang', ['agent'], { name: '王强' });
    tokens.li = await issuer.sign('u-li', ['agent'], { name: '李娜' });
  });

  describe('GET/PUT /config/routing', () => {
    it('is versioned: If-Match of the current version applies, a stale one is 412, each version is kept', async () => {
      // Prepare
      const current = await call('get-routing-config', { token: tokens.supervisor });
      expect(current.status).toBe(200);
      expect(current.headers.etag).toBe('"1"');
      const proposal = { ...defaultRoutingInput, rules: defaultRoutingInput.rules.slice(1) };
      // Act
      const updated = await call('put-routing-config', {
        token: tokens.admin,
        body: proposal,
        headers: { 'if-match': '"1"' },
      });
      const stale = await call('put-routing-config', {
        token: tokens.admin,
        body: proposal,
        headers: { 'if-match': '"1"' },
      });
      const unconditional = await call('put-routing-config', {
        token: tokens.admin,
        body: defaultRoutingInput,
      });
      // Assess
      expect(updated.status).toBe(200);
      expect(updated.headers.etag).toBe('"2"');
      expect(updated.body).toMatchObject({ version: 2, updatedBy: 'u-admin' });
      expect(updated.body.rules.map((r: { id: string }) => r.id)).not.toContain('vip-urgent');
      expect(stale.status).toBe(412);
      expect(stale.body.error).toMatchObject({
        code: 'ROUTING.CONFIG_VERSION_MISMATCH',
        details: { expected: 1, actual: 2 },
      });
      expect(unconditional.body.version).toBe(3);
      const history = await config.history();
      expect(history.map((h) => [h.version, h.updatedBy])).toEqual([
        [1, 'seed'],
        [2, 'u-admin'],
        [3, 'u-admin'],
      ]);
      expect(history[1]!.updatedAt).toBe(updated.body.updatedAt);
    });

    it('answers an invalid configuration with 400 naming each field, and stores nothing', async () => {
      // Prepare
      const before = (await call('get-routing-config', { token: tokens.admin })).body.version;
      const proposal = {
        ...defaultRoutingInput,
        rules: [{ id: 'typo', name: 'Typo', when: { keyword: ['x'] }, route: { team: 'nowhere' } }],
      };
      // Act
      const result = await call('put-routing-config', { token: tokens.admin, body: proposal });
      // Assess
      expect(result.status).toBe(400);
      expect(result.body.error.code).toBe('ROUTING.CONFIG_INVALID');
      const paths = result.body.error.details.fields.map((f: { path: string }) => f.path);
      expect(paths).toEqual(expect.arrayContaining(['rules.0.when', 'rules.0.route.team']));
      expect((await call('get-routing-config', { token: tokens.admin })).body.version).toBe(before);
    });

    it('lets only admins change it', async () => {
      const result = await call('put-routing-config', {
        token: tokens.supervisor,
        body: defaultRoutingInput,
      });
      expect(result.status).toBe(403);
    });
  });

  describe('agents', () => {
    it('creates and replaces an agent profile (PUT /agents/{id}) and lists agents with their load', async () => {
      // Act
      const created = await call('put-agent', {
        token: tokens.supervisor,
        params: { id: 'u-zhao' },
        body: {
          name: '赵敏',
          teams: ['field-repair'],
          skills: { hvac: 5 },
          capacity: { max: 4, perChannel: { phone: 1 } },
          fieldEngineer: true,
          location: { lat: 31.11, lng: 121.38 },
        },
      });
      const replaced = await call('put-agent', {
        token: tokens.admin,
        params: { id: 'u-zhao' },
        body: { name: '赵敏', teams: ['field-repair', 'experts'], capacity: 5, availability: 'away' },
      });
      const list = await call('list-agents', { token: tokens.wang });
      // Assess
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ id: 'u-zhao', availability: 'offline', load: { total: 0 } });
      expect(replaced.status).toBe(200);
      expect(replaced.body).toMatchObject({ teams: ['field-repair', 'experts'], capacity: { max: 5 } });
      expect(list.body.items.map((a: { id: string }) => a.id)).toEqual(['u-li', 'u-wang', 'u-zhao']);
    });

    it('answers a bad profile with 400 and field details: wrong types, unknown keys, unknown teams', async () => {
      // Act
      const bad = await call('put-agent', {
        token: tokens.supervisor,
        params: { id: 'u-new' },
        body: { name: '', teams: ['service-desk'], capacity: -1, skills: { hvac: 9 }, load: { total: 0 } },
      });
      const unknownTeam = await call('put-agent', {
        token: tokens.supervisor,
        params: { id: 'u-new' },
        body: { name: '新人', teams: ['service-desk', 'nowhere'], capacity: 2 },
      });
      const badId = await call('put-agent', {
        token: tokens.supervisor,
        params: { id: 'not an id!' },
        body: { name: '新人', teams: ['service-desk'], capacity: 2 },
      });
      const byAgent = await call('put-agent', {
        token: tokens.wang,
        params: { id: 'u-wang' },
        body: { name: '王强', teams: ['service-desk'], capacity: 99 },
      });
      // Assess
      expect(bad.status).toBe(400);
      const paths = bad.body.error.details.fields.map((f: { path: string }) => f.path);
      expect(paths).toEqual(expect.arrayContaining(['name', 'capacity', 'skills.hvac']));
      expect(bad.body.error.details.fields.some((f: { message: string }) => f.message.includes('load'))).toBe(
        true,
      );
      expect(unknownTeam.status).toBe(400);
      expect(unknownTeam.body.error.details.fields).toEqual([expect.objectContaining({ path: 'teams.1' })]);
      expect(badId.status).toBe(400);
      expect(badId.body.error.details.fields[0].path).toBe('id');
      expect(byAgent.status).toBe(403);
    });

    it('lets agents set only their own availability, supervisors anyone’s', async () => {
      // Act
      const own = await call('set-agent-availability', {
        token: tokens.li,
        params: { id: 'u-li' },
        body: { availability: 'away' },
      });
      const other = await call('set-agent-availability', {
        token: tokens.li,
        params: { id: 'u-wang' },
        body: { availability: 'offline' },
      });
      const bySupervisor = await call('set-agent-availability', {
        token: tokens.supervisor,
        params: { id: 'u-li' },
        body: { availability: 'online' },
      });
      const unknown = await call('set-agent-availability', {
        token: tokens.supervisor,
        params: { id: 'u-nobody' },
        body: { availability: 'online' },
      });
      const invalid = await call('set-agent-availability', {
        token: tokens.li,
        params: { id: 'u-li' },
        body: { availability: 'busy' },
      });
      // Assess
      expect(own.body).toMatchObject({ agent: { id: 'u-li', availability: 'away' }, pickedUp: [] });
      expect(other.status).toBe(403);
      expect(other.body.error.code).toBe('AGENT.FORBIDDEN');
      expect(bySupervisor.body.agent.availability).toBe('online');
      expect(unknown.status).toBe(404);
      expect(invalid.status).toBe(400);
      expect(invalid.body.error.details.fields[0].path).toBe('availability');
    });
  });

  describe('POST /tickets/{id}/assignment', () => {
    it('reassigns over HTTP, with If-Match, and shows the new assignee and why in GET /tickets/{id}', async () => {
      // Prepare
      const created = await call('create-ticket', {
        token: tokens.supervisor,
        body: { subject: '请问营业时间', customer: { email: 'q@example.com' } },
      });
      expect(created.body.assignee).toMatch(/^u-(wang|li)$/);
      const to = created.body.assignee === 'u-wang' ? 'u-li' : 'u-wang';
      // Act
      const moved = await call('assign-ticket', {
        token: tokens.supervisor,
        params: { id: created.body.id },
        headers: { 'if-match': '"1"' },
        body: { agentId: to, reason: '轮班交接' },
      });
      const stale = await call('assign-ticket', {
        token: tokens.supervisor,
        params: { id: created.body.id },
        headers: { 'if-match': '"1"' },
        body: { agentId: created.body.assignee, reason: '再换回来' },
      });
      const empty = await call('assign-ticket', {
        token: tokens.supervisor,
        params: { id: created.body.id },
        body: { reason: '没说给谁' },
      });
      const fetched = await call('get-ticket', { token: tokens.wang, params: { id: created.body.id } });
      // Assess
      expect(moved.status).toBe(200);
      expect(moved.headers.etag).toBe('"2"');
      expect(stale.status).toBe(412);
      expect(empty.status).toBe(400);
      expect(empty.body.error.details.fields[0].path).toBe('agentId');
      expect(fetched.body).toMatchObject({
        assignee: to,
        routing: { reason: `Assigned to ${to} by 刘洋 (supervisor): 轮班交接` },
      });
    });
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoAgentStore } from '#shared/adapters/dynamo/dynamo-agent-store.ts';
import { dynamoRoutingConfigStore } from '#shared/adapters/dynamo/dynamo-routing-config-store.ts';
import { AgentProfile } from '#shared/domain/routing/agent.ts';
import { defaultRoutingConfig } from '#shared/domain/routing/default-config.ts';
import type { ApiDeps } from '#shared/http/route.ts';
import { routeCaller } from '../support/route-call.ts';
import { freshTicketDeps } from '../support/ticket-fixtures.ts';
import { testIssuer } from '../support/tokens.ts';

/**
 * Issue 15: a change sent without If-Match asked for no precondition, so under contention it must land
 * (retried internally), not answer 409 TICKET.CONCURRENT_UPDATE. Each route that changes a ticket,
 * called concurrently on one ticket through its real handler over DynamoDB Local.
 */
describe('concurrent changes without If-Match on one ticket', () => {
  let deps: ApiDeps;
  const tokens: Record<string, string> = {};
  const call = routeCaller(() => deps);
  const agentIds = ['u-a', 'u-b', 'u-c', 'u-d', 'u-e', 'u-f'];

  beforeAll(async () => {
    const issuer = await testIssuer();
    const base = await freshTicketDeps();
    const agents = dynamoAgentStore(base.client, base.tableName, base.deps.clock);
    const config = dynamoRoutingConfigStore(base.client, base.tableName);
    await config.put({ ...defaultRoutingConfig, updatedBy: 'seed' }, 0);
    for (const id of agentIds) {
      await agents.put(
        AgentProfile.parse({ id, name: id, teams: ['service-desk'], capacity: 50, availability: 'online' }),
      );
      tokens[id] = await issuer.sign(id, ['agent'], { name: id });
    }
    deps = { ...base.deps, routing: { agents, config }, verifyToken: issuer.verifyToken };
    tokens.supervisor = await issuer.sign('u-sup', ['supervisor'], { name: '刘洋' });
  });

  const newTicket = async () =>
    (
      await call('create-ticket', {
        token: tokens.supervisor,
        body: { subject: 'contended', customer: { email: 'c@example.com' } },
      })
    ).body.id as string;

  it('reassignments by a supervisor all apply, the last one written wins', async () => {
    // Prepare
    const id = await newTicket();

    // Act
    const answers = await Promise.all(
      agentIds.map((agentId, i) =>
        call('assign-ticket', {
          token: tokens.supervisor,
          params: { id },
          body: { agentId, reason: `move ${i}` },
        }),
      ),
    );

    // Assess
    expect(answers.map((a) => a.status).filter((s) => s !== 200)).toEqual([]);
    const ticket = await call('get-ticket', { token: tokens.supervisor, params: { id } });
    expect(agentIds).toContain(ticket.body.assignee);
    const history = await call('get-history', { token: tokens.supervisor, params: { id } });
    const byPerson = history.body.items.filter(
      (e: { type: string; data: { by?: string } }) => e.type === 'assigned' && e.data.by === 'person',
    );
    expect(byPerson.length).toBeGreaterThanOrEqual(agentIds.length - 1);
  });

  it('watchers added by six agents at once are all kept', async () => {
    const id = await newTicket();
    const answers = await Promise.all(
      agentIds.map((agentId) => call('add-watcher', { token: tokens[agentId]!, params: { id }, body: {} })),
    );
    expect(answers.map((a) => a.status).filter((s) => (s ?? 500) >= 400)).toEqual([]);
    const ticket = await call('get-ticket', { token: tokens.supervisor, params: { id } });
    expect([...ticket.body.watchers].sort()).toEqual(expect.arrayContaining(agentIds));
  });

  it('tag changes sent at once are all applied', async () => {
    const id = await newTicket();
    const answers = await Promise.all(
      agentIds.map((tag) =>
        call('update-ticket', { token: tokens.supervisor, params: { id }, body: { tags: { add: [tag] } } }),
      ),
    );
    expect(answers.map((a) => a.status).filter((s) => s !== 200)).toEqual([]);
    const ticket = await call('get-ticket', { token: tokens.supervisor, params: { id } });
    expect(ticket.body.tags).toEqual(expect.arrayContaining(agentIds));
  });
});

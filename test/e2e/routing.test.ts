import { describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.ts';
import { runtimeSuite } from './support/runtime-process.ts';

/** Smart routing through the local runtime's HTTP API, with its seeded teams, agents and rules. */
describe('Routing over the HTTP API (local runtime, seeded demo data)', () => {
  const rt = runtimeSuite();
  const tokenOf = (userId: string) => rt.tokens.users.find((u) => u.id === userId)!.token;

  it("sends a VIP's urgent ticket to the experts, with the explanation in the ticket and its history", async () => {
    // Act
    const created = await rt.api('POST', '/tickets', {
      token: rt.tokens.agent,
      body: {
        subject: '收银系统全部宕机',
        description: '所有门店的收银台都无法结账',
        priority: 'urgent',
        customer: { email: 'huang@hualian.example.com', name: '黄先生', tier: 'vip' },
      },
    });
    // Assess
    expect(created.status).toBe(201);
    const id = created.body.id;
    const ticket = await rt.api('GET', `/tickets/${id}`, { token: rt.tokens.supervisor });
    expect(ticket.body).toMatchObject({ team: 'experts', routing: { rule: 'vip-urgent', relaxed: false } });
    expect(['u-sup-field', 'u-agent-sun']).toContain(ticket.body.assignee);
    expect(ticket.body.routing.reason).toMatch(/^Rule "vip-urgent" .* → team experts; .* picked u-/);
    expect(ticket.body.routing.candidates.length).toBeGreaterThanOrEqual(2);
    for (const c of ticket.body.routing.candidates) expect(c.score).toBeGreaterThan(0);

    const history = await rt.api('GET', `/tickets/${id}/history`, { token: rt.tokens.supervisor });
    const assigned = history.body.items.find((e: { type: string }) => e.type === 'assigned');
    expect(assigned).toMatchObject({
      actor: { id: 'system' },
      data: { team: 'experts', assignee: ticket.body.assignee, rule: 'vip-urgent' },
    });
    expect(assigned.data.routing.reason).toBe(ticket.body.routing.reason);

    // Published by the outbox dispatcher just after the commit.
    const published = await eventually(
      async () => {
        const events = (await rt.api('GET', '/dev/events')).body.events as {
          detailType: string;
          detail: { ticketId: string };
        }[];
        return events.find((e) => e.detailType === 'ticket.assigned' && e.detail.ticketId === id);
      },
      5000,
      50,
    );
    expect(published.detail).toMatchObject({ ticketId: id, team: 'experts' });

    const agents = await rt.api('GET', '/agents?team=experts', { token: rt.tokens.agent });
    const holder = agents.body.items.find((a: { id: string }) => a.id === ticket.body.assignee);
    expect(holder.load.total).toBeGreaterThanOrEqual(1);
  });

  it('queues work nobody online can do, and hands it to the engineer who comes online', async () => {
    // Prepare: HVAC on site needs a field engineer with hvac ≥ 3; the seed's only one (赵敏) is away
    const created = await rt.api('POST', '/tickets', {
      token: rt.tokens.agent,
      body: {
        subject: '会议室空调不制冷',
        category: 'hvac',
        priority: 'high',
        customer: { email: 'li.xiaojie@example.com', name: '李小姐' },
        location: { lat: 31.2304, lng: 121.4737, address: '上海市黄浦区人民大道 200 号' },
      },
    });
    expect(created.body).toMatchObject({ team: 'field-repair', assignee: null });
    expect(created.body.routing.reason).toContain('queued in field-repair');

    // Act: 赵敏 signs in and goes online herself
    const online = await rt.api('POST', '/agents/u-agent-zhao/availability', {
      token: tokenOf('u-agent-zhao'),
      body: { availability: 'online' },
    });

    // Assess
    expect(online.status).toBe(200);
    expect(online.body.agent.availability).toBe('online');
    expect(online.body.pickedUp).toContain(created.body.id);
    const ticket = await rt.api('GET', `/tickets/${created.body.id}`, { token: rt.tokens.supervisor });
    expect(ticket.body.assignee).toBe('u-agent-zhao');
    expect(ticket.body.routing.reason).toMatch(
      /Picked up from the field-repair queue after \d+ min by u-agent-zhao/,
    );
    const history = await rt.api('GET', `/tickets/${created.body.id}/history`, {
      token: rt.tokens.supervisor,
    });
    expect(
      history.body.items
        .filter((e: { type: string }) => e.type === 'assigned')
        .map((e: { data: { by: string } }) => e.data.by),
    ).toEqual(['routing', 'pickup']);
  });

  it('serves the versioned routing configuration and refuses a stale change with 412', async () => {
    // Prepare
    const current = await rt.api('GET', '/config/routing', { token: rt.tokens.supervisor });
    expect(current.status).toBe(200);
    const etag = current.headers.get('etag');
    expect(etag).toBe(`"${current.body.version}"`);
    // Act
    const updated = await rt.api('PUT', '/config/routing', {
      token: rt.tokens.admin,
      body: current.body,
      headers: { 'if-match': etag! },
    });
    const stale = await rt.api('PUT', '/config/routing', {
      token: rt.tokens.admin,
      body: current.body,
      headers: { 'if-match': etag! },
    });
    // Assess
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ version: current.body.version + 1, updatedBy: 'u-admin' });
    expect(stale.status).toBe(412);
  });
});

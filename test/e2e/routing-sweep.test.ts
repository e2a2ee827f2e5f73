import { describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.ts';
import { runtimeSuite } from './support/runtime-process.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field and asserted on.
type Json = any;

/** The queue sweep through the local runtime's HTTP API, on its virtual clock (600× real time). */
describe('The queue sweep in the local runtime (--time-scale 600, seeded demo data)', () => {
  const rt = runtimeSuite({ args: ['--time-scale', '600'] });

  it('gives queued HVAC work to a less skilled engineer once it has waited 30 minutes, with no agent event', async () => {
    // Prepare: an online field engineer with hvac 2 (the rule wants 3 until 30 min); the seed's HVAC
    // expert is away
    const put = await rt.api('PUT', '/agents/u-agent-trainee', {
      token: rt.tokens.admin,
      body: {
        name: '见习工程师',
        teams: ['field-repair'],
        skills: { hvac: 2 },
        languages: ['zh'],
        capacity: 2,
        fieldEngineer: true,
        availability: 'online',
        location: { lat: 31.23, lng: 121.47 },
      },
    });
    expect(put.status).toBe(201);
    const created = await rt.api('POST', '/tickets', {
      token: rt.tokens.agent,
      body: {
        subject: '会议室空调不制冷',
        category: 'hvac',
        priority: 'normal',
        customer: { email: 'li.xiaojie@example.com', name: '李小姐' },
        location: { lat: 31.2304, lng: 121.4737, address: '上海市黄浦区人民大道 200 号' },
      },
    });
    expect(created.body).toMatchObject({ team: 'field-repair', assignee: null });
    const id = created.body.id as string;

    // Act: wait (30 virtual minutes are 3 real seconds; the sweep runs every real second)
    const ticket = await eventually(async () => {
      const { body } = await rt.api<Json>('GET', `/tickets/${id}`, { token: rt.tokens.supervisor });
      return body.assignee ? body : undefined;
    }, 30_000);

    // Assess
    expect(ticket.assignee).toBe('u-agent-trainee');
    expect(ticket.routing.relaxed).toBe(true);
    expect(ticket.routing.reason).toMatch(
      /^Re-routed by the queue sweep after \d+ min in the field-repair queue\. /,
    );
    const waited = Number(/after (\d+) min/.exec(ticket.routing.reason)![1]);
    expect(waited).toBeGreaterThanOrEqual(30);
    const history = await rt.api('GET', `/tickets/${id}/history`, { token: rt.tokens.supervisor });
    expect(
      history.body.items
        .filter((e: { type: string }) => e.type === 'assigned')
        .map((e: { data: { by: string } }) => e.data.by),
    ).toEqual(['routing', 'sweep']);
    const agents = await rt.api('GET', '/agents?team=field-repair', { token: rt.tokens.supervisor });
    const trainee = agents.body.items.find((a: { id: string }) => a.id === 'u-agent-trainee');
    expect(trainee.load.total).toBe(1);
  });

  it('lists the scheduled jobs at /dev/jobs and runs one on demand; an unknown name is a 404', async () => {
    // Act
    const list = await rt.api<Json>('GET', '/dev/jobs');
    const run = await rt.api<Json>('POST', '/dev/jobs/routing-maintenance');
    const unknown = await rt.api<Json>('POST', '/dev/jobs/forecast-nightly');

    // Assess
    expect(list.status).toBe(200);
    expect(list.body.jobs.map((j: { name: string }) => j.name)).toEqual([
      'routing-maintenance',
      'outbox-retry',
      'sla-reconcile',
      'webhooks-out-retry',
      'analytics-spikes',
      'analytics-forecast',
      'analytics-digest',
    ]);
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ name: 'routing-maintenance', report: expect.any(Object) });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({
      code: 'DEV.JOB_NOT_FOUND',
      details: {
        known: [
          'routing-maintenance',
          'outbox-retry',
          'sla-reconcile',
          'webhooks-out-retry',
          'analytics-spikes',
          'analytics-forecast',
          'analytics-digest',
        ],
      },
    });
  });
});

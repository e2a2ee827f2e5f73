/**
 * Routing maintenance (the every-minute queue sweep and claim reconciler) on DynamoDB Local:
 * `node --import tsx bench/routing-maintenance.ts [agents=40] [queued=300]`.
 *
 * 1. Idle: every agent full, the queue long: what one run costs when it can do nothing.
 * 2. Relaxation: `queued` HVAC tickets waited past their 30-minute step; `agents` engineers (3 units
 *    each) may now take them. Runs one after another until the queue or the capacity is used up.
 * 3. The same world, three runs at once: nothing over capacity, nothing assigned twice.
 * 4. Reconcile: every agent holds 3 claims; a tenth of the agents also hold an orphan (a claim whose
 *    ticket was never written), old enough to go.
 * 5. Unrouted: the `queued` tickets were created while routing failed (no team); 31 minutes later,
 *    runs one after another until every one of them has a team.
 *
 * Each line gives the run's wall time and its DynamoDB requests by kind.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoAgentStore } from '#shared/adapters/dynamo/dynamo-agent-store.ts';
import { dynamoApprovalStore } from '#shared/adapters/dynamo/dynamo-approval-store.ts';
import { dynamoRoutingConfigStore } from '#shared/adapters/dynamo/dynamo-routing-config-store.ts';
import { dynamoSlaConfigStore } from '#shared/adapters/dynamo/dynamo-sla-config-store.ts';
import { dynamoTicketStore } from '#shared/adapters/dynamo/dynamo-ticket-store.ts';
import { ticketTable } from '#shared/adapters/dynamo/table-design.ts';
import { ulidGenerator } from '#shared/adapters/ids.ts';
import type { Actor } from '#shared/domain/actor.ts';
import { noMetrics, silentLogger } from '#shared/domain/ports.ts';
import { AgentProfile } from '#shared/domain/routing/agent.ts';
import { createTicket } from '#shared/use-cases/create-ticket.ts';
import type { TicketDeps } from '#shared/use-cases/deps.ts';
import { type MaintenanceReport, maintainRouting } from '#shared/use-cases/routing-maintenance.ts';
import { ensureTable, localAwsConfig, startDynamoDbLocal } from '../infra/local/dynamodb-local.ts';
import { hvacRelaxConfig } from '../test/fixtures/routing-fixtures.ts';

const agentCount = Number(process.argv[2] ?? 40);
const queuedCount = Number(process.argv[3] ?? 300);
const capacity = 3;

const config = hvacRelaxConfig;
const staff: Actor = { id: 'u-desk', roles: ['agent'], channel: 'phone' };
const start = new Date('2026-11-20T08:00:00Z');

const ddb = await startDynamoDbLocal();
try {
  /** A fresh table with `agents` repair engineers (hvac 2) and `queued` HVAC tickets waiting. */
  async function world(availability: 'online' | 'away', { intakeFails = false } = {}) {
    let now = start;
    const clock = { now: () => now };
    const client = new DynamoDBClient(localAwsConfig(ddb.endpoint));
    const requests: Record<string, number> = {};
    client.middlewareStack.add(
      (next, context) => (args) => {
        const name = String(context.commandName ?? '?').replace(/Command$/, '');
        requests[name] = (requests[name] ?? 0) + 1;
        return next(args);
      },
      { step: 'initialize', name: 'countRequests' },
    );
    const tableName = `bench-${randomUUID()}`;
    await ensureTable(client, ticketTable, tableName);
    const agents = dynamoAgentStore(client, tableName, clock);
    const configs = dynamoRoutingConfigStore(client, tableName);
    await configs.put(config, 0);
    const sla = dynamoSlaConfigStore(client, tableName);
    const deps: TicketDeps = {
      tickets: dynamoTicketStore(client, tableName, clock),
      clock,
      ids: ulidGenerator(() => now.getTime()),
      logger: silentLogger,
      metrics: noMetrics,
      routing: { agents, config: configs },
      sla: { config: sla, store: sla },
      approvals: dynamoApprovalStore(client, tableName),
    };
    for (let i = 0; i < agentCount; i++) {
      await agents.put(
        AgentProfile.parse({
          id: `rep-${String(i).padStart(3, '0')}`,
          name: `rep ${i}`,
          teams: ['repair'],
          skills: { hvac: 2 },
          languages: ['zh'],
          capacity,
          availability,
        }),
      );
    }
    const intake: TicketDeps = intakeFails
      ? {
          ...deps,
          routing: {
            config: configs,
            agents: {
              ...agents,
              listByTeam: async () => {
                throw new Error('throttled');
              },
            },
          },
        }
      : deps;
    const ids: string[] = [];
    for (let i = 0; i < queuedCount; i++) {
      const { ticket } = await createTicket(
        {
          subject: `空调不制冷 ${i}`,
          description: '',
          category: 'hvac',
          priority: i % 10 === 0 ? 'high' : 'normal',
          tags: [],
          customFields: {},
          customer: { email: `c${i}@example.com`, tier: 'standard' },
        },
        staff,
        intake,
      );
      ids.push(ticket.id);
    }
    return {
      deps,
      agents,
      ids,
      requests,
      advance(minutes: number) {
        now = new Date(now.getTime() + minutes * 60_000);
      },
      resetCounts() {
        for (const k of Object.keys(requests)) delete requests[k];
      },
    };
  }

  const counts = (r: Record<string, number>) =>
    Object.entries(r)
      .sort()
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  const line = (label: string, report: MaintenanceReport, ms: number, requests: Record<string, number>) => {
    const s = report.sweep;
    const c = report.reconcile;
    const u = report.unrouted;
    console.log(
      `${label.padEnd(28)} ${String(Math.round(ms)).padStart(6)} ms  ` +
        `sweep: assigned ${s?.assigned ?? '-'}, tried ${s?.tried ?? '-'}, taken ${s?.taken ?? '-'}, ` +
        `already ${s?.alreadyAssigned ?? '-'}, still queued ${s?.stillQueued ?? '-'}, truncated ${s?.truncated ?? '-'}; ` +
        `unrouted: found ${u?.found ?? '-'}, assigned ${u?.assigned ?? '-'}, queued ${u?.queued ?? '-'}; ` +
        `reconcile: agents ${c?.agents ?? '-'}, released ${c?.released ?? '-'}, unheld claimed ${c?.unheldClaimed ?? '-'}\n${' '.repeat(38)}requests: ${counts(requests)}`,
    );
  };
  async function timed(w: Awaited<ReturnType<typeof world>>, label: string) {
    w.resetCounts();
    const t = performance.now();
    const report = await maintainRouting(w.deps);
    line(label, report, performance.now() - t, w.requests);
    return report;
  }

  console.log(
    `${agentCount} agents × ${capacity} units, ${queuedCount} queued HVAC tickets (DynamoDB Local)\n`,
  );

  // 1. Idle: nobody free.
  const idle = await world('away');
  idle.advance(45);
  await timed(idle, '1. idle (nobody free)');

  // 2. Relaxation unlocked: runs until nothing more fits.
  const relax = await world('online');
  await timed(relax, '2. before 30 min (step 0)');
  relax.advance(31);
  for (let run = 1; run <= 5; run++) {
    const report = await timed(relax, `2. after 31 min, run ${run}`);
    if (!report.sweep?.assigned) break;
  }

  // 3. Three runs at once.
  const race = await world('online');
  race.advance(31);
  race.resetCounts();
  const t = performance.now();
  const reports = await Promise.all([1, 2, 3].map(() => maintainRouting(race.deps)));
  const ms = performance.now() - t;
  for (const [i, r] of reports.entries())
    line(`3. concurrent run ${i + 1}`, r, ms, i === 2 ? race.requests : {});
  let over = 0;
  let held = 0;
  for (let i = 0; i < agentCount; i++) {
    const a = (await race.agents.get(`rep-${String(i).padStart(3, '0')}`))!;
    if (a.load.total > capacity) over++;
    held += a.load.total;
  }
  const assigned = (await Promise.all(race.ids.map((id) => race.deps.tickets.get(id)))).filter(
    (x) => x?.assignee,
  ).length;
  console.log(
    `${' '.repeat(38)}agents over capacity: ${over}; units held ${held}; tickets assigned ${assigned}`,
  );

  // 4. Reconcile: orphans on a tenth of the agents, 6 minutes old.
  const rec = await world('online');
  rec.advance(31);
  while ((await maintainRouting(rec.deps)).sweep?.assigned);
  const orphans = Math.ceil(agentCount / 10);
  for (let i = 0; i < orphans; i++) {
    const id = `rep-${String(i).padStart(3, '0')}`;
    await rec.agents.release(id, (await rec.agents.heldClaims(id))[0]!.ticketId);
    await rec.agents.claim(id, `LOST-${i}`, { channel: 'phone' });
  }
  rec.advance(6);
  await timed(rec, `4. reconcile, ${orphans} orphans`);

  // 5. Tickets intake left without a team, routed by successive runs.
  const lost = await world('online', { intakeFails: true });
  lost.advance(31);
  for (let run = 1; run <= 10; run++) {
    const report = await timed(lost, `5. unrouted, run ${run}`);
    if (!report.unrouted?.found) break;
  }
} finally {
  await ddb.stop();
}

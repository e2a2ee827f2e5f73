import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Actor } from '#shared/domain/actor.ts';
import { AgentProfile } from '#shared/domain/routing/agent.ts';
import { defaultRoutingConfig } from '#shared/domain/routing/default-config.ts';
import { defaultCalendars } from '#shared/domain/sla/calendar.ts';
import { defaultSlaPolicies } from '#shared/domain/sla/policy.ts';
import { addReply } from '#shared/use-cases/add-reply.ts';
import { assignTicket } from '#shared/use-cases/assign-ticket.ts';
import { createTicket } from '#shared/use-cases/create-ticket.ts';
import type { TicketDeps } from '#shared/use-cases/deps.ts';
import { transitionTicket } from '#shared/use-cases/transition-ticket.ts';
import { localUser } from './local-users.ts';
import { agents, articles, customers, demoTickets, seedVersion } from './seed-data.ts';

/**
 * Where each kind of seeded item lives in the ticket table (documented in docs/local-runtime.md).
 * A configuration is one versioned document, as `GET/PUT /config/{routing,sla,calendars}` treat it;
 * other kinds are one partition each. Agents and the routing configuration are written through their
 * stores (`dynamoAgentStore`, `dynamoRoutingConfigStore`: `AGENT#<id>` items, the routing document and
 * its first version), which is where routing reads them.
 */
export const seedKeys = {
  config: (name: 'routing' | 'sla' | 'calendars') => ({ pk: 'CONFIG', sk: name }),
  customer: (email: string) => ({ pk: 'CUSTOMER', sk: email.toLowerCase() }),
  article: (id: string) => ({ pk: 'KB', sk: id }),
  marker: () => ({ pk: 'SEED', sk: seedVersion }),
};

export interface SeedResult {
  seeded: boolean;
  tickets: number;
}

/**
 * Seeds the demo data once per data dir.
 *
 * 1. Skip if the `SEED`/`v1` marker is there.
 * 2. Write the routing configuration (teams, rules) and the agents through their stores, then SLA
 *    policies, calendars, customers and knowledge-base articles, each validated by its domain schema.
 * 3. Open the demo tickets through the create use case, which routes them like any ticket (idempotency
 *    keys make a re-run after a crash return the same tickets), with a little follow-up history.
 * 4. Write the marker last, so an interrupted seed is completed on the next start.
 */
export async function seedDemoData(input: {
  doc: DynamoDBDocumentClient;
  tableName: string;
  deps: TicketDeps;
}): Promise<SeedResult> {
  const { doc, tableName, deps } = input;
  const marker = await doc.send(
    new GetCommand({ TableName: tableName, Key: seedKeys.marker(), ConsistentRead: true }),
  );
  if (marker.Item) return { seeded: false, tickets: 0 };

  const now = deps.clock.now().toISOString();
  // Routing reads agents and its configuration through their stores (own keys, team index, zero load).
  const routing = deps.routing;
  if (!(await routing.config.get()))
    await routing.config.put({ ...defaultRoutingConfig, updatedAt: now, updatedBy: 'seed' }, 0);
  for (const agent of agents) await routing.agents.put(AgentProfile.parse(agent));

  const items = [
    { ...seedKeys.config('sla'), type: 'config', version: 1, config: { policies: defaultSlaPolicies } },
    { ...seedKeys.config('calendars'), type: 'config', version: 1, config: { calendars: defaultCalendars } },
    ...customers.map((c) => ({ ...seedKeys.customer(c.email), type: 'customer', ...c })),
    ...articles.map((a) => ({ ...seedKeys.article(a.id), type: 'kb-article', ...a })),
  ].map((item) => ({ ...item, updatedAt: now, seededBy: seedVersion }));
  await Promise.all(items.map((Item) => doc.send(new PutCommand({ TableName: tableName, Item }))));

  let count = 0;
  for (const demo of demoTickets) {
    const actor = actorFor(demo.by, demo.channel);
    const { ticket, created } = await createTicket(
      demo.ticket,
      actor,
      deps,
      `seed-${seedVersion}-${demo.key}`,
    );
    count++;
    if (!created) continue;
    let version = ticket.version;
    for (const step of demo.followUp ?? []) {
      const by = actorFor(step.by, 'web');
      const result =
        step.action === 'transition'
          ? await transitionTicket(ticket.id, { to: step.to }, by, version, deps)
          : step.action === 'assign'
            ? await assignTicket(ticket.id, { agentId: step.agentId, reason: step.reason }, by, version, deps)
            : await addReply(ticket.id, { body: step.body, public: true }, by, version, deps);
      version = result.ticket.version;
    }
  }

  await doc.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...seedKeys.marker(),
        type: 'seed-marker',
        seededAt: deps.clock.now().toISOString(),
        tickets: count,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return { seeded: true, tickets: count };
}

function actorFor(userId: string, channel: Actor['channel']): Actor {
  const user = localUser(userId);
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    roles: user.roles,
    channel,
    sourceIp: '127.0.0.1',
  };
}

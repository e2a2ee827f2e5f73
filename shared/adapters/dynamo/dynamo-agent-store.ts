import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DynamoDBDocumentClient,
  GetCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Channel } from '../../domain/actor.ts';
import type { Clock } from '../../domain/ports.ts';
import { retry, retryOnConflict } from '../../domain/retry.ts';
import type {
  AgentStore,
  ClaimOptions,
  HeldClaim,
  ReleaseOptions,
} from '../../domain/routing/agent.store.ts';
import { Agent, type AgentProfile } from '../../domain/routing/agent.ts';
import { agentVersionMismatch } from '../../domain/routing/routing.errors.ts';
import { queryAll } from './query-all.ts';
import { ticketIndexes } from './table-design.ts';

/**
 * Where agents live in the one table (see docs/routing.md):
 *
 * | item        | pk           | sk           | byTeam index (gsTeam / gsStatusCreated) |
 * | ----------- | ------------ | ------------ | --------------------------------------- |
 * | agent       | AGENT#<id>   | AGENT        | `AGENTS` / `AGENT#<id>` (all agents)    |
 * | membership  | AGENT#<id>   | TEAM#<team>  | `MEMBERS#<team>` / `AGENT#<id>`         |
 *
 * The `byTeam` index's key values for tickets are `TEAM#<team>`, so these partitions never mix with a
 * team's ticket queue. The agent item also keeps `held`: ticket id → channel of every ticket whose
 * capacity it holds, which makes claim and release idempotent, and `heldAt`: ticket id → when that
 * claim was made or last renewed, so a reconciler can tell a claim whose ticket write may still be in
 * flight from an orphan.
 */
const agentKey = (id: string) => ({ pk: `AGENT#${id}`, sk: 'AGENT' });
const memberKey = (id: string, team: string) => ({ pk: `AGENT#${id}`, sk: `TEAM#${team}` });
const allAgents = 'AGENTS';
const membersOf = (team: string) => `MEMBERS#${team}`;

const storageAttributes = ['pk', 'sk', 'entity', 'gsTeam', 'gsStatusCreated', 'held', 'heldAt'];

function toAgent(item: Record<string, unknown>): Agent {
  const agent = { ...item };
  for (const a of storageAttributes) delete agent[a];
  return Agent.parse(agent);
}

const profileFields = [
  'name',
  'email',
  'phone',
  'teams',
  'skills',
  'languages',
  'capacity',
  'level',
  'fieldEngineer',
  'availability',
  'shift',
  'location',
  'delegate',
] as const;

/** Conflicts between agent writes are short: a few tries, backing off from 10 ms. */
const storeRetry = { maxAttempts: 9, baseDelayMs: 10, maxDelayMs: 1000 };
/** An update naming `held.<id>` / `heldAt.<id>` on an item without that map (stored before it existed). */
const isMissingMap = (error: unknown) =>
  error instanceof Error &&
  error.name === 'ValidationException' &&
  /document path provided in the update expression is invalid/i.test(error.message);
const isCanceled = (error: unknown) =>
  error instanceof TransactionCanceledException &&
  (error.CancellationReasons ?? []).some(
    (r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict',
  );

/** AgentStore on the ticket table; claims are conditional updates, so capacity holds under any race. */
export function dynamoAgentStore(
  client: DynamoDBClient,
  tableName: string,
  clock: Clock = { now: () => new Date() },
): AgentStore & {
  /** Ticket id → channel of the tickets whose capacity the agent holds. */
  held(agentId: string): Promise<Record<string, string>>;
} {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

  async function getItem(id: string) {
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: agentKey(id), ConsistentRead: true }),
    );
    return Item;
  }

  const query = (input: QueryCommandInput) => queryAll(doc, input);

  /** Agent items by id, read consistently (fresh loads), 100 keys per request. */
  async function batchGet(ids: string[]): Promise<Agent[]> {
    const out: Agent[] = [];
    for (let i = 0; i < ids.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = ids.slice(i, i + 100).map(agentKey);
      // DynamoDB may leave keys unprocessed under load: ask again for those, backing off.
      await retryOnConflict(
        async () => {
          const result: BatchGetCommandOutput = await doc.send(
            new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
          );
          out.push(...(result.Responses?.[tableName] ?? []).map(toAgent));
          keys = result.UnprocessedKeys?.[tableName]?.Keys;
          return keys?.length ? retry : undefined;
        },
        { ...storeRetry, exhausted: () => new Error('BatchGet kept returning unprocessed keys') },
      );
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async function put(
    profile: AgentProfile,
    options: { expectedVersion?: number; by?: { id: string; name?: string } } = {},
  ): Promise<Agent> {
    let lastError: unknown;
    return retryOnConflict(
      async () => {
        const current = await getItem(profile.id);
        const version = typeof current?.profileVersion === 'number' ? current.profileVersion : 0;
        if (options.expectedVersion !== undefined && options.expectedVersion !== version) {
          throw agentVersionMismatch(profile.id, options.expectedVersion, version);
        }
        const oldTeams = new Set<string>(Array.isArray(current?.teams) ? (current.teams as string[]) : []);
        const newTeams = new Set(profile.teams);

        const names: Record<string, string> = {
          '#load': 'load',
          '#held': 'held',
          '#heldAt': 'heldAt',
          '#v': 'profileVersion',
        };
        const values: Record<string, unknown> = {
          ':zeroLoad': { total: 0, byChannel: {} },
          ':none': null,
          ':empty': {},
          ':v': version,
          ':next': version + 1,
          ':entity': 'agent',
          ':id': profile.id,
          ':all': allAgents,
          ':sort': `AGENT#${profile.id}`,
          ':now': clock.now().toISOString(),
          ':by': options.by
            ? { id: options.by.id, ...(options.by.name ? { name: options.by.name } : {}) }
            : null,
        };
        const sets = [
          '#load = if_not_exists(#load, :zeroLoad)',
          'lastAssignedAt = if_not_exists(lastAssignedAt, :none)',
          '#held = if_not_exists(#held, :empty)',
          '#heldAt = if_not_exists(#heldAt, :empty)',
          '#v = :next',
          'entity = :entity',
          'id = :id',
          'gsTeam = :all',
          'gsStatusCreated = :sort',
          'updatedAt = :now',
          'updatedBy = :by',
        ];
        const removes: string[] = [];
        for (const field of profileFields) {
          names[`#${field}`] = field;
          const value = profile[field];
          if (value === undefined) removes.push(`#${field}`);
          else {
            values[`:${field}`] = value;
            sets.push(`#${field} = :${field}`);
          }
        }

        try {
          await doc.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: tableName,
                    Key: agentKey(profile.id),
                    UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
                    ConditionExpression: 'attribute_not_exists(pk) OR #v = :v',
                    ExpressionAttributeNames: names,
                    ExpressionAttributeValues: values,
                  },
                },
                ...[...newTeams]
                  .filter((t) => !oldTeams.has(t))
                  .map((team) => ({
                    Put: {
                      TableName: tableName,
                      Item: {
                        ...memberKey(profile.id, team),
                        entity: 'agent-team',
                        agentId: profile.id,
                        team,
                        gsTeam: membersOf(team),
                        gsStatusCreated: `AGENT#${profile.id}`,
                      },
                    },
                  })),
                ...[...oldTeams]
                  .filter((t) => !newTeams.has(t))
                  .map((team) => ({ Delete: { TableName: tableName, Key: memberKey(profile.id, team) } })),
              ],
            }),
          );
          const stored = await getItem(profile.id);
          return toAgent(stored!);
        } catch (error) {
          // A concurrent change of the same profile (or its team items) cancelled the transaction.
          if (!isCanceled(error)) throw error;
          // Another write got in first: a caller who named a version hears so; others go again.
          if (options.expectedVersion !== undefined) {
            const now = await getItem(profile.id);
            const actual = typeof now?.profileVersion === 'number' ? now.profileVersion : 0;
            throw agentVersionMismatch(profile.id, options.expectedVersion, actual);
          }
          lastError = error;
          return retry;
        }
      },
      { ...storeRetry, exhausted: () => lastError as Error },
    );
  }

  /** Gives an agent item stored before `heldAt` existed its (empty) maps; false if there is no agent. */
  async function ensureClaimMaps(agentId: string): Promise<boolean> {
    try {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: agentKey(agentId),
          UpdateExpression:
            'SET #held = if_not_exists(#held, :empty), #heldAt = if_not_exists(#heldAt, :empty)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#held': 'held', '#heldAt': 'heldAt' },
          ExpressionAttributeValues: { ':empty': {} },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Moves an existing claim's time forward; false if the agent no longer holds the ticket. */
  async function renewClaim(agentId: string, ticketId: string, at: string): Promise<boolean> {
    try {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: agentKey(agentId),
          UpdateExpression: 'SET #heldAt.#tid = :at',
          ConditionExpression: 'attribute_exists(#held.#tid)',
          ExpressionAttributeNames: { '#held': 'held', '#heldAt': 'heldAt', '#tid': ticketId },
          ExpressionAttributeValues: { ':at': at },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async function claim(agentId: string, ticketId: string, options: ClaimOptions = {}): Promise<boolean> {
    const channel = options.channel;
    const at = (options.at ?? clock.now()).toISOString();
    const names: Record<string, string> = {
      '#load': 'load',
      '#total': 'total',
      '#capacity': 'capacity',
      '#max': 'max',
      '#availability': 'availability',
      '#held': 'held',
      '#heldAt': 'heldAt',
      '#tid': ticketId,
    };
    const values: Record<string, unknown> = {
      ':one': 1,
      ':online': 'online',
      ':at': at,
      ':ch': channel ?? '-',
    };
    const sets = [
      '#load.#total = #load.#total + :one',
      '#held.#tid = :ch',
      '#heldAt.#tid = :at',
      'lastAssignedAt = :at',
    ];
    const conditions = [
      'attribute_exists(pk)',
      '#availability = :online',
      '#load.#total < #capacity.#max',
      'attribute_not_exists(#held.#tid)',
    ];
    if (channel) {
      Object.assign(names, { '#by': 'byChannel', '#per': 'perChannel', '#ch': channel });
      values[':zero'] = 0;
      sets.push('#load.#by.#ch = if_not_exists(#load.#by.#ch, :zero) + :one');
      // No cap for the channel, or (nothing held on it yet and a cap above 0), or held below the cap.
      conditions.push(
        '(attribute_not_exists(#capacity.#per.#ch) OR (attribute_not_exists(#load.#by.#ch) AND #capacity.#per.#ch > :zero) OR #load.#by.#ch < #capacity.#per.#ch)',
      );
    }
    // A few turns at most: an item without `heldAt` gets it, a claim released between the refusal and
    // its renewal is claimed afresh.
    let lastError: unknown;
    return retryOnConflict<boolean>(
      async () => {
        try {
          await doc.send(
            new UpdateCommand({
              TableName: tableName,
              Key: agentKey(agentId),
              UpdateExpression: `SET ${sets.join(', ')}`,
              ConditionExpression: conditions.join(' AND '),
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
          return true;
        } catch (error) {
          lastError = error;
          if (isMissingMap(error)) {
            if (!(await ensureClaimMaps(agentId))) return false;
            return retry;
          }
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          // Already holding this ticket (a retried claim) counts as success, and renews the claim's time
          // so a reconciler leaves it alone while this router writes the ticket; anything else is a refusal.
          const held = (error.Item as { held?: { M?: Record<string, unknown> } } | undefined)?.held?.M;
          if (!(held && ticketId in held)) return false;
          try {
            if (await renewClaim(agentId, ticketId, at)) return true;
          } catch (renewal) {
            if (!isMissingMap(renewal)) throw renewal;
            await ensureClaimMaps(agentId);
          }
          return retry;
        }
      },
      { maxAttempts: 4, baseDelayMs: 1, exhausted: () => lastError as Error },
    );
  }

  async function releaseTicket(
    agentId: string,
    ticketId: string,
    options: ReleaseOptions = {},
  ): Promise<boolean> {
    const before = options.claimedBefore?.toISOString();
    let lastError: unknown;
    return retryOnConflict<boolean>(
      async () => {
        const item = await getItem(agentId);
        const held = (item?.held ?? {}) as Record<string, string>;
        const heldAt = item?.heldAt as Record<string, string> | undefined;
        const channel = held[ticketId];
        if (channel === undefined) return false;
        // Claimed again since the caller looked: someone is writing the ticket now.
        if (before !== undefined && (heldAt?.[ticketId] ?? '') > before) return false;
        const load = (item?.load ?? {}) as { total?: number; byChannel?: Record<string, number> };
        const names: Record<string, string> = { '#held': 'held', '#tid': ticketId };
        const values: Record<string, unknown> = {};
        const sets: string[] = [];
        const removes = ['#held.#tid'];
        const conditions = ['attribute_exists(#held.#tid)'];
        if (heldAt) {
          names['#heldAt'] = 'heldAt';
          removes.push('#heldAt.#tid');
        }
        if (before !== undefined) {
          names['#heldAt'] = 'heldAt';
          values[':before'] = before;
          conditions.push('(attribute_not_exists(#heldAt.#tid) OR #heldAt.#tid <= :before)');
        }
        // Counts are decremented only while above zero, so they never go negative whatever happened before.
        if ((load.total ?? 0) > 0) {
          Object.assign(names, { '#load': 'load', '#total': 'total' });
          Object.assign(values, { ':one': 1, ':zero': 0 });
          sets.push('#load.#total = #load.#total - :one');
          conditions.push('#load.#total > :zero');
          if (channel !== '-' && (load.byChannel?.[channel] ?? 0) > 0) {
            Object.assign(names, { '#by': 'byChannel', '#ch': channel });
            sets.push('#load.#by.#ch = #load.#by.#ch - :one');
            conditions.push('#load.#by.#ch > :zero');
          }
        }
        try {
          await doc.send(
            new UpdateCommand({
              TableName: tableName,
              Key: agentKey(agentId),
              UpdateExpression: `${sets.length ? `SET ${sets.join(', ')} ` : ''}REMOVE ${removes.join(', ')}`,
              ConditionExpression: conditions.join(' AND '),
              ExpressionAttributeNames: names,
              ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
            }),
          );
          return true;
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          // Released or renewed by someone else meanwhile, or the channel count moved: read again.
          lastError = error;
          return retry;
        }
      },
      { ...storeRetry, exhausted: () => lastError as Error },
    );
  }

  async function releaseOne(agentId: string): Promise<boolean> {
    try {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: agentKey(agentId),
          UpdateExpression: 'SET #load.#total = #load.#total - :one',
          ConditionExpression: 'attribute_exists(pk) AND #load.#total > :zero',
          ExpressionAttributeNames: { '#load': 'load', '#total': 'total' },
          ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  return {
    put,

    async get(id) {
      const item = await getItem(id);
      return item ? toAgent(item) : null;
    },

    async list() {
      const items = await query({
        TableName: tableName,
        IndexName: ticketIndexes.byTeam.indexName,
        KeyConditionExpression: 'gsTeam = :pk',
        ExpressionAttributeValues: { ':pk': allAgents },
      });
      return items.map(toAgent);
    },

    async listByTeam(team) {
      const members = await query({
        TableName: tableName,
        IndexName: ticketIndexes.byTeam.indexName,
        KeyConditionExpression: 'gsTeam = :pk',
        ExpressionAttributeValues: { ':pk': membersOf(team) },
        ProjectionExpression: 'agentId',
      });
      const agents = await batchGet(members.map((m) => String(m.agentId)));
      // The index is eventually consistent: trust the agent item's own teams.
      return agents.filter((a) => a.teams.includes(team));
    },

    async setAvailability(id, availability) {
      try {
        const { Attributes } = await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: agentKey(id),
            UpdateExpression: 'SET #availability = :availability, updatedAt = :now',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#availability': 'availability' },
            ExpressionAttributeValues: { ':availability': availability, ':now': clock.now().toISOString() },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return Attributes ? toAgent(Attributes) : null;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return null;
        throw error;
      }
    },

    claim,

    release: (agentId, ticketId, options) =>
      ticketId ? releaseTicket(agentId, ticketId, options) : releaseOne(agentId),

    async heldClaims(agentId): Promise<HeldClaim[]> {
      const item = await getItem(agentId);
      if (!item) return [];
      const held = (item.held ?? {}) as Record<string, string>;
      const heldAt = (item.heldAt ?? {}) as Record<string, string>;
      const fallback = typeof item.lastAssignedAt === 'string' ? item.lastAssignedAt : null;
      return Object.entries(held)
        .map(([ticketId, channel]) => ({
          ticketId,
          channel: channel === '-' ? null : (channel as Channel),
          claimedAt: heldAt[ticketId] ?? fallback,
        }))
        .sort((a, b) => (a.ticketId < b.ticketId ? -1 : a.ticketId > b.ticketId ? 1 : 0));
    },

    async held(agentId) {
      const item = await getItem(agentId);
      return { ...((item?.held ?? {}) as Record<string, string>) };
    },
  };
}

import { type DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit/audit-event.ts';
import { validationError } from '../../domain/errors.ts';
import type { Clock } from '../../domain/ports.ts';
import { retry, retryOnConflict } from '../../domain/retry.ts';
import type { ChildSummary } from '../../domain/ticket/child-summary.ts';
import { childSummaryOf } from '../../domain/ticket/child-tickets.ts';
import { customerKey } from '../../domain/ticket/customer-contact.ts';
import { activeStatuses } from '../../domain/ticket/lifecycle.ts';
import type { Message } from '../../domain/ticket/message.ts';
import { nextDueAt, type Ticket } from '../../domain/ticket/ticket.entity.ts';
import type {
  CreateOutcome,
  DueTicket,
  IdempotencyClaim,
  Page,
  PageRequest,
  TicketFilter,
  TicketStore,
  TicketWrite,
} from '../../domain/ticket/ticket.store.ts';
import { approvalWriteItems } from './dynamo-approval-store.ts';
import { outboxItem } from './dynamo-outbox-store.ts';
import { shardedPartition, shardOf } from './index-shards.ts';
import { invalidCursor, type Lane, type MergedQuery, mergedQuery, readMerged } from './merged-query.ts';
import { queryAll } from './query-all.ts';
import { type IndexDesign, ticketIndexes } from './table-design.ts';

/** How long an idempotency claim is honoured. */
const claimTtlSeconds = 7 * 24 * 3600;

const ticketKey = (id: string) => ({ pk: `TICKET#${id}`, sk: 'TICKET' });
const numberKey = (number: string) => ({ pk: `NUMBER#${number}`, sk: 'NUMBER' });
const claimKey = (key: string) => ({ pk: `CLAIM#${key}`, sk: 'CLAIM' });
/** The legacy number of an imported ticket (docs/import.md): never expires, one ticket per reference. */
export const externalRefKey = (ref: string) => ({ pk: `TICKETREF#${ref}`, sk: 'TICKETREF' });
/**
 * A child's summary in its parent's partition. Its sort key starts with the ticket item's (`TICKET`), so
 * one query (`begins_with(sk, 'TICKET')`) reads a ticket with all its children.
 */
const childKey = (parentId: string, childId: string) => ({
  pk: `TICKET#${parentId}`,
  sk: `TICKET#CHILD#${childId}`,
});

/** Key and index attributes on a ticket item; stripped when reading the ticket back. */
const storageAttributes = [
  'pk',
  'sk',
  'entity',
  'gsStatus',
  'gsCreated',
  'gsTeam',
  'gsAssignee',
  'gsStatusCreated',
  'gsCustomer',
  'gsAll',
  'gsDue',
  'gsDueAt',
  'searchText',
] as const;

/** Transactions `createMany` has in flight at once. */
const createManyConcurrency = 4;

/** The most tickets a `due`-ordered list reads and sorts (a queue; see docs/console.md, "How search scales"). */
const dueOrderLimit = 2000;

/**
 * The most items one list call evaluates (read before its filter expression): a search that matches
 * little answers within this with what it found and a cursor, instead of reading on until it times out.
 */
export const listReadBudget = 1000;

/**
 * The `byTeam` partition of active tickets routing never placed (no team, no assignee), so the routing
 * sweep reads just them. Cannot collide with a team's `TEAM#…` or the agents' partitions.
 */
const unroutedPartition = 'UNROUTED';

/**
 * The partition keys of the sharded indexes (byCreated, byStatus, byDue; index-shards.ts), each on the
 * ticket's own shard, and the due sort key. `gsDue`/`gsDueAt` only while a resolution SLA runs (active,
 * not paused): the index is sparse. The index backfill (index-backfill.ts) rewrites old items with these.
 */
export function hotIndexKeys(
  ticket: Pick<Ticket, 'id' | 'status'> & { sla: Pick<Ticket['sla'], 'resolutionDueAt' | 'paused'> },
): { gsAll: string; gsStatus: string; gsDue?: string; gsDueAt?: string } {
  const shard = shardOf(ticket.id);
  const due = activeStatuses.includes(ticket.status) && ticket.sla.resolutionDueAt && !ticket.sla.paused;
  return {
    gsAll: shardedPartition.created(shard),
    gsStatus: shardedPartition.status(ticket.status, shard),
    ...(due
      ? { gsDue: shardedPartition.due(shard), gsDueAt: `${ticket.sla.resolutionDueAt}#${ticket.id}` }
      : {}),
  };
}

/** The ticket item: the ticket plus the index keys of every access pattern (sparse where absent). */
export function ticketItem(ticket: Ticket): Record<string, unknown> {
  // The children live in their own items (`childItem`), written by each child: never through the parent.
  const { children: _children, ...stored } = ticket;
  const created = `${ticket.createdAt}#${ticket.id}`;
  const statusCreated = `${ticket.status}#${created}`;
  const active = activeStatuses.includes(ticket.status);
  const unrouted = active && !ticket.team && !ticket.assignee;
  return {
    ...stored,
    ...ticketKey(ticket.id),
    entity: 'ticket',
    gsCreated: created,
    gsCustomer: `CUSTOMER#${customerKey(ticket.customer)}`,
    gsStatusCreated: statusCreated,
    ...(ticket.team ? { gsTeam: `TEAM#${ticket.team}` } : unrouted ? { gsTeam: unroutedPartition } : {}),
    ...(ticket.assignee ? { gsAssignee: `AGENT#${ticket.assignee}` } : {}),
    ...hotIndexKeys(ticket),
    searchText: searchText(ticket),
  };
}

/**
 * What `q` searches: number, legacy number (`externalRef`), subject, the start of the description, customer name, e-mail and phone,
 * lower-cased. DynamoDB's `contains` matches substrings, so Chinese words need no segmentation here.
 */
export function searchText(ticket: Ticket): string {
  const c = ticket.customer;
  return [
    ticket.number,
    ticket.externalRef,
    ticket.subject,
    c.name,
    c.email,
    c.phone,
    ticket.description.slice(0, 2000),
  ]
    .filter(Boolean)
    .join('\n')
    .toLowerCase();
}

/** The ticket of an item; its children are in items of their own (`get` reads them, lists do not). */
function fromItem(item: Record<string, unknown>): Ticket {
  const ticket = { ...item };
  for (const a of storageAttributes) delete ticket[a];
  // Older items stored `children` as ids (always empty); the child items are what counts.
  return { ...(ticket as Ticket), children: [] };
}

/** The summary a child keeps in its parent's partition, rewritten with every change of the child. */
export function childItem(child: Ticket): Record<string, unknown> {
  return {
    ...childKey(child.parentId!, child.id),
    entity: 'child',
    ...childSummaryOf(child),
  };
}

const withoutKeys = <T>(item: Record<string, unknown>): T => {
  const { pk: _pk, sk: _sk, entity: _entity, ...rest } = item;
  return rest as T;
};

const auditItem = (e: AuditEvent) => ({
  ...e,
  pk: `TICKET#${e.ticketId}`,
  sk: `EVENT#${e.at}#${e.id}`,
  entity: 'audit',
});
const messageItem = (m: Message) => ({
  ...m,
  pk: `TICKET#${m.ticketId}`,
  sk: `MSG#${m.at}#${m.id}`,
  entity: 'message',
});

const reasonCodes = (error: unknown): (string | undefined)[] =>
  error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []).map((r) => r.Code) : [];

/**
 * DynamoDB cancels a transaction that touches an item another transaction is writing
 * (`TransactionConflict`): nothing was written, so it is tried again, a few times.
 */
const transactionRetry = { maxAttempts: 9, baseDelayMs: 10, maxDelayMs: 1000 };

/**
 * The items a write adds besides the ticket: audit events, messages, the outbox record, and an
 * approval's items (conditional on the approval's version: a failed condition there is a lost race,
 * see `update`).
 */
const writeItems = (write: TicketWrite, tableName: string) => [
  ...(write.ticket.parentId ? [{ Put: { TableName: tableName, Item: childItem(write.ticket) } }] : []),
  ...write.audit.map((e) => ({ Put: { TableName: tableName, Item: auditItem(e) } })),
  ...(write.messages ?? []).map((m) => ({ Put: { TableName: tableName, Item: messageItem(m) } })),
  {
    Put: {
      TableName: tableName,
      Item: outboxItem(write.outbox),
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  },
  ...(write.approval ? approvalWriteItems(write.approval, tableName) : []),
];

/**
 * TicketStore on one DynamoDB table (table-design.ts). Creates and updates are single transactions that
 * also write the audit events, the messages and the outbox record (what must follow the change), so
 * history never misses a change and no reaction is lost; optimistic versions guard updates.
 */
export function dynamoTicketStore(
  client: DynamoDBClient,
  tableName: string,
  clock: Clock = { now: () => new Date() },
): TicketStore {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

  async function findClaim(key: string) {
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: claimKey(key), ConsistentRead: true }),
    );
    if (!Item || (typeof Item.expiresAt === 'number' && Item.expiresAt * 1000 < clock.now().getTime()))
      return null;
    return { ticketId: String(Item.ticketId), fingerprint: String(Item.fingerprint) };
  }

  async function findExternalRef(ref: string): Promise<{ ticketId: string; createdBy: string } | null> {
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: externalRefKey(ref), ConsistentRead: true }),
    );
    return Item ? { ticketId: String(Item.ticketId), createdBy: String(Item.createdBy) } : null;
  }

  /** The ticket item and its children's items, in one consistent query of its partition. */
  async function get(id: string) {
    const items = await queryAll(doc, {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `TICKET#${id}`, ':prefix': 'TICKET' },
      ConsistentRead: true,
    });
    const item = items.find((i) => i.sk === 'TICKET');
    if (!item) return null;
    const children = items
      .filter((i) => i.entity === 'child')
      .map((i) => childSummaryOf(withoutKeys<ChildSummary>(i)));
    return { ...fromItem(item), children };
  }

  /** A new ticket's items: the ticket, its number, what `writeItems` adds, and its legacy number's key. */
  function newTicketItems(write: TicketWrite) {
    const { ticket } = write;
    const items = [
      {
        Put: {
          TableName: tableName,
          Item: ticketItem(ticket),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: tableName,
          Item: { ...numberKey(ticket.number), entity: 'number', ticketId: ticket.id },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...writeItems(write, tableName),
    ];
    const refIndex = ticket.externalRef ? items.length : -1;
    if (ticket.externalRef) {
      items.push({
        Put: {
          TableName: tableName,
          Item: {
            ...externalRefKey(ticket.externalRef),
            entity: 'ticketref',
            ticketId: ticket.id,
            createdBy: ticket.createdBy,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    return { items, refIndex };
  }

  const query = async <T>(input: QueryCommandInput): Promise<T[]> =>
    (await queryAll(doc, input)).map((i) => withoutKeys<T>(i));

  return {
    async nextNumber() {
      const { Attributes } = await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: 'COUNTER', sk: 'ticket-number' },
          UpdateExpression: 'ADD #value :one SET entity = :entity',
          ExpressionAttributeNames: { '#value': 'value' },
          ExpressionAttributeValues: { ':one': 1, ':entity': 'counter' },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(Attributes?.value);
    },

    findClaim,
    get,

    async getByExternalRef(externalRef) {
      const holder = await findExternalRef(externalRef);
      return holder ? get(holder.ticketId) : null;
    },

    async getByNumber(number) {
      const { Item } = await doc.send(
        new GetCommand({ TableName: tableName, Key: numberKey(number), ConsistentRead: true }),
      );
      return Item ? get(String(Item.ticketId)) : null;
    },

    async reserveNumbers(count) {
      const { Attributes } = await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: 'COUNTER', sk: 'ticket-number' },
          UpdateExpression: 'ADD #value :count SET entity = :entity',
          ExpressionAttributeNames: { '#value': 'value' },
          ExpressionAttributeValues: { ':count': count, ':entity': 'counter' },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(Attributes?.value) - count + 1;
    },

    async createMany(writes) {
      // Whole tickets to a transaction, up to DynamoDB's 100 items, a few transactions at once; one that a
      // taken legacy number (or a race) cancels is written again ticket by ticket, each with its outcome.
      const groups: { write: TicketWrite; items: ReturnType<typeof newTicketItems>['items'] }[][] = [[]];
      for (const write of writes) {
        const { items } = newTicketItems(write);
        const group = groups[groups.length - 1]!;
        if (group.length && group.reduce((n, g) => n + g.items.length, 0) + items.length > 100) {
          groups.push([{ write, items }]);
        } else group.push({ write, items });
      }
      const writeGroup = async (group: (typeof groups)[number]): Promise<CreateOutcome[]> => {
        if (!group.length) return [];
        try {
          await doc.send(new TransactWriteCommand({ TransactItems: group.flatMap((g) => g.items) as never }));
          return group.map(() => ({ kind: 'created' }));
        } catch (error) {
          if (!reasonCodes(error).length) throw error;
          const outcomes: CreateOutcome[] = [];
          for (const g of group) outcomes.push(await this.create(g.write));
          return outcomes;
        }
      };
      const outcomes: CreateOutcome[][] = new Array(groups.length);
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < groups.length; i = next++) outcomes[i] = await writeGroup(groups[i]!);
      };
      await Promise.all(Array.from({ length: Math.min(createManyConcurrency, groups.length) }, worker));
      return outcomes.flat();
    },

    async create(write: TicketWrite, claim?: IdempotencyClaim): Promise<CreateOutcome> {
      const { ticket } = write;
      const nowSeconds = Math.floor(clock.now().getTime() / 1000);
      const { items, refIndex } = newTicketItems(write);
      if (claim) {
        items.push({
          Put: {
            TableName: tableName,
            Item: {
              ...claimKey(claim.key),
              entity: 'claim',
              ticketId: ticket.id,
              fingerprint: claim.fingerprint,
              expiresAt: nowSeconds + claimTtlSeconds,
            },
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
            ExpressionAttributeValues: { ':now': nowSeconds },
          } as never,
        });
      }
      const claimIndex = items.length - 1;
      return retryOnConflict<CreateOutcome>(
        async () => {
          try {
            await doc.send(new TransactWriteCommand({ TransactItems: items }));
            return { kind: 'created' };
          } catch (error) {
            const codes = reasonCodes(error);
            if (!codes.length) throw error;
            if (refIndex >= 0 && codes[refIndex] === 'ConditionalCheckFailed') {
              // Imported before (docs/import.md): that ticket is the answer, nothing is written.
              const holder = await findExternalRef(ticket.externalRef!);
              if (holder) return { kind: 'duplicate', ...holder, fingerprint: 'externalRef' };
            }
            if (
              claim &&
              (codes[claimIndex] === 'ConditionalCheckFailed' || codes[claimIndex] === 'TransactionConflict')
            ) {
              // Another request holds (or is writing) this key: its ticket is the answer.
              const winner = await findClaim(claim.key);
              if (winner) return { kind: 'duplicate', ...winner };
            }
            if (codes.some((c) => c === 'ConditionalCheckFailed') && !claim) throw error;
            return retry;
          }
        },
        { ...transactionRetry, exhausted: () => new Error(`Creating ticket ${ticket.id} kept conflicting`) },
      );
    },

    async update(write, expectedVersion) {
      const items = [
        {
          Put: {
            TableName: tableName,
            Item: ticketItem(write.ticket),
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': expectedVersion },
          },
        },
        ...writeItems(write, tableName),
      ];
      return retryOnConflict(
        async () => {
          try {
            await doc.send(new TransactWriteCommand({ TransactItems: items as never }));
            return true;
          } catch (error) {
            const codes = reasonCodes(error);
            if (codes[0] === 'ConditionalCheckFailed') return false;
            // The approval moved on (another decision): like a moved ticket, read both again.
            if (write.approval && codes.includes('ConditionalCheckFailed')) return false;
            if (!codes.includes('TransactionConflict')) throw error;
            return retry;
          }
        },
        {
          ...transactionRetry,
          exhausted: () => new Error(`Updating ticket ${write.ticket.id} kept conflicting`),
        },
      );
    },

    async appendAudit(events) {
      for (const e of events) await doc.send(new PutCommand({ TableName: tableName, Item: auditItem(e) }));
    },

    history: (ticketId) =>
      query<AuditEvent>({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `TICKET#${ticketId}`, ':prefix': 'EVENT#' },
        ConsistentRead: true,
      }),

    messages: (ticketId) =>
      query<Message>({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `TICKET#${ticketId}`, ':prefix': 'MSG#' },
        ConsistentRead: true,
      }),

    async list(filter: TicketFilter, page: PageRequest): Promise<Page<Ticket>> {
      // Queues by due time read oldest first: what a bounded read leaves out is the newest work.
      const query = listQuery(tableName, filter, page.order === 'oldest' || page.order === 'due');
      if (page.order === 'due') return listByDue(query, page);
      const result = await mergedQuery(doc, query, {
        limit: page.limit,
        budget: listReadBudget,
        ...(page.cursor ? { cursor: page.cursor } : {}),
      });
      return { items: result.items.map(fromItem), ...(result.cursor ? { cursor: result.cursor } : {}) };
    },

    async listDueTickets({ before, budget = listReadBudget, cursor }) {
      const at = Date.parse(before);
      if (Number.isNaN(at))
        throw validationError('`before` is not a time', [
          { path: 'before', message: 'An ISO-8601 time', code: 'invalid' },
        ]);
      if (!Number.isSafeInteger(budget) || budget < 1)
        throw validationError('`budget` is not a positive whole number', [
          { path: 'budget', message: 'A positive integer', code: 'invalid' },
        ]);
      const index = ticketIndexes.byDue;
      const result = await mergedQuery(
        doc,
        {
          input: {
            TableName: tableName,
            IndexName: index.indexName,
            KeyConditionExpression: 'gsDue = :pk AND gsDueAt <= :before',
            ProjectionExpression:
              'pk, sk, gsDue, gsDueAt, id, #number, #status, version, #sla.#due, #sla.#timer',
            ExpressionAttributeNames: {
              '#number': 'number',
              '#status': 'status',
              '#sla': 'sla',
              '#due': 'resolutionDueAt',
              '#timer': 'timerVersion',
            },
            // '~' sorts after every id, so a ticket due at exactly `before` is included.
            ExpressionAttributeValues: { ':before': `${new Date(at).toISOString()}#~` },
          },
          lanes: shardedPartition.allDue().map((pk) => ({ pk })),
          partitionKey: index.partitionKey.name,
          sortKey: index.sortKey.name,
          forward: true,
          tableKey: ticketKeyOfSortValue,
          // A reconciler may move `before` on between pages: the position (a due time) still holds.
          scope: 'due-tickets',
        },
        { limit: budget, budget, ...(cursor ? { cursor } : {}) },
      );
      const items = result.items.map((item): DueTicket => {
        const sla = (item.sla ?? {}) as { resolutionDueAt?: string; timerVersion?: number | null };
        return {
          id: String(item.id),
          number: String(item.number),
          status: item.status as DueTicket['status'],
          version: Number(item.version),
          resolutionDueAt: String(sla.resolutionDueAt),
          timerVersion: sla.timerVersion ?? null,
        };
      });
      return { items, ...(result.cursor ? { cursor: result.cursor } : {}) };
    },
  };

  /**
   * A queue by the nearest due time: DynamoDB has no index on it per team or agent, so the match (active
   * tickets of one queue: bounded by the team's work) is read — at most `dueOrderLimit` items, whatever
   * the filter — sorted, and paged by offset.
   */
  async function listByDue(query: MergedQuery, page: PageRequest): Promise<Page<Ticket>> {
    const offset = page.cursor ? decodeOffset(page.cursor) : 0;
    const { items } = await readMerged(doc, query, dueOrderLimit);
    const keyed = items.map(fromItem).map((ticket) => ({ ticket, due: dueKey(ticket) }));
    keyed.sort((a, b) =>
      a.due === b.due ? a.ticket.createdAt.localeCompare(b.ticket.createdAt) : a.due < b.due ? -1 : 1,
    );
    const slice = keyed.slice(offset, offset + page.limit).map((k) => k.ticket);
    const next = offset + page.limit;
    return { items: slice, ...(next < keyed.length ? { cursor: encodeOffset(next) } : {}) };
  }
}

/**
 * The ticket item a sorted index entry belongs to: every sort key of the ticket indexes ends in `#<id>`
 * (`gsCreated`, `gsStatusCreated`, `gsDueAt`), so a cursor needs only the sort key value.
 */
function ticketKeyOfSortValue(sortValue: string) {
  const id = sortValue.slice(sortValue.lastIndexOf('#') + 1);
  return sortValue.includes('#') && /^[0-9A-Za-z_-]{1,64}$/.test(id) ? ticketKey(id) : undefined;
}

/** Sort key of the nearest running due time; tickets with none (paused, no SLA, done) come last. */
const dueKey = (ticket: Ticket) => nextDueAt(ticket) ?? '~';

/**
 * Chooses the most selective index for a filter and the partitions (lanes) to read in it; the remaining
 * conditions become a filter expression.
 *
 * - assignee, unrouted, team (`byTeam`/`byAssignee`, sorted by status then age): one partition; a status,
 *   or the active statuses, as `begins_with` prefixes of the sort key (one lane each, merged back into
 *   the index's own order), so finished tickets are never read for a queue;
 * - customer (`byCustomer`): one partition, status and active as filters;
 * - status, or active alone (`byStatus`): every shard of each status;
 * - nothing (`byCreated`): every shard.
 */
function listQuery(tableName: string, filter: TicketFilter, forward: boolean): MergedQuery {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const conditions: string[] = [];
  const statuses = filter.status ? [filter.status] : filter.active ? [...activeStatuses] : undefined;
  const prefixed = (pk: string): Lane[] =>
    statuses ? statuses.map((status) => ({ pk, prefix: `${status}#` })) : [{ pk }];
  let index: IndexDesign;
  let lanes: Lane[];

  if (filter.assignee) {
    index = ticketIndexes.byAssignee;
    lanes = prefixed(`AGENT#${filter.assignee}`);
  } else if (filter.unrouted) {
    index = ticketIndexes.byTeam;
    lanes = prefixed(unroutedPartition);
  } else if (filter.team) {
    index = ticketIndexes.byTeam;
    lanes = prefixed(`TEAM#${filter.team}`);
  } else if (filter.customerEmail) {
    index = ticketIndexes.byCustomer;
    lanes = [{ pk: `CUSTOMER#${filter.customerEmail.toLowerCase()}` }];
  } else if (statuses) {
    index = ticketIndexes.byStatus;
    lanes = statuses.flatMap((status) => shardedPartition.allStatus(status).map((pk) => ({ pk })));
  } else {
    index = ticketIndexes.byCreated;
    lanes = shardedPartition.allCreated().map((pk) => ({ pk }));
  }
  const partitionKey = index.partitionKey.name;
  const sortKey = index.sortKey.name;
  const keyCondition =
    lanes[0]?.prefix !== undefined
      ? `${partitionKey} = :pk AND begins_with(${sortKey}, :sp)`
      : `${partitionKey} = :pk`;
  // Only the customer index leaves the status to a filter; the others read the statuses' own lanes.
  if (statuses && index === ticketIndexes.byCustomer) {
    names['#status'] = 'status';
    statuses.forEach((status, i) => {
      values[`:status${i}`] = status;
    });
    conditions.push(`#status IN (${statuses.map((_, i) => `:status${i}`).join(', ')})`);
  }
  if (filter.customerEmail && index !== ticketIndexes.byCustomer) {
    values[':customer'] = `CUSTOMER#${filter.customerEmail.toLowerCase()}`;
    conditions.push('gsCustomer = :customer');
  }
  if (filter.team && index !== ticketIndexes.byTeam) {
    values[':team'] = filter.team;
    conditions.push('team = :team');
  }
  if (filter.priority) {
    names['#priority'] = 'priority';
    values[':priority'] = filter.priority;
    conditions.push('#priority = :priority');
  }
  if (filter.tier) {
    names['#customer'] = 'customer';
    names['#tier'] = 'tier';
    values[':tier'] = filter.tier;
    conditions.push('#customer.#tier = :tier');
  }
  if (filter.channel) {
    names['#channel'] = 'channel';
    values[':channel'] = filter.channel;
    conditions.push('#channel = :channel');
  }
  if (filter.intent) {
    names['#intent'] = 'intent';
    values[':intent'] = filter.intent;
    conditions.push('#intent = :intent');
  }
  if (filter.product || filter.model) {
    names['#product'] = 'product';
  }
  if (filter.product) {
    names['#line'] = 'line';
    values[':line'] = filter.product;
    conditions.push('#product.#line = :line');
  }
  if (filter.model) {
    names['#model'] = 'model';
    values[':model'] = filter.model;
    conditions.push('#product.#model = :model');
  }
  if (filter.region) {
    names['#region'] = 'region';
    values[':region'] = filter.region;
    conditions.push('begins_with(#region, :region)');
  }
  if (filter.watcher) {
    names['#watchers'] = 'watchers';
    values[':watcher'] = filter.watcher;
    conditions.push('contains(#watchers, :watcher)');
  }
  filter.words?.forEach((word, i) => {
    values[`:w${i}`] = word;
    conditions.push(`contains(searchText, :w${i})`);
  });
  if (filter.breached !== undefined) {
    names['#sla'] = 'sla';
    names['#breached'] = 'breached';
    values[':zero'] = 0;
    conditions.push(filter.breached ? 'size(#sla.#breached) > :zero' : 'size(#sla.#breached) = :zero');
  }
  return {
    input: {
      TableName: tableName,
      IndexName: index.indexName,
      KeyConditionExpression: keyCondition,
      ...(conditions.length ? { FilterExpression: conditions.join(' AND ') } : {}),
      ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
      ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
    },
    lanes,
    partitionKey,
    sortKey,
    forward,
    tableKey: ticketKeyOfSortValue,
  };
}

const encodeOffset = (offset: number) => encodeCursor({ offset: String(offset) });

function decodeOffset(cursor: string): number {
  const offset = Number(decodeCursor(cursor).offset);
  if (!Number.isSafeInteger(offset) || offset < 0) throw invalidCursor();
  return offset;
}

function encodeCursor(key: Record<string, unknown>) {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!key || typeof key !== 'object' || Array.isArray(key)) throw new Error('not an object');
    for (const v of Object.values(key)) if (typeof v !== 'string') throw new Error('not a key');
    return key;
  } catch {
    throw invalidCursor();
  }
}

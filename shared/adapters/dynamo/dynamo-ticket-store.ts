import { type DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
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
  IdempotencyClaim,
  Page,
  PageRequest,
  TicketFilter,
  TicketStore,
  TicketWrite,
} from '../../domain/ticket/ticket.store.ts';
import { approvalWriteItems } from './dynamo-approval-store.ts';
import { outboxItem } from './dynamo-outbox-store.ts';
import { queryAll } from './query-all.ts';
import { ticketIndexes } from './table-design.ts';

/** How long an idempotency claim is honoured. */
const claimTtlSeconds = 7 * 24 * 3600;

const ticketKey = (id: string) => ({ pk: `TICKET#${id}`, sk: 'TICKET' });
const numberKey = (number: string) => ({ pk: `NUMBER#${number}`, sk: 'NUMBER' });
const claimKey = (key: string) => ({ pk: `CLAIM#${key}`, sk: 'CLAIM' });
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

/** The most tickets a `due`-ordered list reads and sorts (a queue; see docs/console.md, "How search scales"). */
const dueOrderLimit = 2000;

/**
 * The `byTeam` partition of active tickets routing never placed (no team, no assignee), so the routing
 * sweep reads just them. Cannot collide with a team's `TEAM#…` or the agents' partitions.
 */
const unroutedPartition = 'UNROUTED';

/** The ticket item: the ticket plus the index keys of every access pattern (sparse where absent). */
export function ticketItem(ticket: Ticket): Record<string, unknown> {
  // The children live in their own items (`childItem`), written by each child: never through the parent.
  const { children: _children, ...stored } = ticket;
  const created = `${ticket.createdAt}#${ticket.id}`;
  const statusCreated = `${ticket.status}#${created}`;
  const active = activeStatuses.includes(ticket.status);
  const due = active && ticket.sla.resolutionDueAt && !ticket.sla.paused;
  const unrouted = active && !ticket.team && !ticket.assignee;
  return {
    ...stored,
    ...ticketKey(ticket.id),
    entity: 'ticket',
    gsStatus: `STATUS#${ticket.status}`,
    gsCreated: created,
    gsAll: 'TICKETS',
    gsCustomer: `CUSTOMER#${customerKey(ticket.customer)}`,
    gsStatusCreated: statusCreated,
    ...(ticket.team ? { gsTeam: `TEAM#${ticket.team}` } : unrouted ? { gsTeam: unroutedPartition } : {}),
    ...(ticket.assignee ? { gsAssignee: `AGENT#${ticket.assignee}` } : {}),
    ...(due ? { gsDue: 'DUE', gsDueAt: `${ticket.sla.resolutionDueAt}#${ticket.id}` } : {}),
    searchText: searchText(ticket),
  };
}

/**
 * What `q` searches: number, subject, the start of the description, customer name, e-mail and phone,
 * lower-cased. DynamoDB's `contains` matches substrings, so Chinese words need no segmentation here.
 */
export function searchText(ticket: Ticket): string {
  const c = ticket.customer;
  return [ticket.number, ticket.subject, c.name, c.email, c.phone, ticket.description.slice(0, 2000)]
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

    async getByNumber(number) {
      const { Item } = await doc.send(
        new GetCommand({ TableName: tableName, Key: numberKey(number), ConsistentRead: true }),
      );
      return Item ? get(String(Item.ticketId)) : null;
    },

    async create(write: TicketWrite, claim?: IdempotencyClaim): Promise<CreateOutcome> {
      const { ticket } = write;
      const nowSeconds = Math.floor(clock.now().getTime() / 1000);
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
      const query = listQuery(tableName, filter);
      if (page.order === 'due') return listByDue(query, page);
      const items: Ticket[] = [];
      let start = page.cursor ? decodeCursor(page.cursor) : undefined;
      // A filter expression can leave a page short; keep reading until it is full or the index ends.
      do {
        let result: QueryCommandOutput;
        try {
          result = await doc.send(
            new QueryCommand({
              ...query,
              Limit: page.limit - items.length,
              ExclusiveStartKey: start,
              ScanIndexForward: page.order === 'oldest',
            }),
          );
        } catch (error) {
          if (page.cursor && (error as { name?: string }).name === 'ValidationException')
            throw invalidCursor();
          throw error;
        }
        items.push(...(result.Items ?? []).map(fromItem));
        start = result.LastEvaluatedKey;
      } while (start && items.length < page.limit);
      return { items, ...(start ? { cursor: encodeCursor(start) } : {}) };
    },
  };

  /**
   * A queue by the nearest due time: DynamoDB has no index on it per team or agent, so the whole match
   * (active tickets of one queue: bounded by the team's work) is read, sorted, and paged by offset.
   */
  async function listByDue(query: QueryCommandInput, page: PageRequest): Promise<Page<Ticket>> {
    const offset = page.cursor ? decodeOffset(page.cursor) : 0;
    const all: Ticket[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const result = await doc.send(new QueryCommand({ ...query, ExclusiveStartKey: start }));
      all.push(...(result.Items ?? []).map(fromItem));
      start = result.LastEvaluatedKey;
    } while (start && all.length < dueOrderLimit);
    const keyed = all.map((ticket) => ({ ticket, due: dueKey(ticket) }));
    keyed.sort((a, b) =>
      a.due === b.due ? a.ticket.createdAt.localeCompare(b.ticket.createdAt) : a.due < b.due ? -1 : 1,
    );
    const items = keyed.slice(offset, offset + page.limit).map((k) => k.ticket);
    const next = offset + page.limit;
    return { items, ...(next < keyed.length ? { cursor: encodeOffset(next) } : {}) };
  }
}

/** Sort key of the nearest running due time; tickets with none (paused, no SLA, done) come last. */
const dueKey = (ticket: Ticket) => nextDueAt(ticket) ?? '~';

/** Chooses the most selective index for a filter; the remaining conditions become a filter expression. */
function listQuery(tableName: string, filter: TicketFilter): QueryCommandInput {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const conditions: string[] = [];
  let index: string;
  let keyCondition: string;
  const statusPrefix = filter.status ? `${filter.status}#` : undefined;

  if (filter.assignee) {
    index = ticketIndexes.byAssignee.indexName;
    values[':pk'] = `AGENT#${filter.assignee}`;
    keyCondition = statusPrefix
      ? 'gsAssignee = :pk AND begins_with(gsStatusCreated, :sp)'
      : 'gsAssignee = :pk';
  } else if (filter.unrouted) {
    index = ticketIndexes.byTeam.indexName;
    values[':pk'] = unroutedPartition;
    keyCondition = statusPrefix ? 'gsTeam = :pk AND begins_with(gsStatusCreated, :sp)' : 'gsTeam = :pk';
  } else if (filter.team) {
    index = ticketIndexes.byTeam.indexName;
    values[':pk'] = `TEAM#${filter.team}`;
    keyCondition = statusPrefix ? 'gsTeam = :pk AND begins_with(gsStatusCreated, :sp)' : 'gsTeam = :pk';
  } else if (filter.customerEmail) {
    index = ticketIndexes.byCustomer.indexName;
    values[':pk'] = `CUSTOMER#${filter.customerEmail.toLowerCase()}`;
    keyCondition = 'gsCustomer = :pk';
  } else if (filter.status) {
    index = ticketIndexes.byStatus.indexName;
    values[':pk'] = `STATUS#${filter.status}`;
    keyCondition = 'gsStatus = :pk';
  } else {
    index = ticketIndexes.byCreated.indexName;
    values[':pk'] = 'TICKETS';
    keyCondition = 'gsAll = :pk';
  }
  if (statusPrefix && keyCondition.includes(':sp')) values[':sp'] = statusPrefix;
  else if (filter.status && index !== ticketIndexes.byStatus.indexName) {
    names['#status'] = 'status';
    values[':status'] = filter.status;
    conditions.push('#status = :status');
  }
  if (filter.customerEmail && index !== ticketIndexes.byCustomer.indexName) {
    values[':customer'] = `CUSTOMER#${filter.customerEmail.toLowerCase()}`;
    conditions.push('gsCustomer = :customer');
  }
  if (filter.team && index !== ticketIndexes.byTeam.indexName) {
    values[':team'] = filter.team;
    conditions.push('team = :team');
  }
  if (filter.active && !filter.status) {
    names['#status'] = 'status';
    activeStatuses.forEach((status, i) => {
      values[`:active${i}`] = status;
    });
    conditions.push(`#status IN (${activeStatuses.map((_, i) => `:active${i}`).join(', ')})`);
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
    TableName: tableName,
    IndexName: index,
    KeyConditionExpression: keyCondition,
    ...(conditions.length ? { FilterExpression: conditions.join(' AND ') } : {}),
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: values,
  };
}

const invalidCursor = () =>
  validationError('The cursor is not valid for this query', [
    { path: 'cursor', message: 'Invalid cursor', code: 'invalid' },
  ]);

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

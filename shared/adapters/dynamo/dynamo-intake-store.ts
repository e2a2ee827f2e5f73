import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  AlertIndex,
  AttachmentRecord,
  AttachmentRecords,
  ExternalRefs,
  MailThreadState,
  MailThreads,
  RateCounter,
} from '../../domain/intake/intake.ports.ts';
import type { IntakeLedger, LedgerRecord } from '../../domain/intake/intake-ledger.ts';
import type { ThreadLookups, ThreadTicket } from '../../domain/intake/threading.ts';
import type { AlertTicket } from '../../domain/intake/webhook.ts';
import type { Clock } from '../../domain/ports.ts';
import type { TicketStore } from '../../domain/ticket/ticket.store.ts';
import { queryAll } from './query-all.ts';

/** How long a finished intake delivery is remembered (redeliveries come within minutes; replays later). */
const ledgerTtlSeconds = 30 * 24 * 3600;
/** Rate windows are counted in buckets; this many per window (a finer window costs more reads). */
const bucketsPerWindow = 12;

/** Keys longer than this, or with characters a key should not hold, are hashed. */
const safeKeyPart = (value: string) =>
  value.length <= 200 && /^[\x21-\x7e]+$/.test(value)
    ? value
    : `sha256:${createHash('sha256').update(value).digest('hex')}`;

/**
 * Where intake's items live in the ticket table (table-design.ts lists them with the rest):
 * ledger `INTAKE#<key>`; per ticket `MAIL` (thread state), `OUTMAIL#<messageId>` (mail we sent) and
 * `ATTACH#…` under `TICKET#<id>`; lookups `SENTMAIL#<provider id>`, `INMAIL#<inbound Message-ID>`, `THREADINDEX#<root>`,
 * `TOPIC#<hash of sender and topic>`, `ALERT#<alert key>`, `EXTREF#<system>#<id>`; counters
 * `RATE#<scope>#<subject>` with one item per time bucket.
 */
export const intakeKeys = {
  ledger: (key: string) => ({ pk: `INTAKE#${safeKeyPart(key)}`, sk: 'INTAKE' }),
  mail: (ticketId: string) => ({ pk: `TICKET#${ticketId}`, sk: 'MAIL' }),
  outbound: (ticketId: string, messageId: string) => ({
    pk: `TICKET#${ticketId}`,
    sk: `OUTMAIL#${messageId}`,
  }),
  sent: (providerId: string) => ({ pk: `SENTMAIL#${safeKeyPart(providerId.toLowerCase())}`, sk: 'SENTMAIL' }),
  inbound: (messageId: string) => ({ pk: `INMAIL#${safeKeyPart(messageId.toLowerCase())}`, sk: 'INMAIL' }),
  threadIndex: (root: string) => ({ pk: `THREADINDEX#${safeKeyPart(root)}`, sk: 'THREADINDEX' }),
  topic: (topic: string, sender: string) => ({
    pk: `TOPIC#${createHash('sha256').update(`${sender.trim().toLowerCase()}\n${topic}`).digest('hex')}`,
    sk: 'TOPIC',
  }),
  alert: (key: string) => ({ pk: `ALERT#${safeKeyPart(key)}`, sk: 'ALERT' }),
  externalRef: (system: string, id: string) => ({
    pk: `EXTREF#${safeKeyPart(system)}#${safeKeyPart(id)}`,
    sk: 'EXTREF',
  }),
  rate: (scope: string, subject: string) => `RATE#${scope}#${safeKeyPart(subject.trim().toLowerCase())}`,
  attachmentPrefix: 'ATTACH#',
};

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error as { name?: string }).name === 'ConditionalCheckFailedException';

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

export interface DynamoIntakeStore {
  ledger: IntakeLedger;
  lookups: ThreadLookups;
  threads: MailThreads;
  rates: RateCounter;
  alerts: AlertIndex;
  externalRefs: ExternalRefs;
  attachmentRecords: AttachmentRecords;
}

/**
 * The intake ports on the one ticket table: the idempotency ledger (conditional puts), threading
 * indexes, per-ticket mail state, sliding-window counters (an atomic ADD per time bucket, items expire
 * by TTL and are filtered by key range, since TTL deletes late), the alert index and attachment records.
 */
export function dynamoIntakeStore(
  client: DynamoDBClient,
  tableName: string,
  tickets: Pick<TicketStore, 'get' | 'getByNumber'>,
  clock: Clock = { now: () => new Date() },
): DynamoIntakeStore {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const TableName = tableName;

  const getItem = async (Key: Record<string, string>) =>
    (await doc.send(new GetCommand({ TableName, Key, ConsistentRead: true }))).Item;

  /** Puts `item` unless the condition fails; a failed condition is not an error here. */
  async function putUnless(
    item: Record<string, unknown>,
    condition: string,
    values: Record<string, unknown>,
  ) {
    try {
      await doc.send(
        new PutCommand({
          TableName,
          Item: item,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
          ...(condition.includes('#at') ? { ExpressionAttributeNames: { '#at': 'at' } } : {}),
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async function state(ticketId: string): Promise<MailThreadState> {
    const item = await getItem(intakeKeys.mail(ticketId));
    return {
      participants: item?.participants ? [...(item.participants as Set<string>)].sort() : [],
      firstMessageId: (item?.firstMessageId as string | undefined) ?? null,
      lastInboundMessageId: (item?.lastInboundMessageId as string | undefined) ?? null,
      messageIds: (item?.messageIds as string[] | undefined) ?? [],
      threadIndexRoot: (item?.threadIndexRoot as string | undefined) ?? null,
    };
  }

  async function threadTicket(id: string | undefined): Promise<ThreadTicket | null> {
    if (!id) return null;
    const ticket = await tickets.get(id);
    if (!ticket) return null;
    const { participants } = await state(id);
    return { ...ticket, participants };
  }

  const pointerTicket = async (Key: Record<string, string>) =>
    threadTicket((await getItem(Key))?.ticketId as string | undefined);

  async function appendMessageIds(
    ticketId: string,
    ids: string[],
    extra: { lastInbound?: string; participants?: readonly string[]; threadIndexRoot?: string } = {},
  ) {
    const sets = ['entity = :entity'];
    const values: Record<string, unknown> = { ':entity': 'mail-thread' };
    if (ids.length) {
      sets.push(
        'messageIds = list_append(if_not_exists(messageIds, :empty), :ids)',
        'firstMessageId = if_not_exists(firstMessageId, :first)',
      );
      Object.assign(values, { ':empty': [], ':ids': ids, ':first': ids[0] });
    }
    if (extra.lastInbound) {
      sets.push('lastInboundMessageId = :last');
      values[':last'] = extra.lastInbound;
    }
    if (extra.threadIndexRoot) {
      sets.push('threadIndexRoot = if_not_exists(threadIndexRoot, :root)');
      values[':root'] = extra.threadIndexRoot;
    }
    const participants = [...new Set((extra.participants ?? []).map((p) => p.trim().toLowerCase()))].filter(
      Boolean,
    );
    let expression = `SET ${sets.join(', ')}`;
    if (participants.length) {
      expression += ' ADD participants :participants';
      values[':participants'] = new Set(participants);
    }
    await doc.send(
      new UpdateCommand({
        TableName,
        Key: intakeKeys.mail(ticketId),
        UpdateExpression: expression,
        ExpressionAttributeValues: values,
      }),
    );
  }

  const ledger: IntakeLedger = {
    async find(key) {
      const item = await getItem(intakeKeys.ledger(key));
      if (item?.status !== 'done' || (item.expiresAt as number) < seconds(clock.now())) return null;
      return { outcome: String(item.outcome), ticketId: (item.ticketId as string | null) ?? null };
    },
    async claim(key, now, holdSeconds) {
      try {
        await doc.send(
          new PutCommand({
            TableName,
            Item: {
              ...intakeKeys.ledger(key),
              entity: 'intake',
              key,
              status: 'held',
              heldUntil: now.getTime() + holdSeconds * 1000,
              expiresAt: seconds(now) + holdSeconds + 24 * 3600,
            },
            ConditionExpression:
              'attribute_not_exists(pk) OR (#status = :held AND heldUntil < :now) OR expiresAt < :nowSeconds',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':held': 'held',
              ':now': now.getTime(),
              ':nowSeconds': seconds(now),
            },
          }),
        );
        return { kind: 'claimed' };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // Read what holds the key (a consistent read; if it was released meanwhile, "held" asks for a retry).
        const old = await getItem(intakeKeys.ledger(key));
        if (old?.status === 'done') {
          const record: LedgerRecord = { outcome: String(old.outcome), ticketId: old.ticketId ?? null };
          return { kind: 'done', record };
        }
        return { kind: 'held' };
      }
    },
    async complete(key, record, now) {
      await doc.send(
        new PutCommand({
          TableName,
          Item: {
            ...intakeKeys.ledger(key),
            entity: 'intake',
            key,
            status: 'done',
            outcome: record.outcome,
            ticketId: record.ticketId,
            completedAt: now.toISOString(),
            expiresAt: seconds(now) + ledgerTtlSeconds,
          },
        }),
      );
    },
    async release(key) {
      try {
        await doc.send(
          new DeleteCommand({
            TableName,
            Key: intakeKeys.ledger(key),
            ConditionExpression: '#status = :held',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':held': 'held' },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },
  };

  const lookups: ThreadLookups = {
    byOutboundMessageId: async (ref) =>
      (await getItem(intakeKeys.outbound(ref.ticketId, ref.messageId))) ? threadTicket(ref.ticketId) : null,
    bySentMessageId: (id) => pointerTicket(intakeKeys.sent(id)),
    byInboundMessageId: (id) => pointerTicket(intakeKeys.inbound(id)),
    byNumber: async (number) => {
      const ticket = await tickets.getByNumber(number);
      return ticket ? threadTicket(ticket.id) : null;
    },
    byThreadIndexRoot: (root) => pointerTicket(intakeKeys.threadIndex(root)),
    byThreadTopic: (topic, sender) => pointerTicket(intakeKeys.topic(topic, sender)),
  };

  const threads: MailThreads = {
    state,
    async indexOpened(ticketId, index) {
      const at = index.at.toISOString();
      const newer = 'attribute_not_exists(pk) OR #at <= :at';
      if (index.threadIndexRoot) {
        await putUnless(
          { ...intakeKeys.threadIndex(index.threadIndexRoot), entity: 'thread-index', ticketId, at },
          newer,
          { ':at': at },
        );
        await appendMessageIds(ticketId, [], { threadIndexRoot: index.threadIndexRoot });
      }
      if (index.topic) {
        await putUnless(
          { ...intakeKeys.topic(index.topic, index.customerEmail), entity: 'thread-topic', ticketId, at },
          newer,
          { ':at': at },
        );
      }
    },
    async recordInbound(ticketId, messageId, participants) {
      // The mail's own Message-ID becomes a thread key: a reply-all by someone it was copied to names it.
      // The first ticket a Message-ID landed on keeps it.
      if (messageId) {
        await putUnless(
          { ...intakeKeys.inbound(messageId), entity: 'inbound-mail', ticketId, messageId },
          'attribute_not_exists(pk) OR ticketId = :id',
          { ':id': ticketId },
        );
      }
      await appendMessageIds(ticketId, messageId ? [messageId] : [], {
        ...(messageId ? { lastInbound: messageId } : {}),
        participants,
      });
    },
    async recordOutbound(ticketId, ours) {
      await doc.send(
        new PutCommand({
          TableName,
          Item: {
            ...intakeKeys.outbound(ticketId, ours.messageId),
            entity: 'outbound-mail',
            ticketId,
            headerId: ours.headerId,
            kind: ours.kind,
            at: clock.now().toISOString(),
          },
        }),
      );
      await appendMessageIds(ticketId, [ours.headerId]);
    },
    async recordProviderId(providerMessageId, ticketId, messageId) {
      await doc.send(
        new PutCommand({
          TableName,
          Item: { ...intakeKeys.sent(providerMessageId), entity: 'sent-mail', ticketId, messageId },
        }),
      );
      await appendMessageIds(ticketId, [providerMessageId]);
    },
  };

  const rates: RateCounter = {
    async hit(scope, subject, now, windowMinutes) {
      const windowMs = windowMinutes * 60_000;
      const bucketMs = Math.max(60_000, Math.ceil(windowMs / bucketsPerWindow / 60_000) * 60_000);
      const bucket = Math.floor(now.getTime() / bucketMs) * bucketMs;
      const pk = intakeKeys.rate(scope, subject);
      await doc.send(
        new UpdateCommand({
          TableName,
          Key: { pk, sk: new Date(bucket).toISOString() },
          UpdateExpression: 'ADD #count :one SET entity = :entity, expiresAt = :expires',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':entity': 'rate',
            ':expires': Math.ceil((bucket + windowMs + bucketMs) / 1000),
          },
        }),
      );
      const from = new Date(bucket - windowMs + bucketMs).toISOString();
      const items = await queryAll(doc, {
        TableName,
        KeyConditionExpression: 'pk = :pk AND sk >= :from',
        ExpressionAttributeValues: { ':pk': pk, ':from': from },
        ConsistentRead: true,
      });
      return items.reduce((total, item) => total + Number(item.count ?? 0), 0);
    },
  };

  const alerts: AlertIndex = {
    async latestByKey(key): Promise<AlertTicket | null> {
      const pointer = await getItem(intakeKeys.alert(key));
      if (!pointer) return null;
      const ticket = await tickets.get(String(pointer.ticketId));
      return ticket
        ? { id: ticket.id, number: ticket.number, status: ticket.status, customFields: ticket.customFields }
        : null;
    },
    async setLatest(key, ticketId, createdAt) {
      await doc
        .send(
          new UpdateCommand({
            TableName,
            Key: intakeKeys.alert(key),
            UpdateExpression: 'SET entity = :entity, ticketId = :id, createdAt = :at',
            ConditionExpression: 'attribute_not_exists(pk) OR createdAt <= :at',
            ExpressionAttributeValues: { ':entity': 'alert', ':id': ticketId, ':at': createdAt },
          }),
        )
        .catch((error: unknown) => {
          if (!isConditionFailure(error)) throw error;
        });
    },
  };

  const externalRefs: ExternalRefs = {
    async find(system, id) {
      return ((await getItem(intakeKeys.externalRef(system, id)))?.ticketId as string | undefined) ?? null;
    },
    async put(system, id, ticketId) {
      await putUnless(
        { ...intakeKeys.externalRef(system, id), entity: 'external-ref', system, id, ticketId },
        'attribute_not_exists(pk) OR ticketId = :id',
        { ':id': ticketId },
      );
    },
  };

  const attachmentRecords: AttachmentRecords = {
    async add(records) {
      for (const r of records) {
        await doc.send(
          new PutCommand({
            TableName,
            Item: {
              ...r,
              pk: `TICKET#${r.ticketId}`,
              sk: `${intakeKeys.attachmentPrefix}${r.sha256}#${r.filename}`,
              entity: 'attachment',
            },
          }),
        );
      }
    },
    async list(ticketId) {
      const items = await queryAll(doc, {
        TableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `TICKET#${ticketId}`, ':prefix': intakeKeys.attachmentPrefix },
        ConsistentRead: true,
      });
      const out = items.map(({ pk: _pk, sk: _sk, entity: _entity, ...record }) => record as AttachmentRecord);
      return out.sort((a, b) => a.at.localeCompare(b.at) || a.filename.localeCompare(b.filename));
    },
  };

  return { ledger, lookups, threads, rates, alerts, externalRefs, attachmentRecords };
}

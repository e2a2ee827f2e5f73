import { type DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type Approval, pendingApprovers } from '../../domain/approval/approval.entity.ts';
import type { ApprovalStore, ApprovalWrite, PendingApproval } from '../../domain/approval/approval.store.ts';
import { ApprovalPolicy } from '../../domain/approval/approval-policy.ts';
import { queryAll } from './query-all.ts';

/**
 * Approvals in the ticket table (docs/data-model.md, "Approvals"):
 *
 * | item               | pk                 | sk                   |
 * | ------------------ | ------------------ | -------------------- |
 * | approval           | TICKET#<ticketId>  | APPROVAL#<id>        |
 * | approval lookup    | APPROVAL#<id>      | APPROVAL             |
 * | waiting on me      | APPROVER#<agentId> | APPROVAL#<id>        |
 * | approvals policy   | CONFIG             | approvals            |
 *
 * The approval document lives in its ticket's partition (a ticket's approvals are one query); the
 * lookup finds it by id; an approver has one "waiting on me" item per approval they are pending on,
 * put and deleted in the same transaction as the approval, so "my approvals" is one query with no index.
 */
const approvalKey = (a: Pick<Approval, 'id' | 'ticketId'>) => ({
  pk: `TICKET#${a.ticketId}`,
  sk: `APPROVAL#${a.id}`,
});
const lookupKey = (id: string) => ({ pk: `APPROVAL#${id}`, sk: 'APPROVAL' });
const waitingKey = (agentId: string, id: string) => ({ pk: `APPROVER#${agentId}`, sk: `APPROVAL#${id}` });
const policyKey = { pk: 'CONFIG', sk: 'approvals' } as const;

const strip = <T>(item: Record<string, unknown>): T => {
  const { pk: _pk, sk: _sk, entity: _entity, ...rest } = item;
  return rest as T;
};

const waitingItem = (a: Approval, agentId: string): Record<string, unknown> => {
  const stage = a.stages[a.currentStage]!;
  const slot = stage.approvers.find((x) => x.agentId === agentId && x.status === 'pending');
  const row: PendingApproval = {
    approvalId: a.id,
    ticketId: a.ticketId,
    ticketNumber: a.ticketNumber,
    subject: a.subject,
    reason: a.reason,
    requestedBy: { id: a.requestedBy.id, ...(a.requestedBy.name ? { name: a.requestedBy.name } : {}) },
    requestedAt: a.requestedAt,
    stage: a.currentStage,
    stages: a.stages.length,
    since: slot?.since ?? stage.startedAt ?? a.requestedAt,
    nudges: a.nudges.byApprover[agentId] ?? 0,
  };
  return { ...waitingKey(agentId, a.id), entity: 'approval-waiting', ...row };
};

/**
 * The transaction items of an approval write, for the ticket store to add to the ticket's change:
 * the approval (conditional on its version), its lookup when new, and the approvers' "waiting on me"
 * items put or deleted as who is pending changed.
 */
export function approvalWriteItems(write: ApprovalWrite, tableName: string): Record<string, unknown>[] {
  const { approval, previous } = write;
  const items: Record<string, unknown>[] = [
    {
      Put: {
        TableName: tableName,
        Item: { ...approval, ...approvalKey(approval), entity: 'approval' },
        ...(previous
          ? {
              ConditionExpression: '#version = :expected',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':expected': previous.version },
            }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      },
    },
  ];
  if (!previous) {
    items.push({
      Put: {
        TableName: tableName,
        Item: { ...lookupKey(approval.id), entity: 'approval-lookup', ticketId: approval.ticketId },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
  }
  const now = new Set(pendingApprovers(approval));
  const before = previous ? pendingApprovers(previous) : [];
  for (const agentId of before) {
    if (!now.has(agentId))
      items.push({ Delete: { TableName: tableName, Key: waitingKey(agentId, approval.id) } });
  }
  // Put for everyone pending now, so the queue's copy (stage, nudges) follows the approval.
  for (const agentId of now)
    items.push({ Put: { TableName: tableName, Item: waitingItem(approval, agentId) } });
  return items;
}

/** ApprovalStore on the ticket table (approvals are written by the ticket store, with their ticket's change). */
export function dynamoApprovalStore(client: DynamoDBClient, tableName: string): ApprovalStore {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const item = async (key: { pk: string; sk: string }) =>
    (await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

  return {
    async get(id) {
      const lookup = await item(lookupKey(id));
      if (!lookup) return null;
      const found = await item(approvalKey({ id, ticketId: String(lookup.ticketId) }));
      return found ? strip<Approval>(found) : null;
    },

    async listByTicket(ticketId) {
      const items = await queryAll(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `TICKET#${ticketId}`, ':prefix': 'APPROVAL#' },
        ConsistentRead: true,
      });
      // Ids are time-ordered, but one keyed by an Idempotency-Key is not: order by when each was asked.
      return items
        .map((i) => strip<Approval>(i))
        .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.id.localeCompare(b.id));
    },

    async pendingFor(agentId) {
      const items = await queryAll(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `APPROVER#${agentId}`, ':prefix': 'APPROVAL#' },
        ConsistentRead: true,
      });
      return items.map((i) => strip<PendingApproval>(i)).sort((a, b) => a.since.localeCompare(b.since));
    },

    async policy() {
      const found = await item(policyKey);
      return ApprovalPolicy.parse(found?.config ?? {});
    },

    async putPolicy(next, expectedVersion) {
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...policyKey,
                    entity: 'config',
                    type: 'config',
                    version: next.version,
                    config: next,
                  },
                  ...(expectedVersion === 0
                    ? { ConditionExpression: 'attribute_not_exists(pk)' }
                    : {
                        ConditionExpression: '#version = :expected',
                        ExpressionAttributeNames: { '#version': 'version' },
                        ExpressionAttributeValues: { ':expected': expectedVersion },
                      }),
                },
              },
            ],
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof TransactionCanceledException) return false;
        throw error;
      }
    },
  };
}

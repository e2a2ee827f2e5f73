/**
 * The one DynamoDB table, described once and used by both the CDK stack (`infra/`) and the local
 * runtime, so the two cannot drift. See docs/data-model.md for the access patterns it serves; the
 * channels' items (intake ledger, threading, counters) are described in dynamo-intake-store.ts.
 *
 * | item          | pk                 | sk                      |
 * | ------------- | ------------------ | ----------------------- |
 * | ticket        | TICKET#<id>        | TICKET                  |
 * | audit event   | TICKET#<id>        | EVENT#<at>#<eventId>    |
 * | message       | TICKET#<id>        | MSG#<at>#<messageId>    |
 * | number lookup | NUMBER#<GD-000123> | NUMBER                  |
 * | key claim     | CLAIM#<scope:key>  | CLAIM                   |
 * | counter       | COUNTER            | <name>                  |
 * | agent         | AGENT#<id>         | AGENT, TEAM#<team>      |
 * | configuration | CONFIG             | <name>                  |
 * | config version| CONFIG#<name>      | V#<version>             |
 * | intake ledger | INTAKE#<key>       | INTAKE                  |
 * | mail thread   | TICKET#<id>        | MAIL                    |
 * | mail we sent  | TICKET#<id>        | OUTMAIL#<messageId>     |
 * | attachment    | TICKET#<id>        | ATTACH#<sha256>#<name>  |
 * | thread lookup | SENTMAIL#… · INMAIL#… · THREADINDEX#… · TOPIC#… | (same) |
 * | alert index   | ALERT#<alert key>  | ALERT                   |
 * | external ref  | EXTREF#<sys>#<id>  | EXTREF                  |
 * | customer's id | CUSTMAP#<customer> | SYS#<system>            |
 * | imported ref  | TICKETREF#<legacy> | TICKETREF               |
 * | import        | IMPORT#<id>        | IMPORT                  |
 * | import list   | IMPORTS            | <createdAt>#<id>        |
 * | import mapping| IMPORTMAP          | <name>                  |
 * | rate counter  | RATE#<scope>#<who> | <bucket start>          |
 * | approval      | TICKET#<id>        | APPROVAL#<approvalId>   |
 * | approval id   | APPROVAL#<id>      | APPROVAL                |
 * | waiting on me | APPROVER#<agentId> | APPROVAL#<approvalId>   |
 * | outbox (local)| OUTBOX             | <sentAt>#<id>           |
 * | seed marker   | SEED               | <version>               |
 * | webhook sub   | WEBHOOKSUB         | <name>                  |
 * | webhook send  | WEBHOOKOUT#<name>  | DELIVERY#<event>.<name> |
 * | breaker       | ENDPOINT#<hash>    | BREAKER                 |
 * | migration     | MIGRATION#<id>     | MIGRATION               |
 *
 * byCreated, byStatus and byDue are sharded: their partition keys end in `#<shard>` (index-shards.ts).
 */
export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface IndexDesign {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
}

export interface TableDesign {
  /** A stable logical id; CDK generates the physical name, the local runtime uses this one. */
  id: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  indexes: IndexDesign[];
  timeToLiveAttribute: string;
}

const s = (name: string): KeyAttribute => ({ name, type: 'S' });

export const ticketIndexes = {
  /** Tickets in one status, newest first (`GET /tickets?status=`); `STATUS#<status>#<shard>`. */
  byStatus: { indexName: 'byStatus', partitionKey: s('gsStatus'), sortKey: s('gsCreated') },
  /** A team's queue, grouped by status then age (`?team=&status=`). */
  byTeam: { indexName: 'byTeam', partitionKey: s('gsTeam'), sortKey: s('gsStatusCreated') },
  /** An agent's work, grouped by status then age (`?assignee=&status=`). */
  byAssignee: { indexName: 'byAssignee', partitionKey: s('gsAssignee'), sortKey: s('gsStatusCreated') },
  /** A customer's tickets, newest first (`?customer=`, and every customer's own list). */
  byCustomer: { indexName: 'byCustomer', partitionKey: s('gsCustomer'), sortKey: s('gsCreated') },
  /** Every ticket, newest first (no filter); `TICKETS#<shard>`. */
  byCreated: { indexName: 'byCreated', partitionKey: s('gsAll'), sortKey: s('gsCreated') },
  /**
   * Active tickets by resolution due time (sparse: only tickets with a running SLA), `DUE#<shard>`; and
   * outbox records waiting for a retry, `OUTBOX` (few: only failed reactions).
   */
  byDue: { indexName: 'byDue', partitionKey: s('gsDue'), sortKey: s('gsDueAt') },
} satisfies Record<string, IndexDesign>;

export const ticketTable: TableDesign = {
  id: 'Tickets',
  partitionKey: s('pk'),
  sortKey: s('sk'),
  indexes: Object.values(ticketIndexes),
  timeToLiveAttribute: 'expiresAt',
};

/** CreateTable input for the local runtime and tests (on-demand, streams on, as in the stack). */
export function createTableInput(design: TableDesign, tableName: string) {
  const attributes = new Map<string, KeyAttribute>();
  for (const a of [
    design.partitionKey,
    design.sortKey,
    ...design.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ]) {
    attributes.set(a.name, a);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attributes.values()].map((a) => ({
      AttributeName: a.name,
      AttributeType: a.type,
    })),
    KeySchema: [
      { AttributeName: design.partitionKey.name, KeyType: 'HASH' as const },
      { AttributeName: design.sortKey.name, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: design.indexes.map((i) => ({
      IndexName: i.indexName,
      KeySchema: [
        { AttributeName: i.partitionKey.name, KeyType: 'HASH' as const },
        { AttributeName: i.sortKey.name, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' as const },
  };
}

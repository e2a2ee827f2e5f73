import type { TableWrites } from '#shared/http/route.ts';

/**
 * The table writes of the routes that need less than the whole table (`Route.writes`), by partition key
 * (shared/adapters/dynamo/table-design.ts lists the items). The stack grants exactly these, as IAM
 * `dynamodb:LeadingKeys` conditions, so these functions cannot write configuration, agents' profiles,
 * approvals or dead letters whatever their code does. test/integration/table-write-scopes.test.ts runs
 * the routes over DynamoDB Local and fails when the code writes outside its scope.
 */
export const writeScopes = {
  /** `GET /tickets/{id}`: the `viewed` audit event, a new item in the ticket's partition. Nothing else. */
  viewed: { actions: ['PutItem'], partitionKeys: ['TICKET#'] },
  /**
   * `POST /portal`: rate counters, the ticket number counter and lookup, the ticket with its audit,
   * outbox and attachments, the form's idempotency claim, and the capacity claim on the agent that
   * routing at intake assigns (`AGENT#`: agents' capacity items share the agent's partition).
   */
  portalIntake: {
    actions: ['PutItem', 'UpdateItem'],
    partitionKeys: ['RATE#', 'COUNTER', 'NUMBER#', 'TICKET#', 'CLAIM#', 'AGENT#'],
  },
  /** `POST /portal/status`: rate counters, the reply's once-only ledger entry, the ticket (reply, rating, view). */
  portalStatus: { actions: ['PutItem', 'UpdateItem'], partitionKeys: ['RATE#', 'INTAKE#', 'TICKET#'] },
  /**
   * `POST /hooks/{source}`: the delivery and signature ledger, the alert index, the ticket number counter
   * and lookup, the ticket, the alert episode's claim, and routing at intake's capacity claim.
   */
  webhook: {
    actions: ['PutItem', 'UpdateItem'],
    partitionKeys: ['INTAKE#', 'ALERT#', 'COUNTER', 'NUMBER#', 'TICKET#', 'CLAIM#', 'AGENT#'],
  },
} as const satisfies Record<string, TableWrites>;

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { dynamoAgentStore } from '../adapters/dynamo/dynamo-agent-store.ts';
import { dynamoRoutingConfigStore } from '../adapters/dynamo/dynamo-routing-config-store.ts';
import { cachedSlaConfigStore, dynamoSlaConfigStore } from '../adapters/dynamo/dynamo-sla-config-store.ts';
import { dynamoTicketStore } from '../adapters/dynamo/dynamo-ticket-store.ts';
import { eventBridgePublisher } from '../adapters/events/eventbridge-publisher.ts';
import { ulidGenerator } from '../adapters/ids.ts';
import { jsonLogger } from '../adapters/json-logger.ts';
import { sfnWorkflowStarter } from '../adapters/sfn/sfn-workflow-starter.ts';
import type { TicketDeps } from '../use-cases/deps.ts';

/**
 * Reads a required environment variable, failing the cold start when it is missing. (Not imported from
 * `lambda-deps.ts`, which would bundle the API's token verifier into a function that verifies none.)
 */
function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}

/**
 * The routing maintenance Lambda's dependencies (`functions/routing-sweep`), from the environment the
 * `RoutingMaintenance` construct sets: the table (agents, tickets, routing and SLA configuration), the
 * bus (`ticket.assigned` for each sweep assignment) and the SLA timer, which an assignment may restart.
 */
export function routingMaintenanceLambdaDeps(): TicketDeps {
  const tableName = requiredEnv('TABLE_NAME');
  const busName = requiredEnv('EVENT_BUS_NAME');
  const slaTimerArn = requiredEnv('SLA_TIMER_ARN');
  const logger = jsonLogger({ function: process.env.AWS_LAMBDA_FUNCTION_NAME });
  const dynamo = new DynamoDBClient({});
  const slaConfig = cachedSlaConfigStore(dynamoSlaConfigStore(dynamo, tableName));
  return {
    tickets: dynamoTicketStore(dynamo, tableName),
    routing: {
      agents: dynamoAgentStore(dynamo, tableName),
      config: dynamoRoutingConfigStore(dynamo, tableName),
    },
    sla: {
      config: slaConfig,
      timers: sfnWorkflowStarter(new SFNClient({}), slaTimerArn, logger),
    },
    events: eventBridgePublisher(new EventBridgeClient({}), busName),
    clock: { now: () => new Date() },
    ids: ulidGenerator(),
    logger,
  };
}

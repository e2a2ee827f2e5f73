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
import { requiredEnv } from './env.ts';

/**
 * What every function that changes tickets needs, from the environment the stack sets (infra/): the
 * table (tickets, agents, routing and SLA configuration), the bus and the SLA timer's state machine.
 * No token verifier: the API adds one (`lambdaDeps`); the routing sweep verifies nothing.
 */
export function ticketLambdaDeps(): TicketDeps {
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
      store: slaConfig,
      timers: sfnWorkflowStarter(new SFNClient({}), slaTimerArn, logger),
    },
    events: eventBridgePublisher(new EventBridgeClient({}), busName),
    clock: { now: () => new Date() },
    ids: ulidGenerator(),
    logger,
  };
}

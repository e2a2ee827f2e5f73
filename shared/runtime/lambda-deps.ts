import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { createRemoteJWKSet } from 'jose';
import { createJwtVerifier } from '../adapters/auth/jwt-verifier.ts';
import { dynamoAgentStore } from '../adapters/dynamo/dynamo-agent-store.ts';
import { dynamoRoutingConfigStore } from '../adapters/dynamo/dynamo-routing-config-store.ts';
import { cachedSlaConfigStore, dynamoSlaConfigStore } from '../adapters/dynamo/dynamo-sla-config-store.ts';
import { dynamoTicketStore } from '../adapters/dynamo/dynamo-ticket-store.ts';
import { eventBridgePublisher } from '../adapters/events/eventbridge-publisher.ts';
import { ulidGenerator } from '../adapters/ids.ts';
import { jsonLogger } from '../adapters/json-logger.ts';
import { sfnWorkflowStarter } from '../adapters/sfn/sfn-workflow-starter.ts';
import type { ApiDeps } from '../http/route.ts';

/** Reads a required environment variable, failing the cold start (not a request) when it is missing. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}

let cached: ApiDeps | undefined;

/**
 * The dependencies of an API function in AWS, from the environment the stack sets (infra/): the
 * table, the bus, the SLA timer's state machine, and the Cognito user pool whose tokens are accepted.
 * Built once per container.
 */
export function lambdaDeps(): ApiDeps {
  if (cached) return cached;
  const tableName = requiredEnv('TABLE_NAME');
  const busName = requiredEnv('EVENT_BUS_NAME');
  const issuer = requiredEnv('AUTH_ISSUER');
  const audience = requiredEnv('AUTH_AUDIENCE');
  const slaTimerArn = requiredEnv('SLA_TIMER_ARN');
  const logger = jsonLogger({ function: process.env.AWS_LAMBDA_FUNCTION_NAME });
  const dynamo = new DynamoDBClient({});
  const slaConfig = cachedSlaConfigStore(dynamoSlaConfigStore(dynamo, tableName));
  cached = {
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
    verifyToken: createJwtVerifier({
      issuer,
      audience,
      keys: createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)),
    }),
  };
  return cached;
}

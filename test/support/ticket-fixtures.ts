import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { dynamoTicketStore } from '#shared/adapters/dynamo/dynamo-ticket-store.ts';
import { ticketTable } from '#shared/adapters/dynamo/table-design.ts';
import { ulidGenerator } from '#shared/adapters/ids.ts';
import { silentLogger } from '#shared/adapters/json-logger.ts';
import type { Actor } from '#shared/domain/actor.ts';
import type { EventPublisher, IntegrationEvent } from '#shared/events/catalogue.ts';
import type { TicketDeps } from '#shared/use-cases/deps.ts';
import { ensureTable, localAwsConfig } from '../../infra/local/dynamodb-local.ts';

export const agent: Actor = {
  id: 'agent-li',
  name: '李工',
  roles: ['agent'],
  channel: 'api',
  sourceIp: '10.0.0.7',
};
export const supervisor: Actor = { id: 'sup-wang', name: '王主管', roles: ['supervisor'], channel: 'api' };
export const customer: Actor = {
  id: 'cust-zhao',
  name: '赵女士',
  email: 'zhao@example.com',
  roles: ['customer'],
  channel: 'web',
  sourceIp: '203.0.113.9',
};
export const otherCustomer: Actor = {
  id: 'cust-qian',
  email: 'qian@example.com',
  roles: ['customer'],
  channel: 'web',
};

/** An event publisher that remembers what it was given (and can be told to fail). */
export function recordingPublisher(): EventPublisher & { events: IntegrationEvent[]; failNext: boolean } {
  const publisher = {
    events: [] as IntegrationEvent[],
    failNext: false,
    async publish(events: IntegrationEvent[]) {
      if (publisher.failNext) {
        publisher.failNext = false;
        throw new Error('bus unavailable');
      }
      publisher.events.push(...events);
    },
  };
  return publisher;
}

/** A fresh table in the suite's DynamoDB Local and the use-case dependencies over it. */
export async function freshTicketDeps(now = () => new Date('2026-11-20T08:00:00Z')) {
  const client = new DynamoDBClient(localAwsConfig(inject('dynamoEndpoint')));
  const tableName = `tickets-${randomUUID()}`;
  await ensureTable(client, ticketTable, tableName);
  const clock = { now };
  const events = recordingPublisher();
  const deps: TicketDeps = {
    tickets: dynamoTicketStore(client, tableName, clock),
    events,
    clock,
    ids: ulidGenerator(),
    logger: silentLogger,
  };
  return { deps, events, client, tableName };
}

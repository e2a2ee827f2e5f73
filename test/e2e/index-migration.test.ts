import { join } from 'node:path';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { indexMigrationKey } from '#shared/adapters/dynamo/index-backfill.ts';
import { ticketTable } from '#shared/adapters/dynamo/table-design.ts';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.ts';
import {
  apiClient,
  dynamoDbLocalProcesses,
  type RuntimeProcess,
  removeDataDir,
  startRuntimeProcess,
  tempDataDir,
} from './support/runtime-process.ts';

const dataDir = tempDataDir();
let runtime: RuntimeProcess | undefined;

afterAll(async () => {
  await runtime?.stop('SIGKILL');
  for (const pid of dynamoDbLocalProcesses(dataDir)) process.kill(pid, 'SIGKILL');
  removeDataDir(dataDir);
});

/** Every ticket id `GET /tickets` lists, newest first, following cursors. */
async function listedIds(url: string): Promise<string[]> {
  const api = apiClient(url);
  const tokens = (await api('GET', '/dev/tokens')).body as { admin: string };
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await api(
      'GET',
      `/tickets?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token: tokens.admin },
    );
    expect(page.status).toBe(200);
    ids.push(...(page.body.items as { id: string }[]).map((t) => t.id));
    cursor = page.body.cursor;
  } while (cursor);
  return ids;
}

describe('Local runtime: the index backfill on start', () => {
  it('lists the tickets of a data dir written before the indexes were sharded, after migrating it once', async () => {
    // Prepare: a seeded data dir, then its tickets put back to the unsharded keys, marker gone.
    runtime = await startRuntimeProcess({ dataDir });
    const before = await listedIds(runtime.url);
    expect(before.length).toBeGreaterThan(3);
    await runtime.stop();
    runtime = undefined;
    const ddb = await startDynamoDbLocal({ dataDir: join(dataDir, 'dynamodb') });
    try {
      const doc = DynamoDBDocumentClient.from(ddb.client);
      const { Items = [] } = await doc.send(
        new ScanCommand({
          TableName: ticketTable.id,
          FilterExpression: 'entity = :ticket',
          ExpressionAttributeValues: { ':ticket': 'ticket' },
        }),
      );
      for (const item of Items) {
        await doc.send(
          new PutCommand({
            TableName: ticketTable.id,
            Item: {
              ...item,
              gsAll: 'TICKETS',
              gsStatus: `STATUS#${item.status}`,
              ...(item.gsDue ? { gsDue: 'DUE' } : {}),
            },
          }),
        );
      }
      await doc.send(new DeleteCommand({ TableName: ticketTable.id, Key: indexMigrationKey }));
    } finally {
      await ddb.stop();
    }

    // Act
    runtime = await startRuntimeProcess({ dataDir });
    const after = await listedIds(runtime.url);

    // Assess
    expect(after).toEqual(before);
    expect(runtime.output()).toContain('migration.indexes_done');
  });
});

/**
 * `npm run migrate:indexes -- --table <name> [--region R] [--endpoint URL] [--page-size N] [--max-pages N] [--force]`
 * or `npm run migrate:indexes -- --data-dir .gongdan` (a local data dir, with no runtime running on it).
 *
 * Rewrites the sharded index keys of tickets written before sharding (index-backfill.ts): idempotent,
 * paged, and resumable — the table's `MIGRATION#sharded-indexes-v1` item keeps the scan position, so an
 * interrupted run goes on where it stopped. In AWS it uses the default credential chain
 * (docs/data-model.md, "Sharded indexes"). The local runtime runs it by itself on start.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { migrateIndexes } from '#shared/adapters/dynamo/index-backfill.ts';
import { ticketTable } from '#shared/adapters/dynamo/table-design.ts';
import type { Logger } from '#shared/domain/ports.ts';
import { lockDataDir, prepareDataDir } from '../local/data-dir.ts';
import { ensureTable, startDynamoDbLocal } from '../local/dynamodb-local.ts';

const { values } = parseArgs({
  options: {
    table: { type: 'string' },
    region: { type: 'string' },
    endpoint: { type: 'string' },
    'data-dir': { type: 'string' },
    'page-size': { type: 'string', default: '500' },
    'max-pages': { type: 'string' },
    force: { type: 'boolean', default: false },
  },
});

const positive = (name: string, value: string | undefined) => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
};

const logger: Logger = {
  info: (message, fields) => console.log(JSON.stringify({ level: 'info', message, ...fields })),
  warn: (message, fields) => console.warn(JSON.stringify({ level: 'warn', message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ level: 'error', message, ...fields })),
};

const options = {
  pageSize: positive('page-size', values['page-size']) ?? 500,
  ...(values['max-pages'] ? { maxPages: positive('max-pages', values['max-pages'])! } : {}),
  force: values.force ?? false,
  logger,
};

if (values['data-dir']) {
  const dir = prepareDataDir(values['data-dir']);
  const unlock = lockDataDir(dir);
  const dynamo = await startDynamoDbLocal({ dataDir: join(dir, 'dynamodb') });
  try {
    await ensureTable(dynamo.client, ticketTable, ticketTable.id);
    const result = await migrateIndexes(dynamo.client, ticketTable.id, options);
    console.log(JSON.stringify(result));
  } finally {
    await dynamo.stop();
    unlock();
  }
} else {
  if (!values.table) {
    console.error('Give --table <name> (the stack output TableName), or --data-dir <dir> for local data.');
    process.exit(2);
  }
  const client = new DynamoDBClient({
    ...(values.region ? { region: values.region } : {}),
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
  });
  const result = await migrateIndexes(client, values.table, options);
  console.log(JSON.stringify(result));
  if (!result.done) console.log('Not finished: run the same command again to go on.');
}

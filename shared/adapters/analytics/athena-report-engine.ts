import {
  type AthenaClient,
  type ColumnInfo,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type Row,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { ReportEngine } from '../../domain/analytics/lake-records.ts';
import { DomainError } from '../../domain/errors.ts';

/**
 * The AWS `ReportEngine` (docs/analytics.md): Athena (engine v3, Trino) over the lake's Parquet, in the
 * workgroup whose bytes-scanned cutoff bounds every query. The SQL text is sent exactly as the builders
 * made it. A query is started, polled with back-off (100 ms, ×1.5, at most 2 s between polls) until it
 * ends or `timeoutMs` passes (then it is stopped), and its results read page by page, typed by the result
 * metadata (integers and decimals as numbers, booleans, the rest as strings; null as null).
 */
export interface AthenaEngineOptions {
  client: AthenaClient;
  workgroup: string;
  database: string;
  /** Give up (and stop the query) after this long; default 25 s, inside API Gateway's 29 s. */
  timeoutMs?: number;
  /** Injected in tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

type Value = string | number | boolean | null;

const numeric = new Set([
  'tinyint',
  'smallint',
  'integer',
  'int',
  'bigint',
  'double',
  'real',
  'float',
  'decimal',
]);

function typed(raw: string | undefined, column: ColumnInfo): Value {
  if (raw === undefined) return null;
  const type = (column.Type ?? 'varchar').toLowerCase();
  if (numeric.has(type)) {
    const n = Number(raw);
    return Number.isNaN(n) && raw !== 'NaN' ? raw : n;
  }
  if (type === 'boolean') return raw === 'true';
  return raw;
}

/** Athena's words when the workgroup's bytes-scanned cutoff stopped a query. */
const scanLimit = /bytes scanned limit|data usage limit|scanned.*(limit|cutoff)/i;

export function athenaReportEngine(options: AthenaEngineOptions): ReportEngine {
  const { client, workgroup, database } = options;
  const timeoutMs = options.timeoutMs ?? 25_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;

  return {
    async query(sql) {
      const started = await client.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          WorkGroup: workgroup,
          QueryExecutionContext: { Database: database },
        }),
      );
      const id = started.QueryExecutionId;
      if (!id) throw new Error('Athena returned no query execution id');
      const deadline = now() + timeoutMs;
      let wait = 100;
      for (;;) {
        const { QueryExecution: execution } = await client.send(
          new GetQueryExecutionCommand({ QueryExecutionId: id }),
        );
        const state = execution?.Status?.State;
        if (state === 'SUCCEEDED') break;
        if (state === 'FAILED' || state === 'CANCELLED') {
          const reason =
            execution?.Status?.StateChangeReason ??
            execution?.Status?.AthenaError?.ErrorMessage ??
            'no reason given';
          if (scanLimit.test(reason))
            throw new DomainError(
              'unprocessable',
              'REPORT.SCAN_LIMIT',
              'The report would scan more data than the per-query limit allows: choose a shorter period or more filters',
              { queryExecutionId: id, reason },
            );
          throw new Error(`Athena query ${id} ${state}: ${reason}`);
        }
        if (now() + wait > deadline) {
          await client.send(new StopQueryExecutionCommand({ QueryExecutionId: id })).catch(() => undefined);
          throw new Error(`Athena query ${id} did not finish within ${timeoutMs} ms (stopped)`);
        }
        await sleep(wait);
        wait = Math.min(2000, Math.round(wait * 1.5));
      }
      const out: Array<Record<string, Value>> = [];
      let columns: ColumnInfo[] | undefined;
      let token: string | undefined;
      let first = true;
      do {
        const page = await client.send(
          new GetQueryResultsCommand({
            QueryExecutionId: id,
            ...(token ? { NextToken: token } : {}),
            MaxResults: 1000,
          }),
        );
        columns ??= page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
        const rows: Row[] = page.ResultSet?.Rows ?? [];
        // The first row of the first page repeats the column names.
        for (const row of first ? rows.slice(1) : rows) {
          const record: Record<string, Value> = {};
          (row.Data ?? []).forEach((datum, i) => {
            const column = columns?.[i];
            if (column?.Name) record[column.Name] = typed(datum.VarCharValue, column);
          });
          out.push(record);
        }
        first = false;
        token = page.NextToken;
      } while (token);
      return out;
    },
  };
}

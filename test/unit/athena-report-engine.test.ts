import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { athenaReportEngine } from '../../shared/adapters/analytics/athena-report-engine.ts';
import { kpiSql } from '../../shared/domain/analytics/kpis.ts';
import { DomainError } from '../../shared/domain/errors.ts';

const athena = mockClient(AthenaClient);
const column = (Name: string, Type: string) => ({ Name, Type, Label: Name });
const row = (...values: Array<string | undefined>) => ({
  Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })),
});

describe('Athena report engine', () => {
  const sleeps: number[] = [];
  let clock = 0;
  const engine = (timeoutMs = 60_000) =>
    athenaReportEngine({
      client: new AthenaClient({ region: 'eu-west-1' }),
      workgroup: 'gongdan-reports',
      database: 'gongdan_lake',
      timeoutMs,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
      now: () => clock,
    });

  beforeEach(() => {
    athena.reset();
    sleeps.length = 0;
    clock = 0;
  });

  it('sends the builder SQL as is, polls with back-off, pages results and types them', async () => {
    const sql = kpiSql(
      { from: '2026-11-01', to: '2026-11-30', filters: { team: 'desk' } },
      ['team'],
      Date.parse('2026-12-01'),
    );
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    const metadata = {
      ColumnInfo: [
        column('g_team', 'varchar'),
        column('volume', 'bigint'),
        column('p50', 'double'),
        column('ok', 'boolean'),
      ],
    };
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', NextToken: undefined })
      .resolves({
        ResultSet: {
          ResultSetMetadata: metadata,
          Rows: [row('g_team', 'volume', 'p50', 'ok'), row('desk', '12', '3600.5', 'true')],
        },
        NextToken: 'page-2',
      })
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', NextToken: 'page-2' })
      .resolves({
        ResultSet: { ResultSetMetadata: metadata, Rows: [row(undefined, '3', undefined, 'false')] },
      });

    const rows = await engine().query(sql);
    expect(rows).toEqual([
      { g_team: 'desk', volume: 12, p50: 3600.5, ok: true },
      { g_team: null, volume: 3, p50: null, ok: false },
    ]);
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    expect(start?.QueryString).toBe(sql);
    expect(start).toMatchObject({
      WorkGroup: 'gongdan-reports',
      QueryExecutionContext: { Database: 'gongdan_lake' },
    });
    expect(sleeps).toEqual([100, 150, 225]);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(2);
  });

  it("fails with Athena's reason, and clearly when the scan limit stopped the query", async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-2' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: {
          State: 'FAILED',
          StateChangeReason: "COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved",
        },
      },
    });
    await expect(engine().query('SELECT x')).rejects.toThrow(/q-2 FAILED: COLUMN_NOT_FOUND/);

    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: {
          State: 'CANCELLED',
          StateChangeReason: 'Query cancelled! Bytes scanned limit was exceeded',
        },
      },
    });
    const error = await engine()
      .query('SELECT 1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('REPORT.SCAN_LIMIT');
  });

  it('stops a query that runs past the timeout', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-3' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    await expect(engine(5000).query('SELECT 1')).rejects.toThrow(/did not finish within 5000 ms/);
    expect(athena.commandCalls(StopQueryExecutionCommand)[0]?.args[0].input).toEqual({
      QueryExecutionId: 'q-3',
    });
    expect(clock).toBeLessThanOrEqual(5000);
  });
});

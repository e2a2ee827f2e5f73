import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import {
  type LakeTable,
  type LakeType,
  lakeTables,
  type ReportEngine,
} from '../../domain/analytics/lake-records.ts';
import { sqlString } from '../../domain/analytics/sql.ts';

/**
 * The local `ReportEngine`: an embedded DuckDB over the lake's files (docs/analytics.md). Views
 * `ticket_facts` / `ticket_events` read `<lakeDir>/<table>/dt=…/*.<ext>` with Hive partitioning and the
 * column types of lake-records.ts; macros give DuckDB the Trino functions the report SQL uses, so the SQL
 * text is Athena's. Never import this from a Lambda handler: DuckDB is a native module (a dependency-cruiser
 * rule keeps it out of `functions/`).
 */
export type LakeFormat = 'jsonl' | 'parquet';

export interface DuckdbReportEngine extends ReportEngine {
  close(): Promise<void>;
}

const duckType: Record<LakeType, string> = {
  string: 'VARCHAR',
  bigint: 'BIGINT',
  int: 'INTEGER',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
};

/**
 * Trino (Athena engine v3) functions that DuckDB lacks or spells differently. Report SQL may use these
 * and must avoid the rest of the two dialects' differences (docs/analytics.md, "Dialect rules").
 */
export const trinoMacros: readonly string[] = [
  // Trino's is approximate (t-digest); quantile_cont is exact with linear interpolation.
  'CREATE OR REPLACE MACRO approx_percentile(x, p) AS quantile_cont(x, p)',
  'CREATE OR REPLACE MACRO approx_distinct(x) AS approx_count_distinct(x)',
  // ISO day of week: 1 = Monday … 7 = Sunday.
  'CREATE OR REPLACE MACRO day_of_week(d) AS isodow(d)',
  'CREATE OR REPLACE MACRO from_unixtime(s) AS to_timestamp(s)',
  'CREATE OR REPLACE MACRO to_unixtime(t) AS epoch(t)',
  'CREATE OR REPLACE MACRO from_iso8601_date(s) AS CAST(s AS DATE)',
  'CREATE OR REPLACE MACRO regexp_like(s, p) AS regexp_matches(s, p)',
];

async function hasFiles(dir: string, ext: string): Promise<boolean> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  for (const entry of entries) {
    if (entry.isFile() && entry.name.endsWith(`.${ext}`)) return true;
    if (entry.isDirectory() && (await hasFiles(join(dir, entry.name), ext))) return true;
  }
  return false;
}

function viewSql(lakeDir: string, table: LakeTable, format: LakeFormat, empty: boolean): string {
  const columns = lakeTables[table];
  const typed = columns.map(([name, type]) => `CAST(${name} AS ${duckType[type]}) AS ${name}`).join(', ');
  if (empty) {
    const nulls = columns.map(([name, type]) => `CAST(NULL AS ${duckType[type]}) AS ${name}`).join(', ');
    return `CREATE OR REPLACE VIEW ${table} AS SELECT ${nulls} WHERE false`;
  }
  const glob = sqlString(join(lakeDir, table, '**', `*.${format}`));
  const hive = `hive_partitioning = true, hive_types = {'dt': 'VARCHAR'}`;
  if (format === 'parquet') {
    return `CREATE OR REPLACE VIEW ${table} AS SELECT ${typed} FROM read_parquet(${glob}, ${hive}, union_by_name = true)`;
  }
  const fileColumns = columns
    .filter(([name]) => name !== 'dt')
    .map(([name, type]) => `${sqlString(name)}: '${duckType[type]}'`)
    .join(', ');
  return `CREATE OR REPLACE VIEW ${table} AS SELECT ${typed} FROM read_json(${glob}, format = 'newline_delimited', columns = {${fileColumns}}, ${hive})`;
}

type Value = string | number | boolean | null;

const vanished = /No files found|No such file or directory|Cannot open file/i;

function toValue(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

export function duckdbReportEngine(options: { lakeDir: string; format: LakeFormat }): DuckdbReportEngine {
  const { lakeDir, format } = options;
  let opened: Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> | undefined;
  /** Tables whose view reads files; a table without files yet gets an empty view, rechecked per query. */
  const live = new Set<LakeTable>();
  /** One connection, one statement at a time. */
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  const open = () => {
    opened ??= (async () => {
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      for (const macro of trinoMacros) await connection.run(macro);
      // Keep each Parquet file's footer between queries (a report reads hundreds of partition files;
      // an entry is dropped when its file's modification time changes).
      await connection.run('SET parquet_metadata_cache = true');
      return { instance, connection };
    })();
    return opened;
  };

  const refreshViews = async (connection: DuckDBConnection) => {
    for (const table of Object.keys(lakeTables) as LakeTable[]) {
      if (live.has(table)) continue;
      const present = await hasFiles(join(lakeDir, table), format);
      await connection.run(viewSql(lakeDir, table, format, !present));
      if (present) live.add(table);
    }
  };

  const run = <T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> => {
    const next = queue.then(async () => {
      if (closed) throw new Error('report engine closed');
      const { connection } = await open();
      return work(connection);
    });
    queue = next.catch(() => undefined);
    return next;
  };

  return {
    query(sql) {
      return run(async (connection) => {
        await refreshViews(connection);
        let reader: Awaited<ReturnType<DuckDBConnection['runAndReadAll']>>;
        try {
          reader = await connection.runAndReadAll(sql);
        } catch (error) {
          // A file went away between the glob and the read (the lake sink compacts small files), or the
          // lake was emptied: look at the files again and run once more.
          if (!vanished.test(String(error))) throw error;
          live.clear();
          await refreshViews(connection);
          reader = await connection.runAndReadAll(sql);
        }
        return reader.getRowObjectsJS().map((row) => {
          const out: Record<string, Value> = {};
          for (const [key, value] of Object.entries(row)) out[key] = toValue(value);
          return out;
        });
      });
    },
    async close() {
      await queue;
      closed = true;
      if (!opened) return;
      const { instance, connection } = await opened;
      connection.closeSync();
      instance.closeSync();
    },
  };
}

import { join } from 'node:path';
import type { DuckdbReportEngine } from '#shared/adapters/analytics/duckdb-report-engine.ts';
import type { ReportEngine } from '#shared/domain/analytics/lake-records.ts';

/**
 * The local runtime's lake engine (docs/analytics.md): one DuckDB over `<dataDir>/lake` (JSONL, as the
 * local lake sink writes it), loaded and opened on the first report — DuckDB is a native module, so a
 * runtime that serves no report never loads it — and closed when the runtime stops.
 */
export function localReportEngine(dataDir: string): ReportEngine & { close(): Promise<void> } {
  let engine: Promise<DuckdbReportEngine> | undefined;
  return {
    query(sql) {
      engine ??= import('#shared/adapters/analytics/duckdb-report-engine.ts').then(({ duckdbReportEngine }) =>
        duckdbReportEngine({ lakeDir: join(dataDir, 'lake'), format: 'jsonl' }),
      );
      return engine.then((e) => e.query(sql));
    },
    async close() {
      if (engine) await (await engine).close();
    },
  };
}

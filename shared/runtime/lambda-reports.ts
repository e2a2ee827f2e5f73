import { AthenaClient } from '@aws-sdk/client-athena';
import { athenaReportEngine } from '../adapters/analytics/athena-report-engine.ts';
import type { ReportEngine } from '../domain/analytics/lake-records.ts';
import type { ApiDeps } from '../http/route.ts';
import type { ReportsDeps } from '../use-cases/reports.ts';
import { env, readEnv } from './env.ts';
import { apiDeps, once } from './lambda.ts';

/**
 * Athena over the lake, in the workgroup and database named by `ATHENA_WORKGROUP` / `ATHENA_DATABASE`
 * (set by `Analytics.grantQuery`: infra/constructs/analytics.ts), made on first use: `GET /reports/live`
 * reads the table only.
 */
const athena = /* @__PURE__ */ once((): ReportEngine => {
  const { athenaWorkgroup, athenaDatabase } = readEnv(
    { athenaWorkgroup: env.athenaWorkgroup, athenaDatabase: env.athenaDatabase },
    process.env,
  );
  return athenaReportEngine({
    client: new AthenaClient({}),
    workgroup: athenaWorkgroup,
    database: athenaDatabase,
  });
});

/** The report routes' deps in a Lambda: the API's, and the lake's engine (Athena; never DuckDB here). */
export const reportApiDeps = /* @__PURE__ */ once((): ApiDeps & { reports: ReportsDeps } => ({
  ...apiDeps(),
  reports: { engine: { query: (sql) => athena().query(sql) } },
}));

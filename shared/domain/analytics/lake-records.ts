/**
 * The analytics lake's two tables (docs/analytics.md). Every committed ticket change appends rows: in AWS
 * through Firehose, converted to Parquet against the Glue table whose columns are `factColumns` /
 * `eventColumns`; locally as files under the data dir that DuckDB reads. The report SQL is written once
 * against these names and runs on both engines.
 *
 * Rows are appended, never updated, and delivery is at least once, so the SQL reads
 * - `ticket_facts`: the row with the highest `version` per `ticket_id` (the ticket as it stands),
 * - `ticket_events`: distinct `event_id`s.
 *
 * Times are epoch milliseconds (BIGINT) so durations are plain subtraction in either engine; the
 * calendar buckets a report groups by (`created_day`, `_week`, `_month`) are computed when the row is
 * written, in the business time zone, so no time-zone function is needed in SQL.
 */

/** Glue / Athena column types the rows use (Parquet: string, bigint, int, double, boolean). */
export type LakeType = 'string' | 'bigint' | 'int' | 'double' | 'boolean';

/** One ticket as it stands after a change (`version`). */
export interface TicketFactRow {
  ticket_id: string;
  number: string;
  version: number;
  /** When the change that wrote this row was made. */
  at_ms: number;
  created_ms: number;
  /** `YYYY-MM-DD`, `YYYY-Www` (ISO week), `YYYY-MM` of `created_ms` in the business time zone. */
  created_day: string;
  created_week: string;
  created_month: string;
  status: string;
  priority: string;
  channel: string;
  category: string | null;
  intent: string | null;
  team: string | null;
  /** The assignee's agent id. */
  agent: string | null;
  tier: string;
  /** Product line and model (issue 12: first-class ticket fields), the region (e.g. a province/city). */
  product: string | null;
  model: string | null;
  region: string | null;
  parent_id: string | null;
  first_response_ms: number | null;
  resolved_ms: number | null;
  closed_ms: number | null;
  /** Seconds from creation to the first public staff reply / to resolution: wall clock and business time. */
  first_response_wall_s: number | null;
  first_response_business_s: number | null;
  resolution_wall_s: number | null;
  resolution_business_s: number | null;
  /** Each target's outcome so far: `met`, `breached`, `running`, `paused`, or null without that target. */
  sla_first_response: string | null;
  sla_resolution: string | null;
  /** The customer's rating (1–5), once given. */
  csat: number | null;
  /** Partition: the UTC day of `at_ms` (`YYYY-MM-DD`). */
  dt: string;
}

/** One line of a ticket's audit trail, flattened for analysis. */
export interface TicketEventRow {
  event_id: string;
  ticket_id: string;
  version: number;
  at_ms: number;
  /** The audit type (`created`, `transitioned`, `transferred`, `replied`, `reopened`, `assigned`, …). */
  type: string;
  actor_id: string;
  actor_role: string;
  channel: string;
  /** For status moves (and `created`: `to_status` is the first status). */
  from_status: string | null;
  to_status: string | null;
  /** For team moves (and `created`: `to_team` is the first team). */
  from_team: string | null;
  to_team: string | null;
  /** The assignee after the event. */
  agent: string | null;
  /** Replies: whether the customer sees it (a note is `noted`, never public). */
  public: boolean | null;
  /** Partition: the UTC day of `at_ms`. */
  dt: string;
}

export const factColumns: ReadonlyArray<readonly [keyof TicketFactRow, LakeType]> = [
  ['ticket_id', 'string'],
  ['number', 'string'],
  ['version', 'int'],
  ['at_ms', 'bigint'],
  ['created_ms', 'bigint'],
  ['created_day', 'string'],
  ['created_week', 'string'],
  ['created_month', 'string'],
  ['status', 'string'],
  ['priority', 'string'],
  ['channel', 'string'],
  ['category', 'string'],
  ['intent', 'string'],
  ['team', 'string'],
  ['agent', 'string'],
  ['tier', 'string'],
  ['product', 'string'],
  ['model', 'string'],
  ['region', 'string'],
  ['parent_id', 'string'],
  ['first_response_ms', 'bigint'],
  ['resolved_ms', 'bigint'],
  ['closed_ms', 'bigint'],
  ['first_response_wall_s', 'double'],
  ['first_response_business_s', 'double'],
  ['resolution_wall_s', 'double'],
  ['resolution_business_s', 'double'],
  ['sla_first_response', 'string'],
  ['sla_resolution', 'string'],
  ['csat', 'int'],
  ['dt', 'string'],
];

export const eventColumns: ReadonlyArray<readonly [keyof TicketEventRow, LakeType]> = [
  ['event_id', 'string'],
  ['ticket_id', 'string'],
  ['version', 'int'],
  ['at_ms', 'bigint'],
  ['type', 'string'],
  ['actor_id', 'string'],
  ['actor_role', 'string'],
  ['channel', 'string'],
  ['from_status', 'string'],
  ['to_status', 'string'],
  ['from_team', 'string'],
  ['to_team', 'string'],
  ['agent', 'string'],
  ['public', 'boolean'],
  ['dt', 'string'],
];

export const lakeTables = {
  ticket_facts: factColumns,
  ticket_events: eventColumns,
} as const;
export type LakeTable = keyof typeof lakeTables;

/** The partition column of both tables; not stored in the files themselves (Hive-style `dt=…/`). */
export const partitionColumn = 'dt';

/** Where the lake reads and writes rows: Firehose in AWS, files under the data dir locally. */
export interface LakeSink {
  put(rows: { ticket_facts?: TicketFactRow[]; ticket_events?: TicketEventRow[] }): Promise<void>;
}

/**
 * Runs report SQL over the lake: Athena in AWS, DuckDB locally. Values come back as JS numbers, strings,
 * booleans or null (BIGINTs converted). The SQL names the tables `ticket_facts` and `ticket_events`.
 */
export interface ReportEngine {
  query(sql: string): Promise<Array<Record<string, string | number | boolean | null>>>;
}

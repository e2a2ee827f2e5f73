/**
 * Bottlenecks (issue 12, docs/analytics.md "Bottlenecks"): where the tickets created in a period spent
 * their time — in each status, with each team, or waiting on child tickets and approvals — and the
 * tickets with the longest stays behind each figure.
 *
 * The time line of a ticket comes from `ticket_events`: every row with a `to_status` (`created`,
 * `transitioned`, `reopened`, …) starts a status, every row with a `to_team` (`created`, `transferred`, …)
 * starts a team; between two such rows the ticket is in the last status and with the last team seen
 * (carried forward with a running count, as neither engine shares an `IGNORE NULLS` syntax with the
 * other). A stay still open runs to `endMs` (the period's end or now, the earlier), and every stay is cut
 * there.
 * - `state`: time in each status but `closed` (the end of the line).
 * - `team`: time with each team while the ticket is active (`new`, `open`, `pending`): a resolved
 *   ticket waiting to close is nobody's work.
 * - `wait`: `child_tickets` — from a child's creation to its resolution (or close, or `endMs`), the
 *   children's intervals merged per parent, so two children open at once count once; `approval` — from
 *   each `approval.requested` to the last `approval.decided` before the next request (a decision that
 *   ended the approval is the last one the rows show; the rows carry no approval id), or `endMs` when
 *   nothing was decided.
 *
 * A row per key: the tickets with time there, the total hours, the p50/p90 of a ticket's hours there,
 * the key's share of all hours. `stalled`: per key the five longest single stays (consecutive segments
 * in the same key are one stay), `current` when it is still running at `endMs`.
 */
import { type ReportScope, scopeWhere } from './report-filter.ts';
import { dtPrune, latestFacts, sqlDay } from './sql.ts';

export const bottleneckViews = ['state', 'team', 'wait'] as const;
export type BottleneckView = (typeof bottleneckViews)[number];

/** The keys of the `wait` view. */
export const waitKeys = ['child_tickets', 'approval'] as const;

export interface BottleneckRow {
  key: string;
  tickets: number;
  totalHours: number;
  p50Hours: number | null;
  p90Hours: number | null;
  share: number | null;
}
export interface StalledTicket {
  id: string;
  number: string;
  hours: number;
  current: boolean;
}
export interface Bottlenecks {
  rows: BottleneckRow[];
  stalled: Record<string, StalledTicket[]>;
}

/** How many stalled tickets are listed per key. */
export const stalledPerKey = 5;

const order = 'ORDER BY at_ms, version, event_id';

/** The stays (`ticket_id, key, start_ms, end_ms, open`) of the tickets in `scope` for `view`. */
function staysSql(view: BottleneckView, end: string): string {
  if (view === 'wait') {
    return `children AS (
  SELECT c.parent_id AS ticket_id, c.created_ms AS start_ms,
    least(coalesce(c.resolved_ms, c.closed_ms, ${end}), ${end}) AS end_ms,
    CASE WHEN coalesce(c.resolved_ms, c.closed_ms) IS NULL OR coalesce(c.resolved_ms, c.closed_ms) > ${end} THEN 1 ELSE 0 END AS open
  FROM all_facts c JOIN scope s ON s.ticket_id = c.parent_id
  WHERE c.created_ms < ${end}
),
children_run AS (
  SELECT *, max(end_ms) OVER (PARTITION BY ticket_id ORDER BY start_ms, end_ms ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
  FROM children
),
children_island AS (
  SELECT *, sum(CASE WHEN prev_end IS NULL OR start_ms > prev_end THEN 1 ELSE 0 END)
    OVER (PARTITION BY ticket_id ORDER BY start_ms, end_ms ROWS UNBOUNDED PRECEDING) AS island
  FROM children_run
),
approval_ev AS (
  SELECT e.ticket_id, e.type, e.at_ms, e.version, e.event_id FROM ev_all e
  WHERE e.type IN ('approval.requested', 'approval.decided') AND e.at_ms < ${end}
),
approval_req AS (
  SELECT ticket_id, at_ms AS start_ms, lead(at_ms) OVER (PARTITION BY ticket_id ${order}) AS next_req
  FROM approval_ev WHERE type = 'approval.requested'
),
approvals AS (
  SELECT r.ticket_id, r.start_ms, coalesce(max(d.at_ms), ${end}) AS end_ms,
    CASE WHEN max(d.at_ms) IS NULL THEN 1 ELSE 0 END AS open
  FROM approval_req r LEFT JOIN approval_ev d ON d.ticket_id = r.ticket_id AND d.type = 'approval.decided'
    AND d.at_ms >= r.start_ms AND (r.next_req IS NULL OR d.at_ms < r.next_req)
  GROUP BY r.ticket_id, r.start_ms
),
stays AS (
  SELECT ticket_id, 'child_tickets' AS key, min(start_ms) AS start_ms, max(end_ms) AS end_ms, max(open) AS open
  FROM children_island GROUP BY ticket_id, island
  UNION ALL
  SELECT ticket_id, 'approval' AS key, start_ms, end_ms, open FROM approvals
)`;
  }
  const keyed =
    view === 'state'
      ? `status AS key FROM segments WHERE status IS NOT NULL AND status <> 'closed'`
      : `team AS key FROM segments WHERE team IS NOT NULL AND status IN ('new', 'open', 'pending')`;
  // By state only status rows matter, each naming its status; by team the status in force is carried too.
  const timeline =
    view === 'state'
      ? `segments AS (
  SELECT ticket_id, at_ms AS start_ms,
    coalesce(lead(at_ms) OVER (PARTITION BY ticket_id ${order}), ${end}) AS end_ms,
    CASE WHEN lead(at_ms) OVER (PARTITION BY ticket_id ${order}) IS NULL THEN 1 ELSE 0 END AS open,
    to_status AS status
  FROM ev_all WHERE to_status IS NOT NULL AND at_ms < ${end}
),`
      : `moves AS (
  SELECT ticket_id, event_id, version, at_ms, to_status, to_team
  FROM ev_all
  WHERE (to_status IS NOT NULL OR to_team IS NOT NULL) AND at_ms < ${end}
),
carried AS (
  SELECT *,
    count(to_status) OVER (PARTITION BY ticket_id ${order} ROWS UNBOUNDED PRECEDING) AS status_run,
    count(to_team) OVER (PARTITION BY ticket_id ${order} ROWS UNBOUNDED PRECEDING) AS team_run,
    lead(at_ms) OVER (PARTITION BY ticket_id ${order}) AS next_ms
  FROM moves
),
segments AS (
  SELECT ticket_id, at_ms AS start_ms, coalesce(next_ms, ${end}) AS end_ms,
    CASE WHEN next_ms IS NULL THEN 1 ELSE 0 END AS open,
    max(to_status) OVER (PARTITION BY ticket_id, status_run) AS status,
    max(to_team) OVER (PARTITION BY ticket_id, team_run) AS team
  FROM carried
),`;
  return `${timeline}
keyed AS (
  SELECT ticket_id, start_ms, end_ms, open, ${keyed}
),
islands AS (
  SELECT *, row_number() OVER (PARTITION BY ticket_id ORDER BY start_ms)
    - row_number() OVER (PARTITION BY ticket_id, key ORDER BY start_ms) AS island
  FROM keyed
),
stays AS (
  SELECT ticket_id, key, min(start_ms) AS start_ms, max(end_ms) AS end_ms, max(open) AS open,
    sum(end_ms - start_ms) AS ms
  FROM islands GROUP BY ticket_id, key, island
)`;
}

/**
 * One query answering both parts: `kind = 'row'` lines (one per key) and `kind = 'stalled'` lines (up to
 * five per key). `endMs`: where open stays stop (the period's end or now, the earlier).
 */
export function bottlenecksSql(view: BottleneckView, scope: ReportScope, endMs: number): string {
  const end = String(Math.trunc(endMs));
  // In the `wait` view the stays have no `ms` column (a child island's length is its span).
  const stayMs = view === 'wait' ? '(end_ms - start_ms)' : 'ms';
  // Rows are cut down before the dedupe by what a ticket never changes: its creation day, its parent; the
  // events by ticket id (a semi-join on the period's tickets). An event delivered twice is the same row
  // twice (lake-rows.ts: a replayed change gives the same rows), so `DISTINCT` over the columns used is
  // the events' dedupe here: a hash aggregate, cheaper than `distinctEvents`' window.
  const created = `created_day >= ${sqlDay(scope.from)} AND created_day <= ${sqlDay(scope.to)}`;
  const children =
    view === 'wait'
      ? `all_facts AS (${latestFacts(`${dtPrune(scope.from)} AND parent_id IS NOT NULL`)}),\n`
      : '';
  return `WITH period_facts AS (${latestFacts(`${dtPrune(scope.from)} AND ${created}`)}),
scope AS (SELECT ticket_id, number FROM period_facts WHERE ${scopeWhere(scope)}),
${children}ev_all AS (
  SELECT DISTINCT event_id, ticket_id, version, at_ms, type, to_status, to_team FROM ticket_events
  WHERE ${dtPrune(scope.from)} AND ticket_id IN (SELECT ticket_id FROM scope)
),
${staysSql(view, end)},
timed AS (SELECT ticket_id, key, ${stayMs} AS ms, open FROM stays WHERE ${stayMs} > 0),
per_ticket AS (SELECT key, ticket_id, sum(ms) AS ms FROM timed GROUP BY key, ticket_id),
per_key AS (
  SELECT key, count(*) AS tickets, sum(ms) AS ms,
    approx_percentile(CAST(ms AS double), 0.5) AS p50_ms, approx_percentile(CAST(ms AS double), 0.9) AS p90_ms
  FROM per_ticket GROUP BY key
),
longest AS (
  SELECT key, ticket_id, ms, open, row_number() OVER (PARTITION BY key, ticket_id ORDER BY ms DESC, open DESC) AS r
  FROM timed
),
ranked AS (
  SELECT key, ticket_id, ms, open, row_number() OVER (PARTITION BY key ORDER BY ms DESC, ticket_id) AS rank
  FROM longest WHERE r = 1
)
SELECT 'row' AS kind, key, tickets, CAST(ms AS double) AS ms, p50_ms, p90_ms, CAST(NULL AS varchar) AS ticket_id,
  CAST(NULL AS varchar) AS number, 0 AS open, 0 AS rank
FROM per_key
UNION ALL
SELECT 'stalled' AS kind, r.key, 0 AS tickets, CAST(r.ms AS double) AS ms, CAST(NULL AS double) AS p50_ms,
  CAST(NULL AS double) AS p90_ms, r.ticket_id, s.number, r.open, r.rank
FROM ranked r JOIN scope s ON s.ticket_id = r.ticket_id
WHERE r.rank <= ${stalledPerKey}`;
}

const hours = (ms: number) => Math.round((ms / 3_600_000) * 100) / 100;
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** Shapes the query's lines: rows by total hours (largest first), stalled tickets longest first. */
export function bottlenecksFrom(lines: ReadonlyArray<Record<string, unknown>>): Bottlenecks {
  const rowLines = lines.filter((l) => l.kind === 'row');
  const totalMs = rowLines.reduce((sum, l) => sum + Number(l.ms), 0);
  const rows = rowLines
    .map((l) => {
      const p50 = num(l.p50_ms);
      const p90 = num(l.p90_ms);
      return {
        key: String(l.key),
        tickets: Number(l.tickets),
        totalHours: hours(Number(l.ms)),
        p50Hours: p50 === null ? null : hours(p50),
        p90Hours: p90 === null ? null : hours(p90),
        share: totalMs > 0 ? Number(l.ms) / totalMs : null,
      };
    })
    .sort((a, b) => b.totalHours - a.totalHours || a.key.localeCompare(b.key));
  const stalled: Record<string, StalledTicket[]> = {};
  for (const l of lines.filter((x) => x.kind === 'stalled').sort((a, b) => Number(a.rank) - Number(b.rank))) {
    const key = String(l.key);
    stalled[key] ??= [];
    stalled[key].push({
      id: String(l.ticket_id),
      number: String(l.number),
      hours: hours(Number(l.ms)),
      current: Number(l.open) === 1,
    });
  }
  return { rows, stalled };
}

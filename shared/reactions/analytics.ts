import { lakeRowsOf } from '../domain/analytics/lake-rows.ts';
import { defineReaction } from './reaction.ts';

/**
 * The analytics lake (docs/analytics.md, "Pipeline"): every committed change appends the ticket's fact
 * row and the rows of the audit events that change wrote to `deps.lake` — Firehose into S3 as Parquet in
 * AWS, JSONL files under the data dir locally.
 *
 * Idempotent in the lake's sense: a retried or replayed record appends the same rows again (at least
 * once), and the report SQL keeps the highest `version` per ticket and one row per `event_id`. A sink
 * that fails throws, so the dispatcher tries the record again.
 */
export const analytics = defineReaction({
  name: 'analytics',
  handles: () => true,
  async run(record, deps) {
    const [ticket, history, config] = await Promise.all([
      deps.tickets.get(record.ticketId),
      deps.tickets.history(record.ticketId),
      deps.sla.config.load(),
    ]);
    if (!ticket) return;
    const rows = lakeRowsOf({
      ticket,
      history,
      version: record.version,
      after: record.after,
      calendars: config.calendars,
    });
    await deps.lake.put(rows);
  },
});

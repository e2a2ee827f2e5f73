/**
 * Forecast bench: `node --import tsx bench/forecast.ts [seed] [tickets] [days]`
 *
 * Writes a generated history (test/support/analytics-history.ts: weekly seasonality, Chinese holidays,
 * teams desk/field/vip) to a Parquet lake, reads the daily counts per team through the DuckDB report
 * engine with the job's SQL, and prints each team's rolling-origin backtest error (every 7 days over the
 * last 8 weeks, each forecasting 14 days ahead): sMAPE and MAPE; then the next 14 days of the busiest team
 * with its band and the agents needed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { duckdbReportEngine } from '#shared/adapters/analytics/duckdb-report-engine.ts';
import { addDays, agentsNeeded, forecastVolume } from '#shared/domain/analytics/forecast.ts';
import { dailyTeamCounts } from '#shared/domain/analytics/insight-queries.ts';
import { writeHistory } from '../test/support/analytics-history.ts';

const seed = Number(process.argv[2] ?? 2);
const tickets = Number(process.argv[3] ?? 60_000);
const days = Number(process.argv[4] ?? 240);
const end = '2026-11-30';

const dir = await mkdtemp(join(tmpdir(), 'gongdan-forecast-'));
try {
  const written = await writeHistory(dir, { tickets, days, end, seed, format: 'parquet' });
  const engine = duckdbReportEngine({ lakeDir: dir, format: 'parquet' });
  const t0 = performance.now();
  const byTeam = await dailyTeamCounts(engine, end, days);
  const queryMs = performance.now() - t0;
  console.log(
    `seed ${seed}: ${written.tickets} tickets over ${days} days to ${end}; daily counts per team from DuckDB in ${queryMs.toFixed(0)} ms`,
  );
  console.log('| team | tickets/day (last 28 d) | backtest days | sMAPE | MAPE |');
  console.log('| --- | --- | --- | --- | --- |');
  let busiest: [string, number] = ['', -1];
  for (const [team, series] of [...byTeam].sort()) {
    const { backtest } = forecastVolume(series, addDays(end, 1));
    const recent = series.slice(-28).reduce((a, d) => a + d.count, 0) / 28;
    if (recent > busiest[1]) busiest = [team, recent];
    console.log(
      `| ${team} | ${recent.toFixed(1)} | ${backtest.days} | ${backtest.smape?.toFixed(3)} | ${backtest.mape?.toFixed(3)} |`,
    );
  }
  const series = byTeam.get(busiest[0]) ?? [];
  const { days: next } = forecastVolume(series, addDays(end, 1));
  console.log(
    `\nnext 14 days for ${busiest[0]} (80 % band; agents at 20 min a ticket, 6.5 productive h, 85 % occupancy):`,
  );
  console.log('| date | kind | expected | low | high | agents |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const d of next) {
    console.log(
      `| ${d.date} | ${d.kind} | ${d.expected} | ${d.low} | ${d.high} | ${agentsNeeded(d.expected)} |`,
    );
  }
  await engine.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}

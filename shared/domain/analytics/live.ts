import { type BusinessCalendar, businessMsBetween } from '../sla/calendar.ts';
import { type SlaPolicy, type SlaTarget, warningPercents } from '../sla/policy.ts';
import type { Ticket } from '../ticket/ticket.entity.ts';

/**
 * The board's live figures (docs/analytics.md, "Live figures"), from the tickets as they stand in
 * DynamoDB, not from the lake:
 * - backlog: active tickets (new, open, pending);
 * - breached: active tickets with a breached target (`size(sla.breached) > 0`);
 * - at risk: active, not breached, with a running target inside its warning window — the business time
 *   left before its due time is at most (100 − the policy's first warning %) of the target (75 % → the
 *   last quarter), on the policy's calendar. A paused clock is not at risk.
 */
export interface LiveCounts {
  backlog: number;
  atRisk: number;
  breached: number;
}

export interface LiveFigures extends LiveCounts {
  at: string;
  byTeam: Array<{ team: string | null } & LiveCounts>;
}

type LiveTicket = Pick<Ticket, 'status' | 'team' | 'sla'>;

const defaultWarnPercent = 75;

/** Whether a ticket is inside a running target's warning window at `nowMs`. */
export function isAtRisk(
  ticket: LiveTicket,
  nowMs: number,
  policies: readonly SlaPolicy[],
  calendars: readonly BusinessCalendar[],
): boolean {
  if (ticket.sla.breached.length > 0 || ticket.sla.paused) return false;
  const policy = policies.find((p) => p.id === ticket.sla.policy);
  const calendar = calendars.find((c) => c.id === (ticket.sla.calendar ?? policy?.calendarId));
  const running = (ticket.sla.targets ?? []).filter((t) => t.state === 'running' && t.dueAt);
  const candidates: Array<{ target: SlaTarget; dueMs: number; targetMinutes: number | null }> = running.length
    ? running.map((t) => ({
        target: t.target,
        dueMs: Date.parse(t.dueAt as string),
        targetMinutes: t.targetMinutes,
      }))
    : (
        [
          ['firstResponse', ticket.sla.firstResponseDueAt],
          ['resolution', ticket.sla.resolutionDueAt],
        ] as const
      )
        .filter(([, due]) => !!due)
        .map(([target, due]) => ({
          target,
          dueMs: Date.parse(due as string),
          targetMinutes: policy?.targets[target]?.minutes ?? null,
        }));
  for (const c of candidates) {
    if (c.dueMs <= nowMs || c.targetMinutes === null) continue;
    const warnAt = (policy ? warningPercents(policy, c.target)[0] : undefined) ?? defaultWarnPercent;
    const leftMs = calendar ? businessMsBetween(calendar, nowMs, c.dueMs) : c.dueMs - nowMs;
    if (leftMs <= c.targetMinutes * 60_000 * (1 - warnAt / 100)) return true;
  }
  return false;
}

const activeStatuses: ReadonlySet<string> = new Set(['new', 'open', 'pending']);

/** Counts over active tickets, in total and per team (teams sorted, no team last). */
export function liveFigures(
  tickets: Iterable<LiveTicket>,
  now: Date,
  config: { policies: readonly SlaPolicy[]; calendars: readonly BusinessCalendar[] },
): LiveFigures {
  const total: LiveCounts = { backlog: 0, atRisk: 0, breached: 0 };
  const teams = new Map<string | null, LiveCounts>();
  const nowMs = now.getTime();
  for (const t of tickets) {
    if (!activeStatuses.has(t.status)) continue;
    const counts = teams.get(t.team) ?? { backlog: 0, atRisk: 0, breached: 0 };
    teams.set(t.team, counts);
    const breached = t.sla.breached.length > 0;
    const risk = !breached && isAtRisk(t, nowMs, config.policies, config.calendars);
    for (const c of [total, counts]) {
      c.backlog++;
      if (breached) c.breached++;
      if (risk) c.atRisk++;
    }
  }
  const byTeam = [...teams.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
    .map(([team, counts]) => ({ team, ...counts }));
  return { at: now.toISOString(), ...total, byTeam };
}

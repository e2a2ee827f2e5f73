import * as z from 'zod';
import { SlaTarget } from './policy.ts';
import type { SlaAction } from './sla-clock.ts';

/** The integration events the timer's actions become (DESIGN.md §7). */
export const slaEventNames = {
  warning: 'sla.warning',
  breach: 'sla.breached',
  escalation: 'sla.escalated',
} as const;
export type SlaEventName = (typeof slaEventNames)[keyof typeof slaEventNames];

/**
 * The SLA-specific fields of an `sla.*` event detail, to be merged with the catalogue's common fields
 * (`ticketId`, `number`, `version`, `occurredAt`, `schemaVersion`). `key` is the action's idempotency
 * key, so consumers can drop replays.
 */
export const SlaEventFields = z.object({
  key: z.string(),
  policy: z.string(),
  target: SlaTarget,
  cycle: z.number().int().positive(),
  dueAt: z.string(),
  /** sla.warning: the threshold crossed and the business minutes left. */
  percent: z.number().optional(),
  remainingMinutes: z.number().optional(),
  /** sla.escalated: the level and how long the target has been overdue. */
  level: z.number().int().optional(),
  overdueMinutes: z.number().optional(),
});
export type SlaEventFields = z.infer<typeof SlaEventFields>;

/**
 * The event an action publishes, or null for the actions that are ticket changes instead
 * (`raise_priority`, `reassign`: they go through the ticket's own update path and its events).
 */
export function slaEventOf(
  action: SlaAction,
  policy: string,
): { name: SlaEventName; fields: SlaEventFields } | null {
  const base = { key: action.key, policy, target: action.target, cycle: action.cycle, dueAt: action.dueAt };
  switch (action.kind) {
    case 'warning':
      return {
        name: slaEventNames.warning,
        fields: { ...base, percent: action.percent, remainingMinutes: action.remainingMinutes },
      };
    case 'breach':
      return { name: slaEventNames.breach, fields: base };
    case 'escalation':
      return {
        name: slaEventNames.escalation,
        fields: { ...base, level: action.level, overdueMinutes: action.overdueMinutes },
      };
    default:
      return null;
  }
}

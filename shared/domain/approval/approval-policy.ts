import * as z from 'zod';
import { Status } from '../ticket/lifecycle.ts';
import type { Ticket } from '../ticket/ticket.entity.ts';
import type { Approval } from './approval.entity.ts';

/** Which tickets need an approved approval: every condition given must match (case-insensitive). */
export const ApprovalRequirement = z
  .object({
    category: z.string().trim().min(1).max(80).optional(),
    intent: z.string().trim().min(1).max(80).optional(),
  })
  .refine((r) => r.category || r.intent, 'Give a category or an intent');
export type ApprovalRequirement = z.infer<typeof ApprovalRequirement>;

/**
 * The approvals policy (`CONFIG`/`approvals` in the ticket table; defaults when none is stored):
 * - `gatedStatuses`: the moves the gate holds back (default: resolved, closed);
 * - `blockWhilePending`: a ticket with a pending approval cannot make those moves;
 * - `require`: tickets matching one of these need an approved approval before those moves
 *   (default: category `refund`);
 * - `nudgeCooldownMinutes`: how soon an approval may be nudged again (default 60);
 * - `delegateAfterHours`: working hours an approver may leave a stage waiting before their delegate
 *   takes their place (default 48), on the business calendar `delegationCalendar` (default cn-office);
 * - `linkValidHours`: how long an e-mailed one-time decision link works (default 72).
 */
export const ApprovalPolicy = z.object({
  version: z.number().int().nonnegative().default(0),
  gatedStatuses: z.array(Status).max(10).default(['resolved', 'closed']),
  blockWhilePending: z.boolean().default(true),
  require: z
    .array(ApprovalRequirement)
    .max(50)
    .default([{ category: 'refund' }]),
  nudgeCooldownMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(60),
  delegateAfterHours: z
    .number()
    .positive()
    .max(24 * 90)
    .default(48),
  delegationCalendar: z.string().trim().min(1).max(64).default('cn-office'),
  linkValidHours: z
    .number()
    .positive()
    .max(24 * 30)
    .default(72),
});
export type ApprovalPolicy = z.infer<typeof ApprovalPolicy>;

export const defaultApprovalPolicy: ApprovalPolicy = ApprovalPolicy.parse({});

const same = (a: string | null, b: string | undefined) =>
  b === undefined || (a !== null && a.toLowerCase() === b.toLowerCase());

/** Whether `ticket` needs an approved approval under `policy` (one of its requirements matches). */
export const requiresApproval = (ticket: Pick<Ticket, 'category' | 'intent'>, policy: ApprovalPolicy) =>
  policy.require.some((r) => same(ticket.category, r.category) && same(ticket.intent, r.intent));

/** Why a move to `to` is held back, or null: a pending approval, or a required approval never approved. */
export function gateRefusal(
  ticket: Pick<Ticket, 'category' | 'intent'>,
  to: Status,
  approvals: readonly Approval[],
  policy: ApprovalPolicy,
): { reason: 'pending'; approval: Approval } | { reason: 'required'; approval: Approval | null } | null {
  if (!policy.gatedStatuses.includes(to)) return null;
  const pending = approvals.find((a) => a.status === 'pending');
  if (policy.blockWhilePending && pending) return { reason: 'pending', approval: pending };
  if (!requiresApproval(ticket, policy)) return null;
  if (approvals.some((a) => a.status === 'approved')) return null;
  // The latest one, rejected or pending, is what the refusal names.
  return { reason: 'required', approval: approvals.at(-1) ?? null };
}

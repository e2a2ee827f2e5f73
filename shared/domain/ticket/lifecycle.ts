import * as z from 'zod';
import type { Role } from '../actor.ts';

export const statuses = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
export const Status = z.enum(statuses);
export type Status = z.infer<typeof Status>;

/** Chinese labels used by the portal, notifications and reports. */
export const statusLabels: Record<Status, { zh: string; en: string }> = {
  new: { zh: '待受理', en: 'New' },
  open: { zh: '处理中', en: 'Open' },
  pending: { zh: '等待反馈', en: 'Pending' },
  resolved: { zh: '已解决', en: 'Resolved' },
  closed: { zh: '已归档', en: 'Closed' },
};

export const priorities = ['low', 'normal', 'high', 'urgent'] as const;
export const Priority = z.enum(priorities);
export type Priority = z.infer<typeof Priority>;

/**
 * One allowed move. `action` names it in the audit trail (`reopen` is its own, explicit action);
 * `roles` may take it; `elevated` narrows the roles when the ticket matches (high-risk work).
 */
export interface TransitionRule {
  from: Status;
  to: Status;
  action: 'accept' | 'await_customer' | 'resume' | 'resolve' | 'close' | 'reopen';
  roles: readonly Role[];
  elevated?: { priorities: readonly Priority[]; roles: readonly Role[] };
}

const staff = ['agent', 'supervisor', 'admin'] as const;
const staffAndIntegration = [...staff, 'integration'] as const;

/**
 * The default lifecycle, 待受理 → 处理中 ⇄ 等待反馈 → 已解决 → 已归档, with no skipping. Reopen brings a
 * resolved ticket back to work; a closed ticket stays closed (a reply opens a new, linked ticket).
 */
export const defaultLifecycle: readonly TransitionRule[] = [
  { from: 'new', to: 'open', action: 'accept', roles: staffAndIntegration },
  { from: 'open', to: 'pending', action: 'await_customer', roles: staff },
  { from: 'pending', to: 'open', action: 'resume', roles: [...staffAndIntegration, 'customer'] },
  { from: 'open', to: 'resolved', action: 'resolve', roles: staffAndIntegration },
  { from: 'pending', to: 'resolved', action: 'resolve', roles: staffAndIntegration },
  {
    from: 'resolved',
    to: 'closed',
    action: 'close',
    roles: staffAndIntegration,
    elevated: { priorities: ['urgent'], roles: ['supervisor', 'admin'] },
  },
  { from: 'resolved', to: 'open', action: 'reopen', roles: [...staff, 'customer'] },
];

/** The moves out of `from`, in the lifecycle's order. */
export const allowedFrom = (from: Status, lifecycle = defaultLifecycle) =>
  lifecycle.filter((r) => r.from === from);

export const findRule = (from: Status, to: Status, lifecycle = defaultLifecycle) =>
  lifecycle.find((r) => r.from === from && r.to === to);

/** The roles that may take `rule` on a ticket of this priority. */
export const rolesFor = (rule: TransitionRule, priority: Priority): readonly Role[] =>
  rule.elevated?.priorities.includes(priority) ? rule.elevated.roles : rule.roles;

/** Statuses in which a ticket still needs work (and so holds an agent's capacity and an SLA timer). */
export const activeStatuses: readonly Status[] = ['new', 'open', 'pending'];

/** The statuses `roles` may move a ticket in `from` (of this priority) to, in the lifecycle's order. */
export const allowedTransitionsFor = (
  from: Status,
  priority: Priority,
  roles: readonly Role[],
  lifecycle = defaultLifecycle,
): Status[] =>
  allowedFrom(from, lifecycle)
    .filter((rule) => rolesFor(rule, priority).some((r) => roles.includes(r)))
    .map((rule) => rule.to);

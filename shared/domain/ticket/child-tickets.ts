import { createHash } from 'node:crypto';
import { DomainError } from '../errors.ts';
import type { ChildSummary } from './child-summary.ts';
import { activeStatuses, type Status, statusLabels } from './lifecycle.ts';

/**
 * How child tickets behave (docs/collaboration.md, "Child tickets"): a deploy setting, read once by
 * `wireTickets` from `CHILD_TICKET_MAX_DEPTH` and `CHILD_TICKET_AUTO_RESOLVE_PARENT`.
 */
export interface ChildTicketPolicy {
  /**
   * How deep children may nest: a top-level ticket is at depth 0, its child at 1. The default, 2, lets
   * a child have children and refuses a child of a child of a child.
   */
  maxDepth: number;
  /** When the last open child is done, resolve the parent as well as noting it (default: only the note). */
  autoResolveParent: boolean;
}

export const defaultChildTicketPolicy: ChildTicketPolicy = { maxDepth: 2, autoResolveParent: false };

/** The fields of a ticket a child summary is made of. */
export type ChildSource = Omit<ChildSummary, 'dueAt'> & { dueAt?: string | null | undefined };

/** A child's summary as its parent lists it, from the child ticket (or a stored summary). */
export const childSummaryOf = (child: ChildSource): ChildSummary => ({
  id: child.id,
  number: child.number,
  subject: child.subject,
  team: child.team,
  status: child.status,
  assignee: child.assignee,
  priority: child.priority,
  dueAt: child.dueAt ?? null,
  createdAt: child.createdAt,
  resolvedAt: child.resolvedAt,
  closedAt: child.closedAt,
  updatedAt: child.updatedAt,
  version: child.version,
});

/** Children still needing work (new, open, pending), oldest first. */
export const openChildren = (children: readonly ChildSummary[]): ChildSummary[] =>
  children.filter((c) => activeStatuses.includes(c.status));

/**
 * Whether a child may be opened under a parent at `parentDepth` (0 for a top-level ticket): throws
 * TICKET.CHILD_DEPTH_EXCEEDED when the child would be deeper than the policy allows.
 */
export function assertChildDepth(parentDepth: number, policy: ChildTicketPolicy, chain: readonly string[]) {
  const depth = parentDepth + 1;
  if (depth > policy.maxDepth) {
    throw new DomainError(
      'unprocessable',
      'TICKET.CHILD_DEPTH_EXCEEDED',
      `A child here would be at depth ${depth}; child tickets nest at most ${policy.maxDepth} deep (${chain.join(' → ')})`,
      { depth, maxDepth: policy.maxDepth, chain: [...chain] },
    );
  }
}

/** Only an active parent takes new children: a resolved or closed one is done. */
export function assertParentActive(parent: { id: string; number: string; status: Status }) {
  if (!activeStatuses.includes(parent.status)) {
    throw new DomainError(
      'conflict',
      'TICKET.PARENT_NOT_ACTIVE',
      `Ticket ${parent.number} is ${parent.status}: child tickets can only be opened under a ticket that is still being worked on`,
      { ticketId: parent.id, number: parent.number, status: parent.status },
    );
  }
}

const childRef = (c: ChildSummary) => ({
  id: c.id,
  number: c.number,
  team: c.team,
  status: c.status,
  assignee: c.assignee,
});

/** The refusal of a parent's move to resolved (or closed) while children are still open. */
export const openChildrenBlock = (parent: { id: string; number: string }, open: readonly ChildSummary[]) =>
  new DomainError(
    'conflict',
    'TICKET.OPEN_CHILDREN',
    `Ticket ${parent.number} has open child tickets: ${open.map((c) => c.number).join(', ')}. Resolve them first, or (supervisors) force it with a reason`,
    { ticketId: parent.id, openChildren: open.map(childRef) },
  );

/** The moves an open child holds back. */
export const movesHeldByChildren: readonly Status[] = ['resolved', 'closed'];

/**
 * The deterministic key of one roll-up: the children and the instant each was finished. Two reactions
 * (a redelivery, or the last two children finishing at once) compute the same key and note it once;
 * a child reopened and finished again gives a new key, and a new note.
 */
export function rollupKey(children: readonly ChildSummary[]): string {
  const parts = [...children]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((c) => `${c.id}:${c.resolvedAt ?? c.closedAt ?? c.status}`);
  return `rollup:${createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 32)}`;
}

/** What one child came to: its number, team, status and the resolution written when it was finished. */
export interface ChildOutcome {
  child: ChildSummary;
  /** The reason given when it was resolved (or its last note); null when nobody wrote one. */
  resolution: string | null;
  /** The team's display name, when known. */
  teamName?: string;
}

const oneLine = (text: string, max = 300) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** The parent's internal roll-up note, in Chinese and English (agents read either). */
export function rollupNoteBody(outcomes: readonly ChildOutcome[]): string {
  const lines = outcomes.map(({ child, resolution, teamName }) => {
    const team = teamName ?? child.team ?? '—';
    const label = statusLabels[child.status];
    return `- ${child.number} · ${team} · ${label.zh} ${label.en}: ${resolution ? oneLine(resolution) : '—'}`;
  });
  return [
    `所有子工单均已完成 / All ${outcomes.length} child ticket${outcomes.length === 1 ? ' is' : 's are'} done:`,
    ...lines,
  ].join('\n');
}

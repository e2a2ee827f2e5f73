import * as z from 'zod';
import { Priority, Status } from './lifecycle.ts';

/**
 * One child ticket as its parent lists it (`Ticket.children`): enough for the parent's view and for the
 * reports (time spent in each child's team: `createdAt` → `resolvedAt`). Kept as an item in the
 * parent's partition and rewritten in every transaction of the child, never by the parent, so children
 * created at once never contend for the parent's version (docs/collaboration.md, "Child tickets").
 */
export const ChildSummary = z.object({
  id: z.string(),
  number: z.string(),
  subject: z.string(),
  team: z.string().nullable(),
  status: Status,
  assignee: z.string().nullable(),
  priority: Priority,
  /** The due date the requester asked for, if any (the SLA policy still times the child). */
  dueAt: z.string().nullable(),
  createdAt: z.string(),
  resolvedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  updatedAt: z.string(),
  /** The child's version this summary was written with. */
  version: z.number().int().positive(),
});
export type ChildSummary = z.infer<typeof ChildSummary>;

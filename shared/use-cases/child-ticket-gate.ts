import { movesHeldByChildren, openChildren, openChildrenBlock } from '../domain/ticket/child-tickets.ts';
import type { Status } from '../domain/ticket/lifecycle.ts';
import type { Ticket } from '../domain/ticket/ticket.entity.ts';

/**
 * The parent cannot be resolved (or closed) while a child is open: a 409 (`TICKET.OPEN_CHILDREN`)
 * naming the open children. A supervisor's forced move passes, and the children it overrode go into its
 * audit event. (Typed by shape, not by importing `transition-gates.ts`, which lists this gate.)
 */
export const openChildrenGate = {
  name: 'open-children',
  async check(move: { current: Ticket; to: Status; force?: boolean }) {
    if (!movesHeldByChildren.includes(move.to)) return;
    const open = openChildren(move.current.children);
    if (!open.length) return;
    if (!move.force) throw openChildrenBlock(move.current, open);
    return {
      gate: 'open-children',
      openChildren: open.map((c) => ({ id: c.id, number: c.number, team: c.team, status: c.status })),
    };
  },
};

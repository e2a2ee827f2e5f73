import * as z from 'zod';
import { Approval } from '../domain/approval/approval.entity.ts';
import { approvalNotFound } from '../domain/approval/approval.errors.ts';
import { Ticket } from '../domain/ticket/ticket.entity.ts';

const idPattern = /^[0-9A-Za-z_-]{1,64}$/;

/** An approval id from the path; a malformed one cannot exist, so it is a 404 like any unknown id. */
export function approvalIdParam(params: Record<string, string>): string {
  const id = params.id ?? '';
  if (!idPattern.test(id)) throw approvalNotFound(id.slice(0, 64));
  return id;
}

/** What the approval routes that change one answer: the approval and its ticket after the change. */
export const ApprovalWithTicket = z.object({ approval: Approval, ticket: Ticket });

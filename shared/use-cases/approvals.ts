import { createHash } from 'node:crypto';
import * as z from 'zod';
import { type Actor, hasAnyRole, primaryRole } from '../domain/actor.ts';
import {
  type Approval,
  ApprovalMode,
  ApproverId,
  Decision,
  decide,
  nudge,
  nudgeWaitMs,
  openApproval,
  pendingApprovers,
  replaceApprover as replaceInApproval,
} from '../domain/approval/approval.entity.ts';
import {
  approvalClosed,
  approvalNotFound,
  approverNotPending,
  linkRefused,
  nudgeForbidden,
  nudgeTooSoon,
  unknownApprovers,
} from '../domain/approval/approval.errors.ts';
import type { PendingApproval } from '../domain/approval/approval.store.ts';
import { findLink, type LinkMinter, linkMinter, markUsed } from '../domain/approval/approval-link.ts';
import { ApprovalPolicy } from '../domain/approval/approval-policy.ts';
import { auditEvent } from '../domain/audit/audit-event.ts';
import { DomainError, validationError } from '../domain/errors.ts';
import type { Agent } from '../domain/routing/agent.ts';
import { activeStatuses } from '../domain/ticket/lifecycle.ts';
import { type Ticket, touch } from '../domain/ticket/ticket.entity.ts';
import type { OutboxNotification } from '../domain/ticket/ticket-change.ts';
import { makeEvent } from '../events/catalogue.ts';
import { type ApprovalNotice, approvalNotification } from './approval-notices.ts';
import { changeTicket, changeTicketIf, eventBase } from './change-ticket.ts';
import type { TicketDeps } from './deps.ts';
import { loadVisible } from './visibility.ts';

/*
 * Approvals (审批): the use cases behind `/tickets/{id}/approvals` and `/approvals/*`, and the seam the
 * delegation timer and the signed e-mail links call (`decideApproval`, `replaceApprover`: neither needs
 * an HTTP session, only an `Actor`). Every change goes through `changeTicket`, so the approval, the
 * ticket's audit events, the events and the messages to people are written in one transaction.
 * docs/collaboration.md, "Approvals".
 */

const Stage = z.object({
  approvers: z.array(ApproverId).min(1).max(20),
  mode: ApprovalMode.default('all'),
});

/**
 * `POST /tickets/{id}/approvals`: one stage (`approvers`, `mode`) or serial `stages` (not both).
 */
export const ApprovalRequest = z
  .object({
    approvers: z.array(ApproverId).min(1).max(20).optional(),
    mode: ApprovalMode.optional(),
    reason: z.string().trim().min(1).max(2000),
    stages: z.array(Stage).min(1).max(5).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.stages && (r.approvers || r.mode)) {
      ctx.addIssue({
        code: 'custom',
        path: ['stages'],
        message: 'Give either approvers and mode (one stage) or stages, not both',
      });
    }
    if (!r.stages && !r.approvers) {
      ctx.addIssue({ code: 'custom', path: ['approvers'], message: 'Name at least one approver' });
    }
  });
export type ApprovalRequest = z.input<typeof ApprovalRequest>;

export const DecisionRequest = z.object({
  decision: Decision,
  comment: z.string().trim().max(2000).optional(),
});
export type DecisionRequest = z.infer<typeof DecisionRequest>;

/** Where a decision came from, for the e-signature trail: a session (`api`) or a signed e-mail `link`. */
export interface DecisionContext {
  via: 'api' | 'link';
  userAgent?: string;
  /** The one-time link's token (`via: 'link'`): checked and spent in the same write as the decision. */
  linkToken?: string;
}

/** The stages a request asks for, in one shape. */
const stagesOf = (r: z.infer<typeof ApprovalRequest>) =>
  r.stages ?? [{ approvers: r.approvers ?? [], mode: r.mode ?? 'all' }];

/** Each approver named, checked against the agent store: unknown ids and repeats are field errors. */
async function resolveApprovers(
  stages: { approvers: string[] }[],
  requester: string,
  deps: TicketDeps,
): Promise<Map<string, Agent>> {
  const ids = [...new Set(stages.flatMap((s) => s.approvers))];
  const agents = new Map<string, Agent>();
  await Promise.all(
    ids.map(async (id) => {
      const agent = await deps.routing.agents.get(id);
      if (agent) agents.set(id, agent);
    }),
  );
  const unknown: { path: string; id: string }[] = [];
  const repeated: { path: string; message: string; code: string }[] = [];
  stages.forEach((s, i) => {
    const seen = new Set<string>();
    s.approvers.forEach((id, j) => {
      const path = `stages.${i}.approvers.${j}`;
      if (!agents.has(id)) unknown.push({ path, id });
      else if (seen.has(id))
        repeated.push({ path, message: `${id} is named twice in this stage`, code: 'duplicate' });
      else if (id === requester)
        repeated.push({
          path,
          message: 'The requester cannot approve their own request',
          code: 'self_approval',
        });
      seen.add(id);
    });
  });
  if (unknown.length) throw unknownApprovers(unknown);
  if (repeated.length) throw validationError('Some approvers cannot be named', repeated);
  return agents;
}

const approverNotices = (
  approval: Approval,
  agents: ReadonlyMap<string, Agent | null>,
  kind: ApprovalNotice['kind'],
  key: (id: string) => string,
  extra: Partial<ApprovalNotice> = {},
  ids: readonly string[] = pendingApprovers(approval),
  links?: LinkMinter,
) => {
  const notifications: OutboxNotification[] = [];
  const unreachable: string[] = [];
  for (const id of ids) {
    const link = links?.for(approval, id);
    const n = approvalNotification({
      kind,
      approval,
      recipient: { id, agent: agents.get(id) ?? null },
      key: key(id),
      ...extra,
      ...(link ? { link } : {}),
    });
    if (n) notifications.push(n);
    else unreachable.push(id);
  }
  return { notifications, unreachable };
};

async function agentsById(ids: readonly string[], deps: TicketDeps) {
  const map = new Map<string, Agent | null>();
  await Promise.all(ids.map(async (id) => map.set(id, await deps.routing.agents.get(id))));
  return map;
}

const approvalBase = (ticket: Ticket, approval: Approval) => ({
  ...eventBase(ticket),
  approvalId: approval.id,
  currentStage: approval.currentStage,
});

const who = (actor: Actor) => ({ id: actor.id, ...(actor.name ? { name: actor.name } : {}) });

/**
 * Asks for an approval on a ticket.
 *
 * 1. Check every approver against the agent store (unknown: 400 with the field), before anything is
 *    written.
 * 2. On the ticket's write path: refuse a ticket no longer active; open the approval (stage 1 pending).
 * 3. Write it with an `approval.requested` audit event, the `approval.requested` event and an e-mail to
 *    each of stage 1's approvers, in one transaction.
 *
 * With an `idempotencyKey` (the `Idempotency-Key` header) the approval's id is derived from the caller,
 * the ticket and the key: a retry finds the approval the first request made and answers with it
 * (`replayed`), also when both arrive at once (the approval's lookup item is written only once); the
 * same key with another request is a 422.
 */
export async function requestApproval(
  ticketId: string,
  request: ApprovalRequest,
  actor: Actor,
  deps: TicketDeps,
  idempotencyKey?: string,
): Promise<{ approval: Approval; ticket: Ticket; replayed: boolean }> {
  const parsed = ApprovalRequest.parse(request);
  const stages = stagesOf(parsed);
  const id = idempotencyKey ? keyedApprovalId(actor.id, ticketId, idempotencyKey) : deps.ids.next();
  const replay = async () => {
    const earlier = idempotencyKey ? await deps.approvals.get(id) : null;
    if (!earlier) return null;
    if (!sameRequest(earlier, parsed.reason, stages)) throw idempotencyMismatch(earlier);
    const ticket = await loadVisible(ticketId, actor, deps);
    return { approval: earlier, ticket, replayed: true };
  };
  const earlier = await replay();
  if (earlier) return earlier;
  const agents = await resolveApprovers(stages, actor.id, deps);
  const requester = await deps.routing.agents.get(actor.id);
  const { linkValidHours } = await deps.approvals.policy();
  const committed = await changeTicketIf(ticketId, actor, undefined, deps, async (current, now) => {
    // A request with the same key that committed meanwhile: nothing to write, its approval is the answer.
    if (idempotencyKey && (await deps.approvals.get(id))) return null;
    const links = linkMinter(deps.approvalLinkBase, linkValidHours, now);
    if (!activeStatuses.includes(current.status)) {
      throw new DomainError(
        'conflict',
        'APPROVAL.TICKET_INACTIVE',
        `Ticket ${current.number} is ${current.status}: approvals are asked on active tickets`,
        { ticketId: current.id, status: current.status },
      );
    }
    const approval = openApproval(
      {
        id,
        ticket: current,
        reason: parsed.reason,
        requestedBy: {
          ...who(actor),
          ...((requester?.email ?? actor.email) ? { email: requester?.email ?? actor.email } : {}),
        },
        stages: stages.map((s) => ({
          mode: s.mode,
          approvers: s.approvers.map((a) => ({ id: a, name: agents.get(a)!.name })),
        })),
      },
      now,
    );
    const ticket = touch(current, now);
    const { notifications, unreachable } = approverNotices(
      approval,
      agents,
      'requested',
      (a) => `approval:${id}:stage:0:${a}`,
      {},
      undefined,
      links,
    );
    return {
      ticket,
      approval: { approval: links.apply(approval), previous: null },
      audit: [
        auditEvent(deps.ids.next(), ticketId, 'approval.requested', actor, now, ticket.version, {
          approvalId: id,
          reason: approval.reason,
          stages: approval.stages.map((s) => ({
            mode: s.mode,
            approvers: s.approvers.map((a) => a.agentId),
          })),
          ...(unreachable.length ? { unreachable } : {}),
        }),
      ],
      events: [
        makeEvent(deps.ids.next(), 'approval.requested', {
          ...approvalBase(ticket, approval),
          reason: approval.reason,
          requestedBy: actor.id,
          stages: approval.stages.map((s) => ({
            mode: s.mode,
            approvers: s.approvers.map((a) => a.agentId),
          })),
        }),
      ],
      notifications,
    };
  });
  if (!committed) return (await replay())!;
  return { approval: committed.approval!.approval, ticket: committed.ticket, replayed: false };
}

/** The approval id an `Idempotency-Key` stands for: the same caller, ticket and key, the same id. */
const keyedApprovalId = (actorId: string, ticketId: string, key: string) =>
  `k${createHash('sha256').update(`${actorId}\n${ticketId}\n${key}`).digest('hex').slice(0, 40)}`;

/** Whether a stored approval is what `reason` and `stages` ask for (an idempotent retry). */
const sameRequest = (a: Approval, reason: string, stages: { approvers: string[]; mode: string }[]) =>
  a.reason === reason &&
  a.stages.length === stages.length &&
  a.stages.every(
    (s, i) =>
      s.mode === stages[i]!.mode &&
      JSON.stringify(s.approvers.filter((x) => !x.replaces).map((x) => x.agentId)) ===
        JSON.stringify(stages[i]!.approvers),
  );

const idempotencyMismatch = (a: Approval) =>
  new DomainError(
    'unprocessable',
    'APPROVAL.IDEMPOTENCY_MISMATCH',
    'This Idempotency-Key was used for another approval request',
    { approvalId: a.id },
  );

/**
 * The hash of the one-time link `token` if it may decide for `approver` now: known, unused, unexpired
 * (APPROVAL.LINK_INVALID 404, APPROVAL.LINK_EXPIRED / APPROVAL.LINK_USED 410), and for the stage that
 * is deciding (otherwise APPROVAL.NOT_PENDING, as for anyone no longer asked).
 */
function spendLink(approval: Approval, token: string, approver: string, now: Date): string {
  const found = findLink(approval.links, token, now);
  if (!found.ok) throw linkRefused(approval.id, found.why);
  if (found.link.approver !== approver) throw linkRefused(approval.id, 'invalid');
  if (approval.status !== 'pending') throw approvalClosed(approval);
  if (found.link.stage !== approval.currentStage) throw approverNotPending(approval, approver);
  return found.link.hash;
}

/**
 * Records `actor`'s decision on the approval's current stage. Callable without an HTTP session: the
 * signed e-mail link calls it with the approver as `actor` (their id; `sourceIp` of the click) and
 * `context.via = 'link'`.
 *
 * 1. Find the approval (404) and, on its ticket's write path, read it again (each attempt sees the
 *    latest: two approvers deciding at once on an any-of stage produce one outcome, the second gets
 *    APPROVAL.NOT_PENDING or APPROVAL.CLOSED).
 * 2. Apply the decision (approval.entity.ts `decide`: only a current-stage pending approver).
 * 3. Write it with an `approval.decided` audit event (time, actor, IP, user agent), the event, and the
 *    messages it calls for: the next stage's approvers when one starts, the requester when it closes.
 */
export async function decideApproval(
  approvalId: string,
  request: DecisionRequest,
  actor: Actor,
  context: DecisionContext,
  deps: TicketDeps,
): Promise<{ approval: Approval; ticket: Ticket }> {
  const parsed = DecisionRequest.parse(request);
  const found = await deps.approvals.get(approvalId);
  if (!found) throw approvalNotFound(approvalId);
  const agents = await agentsById(
    [...new Set(found.stages.flatMap((s) => s.approvers.map((a) => a.agentId)))],
    deps,
  );
  const { linkValidHours } = await deps.approvals.policy();
  const committed = await changeTicket(found.ticketId, actor, undefined, deps, async (current, now) => {
    const previous = (await deps.approvals.get(approvalId)) ?? found;
    const spent = context.linkToken ? spendLink(previous, context.linkToken, actor.id, now) : null;
    const links = linkMinter(deps.approvalLinkBase, linkValidHours, now);
    const outcome = decide(
      previous,
      {
        approver: actor.id,
        decision: parsed.decision,
        comment: parsed.comment || null,
        record: {
          id: deps.ids.next(),
          actor: { ...who(actor), role: primaryRole(actor) },
          via: context.via,
          sourceIp: actor.sourceIp ?? null,
          userAgent: context.userAgent?.slice(0, 500) ?? null,
        },
      },
      now,
    );
    const { approval } = outcome;
    const ticket = touch(current, now);
    const notices =
      outcome.startedStage !== null
        ? approverNotices(
            approval,
            agents,
            'requested',
            (a) => `approval:${approvalId}:stage:${outcome.startedStage}:${a}`,
            {},
            undefined,
            links,
          )
        : { notifications: [], unreachable: [] };
    if (outcome.closed) {
      const requester = approval.requestedBy;
      const n = approvalNotification({
        kind: 'decided',
        approval,
        recipient: {
          id: requester.id,
          agent: await deps.routing.agents.get(requester.id),
          ...(requester.email ? { email: requester.email } : {}),
        },
        key: `approval:${approvalId}:closed`,
      });
      if (n) notices.notifications.push(n);
    }
    const written = links.apply(
      spent ? { ...approval, links: markUsed(approval.links, spent, now) } : approval,
    );
    return {
      ticket,
      approval: { approval: written, previous },
      audit: [
        auditEvent(deps.ids.next(), current.id, 'approval.decided', actor, now, ticket.version, {
          approvalId,
          stage: outcome.stage,
          decision: parsed.decision,
          ...(parsed.comment ? { comment: parsed.comment } : {}),
          via: context.via,
          ...(context.userAgent ? { userAgent: context.userAgent.slice(0, 500) } : {}),
          stagePassed: outcome.stagePassed,
          ...(outcome.startedStage !== null ? { startedStage: outcome.startedStage } : {}),
          outcome: approval.status,
          ...(notices.unreachable.length ? { unreachable: notices.unreachable } : {}),
        }),
      ],
      events: [
        makeEvent(deps.ids.next(), 'approval.decided', {
          ...approvalBase(ticket, approval),
          stage: outcome.stage,
          approver: actor.id,
          decision: parsed.decision,
          outcome: approval.status,
          startedStage: outcome.startedStage,
        }),
      ],
      notifications: notices.notifications,
    };
  });
  return { approval: committed.approval!.approval, ticket: committed.ticket };
}

/** Who may nudge: the requester, or a supervisor or admin. */
const mayNudge = (approval: Approval, actor: Actor) =>
  approval.requestedBy.id === actor.id || hasAnyRole(actor, ['supervisor', 'admin']);

/**
 * Reminds the current stage's pending approvers (催办).
 *
 * 1. Only the requester or a supervisor/admin (403), only a pending approval (409).
 * 2. On the ticket's write path, with the approval read again: within the policy's cooldown of the last
 *    nudge, a 429 saying when (two nudges at once: one counts, the other waits).
 * 3. Count it (per approval and per approver) and write it with an `approval.nudged` audit event, the
 *    event and an e-mail to each pending approver.
 */
export async function nudgeApproval(
  approvalId: string,
  actor: Actor,
  deps: TicketDeps,
): Promise<{ approval: Approval; ticket: Ticket; reminded: string[] }> {
  const found = await deps.approvals.get(approvalId);
  if (!found) throw approvalNotFound(approvalId);
  if (!mayNudge(found, actor)) throw nudgeForbidden(found);
  const policy = await deps.approvals.policy();
  const cooldownMs = policy.nudgeCooldownMinutes * 60_000;
  const { linkValidHours } = policy;
  let reminded: string[] = [];
  const committed = await changeTicket(found.ticketId, actor, undefined, deps, async (current, now) => {
    const previous = (await deps.approvals.get(approvalId)) ?? found;
    const wait = previous.status === 'pending' ? nudgeWaitMs(previous, cooldownMs, now) : 0;
    if (wait > 0) throw nudgeTooSoon(previous, Math.ceil(wait / 1000));
    const nudged = nudge(previous, who(actor), now);
    const { to } = nudged;
    const links = linkMinter(deps.approvalLinkBase, linkValidHours, now);
    reminded = to;
    const agents = await agentsById(to, deps);
    const { approval } = nudged;
    const ticket = touch(current, now);
    const count = approval.nudges.count;
    const notifications: OutboxNotification[] = [];
    const unreachable: string[] = [];
    for (const id of to) {
      // Each approver's message says how often they have been reminded, with a fresh decision link.
      const link = links.for(approval, id);
      const n = approvalNotification({
        kind: 'nudged',
        approval,
        recipient: { id, agent: agents.get(id) ?? null },
        key: `approval:${approvalId}:nudge:${count}:${id}`,
        nudges: approval.nudges.byApprover[id] ?? 1,
        ...(link ? { link } : {}),
      });
      if (n) notifications.push(n);
      else unreachable.push(id);
    }
    return {
      ticket,
      approval: { approval: links.apply(approval), previous },
      audit: [
        auditEvent(deps.ids.next(), current.id, 'approval.nudged', actor, now, ticket.version, {
          approvalId,
          stage: approval.currentStage,
          approvers: to,
          count,
          byApprover: Object.fromEntries(to.map((a) => [a, approval.nudges.byApprover[a] ?? 0])),
          ...(unreachable.length ? { unreachable } : {}),
        }),
      ],
      events: [
        makeEvent(deps.ids.next(), 'approval.nudged', {
          ...approvalBase(ticket, approval),
          by: actor.id,
          approvers: to,
          count,
          byApprover: approval.nudges.byApprover,
        }),
      ],
      notifications,
    };
  });
  return { approval: committed.approval!.approval, ticket: committed.ticket, reminded };
}

/**
 * Puts `to` in `from`'s place on an approval (every stage where `from` is still pending or waiting):
 * the seam of delegation. The delegation timer calls it with the system actor and reason
 * `delegation_timeout`; a supervisor may call it too. `to` must be an agent (400 otherwise).
 *
 * 1. Check `to` against the agent store; find the approval.
 * 2. On the ticket's write path, with the approval read again, replace (approval.entity.ts
 *    `replaceApprover`: a closed approval or a `from` with nothing pending is a 409).
 * 3. Write it with an `approval.delegated` audit event, the `approval.delegated` event and an e-mail
 *    to the delegate when their stage is the current one.
 */
export async function replaceApprover(
  approvalId: string,
  from: string,
  to: string,
  reason: string,
  actor: Actor,
  deps: TicketDeps,
): Promise<{ approval: Approval; ticket: Ticket }> {
  const delegate = await deps.routing.agents.get(to);
  if (!delegate) throw unknownApprovers([{ path: 'to', id: to }]);
  const found = await deps.approvals.get(approvalId);
  if (!found) throw approvalNotFound(approvalId);
  const { linkValidHours } = await deps.approvals.policy();
  const committed = await changeTicket(found.ticketId, actor, undefined, deps, async (current, now) => {
    const previous = (await deps.approvals.get(approvalId)) ?? found;
    const links = linkMinter(deps.approvalLinkBase, linkValidHours, now);
    const { approval, stages } = replaceInApproval(
      previous,
      { from, to: { id: to, name: delegate.name }, reason, by: who(actor) },
      now,
    );
    const ticket = touch(current, now);
    const current_ = stages.includes(approval.currentStage);
    const notices = current_
      ? approverNotices(
          approval,
          new Map([[to, delegate]]),
          'delegated',
          () => `approval:${approvalId}:delegated:${approval.currentStage}:${to}`,
          { replaces: from },
          [to],
          links,
        )
      : { notifications: [], unreachable: [] };
    return {
      ticket,
      approval: { approval: links.apply(approval), previous },
      audit: [
        auditEvent(deps.ids.next(), current.id, 'approval.delegated', actor, now, ticket.version, {
          approvalId,
          from,
          to,
          reason,
          stages,
        }),
      ],
      events: [
        makeEvent(deps.ids.next(), 'approval.delegated', {
          ...approvalBase(ticket, approval),
          from,
          to,
          reason,
          stages,
        }),
      ],
      notifications: notices.notifications,
    };
  });
  return { approval: committed.approval!.approval, ticket: committed.ticket };
}

/** One approval, for staff (approvers and requesters included). */
export async function getApproval(approvalId: string, actor: Actor, deps: TicketDeps): Promise<Approval> {
  const approval = await deps.approvals.get(approvalId);
  if (!approval) throw approvalNotFound(approvalId);
  await loadVisible(approval.ticketId, actor, deps);
  return approval;
}

/** A ticket's approvals, oldest first (404 for a ticket the actor may not see). */
export async function listTicketApprovals(
  ticketId: string,
  actor: Actor,
  deps: TicketDeps,
): Promise<Approval[]> {
  await loadVisible(ticketId, actor, deps);
  return deps.approvals.listByTicket(ticketId);
}

/** What waits on `actor` (or, for a supervisor or admin, on `approver`): their queue, oldest first. */
export async function pendingApprovals(
  actor: Actor,
  deps: TicketDeps,
  approver?: string,
): Promise<PendingApproval[]> {
  if (approver && approver !== actor.id && !hasAnyRole(actor, ['supervisor', 'admin'])) {
    throw new DomainError(
      'forbidden',
      'APPROVAL.QUEUE_FORBIDDEN',
      "Only supervisors read another person's approvals",
      {
        approver,
      },
    );
  }
  return deps.approvals.pendingFor(approver ?? actor.id);
}

/** The approvals policy as stored (defaults when none is). */
export const readApprovalPolicy = (deps: TicketDeps) => deps.approvals.policy();

/** `PUT /config/approvals`: the new policy, conditional on the version it revises (If-Match). */
export async function putApprovalPolicy(
  input: unknown,
  expectedVersion: number | undefined,
  deps: TicketDeps,
): Promise<ApprovalPolicy> {
  const current = await deps.approvals.policy();
  if (expectedVersion !== undefined && expectedVersion !== current.version) {
    throw new DomainError(
      'precondition_failed',
      'CONFIG.VERSION_MISMATCH',
      `The approvals policy is at version ${current.version}, not ${expectedVersion}`,
      { expected: expectedVersion, actual: current.version },
    );
  }
  const next = ApprovalPolicy.parse({ ...(input as object), version: current.version + 1 });
  if (!(await deps.approvals.putPolicy(next, current.version))) {
    throw new DomainError(
      'precondition_failed',
      'CONFIG.VERSION_MISMATCH',
      'The approvals policy changed meanwhile',
      {
        expected: current.version,
      },
    );
  }
  return next;
}

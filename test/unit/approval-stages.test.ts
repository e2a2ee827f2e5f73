import { describe, expect, it } from 'vitest';
import {
  type Approval,
  decide,
  nudge,
  nudgeWaitMs,
  openApproval,
  pendingApprovers,
  replaceApprover,
  type StageRequest,
} from '#shared/domain/approval/approval.entity.ts';
import {
  defaultApprovalPolicy,
  gateRefusal,
  requiresApproval,
} from '#shared/domain/approval/approval-policy.ts';
import { DomainError } from '#shared/domain/errors.ts';

const t0 = new Date('2026-12-01T08:00:00Z');
const later = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

const approvalWith = (stages: StageRequest[]): Approval =>
  openApproval(
    {
      id: 'ap-1',
      ticket: { id: 't-1', number: 'GD-000001', subject: 'Refund the deposit' },
      reason: 'Refund over 1,000 yuan',
      requestedBy: { id: 'u-req', name: 'Requester' },
      stages,
    },
    t0,
  );

const stage = (mode: 'all' | 'any', ...ids: string[]): StageRequest => ({
  mode,
  approvers: ids.map((id) => ({ id })),
});

let seq = 0;
const by = (approver: string, decision: 'approve' | 'reject', comment: string | null = null) => ({
  approver,
  decision,
  comment,
  record: {
    id: `d-${++seq}`,
    actor: { id: approver, role: 'supervisor' as const },
    via: 'api' as const,
    sourceIp: '127.0.0.1',
    userAgent: 'vitest',
  },
});

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return `${error.kind}:${error.code}`;
    throw error;
  }
  return 'no error';
};

describe('Approval', () => {
  describe('openApproval()', () => {
    it('starts the first stage and leaves the others waiting', () => {
      const a = approvalWith([stage('any', 'a', 'b'), stage('all', 'c')]);
      expect(a.status).toBe('pending');
      expect(a.stages.map((s) => s.status)).toEqual(['pending', 'waiting']);
      expect(a.stages[0]!.approvers.map((x) => x.since)).toEqual([t0.toISOString(), t0.toISOString()]);
      expect(a.stages[1]!.approvers[0]!.since).toBeNull();
      expect(pendingApprovers(a)).toEqual(['a', 'b']);
    });
  });

  describe('decide()', () => {
    it('passes an any-of stage on the first approve and marks the others not needed', () => {
      const { approval, closed, stagePassed } = decide(
        approvalWith([stage('any', 'a', 'b')]),
        by('b', 'approve'),
        later(5),
      );
      expect(closed).toBe('approved');
      expect(stagePassed).toBe(true);
      expect(approval.stages[0]!.approvers.map((x) => [x.agentId, x.status])).toEqual([
        ['a', 'not_needed'],
        ['b', 'approved'],
      ]);
      expect(approval.decidedAt).toBe(later(5).toISOString());
      expect(pendingApprovers(approval)).toEqual([]);
    });

    it('keeps an all-of stage pending until every approver approved', () => {
      const first = decide(approvalWith([stage('all', 'a', 'b')]), by('a', 'approve'), later(1));
      expect(first.closed).toBeNull();
      expect(first.approval.status).toBe('pending');
      expect(pendingApprovers(first.approval)).toEqual(['b']);
      const second = decide(first.approval, by('b', 'approve', 'ok'), later(2));
      expect(second.closed).toBe('approved');
      expect(second.approval.decisions.map((d) => [d.approver, d.decision, d.comment])).toEqual([
        ['a', 'approve', null],
        ['b', 'approve', 'ok'],
      ]);
    });

    it('starts the next stage when one passes, and approves when the last passes', () => {
      const a = approvalWith([stage('any', 'a', 'b'), stage('all', 'c', 'd')]);
      const one = decide(a, by('a', 'approve'), later(10));
      expect(one.startedStage).toBe(1);
      expect(one.approval.currentStage).toBe(1);
      expect(one.approval.stages[1]!.startedAt).toBe(later(10).toISOString());
      expect(pendingApprovers(one.approval)).toEqual(['c', 'd']);
      const two = decide(one.approval, by('c', 'approve'), later(11));
      expect(two.closed).toBeNull();
      const three = decide(two.approval, by('d', 'approve'), later(12));
      expect(three.closed).toBe('approved');
      expect(three.approval.stages.map((s) => s.status)).toEqual(['approved', 'approved']);
    });

    it('rejects the whole approval on any reject, in an all-of stage too, and never starts later stages', () => {
      const a = approvalWith([stage('all', 'a', 'b'), stage('any', 'c')]);
      const { approval, closed } = decide(a, by('b', 'reject', 'too much'), later(3));
      expect(closed).toBe('rejected');
      expect(approval.status).toBe('rejected');
      expect(approval.stages.map((s) => s.status)).toEqual(['rejected', 'waiting']);
      expect(approval.stages[0]!.approvers.map((x) => x.status)).toEqual(['not_needed', 'rejected']);
    });

    it('refuses a second decision, a later stage, a stranger and a closed approval, each with its code', () => {
      const a = approvalWith([stage('all', 'a', 'b'), stage('any', 'c')]);
      const once = decide(a, by('a', 'approve'), later(1)).approval;
      expect(codeOf(() => decide(once, by('a', 'approve'), later(2)))).toBe(
        'conflict:APPROVAL.ALREADY_DECIDED',
      );
      expect(codeOf(() => decide(once, by('c', 'approve'), later(2)))).toBe('conflict:APPROVAL.NOT_PENDING');
      expect(codeOf(() => decide(once, by('z', 'approve'), later(2)))).toBe(
        'forbidden:APPROVAL.NOT_APPROVER',
      );
      const rejected = decide(once, by('b', 'reject'), later(3)).approval;
      expect(codeOf(() => decide(rejected, by('c', 'approve'), later(4)))).toBe('conflict:APPROVAL.CLOSED');
    });

    it('leaves the approver of an any-of stage that already passed with nothing to decide', () => {
      const passed = decide(
        approvalWith([stage('any', 'a', 'b'), stage('any', 'c')]),
        by('a', 'approve'),
        later(1),
      );
      expect(codeOf(() => decide(passed.approval, by('b', 'approve'), later(1)))).toBe(
        'conflict:APPROVAL.NOT_PENDING',
      );
    });

    it('moves the version on with every decision (what the store conditions on)', () => {
      const a = approvalWith([stage('all', 'a', 'b')]);
      expect(decide(a, by('a', 'approve'), later(1)).approval.version).toBe(a.version + 1);
    });
  });

  describe('replaceApprover()', () => {
    it('puts the delegate in a pending place, pending from now, in the current and waiting stages', () => {
      const a = approvalWith([stage('all', 'a', 'b'), stage('any', 'a', 'c')]);
      const { approval, stages } = replaceApprover(
        a,
        { from: 'a', to: { id: 'd' }, reason: 'delegation_timeout', by: { id: 'system' } },
        later(60),
      );
      expect(stages).toEqual([0, 1]);
      expect(pendingApprovers(approval)).toEqual(['d', 'b']); // in the replaced approver's place
      const slot = approval.stages[0]!.approvers.find((x) => x.agentId === 'd')!;
      expect(slot).toMatchObject({ status: 'pending', since: later(60).toISOString(), replaces: 'a' });
      expect(approval.stages[1]!.approvers.find((x) => x.agentId === 'd')!.since).toBeNull();
      // The delegate's approve (with b's) passes the all-of stage; the replaced approver has no say.
      const afterB = decide(approval, by('b', 'approve'), later(61)).approval;
      expect(codeOf(() => decide(afterB, by('a', 'approve'), later(62)))).toBe(
        'conflict:APPROVAL.NOT_PENDING',
      );
      expect(decide(afterB, by('d', 'approve'), later(62)).startedStage).toBe(1);
    });

    it('refuses a delegate already in the stage and someone with nothing pending', () => {
      const a = approvalWith([stage('all', 'a', 'b')]);
      const move = (from: string, to: string) => () =>
        replaceApprover(a, { from, to: { id: to }, reason: 'x', by: { id: 's' } }, later(1));
      expect(codeOf(move('a', 'b'))).toBe('conflict:APPROVAL.REPLACEMENT_INVALID');
      expect(codeOf(move('z', 'c'))).toBe('conflict:APPROVAL.NOT_PENDING');
    });
  });

  describe('nudge()', () => {
    it('counts per approval and per pending approver, and says how long the cooldown still runs', () => {
      const a = decide(approvalWith([stage('all', 'a', 'b')]), by('a', 'approve'), later(1)).approval;
      const once = nudge(a, { id: 'u-req' }, later(10));
      expect(once.to).toEqual(['b']);
      expect(once.approval.nudges).toMatchObject({ count: 1, byApprover: { b: 1 } });
      const twice = nudge(once.approval, { id: 'u-req' }, later(80)).approval;
      expect(twice.nudges).toMatchObject({ count: 2, byApprover: { b: 2 }, lastAt: later(80).toISOString() });
      expect(nudgeWaitMs(once.approval, 60 * 60_000, later(40))).toBe(30 * 60_000);
      expect(nudgeWaitMs(once.approval, 60 * 60_000, later(70))).toBe(0);
    });
  });
});

describe('approvals policy', () => {
  const refund = { category: 'Refund', intent: null };
  const other = { category: 'repair', intent: null };

  it('requires an approval for the refund category by default (case-insensitive)', () => {
    expect(requiresApproval(refund, defaultApprovalPolicy)).toBe(true);
    expect(requiresApproval(other, defaultApprovalPolicy)).toBe(false);
  });

  it('holds a resolve back while an approval is pending, and a required one until approved', () => {
    const pending = approvalWith([stage('any', 'a')]);
    expect(gateRefusal(other, 'resolved', [pending], defaultApprovalPolicy)?.reason).toBe('pending');
    expect(gateRefusal(other, 'open', [pending], defaultApprovalPolicy)).toBeNull();
    expect(gateRefusal(refund, 'resolved', [], defaultApprovalPolicy)).toEqual({
      reason: 'required',
      approval: null,
    });
    const rejected = decide(pending, by('a', 'reject'), later(1)).approval;
    expect(gateRefusal(refund, 'resolved', [rejected], defaultApprovalPolicy)?.approval?.status).toBe(
      'rejected',
    );
    expect(gateRefusal(other, 'resolved', [rejected], defaultApprovalPolicy)).toBeNull();
    const approved = decide(pending, by('a', 'approve'), later(1)).approval;
    expect(gateRefusal(refund, 'resolved', [rejected, approved], defaultApprovalPolicy)).toBeNull();
  });
});

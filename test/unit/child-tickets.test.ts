import { describe, expect, it } from 'vitest';
import { DomainError } from '#shared/domain/errors.ts';
import type { ChildSummary } from '#shared/domain/ticket/child-summary.ts';
import {
  assertChildDepth,
  assertParentActive,
  childSummaryOf,
  defaultChildTicketPolicy,
  openChildren,
  rollupKey,
  rollupNoteBody,
} from '#shared/domain/ticket/child-tickets.ts';
import { openChildrenGate } from '#shared/use-cases/child-ticket-gate.ts';
import { assertMayForce } from '#shared/use-cases/transition-gates.ts';
import { ticket as fixture } from '../fixtures/tickets.ts';

const summary = (over: Partial<ChildSummary> = {}): ChildSummary => ({
  id: 'c1',
  number: 'GD-000101',
  subject: '上门检查',
  team: 'field-repair',
  status: 'open',
  assignee: 'u-agent-wang',
  priority: 'normal',
  dueAt: null,
  createdAt: '2026-12-01T01:00:00.000Z',
  resolvedAt: null,
  closedAt: null,
  updatedAt: '2026-12-01T01:00:00.000Z',
  version: 2,
  ...over,
});

const thrown = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('did not throw');
};

describe('Child tickets', () => {
  describe('assertChildDepth()', () => {
    it('lets a top-level ticket and a child have children under the default policy', () => {
      expect(() => assertChildDepth(0, defaultChildTicketPolicy, ['GD-1'])).not.toThrow();
      expect(() => assertChildDepth(1, defaultChildTicketPolicy, ['GD-1', 'GD-2'])).not.toThrow();
    });

    it('refuses a child of a child of a child with TICKET.CHILD_DEPTH_EXCEEDED and the chain', () => {
      const error = thrown(() => assertChildDepth(2, defaultChildTicketPolicy, ['GD-1', 'GD-2', 'GD-3']));
      expect(error.code).toBe('TICKET.CHILD_DEPTH_EXCEEDED');
      expect(error.kind).toBe('unprocessable');
      expect(error.details).toEqual({ depth: 3, maxDepth: 2, chain: ['GD-1', 'GD-2', 'GD-3'] });
      expect(error.message).toContain('GD-1 → GD-2 → GD-3');
    });

    it('follows a configured depth of 1 (children only, no grandchildren)', () => {
      expect(() => assertChildDepth(0, { maxDepth: 1, autoResolveParent: false }, [])).not.toThrow();
      expect(thrown(() => assertChildDepth(1, { maxDepth: 1, autoResolveParent: false }, [])).code).toBe(
        'TICKET.CHILD_DEPTH_EXCEEDED',
      );
    });
  });

  describe('assertParentActive()', () => {
    it('refuses resolved and closed parents with a 409 naming the status', () => {
      for (const status of ['resolved', 'closed'] as const) {
        const error = thrown(() => assertParentActive({ id: 't', number: 'GD-9', status }));
        expect(error.code).toBe('TICKET.PARENT_NOT_ACTIVE');
        expect(error.kind).toBe('conflict');
        expect(error.details).toMatchObject({ status });
      }
      for (const status of ['new', 'open', 'pending'] as const) {
        expect(() => assertParentActive({ id: 't', number: 'GD-9', status })).not.toThrow();
      }
    });
  });

  describe('openChildren()', () => {
    it('keeps new, open and pending children only', () => {
      const children = [
        summary({ id: 'a', status: 'new' }),
        summary({ id: 'b', status: 'pending' }),
        summary({ id: 'c', status: 'resolved' }),
        summary({ id: 'd', status: 'closed' }),
      ];
      expect(openChildren(children).map((c) => c.id)).toEqual(['a', 'b']);
    });
  });

  describe('childSummaryOf()', () => {
    it('takes what the parent lists from the child ticket, with no due date as null', () => {
      const child = { ...fixture(), parentId: 'p1' };
      expect(childSummaryOf(child)).toEqual({
        id: child.id,
        number: child.number,
        subject: child.subject,
        team: child.team,
        status: child.status,
        assignee: child.assignee,
        priority: child.priority,
        dueAt: null,
        createdAt: child.createdAt,
        resolvedAt: null,
        closedAt: null,
        updatedAt: child.updatedAt,
        version: child.version,
      });
    });
  });

  describe('rollupKey()', () => {
    const done = [
      summary({ id: 'a', status: 'resolved', resolvedAt: '2026-12-01T02:00:00.000Z' }),
      summary({ id: 'b', status: 'resolved', resolvedAt: '2026-12-01T03:00:00.000Z' }),
    ];

    it('is the same for the same children in any order', () => {
      expect(rollupKey(done)).toBe(rollupKey([...done].reverse()));
      expect(rollupKey(done)).toMatch(/^rollup:[0-9a-f]{32}$/);
    });

    it('changes when a child is finished again (reopened and resolved later)', () => {
      const again = [done[0]!, { ...done[1]!, resolvedAt: '2026-12-02T03:00:00.000Z' }];
      expect(rollupKey(again)).not.toBe(rollupKey(done));
    });
  });

  describe('rollupNoteBody()', () => {
    it('lists each child by number, team and resolution in Chinese and English', () => {
      const body = rollupNoteBody([
        {
          child: summary({ number: 'GD-000101', status: 'resolved' }),
          resolution: '设备已更换',
          teamName: '现场维修',
        },
        { child: summary({ number: 'GD-000102', team: 'billing', status: 'closed' }), resolution: null },
      ]);
      expect(body.split('\n')).toEqual([
        '所有子工单均已完成 / All 2 child tickets are done:',
        '- GD-000101 · 现场维修 · 已解决 Resolved: 设备已更换',
        '- GD-000102 · billing · 已归档 Closed: —',
      ]);
    });

    it('keeps a long resolution to one line', () => {
      const body = rollupNoteBody([{ child: summary(), resolution: `第一行\n${'很长'.repeat(400)}` }]);
      const line = body.split('\n')[1]!;
      expect(line.length).toBeLessThan(360);
      expect(line.endsWith('…')).toBe(true);
    });
  });

  describe('openChildrenGate', () => {
    const parent = {
      ...fixture(),
      status: 'open' as const,
      children: [summary({ id: 'a', number: 'GD-000201' })],
    };

    it('holds a move to resolved or closed while a child is open, naming it', async () => {
      for (const to of ['resolved', 'closed'] as const) {
        const error = await openChildrenGate.check({ current: parent, to }).catch((e: DomainError) => e);
        expect(error).toBeInstanceOf(DomainError);
        expect((error as DomainError).code).toBe('TICKET.OPEN_CHILDREN');
        expect((error as DomainError).message).toContain('GD-000201');
      }
    });

    it('lets other moves, finished children and forced moves through; a forced one reports what it overrode', async () => {
      await expect(openChildrenGate.check({ current: parent, to: 'pending' })).resolves.toBeUndefined();
      const finished = { ...parent, children: [summary({ status: 'resolved' })] };
      await expect(openChildrenGate.check({ current: finished, to: 'resolved' })).resolves.toBeUndefined();
      await expect(openChildrenGate.check({ current: parent, to: 'resolved', force: true })).resolves.toEqual(
        {
          gate: 'open-children',
          openChildren: [{ id: 'a', number: 'GD-000201', team: 'field-repair', status: 'open' }],
        },
      );
    });
  });

  describe('assertMayForce()', () => {
    it('needs a reason (400) and a supervisor or admin (403)', () => {
      const agent = { id: 'u-a', roles: ['agent' as const], channel: 'api' as const };
      const supervisor = { ...agent, roles: ['supervisor' as const] };
      expect(thrown(() => assertMayForce({ force: true }, supervisor)).kind).toBe('invalid');
      expect(thrown(() => assertMayForce({ force: true, reason: 'ok' }, agent)).code).toBe(
        'TICKET.FORCE_FORBIDDEN',
      );
      expect(() => assertMayForce({ force: true, reason: 'ok' }, supervisor)).not.toThrow();
      expect(() => assertMayForce({ reason: 'ok' }, agent)).not.toThrow();
    });
  });
});

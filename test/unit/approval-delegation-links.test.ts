import { describe, expect, it } from 'vitest';
import { openApproval } from '#shared/domain/approval/approval.entity.ts';
import { findLink, hashToken, markUsed, mintLink, withLinks } from '#shared/domain/approval/approval-link.ts';
import { approvalExecutionName, delegationDeadlines } from '#shared/domain/approval/delegation.ts';
import { defaultCalendars } from '#shared/domain/sla/calendar.ts';

const cnOffice = defaultCalendars.find((c) => c.id === 'cn-office')!;

const approval = (at: string) =>
  openApproval(
    {
      id: '01APPROVAL',
      ticket: { id: 'T1', number: 'GD-000001', subject: '退款' },
      reason: '超过 500 元',
      requestedBy: { id: 'u-agent-zhang' },
      stages: [
        { mode: 'all', approvers: [{ id: 'u-agent-li' }, { id: 'u-agent-sun' }] },
        { mode: 'any', approvers: [{ id: 'u-sup-desk' }] },
      ],
    },
    new Date(at),
  );

describe('Delegation deadlines', () => {
  it('count 48 working hours on the calendar: a Friday-afternoon request falls due on the Monday after next', () => {
    // Prepare: Friday 2026-12-04 15:00 in Beijing (07:00 UTC); working days 09–12, 13–18
    const a = approval('2026-12-04T07:00:00.000Z');

    // Act
    const deadlines = delegationDeadlines(a, 0, cnOffice, 48);

    // Assess: 3 h left on Friday, 8 h a day Mon–Fri (40 h), then 5 h on Monday the 14th (3 h before
    // lunch, 2 after): 15:00 local
    expect(deadlines.map((d) => [d.agentId, d.deadline.toISOString()])).toEqual([
      ['u-agent-li', '2026-12-14T07:00:00.000Z'],
      ['u-agent-sun', '2026-12-14T07:00:00.000Z'],
    ]);
  });

  it('are none for a stage that is not the current one, or for a closed approval', () => {
    const a = approval('2026-12-04T07:00:00.000Z');
    expect(delegationDeadlines(a, 1, cnOffice, 48)).toEqual([]);
    expect(delegationDeadlines({ ...a, status: 'approved' }, 0, cnOffice, 48)).toEqual([]);
  });

  it('name one execution per approval stage', () => {
    expect(approvalExecutionName({ approvalId: '01APPROVAL', stage: 1 })).toBe('approval-01APPROVAL-s1');
    expect(approvalExecutionName({ approvalId: 'x'.repeat(90), stage: 0 }).length).toBeLessThanOrEqual(80);
  });
});

describe('One-time decision links', () => {
  const now = new Date('2026-12-07T02:00:00.000Z');

  it('keep only the token’s hash, and find an unused, unexpired link by its token', () => {
    // Act
    const { token, link } = mintLink('u-agent-li', 0, now, 72);

    // Assess
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(link)).not.toContain(token);
    expect(link).toMatchObject({ hash: hashToken(token), approver: 'u-agent-li', stage: 0, usedAt: null });
    expect(link.expiresAt).toBe('2026-12-10T02:00:00.000Z');
    expect(findLink([link], token, now)).toEqual({ ok: true, link });
  });

  it('refuse a used link, an expired one and one nobody minted', () => {
    const { token, link } = mintLink('u-agent-li', 0, now, 72);
    const used = markUsed([link], link.hash, now);
    expect(findLink(used, token, now)).toEqual({ ok: false, why: 'used' });
    expect(findLink([link], token, new Date('2026-12-10T02:00:00.000Z'))).toEqual({
      ok: false,
      why: 'expired',
    });
    expect(findLink([link], mintLink('u-agent-li', 0, now, 72).token, now)).toEqual({
      ok: false,
      why: 'invalid',
    });
    expect(findLink([link], 'short', now)).toEqual({ ok: false, why: 'invalid' });
  });

  it('drop links a month past their expiry when new ones are minted', () => {
    const old = mintLink('u-agent-li', 0, new Date('2026-10-01T00:00:00.000Z'), 72).link;
    const fresh = mintLink('u-agent-sun', 0, now, 72).link;
    expect(withLinks([old], [fresh], now)).toEqual([fresh]);
  });
});

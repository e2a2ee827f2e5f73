import { describe, expect, it } from 'vitest';
import {
  AnalyticsConfig,
  handleTimeOf,
  type Insight,
  insightId,
  ownersOf,
  renderSpikeNotice,
} from '../../../shared/domain/analytics/insights.ts';

const insight: Insight = {
  id: 'ins_1',
  kind: 'spike',
  series: { intent: 'installation', product: '空调' },
  seriesId: 'intent=installation|product=空调',
  count: 42,
  expected: 6.5,
  factor: 6.46,
  pValue: 3.2e-12,
  windowStart: '2026-11-25T06:30:00.000Z',
  windowEnd: '2026-11-25T08:30:00.000Z',
  detectedAt: '2026-11-25T08:30:05.000Z',
  sampleTickets: [{ id: 't1', number: 'GD-2026-000123', subject: '空调安装打孔位置不对' }],
  notified: [],
  status: 'pending',
};

describe('Insight ids', () => {
  it('are the same for the same series and window, and differ otherwise', () => {
    const a = insightId({ seriesId: 'model=KFR-35GW', windowStart: 'a', windowEnd: 'b' });
    expect(insightId({ seriesId: 'model=KFR-35GW', windowStart: 'a', windowEnd: 'b' })).toBe(a);
    expect(insightId({ seriesId: 'model=KFR-50LW', windowStart: 'a', windowEnd: 'b' })).not.toBe(a);
    expect(insightId({ seriesId: 'model=KFR-35GW', windowStart: 'a', windowEnd: 'c' })).not.toBe(a);
  });
});

describe('The analytics configuration (CONFIG/analytics)', () => {
  const config = AnalyticsConfig.parse({
    owners: [
      { match: { product: '空调' }, email: ['rd-ac@example.com'] },
      { match: { product: '空调', intent: 'complaint' }, email: ['quality@example.com'] },
      { match: {}, chat: ['https://hooks.slack.com/services/T/B/all'], locale: 'en' },
    ],
    staffing: { handleTimeMinutes: { field: 45, '*': 25 } },
  });

  it('gives a series the owners whose every named dimension matches', () => {
    expect(ownersOf(insight.series, config).map((o) => o.email[0] ?? o.chat[0])).toEqual([
      'rd-ac@example.com',
      'https://hooks.slack.com/services/T/B/all',
    ]);
    expect(ownersOf({ model: 'KFR-35GW' }, config)).toHaveLength(1);
  });

  it('defaults to nobody (the supervisors), 20 minutes a ticket, 6.5 hours, 85 %', () => {
    const empty = AnalyticsConfig.parse({});
    expect(ownersOf(insight.series, empty)).toEqual([]);
    expect(handleTimeOf('desk', empty)).toBe(20);
    expect(empty.staffing).toMatchObject({ productiveHoursPerDay: 6.5, occupancy: 0.85 });
    expect(handleTimeOf('field', config)).toBe(45);
    expect(handleTimeOf('desk', config)).toBe(25);
  });

  it('refuses a bad address or an unknown field', () => {
    expect(AnalyticsConfig.safeParse({ owners: [{ email: ['not-an-address'] }] }).success).toBe(false);
    expect(AnalyticsConfig.safeParse({ owner: [] }).success).toBe(false);
  });
});

describe('renderSpikeNotice()', () => {
  it('says what, how many against usual, when (Beijing time), sample tickets and a link, in Chinese', () => {
    const { subject, body } = renderSpikeNotice(
      insight,
      'zh',
      'https://desk.example.com/console/reports/insights',
    );
    expect(subject).toBe('【工单激增】意图 installation · 产品线 空调：42 单，约为平常的 6.46 倍');
    expect(body).toContain('2026-11-25 14:30 – 16:30 (Asia/Shanghai)');
    expect(body).toContain('同期通常约 6.5 单');
    expect(body).toContain('GD-2026-000123 空调安装打孔位置不对');
    expect(body).toContain('https://desk.example.com/console/reports/insights');
  });

  it('and in English', () => {
    const { subject, body } = renderSpikeNotice(insight, 'en', 'https://x/console/reports/insights');
    expect(subject).toBe('[Ticket spike] intent installation · product 空调: 42 tickets, 6.46× the usual');
    expect(body).toContain('against about 6.5 usually');
  });
});

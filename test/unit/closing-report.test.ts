import { describe, expect, it } from 'vitest';
import { closingReportBody, closingReportOf, reportLang } from '#shared/channels/closing-report.ts';
import {
  checkFeedbackToken,
  type Feedback,
  mintFeedbackLink,
  requireSummary,
  withFeedbackLink,
} from '#shared/domain/ticket/closing-report.ts';
import type { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import { t0, ticket } from '../fixtures/tickets.ts';

const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000).toISOString();

const thrownCode = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as { code?: string; kind?: string }).code;
  }
  return null;
};

describe('The closing report', () => {
  describe('closingReportOf()', () => {
    it('orders the timeline and reads a field visit: steps, sign-off and photos', () => {
      // Prepare: created, answered, visited (on the way, on site, signed, done), resolved
      const visited = {
        ...ticket({
          status: 'resolved',
          description: '空调不制冷',
          firstRespondedAt: at(10),
          resolvedAt: at(200),
          resolution: { summary: '补充了制冷剂', by: 'u-field-1', byName: '王强', at: at(200) },
        }),
        visits: [
          {
            id: 'V-1',
            engineer: 'u-field-1',
            status: 'completed',
            startedAt: at(60),
            completedAt: at(190),
            flagged: false,
            steps: [
              { action: 'start', at: at(60), by: 'u-field-1', position: null, clientId: 'c-start-1' },
              { action: 'check-in', at: at(90), by: 'u-field-1', position: null, clientId: 'c-in-0001' },
              { action: 'check-out', at: at(190), by: 'u-field-1', position: null, clientId: 'c-out-001' },
            ],
            notes: [],
            parts: [],
            photos: [
              { attachmentId: 'A-1', tag: 'before', at: at(95) },
              { attachmentId: 'A-2', tag: 'after', at: at(180) },
            ],
            signOff: {
              signerName: '李先生',
              attachmentId: 'A-3',
              sha256: 'x',
              size: 10,
              at: at(185),
              position: null,
              sourceIp: null,
            },
            summary: null,
          },
        ],
      } as unknown as Ticket;

      // Act
      const report = closingReportOf(visited, []);
      const body = closingReportBody(report, 'zh', { url: 'https://api/x', expiresAt: at(10_000) });

      // Assess
      expect(report.timeline.map((e) => e.key)).toEqual([
        'created',
        'firstResponse',
        'onTheWay',
        'checkIn',
        'signed',
        'checkOut',
        'resolved',
      ]);
      expect(report.visit).toEqual({ signer: '李先生', signedAt: at(185), photos: 2 });
      expect(report).toMatchObject({ asked: '空调不制冷', done: '补充了制冷剂', handledBy: '王强' });
      expect(body).toContain('客户签字：李先生');
      expect(body).toContain('现场照片 2 张');
      expect(body).toContain('https://api/x');
      expect(body.indexOf('工程师到达现场')).toBeLessThan(body.indexOf('问题解决'));
    });

    it('writes in the language the request was written in', () => {
      expect(reportLang(ticket({ subject: 'Printer jam', description: 'Third floor' }))).toBe('en');
      expect(reportLang(ticket({ subject: 'Printer 卡纸', description: '' }))).toBe('zh');
    });
  });

  describe('rating links', () => {
    it('accept the minted token until it expires, and nothing else', () => {
      // Prepare
      const { token, link } = mintFeedbackLink(t0, 2);
      const feedback = withFeedbackLink(undefined, link);
      const altered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;

      // Act / Assess
      expect(checkFeedbackToken(feedback, token, new Date(t0.getTime() + 3_600_000))).toEqual(link);
      expect(thrownCode(() => checkFeedbackToken(feedback, altered, t0))).toBe('FEEDBACK.LINK_INVALID');
      expect(thrownCode(() => checkFeedbackToken(feedback, 'short', t0))).toBe('FEEDBACK.LINK_INVALID');
      expect(thrownCode(() => checkFeedbackToken(undefined, token, t0))).toBe('FEEDBACK.LINK_INVALID');
      expect(
        thrownCode(() => checkFeedbackToken(feedback, token, new Date(t0.getTime() + 2 * 3_600_000))),
      ).toBe('FEEDBACK.LINK_EXPIRED');
    });

    it('keep the last five links of a ticket resolved again and again, and its rating', () => {
      const rating = {
        score: 4,
        comment: '',
        at: t0.toISOString(),
        assignee: null,
        team: null,
        category: null,
      };
      let feedback: Feedback = { ...withFeedbackLink(undefined, mintFeedbackLink(t0, 1).link), rating };
      const minted = Array.from({ length: 6 }, () => mintFeedbackLink(t0, 1).link);
      for (const link of minted) feedback = withFeedbackLink(feedback, link);
      expect(feedback.links).toEqual(minted.slice(1));
      expect(feedback.rating).toEqual(rating);
    });
  });

  it('requires a summary that is not blank', () => {
    expect(requireSummary('  换了网线 ')).toBe('换了网线');
    expect(thrownCode(() => requireSummary('   '))).toBe('REQUEST.INVALID');
    expect(thrownCode(() => requireSummary(undefined))).toBe('REQUEST.INVALID');
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { costTable, estimate, perTicket, prices } from '../../bench/cost-estimate.ts';

const doc = () => readFileSync(new URL('../../docs/cost.md', import.meta.url), 'utf8');

describe('The monthly cost estimate (docs/cost.md, bench/cost-estimate.ts)', () => {
  it('shows in docs/cost.md the table the script prints (run `npm run cost` and paste when it changes)', () => {
    // Act
    const shown = /<!-- cost-table:start -->\n([\s\S]*?)\n<!-- cost-table:end -->/.exec(doc())?.[1];

    // Assess
    expect(shown).toBe(costTable());
  });

  it('states the region and the unit prices it uses', () => {
    // Act
    const text = doc();

    // Assess
    expect(text).toContain('us-east-1');
    expect(text).toContain('$0.025 per 1,000 state transitions');
    expect(text).toContain('$1.00 per million requests');
    expect(text).toContain('$0.625 per million write request units');
  });

  it('prices the SLA timer at its transitions per ticket, and totals its lines', () => {
    // Act
    const small = estimate(10_000, 66);
    const large = estimate(1_000_000, 66);
    const sfn = small.lines.find((l) => l.service.startsWith('Step Functions'))!;

    // Assess
    expect(perTicket.sfnTransitions).toBeGreaterThanOrEqual(6);
    expect(perTicket.sfnTransitions).toBeLessThanOrEqual(9);
    expect(sfn.cost).toBeCloseTo(10_000 * perTicket.sfnTransitions * prices.sfnTransition, 10);
    const total = (e: typeof small) => e.lines.reduce((sum, l) => sum + l.cost, 0);
    expect(total(large)).toBeGreaterThan(total(small) * 10);
    expect(large.agents).toBeGreaterThan(small.agents);
    expect(small.lines.map((l) => l.service)).toEqual(
      expect.arrayContaining([
        'Lambda requests',
        'API Gateway (HTTP API)',
        'DynamoDB writes (on demand)',
        'EventBridge',
        'SES',
        'SNS SMS (+86)',
        'CloudFront (console)',
        'CloudWatch Logs',
        'Cognito (Essentials)',
      ]),
    );
  });
});

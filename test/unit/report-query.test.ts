import { describe, expect, it } from 'vitest';
import { kpiSql } from '../../shared/domain/analytics/kpis.ts';
import { reportFileName, reportScope } from '../../shared/domain/analytics/report-query.ts';
import { DomainError } from '../../shared/domain/errors.ts';
import { KpiQuery } from '../../shared/use-cases/reports.ts';

const issues = (query: Record<string, string>) => {
  const result = KpiQuery.safeParse(query);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};

describe('the reports query', () => {
  it('accepts a period, filters, dimensions and a format', () => {
    expect(
      KpiQuery.parse({
        from: '2026-11-01',
        to: '2026-11-30',
        team: 'desk',
        groupBy: 'team,week',
        format: 'csv',
      }),
    ).toEqual({
      from: '2026-11-01',
      to: '2026-11-30',
      team: 'desk',
      groupBy: ['team', 'week'],
      format: 'csv',
    });
  });

  it('names each bad field', () => {
    expect(issues({ groupBy: 'team,colour' })).toEqual([
      { path: 'groupBy', message: expect.stringContaining("unknown dimension 'colour'") },
    ]);
    expect(issues({ colour: 'red' })).toEqual([
      { path: 'colour', message: expect.stringContaining('unknown parameter') },
    ]);
    expect(issues({ from: '2026-11-30', to: '2026-11-01' })).toEqual([
      { path: 'from', message: expect.stringContaining('after') },
    ]);
    expect(issues({ from: '2025-01-01', to: '2026-01-02' })).toEqual([
      { path: 'to', message: expect.stringContaining('366') },
    ]);
    expect(issues({ from: '2025-01-01', to: '2026-01-01' })).toEqual([]); // 366 days exactly
    expect(issues({ format: 'pdf' }).map((i) => i.path)).toEqual(['format']);
    expect(issues({ from: '2026-13-01' }).map((i) => i.path)).toEqual(['from']);
    expect(issues({ from: '1/11/2026' }).map((i) => i.path)).toEqual(['from']);
    expect(issues({ groupBy: 'team,team' }).map((i) => i.path)).toEqual(['groupBy']);
  });

  it('defaults to the last 28 business days and rechecks the limits after the defaults', () => {
    const now = new Date('2026-12-07T17:00:00Z'); // 01:00 on the 8th in Shanghai
    expect(reportScope({}, now)).toEqual({ from: '2026-11-11', to: '2026-12-08', filters: {} });
    expect(reportScope({ from: '2026-12-01' }, now)).toMatchObject({ from: '2026-12-01', to: '2026-12-08' });
    expect(reportScope({ to: '2026-02-28', team: 'vip' }, now)).toEqual({
      from: '2026-02-01',
      to: '2026-02-28',
      filters: { team: 'vip' },
    });
    let error: unknown;
    try {
      reportScope({ from: '2027-01-01' }, now);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('REQUEST.INVALID');
    expect((error as DomainError).details).toEqual({ fields: [expect.objectContaining({ path: 'from' })] });
  });

  it('names the download', () => {
    expect(reportFileName('kpis', { from: '2026-11-01', to: '2026-11-30' }, 'xlsx')).toBe(
      'kpis-2026-11-01-2026-11-30.xlsx',
    );
  });
});

describe('the KPI SQL', () => {
  it('prunes partitions from the day before the period, quotes filter values once and uses only the shared dialect', () => {
    const sql = kpiSql(
      { from: '2026-11-01', to: '2026-11-30', filters: { region: "O'Hare", team: 'desk' } },
      ['team', 'week'],
      1,
    );
    expect(sql).toContain("dt >= '2026-10-31'");
    expect(sql).toContain("region = 'O''Hare'");
    expect(sql).toContain('GROUP BY GROUPING SETS ((team, created_week), ())');
    expect(sql).not.toMatch(/QUALIFY|FILTER\s*\(|::|ILIKE/i);
  });
});

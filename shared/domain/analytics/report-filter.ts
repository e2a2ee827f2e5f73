import { sqlDay, sqlString } from './sql.ts';

/** The filters every report takes (contract §4): each an exact match on the ticket's fact column. */
export const filterColumns = [
  'team',
  'agent',
  'category',
  'intent',
  'product',
  'model',
  'region',
  'channel',
  'priority',
  'tier',
] as const;
export type FilterColumn = (typeof filterColumns)[number];

/** A report's tickets: created on business days `from`..`to` (inclusive), with these exact matches. */
export interface ReportScope {
  from: string;
  to: string;
  filters?: Partial<Record<FilterColumn, string>>;
}

/** The WHERE over the latest fact rows (`prefix.` for a joined alias) selecting a scope's tickets. */
export function scopeWhere(scope: ReportScope, prefix = ''): string {
  const parts = [
    `${prefix}created_day >= ${sqlDay(scope.from)}`,
    `${prefix}created_day <= ${sqlDay(scope.to)}`,
  ];
  for (const column of filterColumns) {
    const value = scope.filters?.[column];
    if (value !== undefined) parts.push(`${prefix}${column} = ${sqlString(value)}`);
  }
  return parts.join(' AND ');
}

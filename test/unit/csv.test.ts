import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../bench/support/csv.ts';

const spectrum = new URL('../../../shared/data/csv-spectrum/', import.meta.url);
const cases = existsSync(spectrum)
  ? readdirSync(new URL('csvs/', spectrum)).map((f) => f.replace(/\.csv$/, ''))
  : [];

describe('parseCsv() on the csv-spectrum suite', () => {
  it('finds the suite beside the repository', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  it.each(cases)('reads %s as the suite expects', (name) => {
    // Prepare
    const csv = readFileSync(new URL(`csvs/${name}.csv`, spectrum), 'utf8');
    const expected = JSON.parse(readFileSync(new URL(`json/${name}.json`, spectrum), 'utf8'));
    // Act / Assess
    expect(parseCsv(csv)).toEqual(expected);
  });
});

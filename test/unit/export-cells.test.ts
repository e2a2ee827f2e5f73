import { describe, expect, it } from 'vitest';
import { escapeCell, exportHeaders } from '#shared/use-cases/export-tickets.ts';

describe('export cells (CSV injection)', () => {
  it.each([
    ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', "'\r=1"],
  ])('escapes %j', (cell, escaped) => {
    expect(escapeCell(cell)).toBe(escaped);
  });

  it.each(['打印机卡纸', 'a=b', 'GD-000123', '', "'quoted"])('leaves %j as it is', (cell) => {
    expect(escapeCell(cell)).toBe(cell);
  });

  it('has a header for every column in both languages', () => {
    expect(exportHeaders('zh')).toHaveLength(19);
    expect(exportHeaders('en')).toHaveLength(19);
    expect(new Set(exportHeaders('zh')).size).toBe(19);
  });
});

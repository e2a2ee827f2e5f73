import { describe, expect, it } from 'vitest';
import { formatDuration, formatPercent, formatSignedPercent } from '../../console/src/reports/format.ts';

/** How the console's reports write figures (docs/console.md, "Reports"): durations in words, ratios as %. */
describe('Report figures in the console', () => {
  it('writes durations as people say them, in Chinese and English', () => {
    expect(formatDuration(7500, 'zh')).toBe('2 小时 5 分');
    expect(formatDuration(7500, 'en')).toBe('2 h 5 min');
    expect(formatDuration(45, 'zh')).toBe('45 秒');
    expect(formatDuration(1800, 'en')).toBe('30 min');
    expect(formatDuration(7200, 'zh')).toBe('2 小时');
    expect(formatDuration(3 * 86_400 + 4 * 3600, 'zh')).toBe('3 天 4 小时');
    expect(formatDuration(3 * 86_400 + 4 * 3600, 'en')).toBe('3 d 4 h');
    expect(formatDuration(null, 'en')).toBe('—');
  });

  it('writes ratios as percentages and changes with their sign', () => {
    expect(formatPercent(0.9254)).toBe('92.5%');
    expect(formatPercent(0)).toBe('0.0%');
    expect(formatPercent(null)).toBe('—');
    expect(formatSignedPercent(0.125)).toBe('+12.5%');
    expect(formatSignedPercent(-0.03)).toBe('−3.0%');
  });
});

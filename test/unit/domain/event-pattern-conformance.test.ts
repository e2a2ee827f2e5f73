import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkPattern,
  checkPatternJson,
  type EventPattern,
  matchesPattern,
} from '#shared/domain/events/event-pattern.ts';

/**
 * aws/event-ruler's own expectations (transcribed in ../shared/data/eventbridge-patterns, see SOURCE.md there):
 * the local matcher must agree with EventBridge on every case, and the validator with its rule compiler.
 */
const dir = new URL('../../../../shared/data/eventbridge-patterns/', import.meta.url);
const load = <T>(file: string): T[] =>
  (JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as { cases: T[] }).cases;

type MatchCase = { id: string; category: string; pattern: EventPattern; event: unknown; matches: boolean };
type ValidationCase = { id: string; pattern_text: string; valid: boolean; is_well_formed_json: boolean };

const matchCases = load<MatchCase>('cases.json');
const validationCases = load<ValidationCase>('pattern-validation.json');

/**
 * Deliberate disagreements with event-ruler: `exactly` is an event-ruler extension EventBridge does not
 * document, so a pattern using it is rejected here (a subscription accepted locally must deploy in AWS).
 */
const EXACTLY_REJECTED = new Set(['v026']);

describe('event patterns agree with aws/event-ruler (matching)', () => {
  it('has every transcribed case', () => {
    expect(matchCases).toHaveLength(109);
  });

  it.each(matchCases.map((c) => [c.id, c.category, c] as const))('case %s (%s)', (_id, _category, c) => {
    expect(checkPattern(c.pattern).ok).toBe(true);
    expect(matchesPattern(c.pattern, c.event)).toBe(c.matches);
  });
});

describe('event patterns agree with aws/event-ruler (validation)', () => {
  it('has every transcribed case', () => {
    expect(validationCases).toHaveLength(155);
  });

  const expected = (c: ValidationCase) => (EXACTLY_REJECTED.has(c.id) ? false : c.valid);

  it.each(validationCases.map((c) => [c.id, c] as const))('case %s', (_id, c) => {
    const result = checkPatternJson(c.pattern_text);
    expect(result.ok).toBe(expected(c));
    if (!result.ok) {
      expect(result.issues.length).toBeGreaterThan(0);
      for (const issue of result.issues) expect(issue.message).not.toBe('');
    }
  });

  it('rejects `exactly` on purpose, where event-ruler accepts it', () => {
    const c = validationCases.find((v) => v.id === 'v026') as ValidationCase;
    expect(c.valid).toBe(true);
    expect(checkPatternJson(c.pattern_text)).toEqual({
      ok: false,
      issues: [{ path: 'a[0].exactly', message: expect.stringMatching(/not supported by EventBridge/) }],
    });
  });

  it('gives the same verdict on the parsed pattern as on its text (well-formed cases)', () => {
    for (const c of validationCases.filter((v) => v.is_well_formed_json)) {
      // 1E-325 parses to 0 and 2.0e422 to Infinity: only the text shows the first is out of range.
      if (c.pattern_text.includes('1E-325')) continue;
      expect([c.id, checkPattern(JSON.parse(c.pattern_text)).ok]).toEqual([c.id, expected(c)]);
    }
  });

  it('names the path of each problem', () => {
    expect(checkPattern({ detail: { state: [{ prefix: 3 }], n: [{ numeric: ['<', 1, '>', 0] }] } })).toEqual({
      ok: false,
      issues: [
        { path: 'detail.state[0].prefix', message: expect.any(String) },
        { path: 'detail.n[0].numeric', message: expect.any(String) },
      ],
    });
    expect(checkPattern('{"a":["b"]}')).toMatchObject({ ok: false, issues: [{ path: '' }] });
  });

  it('keeps legacy `$or` used as an ordinary field name, and matches it as one', () => {
    const raw = JSON.parse(
      readFileSync(new URL('raw/normalRulesWithOrWording.json', dir), 'utf8'),
    ) as EventPattern[];
    for (const p of raw) expect(checkPattern(p).ok).toBe(true);
    expect(matchesPattern(raw[0] as EventPattern, { $or: '10.0.0.7' })).toBe(true);
    expect(matchesPattern(raw[0] as EventPattern, { $or: '10.0.1.7' })).toBe(false);
  });
});

describe('event patterns beyond the transcribed cases', () => {
  it('matches IPv6 CIDR blocks', () => {
    const p: EventPattern = { ip: [{ cidr: '2001:db8::/32' }] };
    expect(matchesPattern(p, { ip: '2001:db8:0:1::5' })).toBe(true);
    expect(matchesPattern(p, { ip: '2001:db9::5' })).toBe(false);
    expect(matchesPattern(p, { ip: '10.0.0.1' })).toBe(false);
  });

  it('treats escaped stars in wildcards literally', () => {
    const p: EventPattern = { a: [{ wildcard: 'a\\*b*' }] };
    expect(matchesPattern(p, { a: 'a*bc' })).toBe(true);
    expect(matchesPattern(p, { a: 'axbc' })).toBe(false);
  });

  it('matches exists:false below a missing object', () => {
    expect(matchesPattern({ detail: { x: [{ exists: false }] } }, { source: 's' })).toBe(true);
    expect(matchesPattern({ detail: { x: [{ exists: true }] } }, { source: 's' })).toBe(false);
  });
});

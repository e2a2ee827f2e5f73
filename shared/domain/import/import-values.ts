import { type EnumField, enumFields, foldTraditional } from './import-fields.ts';

const key = (text: string) => foldTraditional(text.normalize('NFKC').toLowerCase()).replace(/[\s_-]/g, '');

interface EnumIndex {
  values: Set<string>;
  /** normalised other name → value */
  names: Map<string, string>;
  /** every normalised spelling (values first) with its value, for the nearest-spelling search */
  spellings: [string, string][];
}

const indexes = Object.fromEntries(
  Object.entries(enumFields).map(([field, spec]) => {
    const names = new Map<string, string>();
    const spellings: [string, string][] = spec.values.map((v) => [v, v]);
    for (const [value, others] of Object.entries(spec.names) as [string, readonly string[]][]) {
      for (const other of others) {
        names.set(key(other), value);
        spellings.push([key(other), value]);
      }
    }
    return [field, { values: new Set<string>(spec.values), names, spellings }];
  }),
) as Record<EnumField, EnumIndex>;

/**
 * Edit distance counting a swap of two neighbours as one edit (optimal string alignment): the commonest
 * typos (`urgnet`, `emial`) are one edit away, where plain Levenshtein counts two.
 */
export function typoDistance(a: string, b: string): number {
  const s = [...a];
  const t = [...b];
  const d = Array.from({ length: s.length + 1 }, (_, i) =>
    Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      row[j] = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
    }
  }
  return (d[s.length] as number[])[t.length] as number;
}

export type EnumReading = { kind: 'ok'; value: string } | { kind: 'unknown'; suggestion?: string };

/**
 * A value of an enumerated field. The exact value (any case, spaces around) is taken; anything else is
 * unknown, with a suggestion when it is another name of a value (`紧急` → `urgent`, `VIP客户` → `vip`) or
 * within a small edit distance of one (`Hign` → `high`: one edit per three characters, none below three).
 */
export function readEnum(field: EnumField, raw: string): EnumReading {
  const index = indexes[field];
  const k = key(raw);
  if (index.values.has(k)) return { kind: 'ok', value: k };
  const named = index.names.get(k);
  if (named) return { kind: 'unknown', suggestion: named };
  const length = [...k].length;
  // Below three characters every value is one edit away from another: only exact other names count.
  const limit = length < 3 ? 0 : Math.max(1, Math.floor(length / 3));
  let best: { value: string; d: number } | undefined;
  for (const [spelling, value] of index.spellings) {
    const d = typoDistance(k, spelling);
    if (d > 0 && d <= limit && (!best || d < best.d)) best = { value, d };
  }
  return best ? { kind: 'unknown', suggestion: best.value } : { kind: 'unknown' };
}

/**
 * Phone numbers people keep in Chinese customer records, after spaces, dots, hyphens and brackets are
 * removed: a mainland mobile (optionally +86/0086), a landline with its area code (and an extension), a
 * 400/800 service number, or any international number in E.164 form.
 */
const phonePatterns = [
  /^(?:\+86|0086)?1[3-9]\d{9}$/,
  /^(?:\+86|0086)?0\d{2,3}[2-9]\d{6,7}(?:(?:转|ext|x|#)\d{1,6})?$/i,
  /^(?:\+86|0086)?(?:400|800)\d{7}$/,
  /^(?:\+|00)[1-9]\d{6,14}$/,
];

export const isPhone = (raw: string): boolean => {
  const compact = raw.normalize('NFKC').replace(/[\s.()\-–—]/g, '');
  return phonePatterns.some((p) => p.test(compact));
};

/**
 * A cell a spreadsheet would run as a formula (`=`, `@`, or `+`/`-` followed by more than a number or a
 * phone number): kept as text, flagged, and escaped wherever Gongdan writes it back to CSV.
 */
export const looksLikeFormula = (text: string): boolean => {
  const first = text[0];
  if (first === '=' || first === '@') return true;
  if (first === '+' || first === '-') return !/^[+-][\d\s.,()-]*$/.test(text);
  return false;
};

/**
 * EventBridge event patterns, evaluated locally so the in-process bus applies the same rules as the
 * stack's EventBridge rules. Supported: exact values (strings, numbers, booleans, null), `prefix`,
 * `suffix`, `equals-ignore-case`, `anything-but` (a value, a list, or `{prefix}` / `{suffix}`), `exists`,
 * `numeric` ranges, `wildcard`, nested objects and `$or`. Semantics follow EventBridge: every key of the
 * pattern must match; a list matches if any of its entries matches; an array in the event matches if
 * any element does; a missing field matches only `{ "exists": false }`.
 */
export type EventPattern = { [key: string]: PatternValue };
type PatternValue = readonly Matcher[] | EventPattern | readonly EventPattern[];
type Scalar = string | number | boolean | null;
type Matcher =
  | Scalar
  | { prefix: string }
  | { suffix: string }
  | { 'equals-ignore-case': string }
  | { 'anything-but': Scalar | readonly Scalar[] | { prefix: string } | { suffix: string } }
  | { exists: boolean }
  | { numeric: readonly (string | number)[] }
  | { wildcard: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether `event` (the whole envelope: `source`, `detail-type`, `detail`, …) matches `pattern`. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (!isObject(event)) return false;
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === '$or') {
      return Array.isArray(expected) && (expected as EventPattern[]).some((p) => matchesPattern(p, event));
    }
    const present = Object.hasOwn(event, key);
    const actual = event[key];
    if (Array.isArray(expected)) return matchField(expected as readonly Matcher[], present, actual);
    if (isObject(expected))
      return present && isObject(actual) && matchesPattern(expected as EventPattern, actual);
    throw new Error(`Invalid event pattern at "${key}": expected a list or an object`);
  });
}

function matchField(matchers: readonly Matcher[], present: boolean, actual: unknown): boolean {
  const values: unknown[] = Array.isArray(actual) ? actual : [actual];
  return matchers.some((m) => {
    if (isObject(m) && 'exists' in m) return m.exists === (present && actual !== undefined);
    if (!present) return false;
    if (isObject(m) && 'anything-but' in m)
      return values.every((v) => !matchOne(anythingButAsMatcher(m['anything-but']), v));
    return values.some((v) => matchOne(m, v));
  });
}

/** `anything-but` negates a value, a list of values, or a prefix/suffix matcher. */
function anythingButAsMatcher(inner: Scalar | readonly Scalar[] | { prefix: string } | { suffix: string }) {
  return (v: unknown) => {
    if (Array.isArray(inner)) return inner.some((s) => s === v);
    return matchOne(inner as Matcher, v);
  };
}

function matchOne(matcher: Matcher | ((v: unknown) => boolean), value: unknown): boolean {
  if (typeof matcher === 'function') return matcher(value);
  if (!isObject(matcher)) return matcher === value;
  if ('prefix' in matcher) return typeof value === 'string' && value.startsWith(matcher.prefix);
  if ('suffix' in matcher) return typeof value === 'string' && value.endsWith(matcher.suffix);
  if ('equals-ignore-case' in matcher) {
    return typeof value === 'string' && value.toLowerCase() === matcher['equals-ignore-case'].toLowerCase();
  }
  if ('numeric' in matcher) return typeof value === 'number' && matchNumeric(matcher.numeric, value);
  if ('wildcard' in matcher) return typeof value === 'string' && wildcardRegex(matcher.wildcard).test(value);
  throw new Error(`Unsupported event pattern matcher: ${JSON.stringify(matcher)}`);
}

function matchNumeric(conditions: readonly (string | number)[], value: number): boolean {
  for (let i = 0; i < conditions.length; i += 2) {
    const op = conditions[i];
    const bound = conditions[i + 1];
    if (typeof bound !== 'number') throw new Error(`numeric matcher needs a number after "${String(op)}"`);
    const ok =
      op === '='
        ? value === bound
        : op === '<'
          ? value < bound
          : op === '<='
            ? value <= bound
            : op === '>'
              ? value > bound
              : op === '>='
                ? value >= bound
                : undefined;
    if (ok === undefined) throw new Error(`numeric matcher has an unknown operator "${String(op)}"`);
    if (!ok) return false;
  }
  return true;
}

const wildcardCache = new Map<string, RegExp>();
function wildcardRegex(wildcard: string): RegExp {
  let re = wildcardCache.get(wildcard);
  if (!re) {
    const source = wildcard
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${source}$`, 's');
    wildcardCache.set(wildcard, re);
  }
  return re;
}

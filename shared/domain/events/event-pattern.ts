/**
 * EventBridge event patterns, evaluated locally so the in-process bus (and webhook subscriptions) apply
 * the same rules as the stack's EventBridge rules. The semantics are those of aws/event-ruler, the engine
 * behind EventBridge, checked case by case against its own test vectors
 * (`test/unit/domain/event-pattern-conformance.test.ts`):
 *
 * - every key of the pattern must match; a list of matchers matches if any of them does;
 * - leaf values: exact strings, numbers (compared as numbers: `3.018e2` is `301.8`), booleans and null
 *   (`"444"` is not `444`); `prefix` / `suffix` (optionally `{ "equals-ignore-case": … }`),
 *   `equals-ignore-case`, `wildcard` (`*`, with `\*` and `\\` escapes), `numeric` ranges, `cidr`
 *   (IPv4 and IPv6), `exists`, and `anything-but` (a value, a list, or `prefix` / `suffix` /
 *   `equals-ignore-case` / `wildcard`, each with one value or a list);
 * - an array in the event is "crushed": each of its leaf values (also in arrays of arrays) is tried, and
 *   objects inside it are candidates for a nested pattern — array-consistently: all the fields a nested
 *   pattern matches inside an array must come from the same element;
 * - `exists` looks at leaves only: a field holding an object (or an empty array) does not exist as a leaf;
 * - a missing field matches only `{ "exists": false }` (also below a missing object);
 * - `$or` (a list of at least two sub-patterns) at any level; `$or` whose value is not a list of
 *   sub-patterns is an ordinary field name (legacy event-ruler behaviour);
 * - keys containing dots are ordinary keys (`"c.count"` is not `c` → `count`).
 *
 * `checkPattern` validates a pattern with EventBridge's rules (see `docs/integrations.md`, "Event patterns").
 */
export type EventPattern = { [key: string]: PatternValue };
type PatternValue = readonly Matcher[] | EventPattern | readonly EventPattern[];
type Scalar = string | number | boolean | null;
type StringOrIgnoreCase = string | { 'equals-ignore-case': string };
type OneOrMany = string | readonly string[];
type Matcher =
  | Scalar
  | { prefix: StringOrIgnoreCase }
  | { suffix: StringOrIgnoreCase }
  | { 'equals-ignore-case': string }
  | {
      'anything-but':
        | Scalar
        | readonly Scalar[]
        | { prefix: OneOrMany }
        | { suffix: OneOrMany }
        | { 'equals-ignore-case': OneOrMany }
        | { wildcard: OneOrMany };
    }
  | { exists: boolean }
  | { numeric: readonly (string | number)[] }
  | { wildcard: string }
  | { cidr: string };

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const OPERATORS = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'anything-but',
  'exists',
  'numeric',
  'wildcard',
  'cidr',
  'exactly',
]);

/** A one-key object naming a match operator (`{ "prefix": … }`), as opposed to a nested sub-pattern. */
const isOperatorObject = (v: unknown): v is Json => {
  if (!isObject(v)) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => OPERATORS.has(k));
};

/** `$or` is a relationship only when its value is a list of sub-patterns; otherwise it is a field name. */
const isOrRelationship = (v: unknown): v is readonly Json[] =>
  Array.isArray(v) && v.length > 0 && v.every((e) => isObject(e) && !isOperatorObject(e));

/** Whether `event` (the whole envelope: `source`, `detail-type`, `detail`, …) matches `pattern`. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (!isObject(event)) return false;
  return matchObject(pattern as Json, event);
}

function matchObject(pattern: Json, node: Json | undefined): boolean {
  for (const [key, expected] of Object.entries(pattern)) {
    if (key === '$or' && isOrRelationship(expected)) {
      if (!expected.some((branch) => matchObject(branch, node))) return false;
      continue;
    }
    const value = node && Object.hasOwn(node, key) ? node[key] : undefined;
    if (Array.isArray(expected)) {
      if (!matchLeaf(expected as readonly Matcher[], leavesOf(value))) return false;
    } else if (isObject(expected)) {
      // Objects inside an array are each a candidate: one element must satisfy the whole sub-pattern.
      const candidates = objectsOf(value);
      const ok =
        candidates.length === 0
          ? matchObject(expected, undefined)
          : candidates.some((candidate) => matchObject(expected, candidate));
      if (!ok) return false;
    } else {
      throw new Error(`Invalid event pattern at "${key}": expected a list or an object`);
    }
  }
  return true;
}

/** The leaf values of a field: the value itself, or every non-object value inside (nested) arrays. */
function leavesOf(value: unknown): unknown[] {
  if (value === undefined || isObject(value)) return [];
  if (Array.isArray(value)) return value.flatMap(leavesOf);
  return [value];
}

/** The objects a nested pattern can be matched against: the value, or every object inside (nested) arrays. */
function objectsOf(value: unknown): Json[] {
  if (isObject(value)) return [value];
  if (Array.isArray(value)) return value.flatMap(objectsOf);
  return [];
}

function matchLeaf(matchers: readonly Matcher[], values: unknown[]): boolean {
  return matchers.some((m) => {
    if (isObject(m) && 'exists' in m) return m.exists === values.length > 0;
    return values.some((v) => matchValue(m, v));
  });
}

function matchValue(matcher: Matcher, value: unknown): boolean {
  if (!isObject(matcher)) return matcher === value;
  const str = typeof value === 'string' ? value : undefined;
  if ('prefix' in matcher) {
    const p = matcher.prefix;
    if (str === undefined) return false;
    return typeof p === 'string'
      ? str.startsWith(p)
      : str.toLowerCase().startsWith(p['equals-ignore-case'].toLowerCase());
  }
  if ('suffix' in matcher) {
    const s = matcher.suffix;
    if (str === undefined) return false;
    return typeof s === 'string'
      ? str.endsWith(s)
      : str.toLowerCase().endsWith(s['equals-ignore-case'].toLowerCase());
  }
  if ('equals-ignore-case' in matcher) {
    return str !== undefined && str.toLowerCase() === matcher['equals-ignore-case'].toLowerCase();
  }
  if ('numeric' in matcher) return typeof value === 'number' && matchNumeric(matcher.numeric, value);
  if ('wildcard' in matcher) return str !== undefined && wildcardRegex(matcher.wildcard).test(str);
  if ('cidr' in matcher) return str !== undefined && cidrContains(matcher.cidr, str);
  if ('anything-but' in matcher) return !excludedBy(matcher['anything-but'], value);
  throw new Error(`Unsupported event pattern matcher: ${JSON.stringify(matcher)}`);
}

/** Whether `anything-but`'s operand excludes the value (values of another type are never excluded). */
function excludedBy(inner: unknown, value: unknown): boolean {
  if (Array.isArray(inner)) return inner.some((s) => s === value);
  if (!isObject(inner)) return inner === value;
  if (typeof value !== 'string') return false;
  const list = (v: unknown): string[] => (Array.isArray(v) ? v : [v]) as string[];
  if ('prefix' in inner) return list(inner.prefix).some((p) => value.startsWith(p));
  if ('suffix' in inner) return list(inner.suffix).some((s) => value.endsWith(s));
  if ('equals-ignore-case' in inner) {
    const lower = value.toLowerCase();
    return list(inner['equals-ignore-case']).some((s) => s.toLowerCase() === lower);
  }
  if ('wildcard' in inner) return list(inner.wildcard).some((w) => wildcardRegex(w).test(value));
  throw new Error(`Unsupported anything-but operand: ${JSON.stringify(inner)}`);
}

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function matchNumeric(conditions: readonly (string | number)[], value: number): boolean {
  for (let i = 0; i < conditions.length; i += 2) {
    const op = conditions[i];
    const bound = conditions[i + 1];
    if (typeof bound !== 'number') throw new Error(`numeric matcher needs a number after "${String(op)}"`);
    const compare = COMPARE[String(op)];
    if (!compare) throw new Error(`numeric matcher has an unknown operator "${String(op)}"`);
    if (!compare(value, bound)) return false;
  }
  return true;
}

const wildcardCache = new Map<string, RegExp>();
/** `*` matches any run of characters (also none); `\*` is a literal star and `\\` a literal backslash. */
function wildcardRegex(wildcard: string): RegExp {
  let re = wildcardCache.get(wildcard);
  if (!re) {
    let source = '';
    for (let i = 0; i < wildcard.length; i++) {
      const c = wildcard[i] as string;
      if (c === '\\' && i + 1 < wildcard.length) {
        i++;
        source += escapeRegex(wildcard[i] as string);
      } else source += c === '*' ? '.*' : escapeRegex(c);
    }
    re = new RegExp(`^${source}$`, 's');
    wildcardCache.set(wildcard, re);
  }
  return re;
}
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

// ---------------------------------------------------------------------------------------------------------
// CIDR (IPv4 and IPv6), on BigInt so both families share one comparison.

function parseIPv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = (n << 8n) | BigInt(Number(p));
  }
  return n;
}

function parseIPv6(s: string): bigint | undefined {
  let text = s;
  if (text.includes('.')) {
    // An IPv4 tail (::ffff:10.0.0.1) becomes the last two 16-bit groups.
    const idx = text.lastIndexOf(':');
    const v4 = parseIPv4(text.slice(idx + 1));
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, idx + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0] as string);
  const rest = halves.length === 2 ? groups(halves[1] as string) : [];
  const total = head.length + rest.length;
  if (total > 8 || (halves.length === 1 && total !== 8) || (halves.length === 2 && total === 8))
    return undefined;
  const words = [...head, ...new Array<string>(8 - total).fill('0'), ...rest];
  let n = 0n;
  for (const w of words) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(w)) return undefined;
    n = (n << 16n) | BigInt(Number.parseInt(w, 16));
  }
  return n;
}

type Cidr = { family: 4 | 6; base: bigint; bits: number };

export function parseCidr(text: string): Cidr | undefined {
  const [ip, maskText, extra] = text.split('/');
  if (ip === undefined || extra !== undefined) return undefined;
  const family: 4 | 6 = ip.includes(':') ? 6 : 4;
  const width = family === 4 ? 32 : 128;
  const base = family === 4 ? parseIPv4(ip) : parseIPv6(ip);
  if (base === undefined) return undefined;
  if (maskText === undefined) return { family, base, bits: width };
  if (!/^\d{1,3}$/.test(maskText) || Number(maskText) > width) return undefined;
  return { family, base, bits: Number(maskText) };
}

function cidrContains(cidr: string, address: string): boolean {
  const range = parseCidr(cidr);
  if (!range) return false;
  const family = address.includes(':') ? 6 : 4;
  if (family !== range.family) return false;
  const ip = family === 4 ? parseIPv4(address) : parseIPv6(address);
  if (ip === undefined) return false;
  const shift = BigInt((family === 4 ? 32 : 128) - range.bits);
  return ip >> shift === range.base >> shift;
}

// ---------------------------------------------------------------------------------------------------------
// Validation, with EventBridge's rules.

export type PatternIssue = { path: string; message: string };
export type PatternCheck = { ok: true; pattern: EventPattern } | { ok: false; issues: PatternIssue[] };

/**
 * Checks a pattern (already parsed from JSON) the way EventBridge's `PutRule` does, answering every problem
 * with its path (`detail.state[0].prefix`). Deliberately stricter than event-ruler in one place: `exactly`
 * (an event-ruler extension that EventBridge does not document) is rejected, so a pattern accepted here is
 * one EventBridge accepts too.
 */
export function checkPattern(pattern: unknown): PatternCheck {
  const issues: PatternIssue[] = [];
  if (!isObject(pattern)) issues.push({ path: '', message: 'An event pattern must be a JSON object' });
  else checkObject(pattern, '', issues);
  return issues.length ? { ok: false, issues } : { ok: true, pattern: pattern as EventPattern };
}

/**
 * Checks a pattern given as JSON text: malformed JSON and numbers JSON.parse would silently turn into
 * `Infinity` or `0` (`1e309`, `1e-325`) are reported before `checkPattern`'s rules.
 */
export function checkPatternJson(text: string): PatternCheck {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, issues: [{ path: '', message: `Not valid JSON: ${(error as Error).message}` }] };
  }
  const bad = numberTokens(text).find((t) => !representable(t));
  if (bad !== undefined) {
    return { ok: false, issues: [{ path: '', message: `Number ${bad} is outside the range of a double` }] };
  }
  return checkPattern(parsed);
}

/** The number literals of a JSON text (outside strings). */
function numberTokens(text: string): string[] {
  const out: string[] = [];
  const re = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
  for (const m of text.matchAll(re)) if (!m[0].startsWith('"')) out.push(m[0]);
  return out;
}

function representable(token: string): boolean {
  const n = Number(token);
  if (!Number.isFinite(n)) return false;
  const mantissa = token.replace(/[eE].*$/, '');
  return n !== 0 || !/[1-9]/.test(mantissa);
}

const at = (path: string, key: string) => (path ? `${path}.${key}` : key);

function checkObject(obj: Json, path: string, issues: PatternIssue[]): void {
  const keys = Object.keys(obj);
  if (keys.length === 0) {
    issues.push({ path, message: 'Objects must not be empty' });
    return;
  }
  for (const key of keys) {
    const value = obj[key];
    const here = at(path, key);
    if (key === '$or' && Array.isArray(value) && value.some((e) => !isOperatorObject(e) && !isScalar(e))) {
      checkOr(obj, value, here, issues);
    } else if (Array.isArray(value)) {
      if (value.length === 0) issues.push({ path: here, message: 'Arrays must not be empty' });
      for (const [i, m] of value.entries()) checkMatcher(m, `${here}[${i}]`, issues);
    } else if (isObject(value)) {
      checkObject(value, here, issues);
    } else {
      issues.push({ path: here, message: 'Values must be in an array, or be a nested object' });
    }
  }
}

function checkOr(parent: Json, branches: unknown[], path: string, issues: PatternIssue[]): void {
  if (branches.length < 2) issues.push({ path, message: '$or needs at least two alternatives' });
  const siblings = new Set(Object.keys(parent).filter((k) => k !== '$or'));
  branches.forEach((branch, i) => {
    if (!isObject(branch)) {
      issues.push({ path: `${path}[${i}]`, message: '$or alternatives must be objects' });
      return;
    }
    checkObject(branch, `${path}[${i}]`, issues);
    for (const key of orKeys(branch)) {
      if (siblings.has(key))
        issues.push({ path: `${path}[${i}].${key}`, message: `Field "${key}" is also matched outside $or` });
    }
  });
}

/** The field names an `$or` alternative matches at its own level (looking through nested `$or`). */
function orKeys(branch: Json): string[] {
  return Object.entries(branch).flatMap(([k, v]) =>
    k === '$or' && isOrRelationship(v) ? v.flatMap(orKeys) : [k],
  );
}

const isScalar = (v: unknown): v is Scalar =>
  v === null ||
  typeof v === 'string' ||
  typeof v === 'boolean' ||
  (typeof v === 'number' && Number.isFinite(v));

function checkMatcher(m: unknown, path: string, issues: PatternIssue[]): void {
  if (isScalar(m)) return;
  if (!isObject(m)) {
    issues.push({
      path,
      message: 'Array values must be strings, numbers, booleans, null or one matcher object',
    });
    return;
  }
  const keys = Object.keys(m);
  const op = keys[0];
  if (keys.length !== 1 || op === undefined) {
    issues.push({ path, message: 'A matcher object must have exactly one operator' });
    return;
  }
  if (!OPERATORS.has(op)) {
    issues.push({ path, message: `Unknown operator "${op}"` });
    return;
  }
  const problem = operandProblem(op, m[op], `${path}.${op}`);
  if (problem) issues.push(problem);
}

/** What is wrong with an operator's operand, if anything. */
function operandProblem(op: string, v: unknown, path: string): PatternIssue | undefined {
  const problem = (message: string) => ({ path, message });
  switch (op) {
    case 'prefix':
    case 'suffix':
      if (typeof v === 'string') return undefined;
      if (isObject(v) && Object.keys(v).length === 1 && typeof v['equals-ignore-case'] === 'string')
        return undefined;
      return problem(`${op} takes a string or { "equals-ignore-case": string }`);
    case 'equals-ignore-case':
      return typeof v === 'string' ? undefined : problem('equals-ignore-case takes a string');
    case 'wildcard': {
      if (typeof v !== 'string') return problem('wildcard takes a string');
      const message = wildcardProblem(v);
      return message ? problem(message) : undefined;
    }
    case 'exists':
      return typeof v === 'boolean' ? undefined : problem('exists takes true or false');
    case 'cidr':
      return typeof v === 'string' && parseCidr(v)
        ? undefined
        : problem('cidr takes an IPv4 or IPv6 CIDR block, e.g. 10.0.0.0/24');
    case 'numeric': {
      const message = numericProblem(v);
      return message ? problem(message) : undefined;
    }
    case 'anything-but':
      return anythingButProblem(v, path);
    default:
      // `exactly`: an event-ruler extension EventBridge does not document (a deliberate disagreement).
      return problem(`${op} is not supported by EventBridge; use the value itself, e.g. ["child"]`);
  }
}

function wildcardProblem(w: string): string | undefined {
  for (let i = 0; i < w.length; i++) {
    if (w[i] === '\\') {
      if (w[i + 1] !== '*' && w[i + 1] !== '\\')
        return `Invalid escape at position ${i}: only \\* and \\\\ are allowed`;
      i++;
    } else if (w[i] === '*' && w[i + 1] === '*') {
      return `Consecutive wildcard characters at position ${i + 1}`;
    }
  }
  return undefined;
}

function numericProblem(v: unknown): string | undefined {
  if (!Array.isArray(v) || v.length === 0) return 'numeric takes a list such as [">", 0, "<=", 5]';
  const pairs: [string, number][] = [];
  for (let i = 0; i < v.length; i += 2) {
    const op = v[i];
    const n = v[i + 1];
    if (typeof op !== 'string' || !(op in COMPARE)) return `Unknown numeric operator ${JSON.stringify(op)}`;
    if (typeof n !== 'number' || !Number.isFinite(n)) return `"${op}" must be followed by a number`;
    pairs.push([op, n]);
  }
  const [first, second] = pairs as [[string, number], [string, number] | undefined];
  if (first[0] === '=') return second ? '"=" cannot be combined with another condition' : undefined;
  if (!second) return undefined;
  if (pairs.length > 2 || !first[0].startsWith('>') || !second[0].startsWith('<'))
    return 'A numeric range is a lower bound (">" or ">=") followed by an upper bound ("<" or "<=")';
  return first[1] < second[1]
    ? undefined
    : 'The lower bound of a numeric range must be below its upper bound';
}

function anythingButProblem(v: unknown, path: string): PatternIssue | undefined {
  const problem = (message: string, at = path) => ({ path: at, message });
  if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) return undefined;
  if (Array.isArray(v)) {
    if (v.length === 0) return problem('anything-but needs at least one value');
    const allStrings = v.every((e) => typeof e === 'string');
    const allNumbers = v.every((e) => typeof e === 'number' && Number.isFinite(e));
    return allStrings || allNumbers
      ? undefined
      : problem('anything-but takes a list of strings or a list of numbers, not a mix');
  }
  if (!isObject(v) || Object.keys(v).length !== 1) {
    return problem(
      'anything-but takes a value, a list, or one of prefix, suffix, equals-ignore-case, wildcard',
    );
  }
  const [op, inner] = Object.entries(v)[0] as [string, unknown];
  const here = `${path}.${op}`;
  if (!['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(op))
    return problem(`anything-but does not take "${op}"`, here);
  const values = Array.isArray(inner) ? inner : [inner];
  if (values.length === 0) return problem('needs at least one value', here);
  if (!values.every((e) => typeof e === 'string'))
    return problem(`anything-but ${op} takes a string or a list of strings`, here);
  if ((op === 'prefix' || op === 'suffix') && values.includes(''))
    return problem(`anything-but ${op} does not take an empty string`, here);
  if (op === 'wildcard') {
    const message = values.map((w) => wildcardProblem(w as string)).find(Boolean);
    if (message) return problem(message, here);
  }
  return undefined;
}

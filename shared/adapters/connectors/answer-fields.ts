import {
  EmptyExpressionError,
  IncompleteExpressionError,
  LexerError,
  ParseError,
  search,
  UnknownFunctionError,
} from '@aws-lambda-powertools/jmespath';
import type { FieldSpec } from '../../domain/customer360/connectors.ts';
import type { ShownField } from '../../domain/customer360/customer-lookup.ts';

/** A list shows at most this many items (the latest repairs, not a history book). */
export const maxListItems = 20;
const maxText = 500;

/** Why a path cannot be read, or null when it is a valid JMESPath expression. */
export function pathProblem(path: string): string | null {
  try {
    search(path, {});
    return null;
  } catch (error) {
    const syntax =
      error instanceof LexerError ||
      error instanceof ParseError ||
      error instanceof IncompleteExpressionError ||
      error instanceof EmptyExpressionError ||
      error instanceof UnknownFunctionError;
    // Type errors on an empty document (`length(repairs)`) say nothing about the expression itself.
    return syntax ? `Not a JMESPath expression: ${(error as Error).message}` : null;
  }
}

export type Extracted = { ok: true; fields: ShownField[] } | { ok: false; message: string };

const text = (value: unknown): string | null => {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.slice(0, maxText);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const parts = value.map(text).filter((p): p is string => p !== null && p !== '');
    return parts.join(' · ').slice(0, maxText);
  }
  if (typeof value === 'object') return text(Object.values(value as Record<string, unknown>));
  return null;
};

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

/** A date as ISO: `YYYY-MM-DD` kept as it is (a contract's last day has no time zone), else ISO 8601 UTC. */
function date(value: unknown): string | null {
  if (typeof value === 'string' && isoDate.test(value.trim())) {
    const d = new Date(`${value.trim()}T00:00:00Z`);
    return Number.isNaN(d.getTime()) ? null : value.trim();
  }
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value.trim())) {
    const d = new Date(value.trim());
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  // Epoch seconds or milliseconds, as some ERPs send them.
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    const d = new Date(value < 1e11 ? value * 1000 : value);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  return null;
}

/** An amount: a number, or a numeric string (`"12,800.00"`); anything else is not money. */
function money(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const cleaned = value.trim().replace(/,/g, '');
    if (/^-?\d+(\.\d+)?$/.test(cleaned)) return Number(cleaned);
  }
  return null;
}

const describe = (value: unknown) =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'a list'
      : typeof value === 'object'
        ? 'an object'
        : typeof value;

/**
 * The fields a connector shows, read from one answer. An answer is malformed when it is not a JSON
 * object, when a required path finds nothing, or when a value cannot be shown in its format; the
 * message names the field and the path so the admin can fix the mapping or the other system its answer.
 */
export function extractFields(answer: unknown, specs: readonly FieldSpec[]): Extracted {
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) {
    return { ok: false, message: `The answer is ${describe(answer)}, not a JSON object` };
  }
  const fields: ShownField[] = [];
  for (const spec of specs) {
    let raw: unknown;
    try {
      raw = search(spec.path, answer as Parameters<typeof search>[1]);
    } catch (error) {
      return {
        ok: false,
        message: `${spec.label.en}: \`${spec.path}\` cannot be read from the answer (${(error as Error).message})`,
      };
    }
    const base = {
      label: spec.label,
      format: spec.format,
      ...(spec.currency ? { currency: spec.currency } : {}),
    };
    if (raw === null || raw === undefined) {
      if (spec.optional) {
        fields.push({ ...base, value: null });
        continue;
      }
      return { ok: false, message: `${spec.label.en}: the answer has nothing at \`${spec.path}\`` };
    }
    const value =
      spec.format === 'date'
        ? date(raw)
        : spec.format === 'money'
          ? money(raw)
          : spec.format === 'list'
            ? Array.isArray(raw)
              ? raw
                  .slice(0, maxListItems)
                  .map(text)
                  .filter((v): v is string => v !== null)
              : null
            : text(raw);
    if (value === null) {
      const wanted = { date: 'a date', money: 'an amount', list: 'a list', text: 'text' }[spec.format];
      return {
        ok: false,
        message: `${spec.label.en}: \`${spec.path}\` is ${describe(raw)}, not ${wanted}`,
      };
    }
    fields.push({ ...base, value });
  }
  return { ok: true, fields };
}

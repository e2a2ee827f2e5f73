import * as z from 'zod';
import type { FieldIssue } from './errors.ts';

/**
 * Keys that name a plain object's prototype machinery. In a map someone else supplied (custom fields,
 * config documents, metadata) they are refused: `constructor` made DynamoDB's marshaller throw (a 500
 * after the ticket number was taken), `__proto__` is silently dropped by zod or, assigned, replaces an
 * object's prototype.
 */
export const prototypeKeys: readonly string[] = ['__proto__', 'constructor', 'prototype'];

export const isPrototypeKey = (key: string) => prototypeKeys.includes(key);

const reservedMessage = (key: string) => `"${key}" is a reserved name; use another key`;

/** `key` as a safe map key: every prototype key is refused. */
export const safeKey = <K extends z.ZodType<string>>(key: K) =>
  key.refine((k) => !isPrototypeKey(k), { message: 'This is a reserved name; use another key' });

/**
 * `z.record(key, value)` for a map whose keys a user, a customer or another system chose: refuses each
 * prototype key with an issue at its own path (`customFields.constructor`), checked on the input, since
 * zod drops `__proto__` before a refinement could see it. Use it for every user-supplied map.
 */
export function safeRecord<K extends z.ZodType<string, string>, V extends z.ZodType>(key: K, value: V) {
  return z.preprocess(
    (input, ctx) => {
      if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
        for (const k of Object.keys(input)) {
          if (isPrototypeKey(k))
            ctx.addIssue({ code: 'custom', path: [k], message: reservedMessage(k), input });
        }
      }
      return input;
    },
    z.record(key, value),
  );
}

/**
 * Every prototype key anywhere in a parsed JSON document (own keys, objects and arrays walked), as
 * field issues with their paths. The API refuses a body with any of them before its schema runs, so a
 * free-form part of a body (`z.unknown()`) is covered too. Walked with a stack, not recursion: a
 * deeply nested body must not overflow the call stack.
 */
export function prototypeKeyIssues(value: unknown): FieldIssue[] {
  interface Step {
    value: unknown;
    key: string | null;
    parent: Step | null;
  }
  // Paths are kept as links to the parent (built only for an issue): a deep body costs no copies.
  const pathOf = (step: Step, key: string) => {
    const parts = [key];
    for (let s: Step | null = step; s?.key != null; s = s.parent) parts.push(s.key);
    return parts.reverse().join('.');
  };
  const issues: FieldIssue[] = [];
  const stack: Step[] = [{ value, key: null, parent: null }];
  for (let step = stack.pop(); step; step = stack.pop()) {
    const node = step.value;
    if (node === null || typeof node !== 'object') continue;
    const parent = step;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) stack.push({ value: node[i], key: String(i), parent });
      continue;
    }
    for (const key of Object.keys(node)) {
      if (isPrototypeKey(key)) {
        issues.push({ path: pathOf(parent, key), message: reservedMessage(key), code: 'reserved_key' });
      } else {
        stack.push({ value: (node as Record<string, unknown>)[key], key, parent });
      }
    }
  }
  return issues;
}

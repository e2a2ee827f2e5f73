import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { WebhookMapping } from '#shared/domain/intake/webhook.ts';
import { AgentProfile } from '#shared/domain/routing/agent.ts';
import { isPrototypeKey, prototypeKeyIssues, safeRecord } from '#shared/domain/safe-record.ts';
import { NewTicket } from '#shared/domain/ticket/ticket.entity.ts';
import { FieldChanges } from '#shared/use-cases/update-ticket.ts';

const pathsOf = (result: z.ZodSafeParseResult<unknown>) =>
  result.success ? [] : result.error.issues.map((i) => i.path.map(String).join('.'));

describe('safeRecord()', () => {
  const Fields = z.object({ customFields: safeRecord(z.string().max(60), z.string()).default({}) });

  it.each(['constructor', '__proto__', 'prototype'])('refuses the key %s at its own path', (key) => {
    const result = Fields.safeParse(JSON.parse(`{"customFields":{"ok":"1","${key}":"y"}}`));
    expect(result.success).toBe(false);
    expect(pathsOf(result)).toEqual([`customFields.${key}`]);
  });

  it('keeps ordinary keys, including ones that only look like Object methods', () => {
    const result = Fields.parse({ customFields: { toString: 'a', hasOwnProperty: 'b', floor: '3' } });
    expect(result.customFields).toEqual({ toString: 'a', hasOwnProperty: 'b', floor: '3' });
  });

  it('still applies the key and value schemas and the default', () => {
    expect(Fields.parse({}).customFields).toEqual({});
    expect(pathsOf(Fields.safeParse({ customFields: { ['k'.repeat(61)]: 'v' } }))).toHaveLength(1);
    expect(pathsOf(Fields.safeParse({ customFields: { a: 1 } }))).toEqual(['customFields.a']);
  });

  it('documents as the record it is (the OpenAPI document reads the schema)', () => {
    const json = z.toJSONSchema(Fields, { io: 'input', unrepresentable: 'any' }) as unknown as {
      properties: { customFields: { type: string; additionalProperties: unknown } };
    };
    expect(json.properties.customFields).toMatchObject({
      type: 'object',
      additionalProperties: { type: 'string' },
    });
  });
});

describe('the user-supplied maps use it', () => {
  it.each([
    [
      'a new ticket’s custom fields',
      NewTicket,
      { subject: 's', customFields: { constructor: 'y' } },
      'customFields.constructor',
    ],
    ['an update’s custom fields', FieldChanges, { customFields: { prototype: 1 } }, 'customFields.prototype'],
    [
      'an agent’s skills',
      AgentProfile,
      { id: 'a', name: 'a', teams: ['t'], capacity: 1, skills: { constructor: 3 } },
      'skills.constructor',
    ],
    [
      'a webhook mapping’s custom fields',
      WebhookMapping,
      { subject: '$.s', customer: { email: '$.e' }, customFields: { constructor: '$.x' } },
      'customFields.constructor',
    ],
  ])('%s', (_what, schema: z.ZodType, value, path) => {
    expect(pathsOf(schema.safeParse(value))).toContain(path);
  });
});

describe('a webhook mapping’s priority table (a union: the issue is inside the union’s branch)', () => {
  it('refuses a prototype key in the value table', () => {
    const result = WebhookMapping.safeParse({
      subject: '$.s',
      customer: { email: '$.e' },
      priority: { path: '$.p', map: { constructor: 'urgent' } },
    });
    expect(result.success).toBe(false);
    const nested = result.error!.issues.flatMap((i) =>
      i.code === 'invalid_union' ? i.errors.flat().map((e) => e.path.map(String).join('.')) : [],
    );
    expect(nested).toContain('map.constructor');
  });
});

describe('prototypeKeyIssues()', () => {
  it('finds prototype keys at any depth, in objects and arrays, with their paths', () => {
    const body = JSON.parse(
      '{"a":{"b":[{"c":1},{"__proto__":{"x":1}}]},"constructor":2,"rules":[{"when":{"prototype":[]}}]}',
    );
    expect(
      prototypeKeyIssues(body)
        .map((i) => i.path)
        .sort(),
    ).toEqual(['a.b.1.__proto__', 'constructor', 'rules.0.when.prototype'].sort());
  });

  it('finds nothing in an ordinary body, and copes with very deep nesting', () => {
    expect(prototypeKeyIssues({ subject: 'constructor', tags: ['__proto__'] })).toEqual([]);
    const deep = JSON.parse(`${'['.repeat(100_000)}{"constructor":1}${']'.repeat(100_000)}`);
    const issues = prototypeKeyIssues(deep);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path.endsWith('.0.constructor')).toBe(true);
  });

  it('names exactly the three prototype keys', () => {
    expect(['__proto__', 'constructor', 'prototype', 'toString', 'proto'].filter(isPrototypeKey)).toEqual([
      '__proto__',
      'constructor',
      'prototype',
    ]);
  });
});

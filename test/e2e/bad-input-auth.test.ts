import { describe, expect, it } from 'vitest';
import { runtimeSuite } from './support/runtime-process.ts';

/**
 * Issue 15, "Bad input and auth", over HTTP against the local runtime: prototype keys in user maps,
 * what a customer may set on a new ticket, and changes without If-Match under contention.
 */
const suite = runtimeSuite({ args: ['--no-seed'] });

const numberOf = (ticketNumber: string) => Number(ticketNumber.replace(/^GD-/, ''));

describe('POST /tickets with prototype keys in customFields', () => {
  it('answers 400 naming the field, for each prototype key, and burns no ticket number', async () => {
    // Prepare
    const { api, tokens } = suite;
    const before = await api('POST', '/tickets', {
      token: tokens.customer,
      body: { subject: 'before the bad ones' },
    });
    expect(before.status).toBe(201);

    // Act
    const answers = [];
    for (const key of ['constructor', '__proto__', 'prototype']) {
      answers.push({
        key,
        response: await api('POST', '/tickets', {
          token: tokens.customer,
          rawBody: `{"subject":"proto","customFields":{"${key}":"y"}}`,
          headers: { 'content-type': 'application/json' },
        }),
      });
    }
    const after = await api('POST', '/tickets', {
      token: tokens.customer,
      body: { subject: 'after the bad ones' },
    });

    // Assess
    for (const { key, response } of answers) {
      expect(response.status, key).toBe(400);
      expect(response.body.error.code, key).toBe('REQUEST.INVALID');
      expect(
        response.body.error.details.fields.map((f: { path: string }) => f.path),
        key,
      ).toContain(`customFields.${key}`);
    }
    expect(after.status).toBe(201);
    expect(numberOf(after.body.number)).toBe(numberOf(before.body.number) + 1);
  });
});

describe('POST /tickets by a customer', () => {
  it('refuses the fields only staff may set with 403, naming them, and creates nothing', async () => {
    // Prepare
    const { api, tokens } = suite;
    const someoneElses = await api('POST', '/tickets', {
      token: tokens.agent,
      body: { subject: 'another customer', customer: { email: 'other@example.com' } },
    });
    const first = await api('POST', '/tickets', { token: tokens.customer, body: { subject: 'count' } });

    // Act
    const response = await api('POST', '/tickets', {
      token: tokens.customer,
      body: {
        subject: 'please hurry',
        priority: 'urgent',
        team: 'network',
        parentId: someoneElses.body.id,
        customer: { email: 'victim@example.com', tier: 'vip' },
      },
    });
    const next = await api('POST', '/tickets', { token: tokens.customer, body: { subject: 'count' } });

    // Assess
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('TICKET.FIELDS_FORBIDDEN');
    expect([...response.body.error.details.fields].sort()).toEqual(
      ['customer.email', 'customer.tier', 'parentId', 'priority', 'team'].sort(),
    );
    expect(numberOf(next.body.number)).toBe(numberOf(first.body.number) + 1);
  });

  it('accepts what a customer may say: subject, description, category, custom fields and a phone', async () => {
    const { api, tokens } = suite;
    const response = await api('POST', '/tickets', {
      token: tokens.customer,
      body: {
        subject: '打印机卡纸',
        description: 'Paper jam on floor 3',
        category: 'hardware',
        customFields: { floor: 3 },
        customer: { phone: '+8613800000000' },
      },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ priority: 'normal', parentId: null, category: 'hardware' });
    expect(response.body.customer.tier).toBe('standard');
  });

  it('refuses parentId to staff too: children are opened with POST /tickets/{id}/children', async () => {
    const { api, tokens } = suite;
    const response = await api('POST', '/tickets', {
      token: tokens.agent,
      body: { subject: 'child?', parentId: 'X', customer: { email: 's@example.com' } },
    });
    expect(response.status).toBe(403);
    expect(response.body.error.details.fields).toEqual(['parentId']);
  });

  it('lets staff set priority and team as before', async () => {
    const { api, tokens } = suite;
    const response = await api('POST', '/tickets', {
      token: tokens.agent,
      body: { subject: 'staff', priority: 'urgent', customer: { email: 's@example.com', tier: 'vip' } },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ priority: 'urgent', customer: { tier: 'vip' } });
  });
});

describe('the portal form', () => {
  it('ignores priority, team, tier and parentId fields a sender adds, and prototype-named fields', async () => {
    // Prepare
    const { api, tokens, runtime } = suite;
    const other = await api('POST', '/tickets', {
      token: tokens.agent,
      body: { subject: 'someone else', customer: { email: 'else@example.com' } },
    });
    const form = new URLSearchParams({
      nonce: `n-${crypto.randomUUID()}`,
      subject: 'portal with extras',
      description: 'the sender tries to choose',
      email: 'portal-sender@example.com',
      priority: 'urgent',
      team: 'network',
      tier: 'vip',
      parentId: other.body.id,
      constructor: 'x',
      lang: 'en',
    });

    // Act
    const response = await fetch(`${runtime.url}/portal`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `${form.toString()}&__proto__=y`,
    });
    const page = await response.text();
    const number = /id="ticket-number">(GD-\d{6})</.exec(page)?.[1];
    const ticket = await api('GET', `/tickets/${number}`, { token: tokens.admin });

    // Assess
    expect(response.status).toBe(201);
    expect(ticket.body).toMatchObject({ priority: 'normal', team: null, parentId: null });
    expect(ticket.body.customer.tier).toBe('standard');
    expect(Object.keys(ticket.body.customFields)).toEqual([]);
  });
});

describe('changes without If-Match under contention', () => {
  it('applies 40 concurrent replies without If-Match: all 201, 40 messages', async () => {
    // Prepare
    const { api, tokens } = suite;
    const created = await api('POST', '/tickets', {
      token: tokens.agent,
      body: { subject: 'hot ticket', customer: { email: 'hot@example.com' } },
    });
    const id = created.body.id;

    // Act
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        api('POST', `/tickets/${id}/replies`, {
          token: tokens.agent,
          body: { body: `reply ${i}` },
        }),
      ),
    );

    // Assess
    const statuses = replies.map((r) => r.status);
    expect(
      statuses.filter((s) => s !== 201),
      JSON.stringify(replies.find((r) => r.status !== 201)?.body),
    ).toEqual([]);
    const messages = await api('GET', `/tickets/${id}/messages`, { token: tokens.agent });
    const bodies = (messages.body.messages ?? messages.body.items ?? messages.body).map(
      (m: { body: string }) => m.body,
    );
    expect(bodies.filter((b: string) => /^reply \d+$/.test(b))).toHaveLength(40);
  });

  it('still answers 412 to a stale If-Match', async () => {
    const { api, tokens } = suite;
    const created = await api('POST', '/tickets', {
      token: tokens.agent,
      body: { subject: 'stale', customer: { email: 'stale@example.com' } },
    });
    await api('POST', `/tickets/${created.body.id}/replies`, {
      token: tokens.agent,
      body: { body: 'moves it on', public: false },
    });
    const response = await api('POST', `/tickets/${created.body.id}/replies`, {
      token: tokens.agent,
      body: { body: 'too late', public: false },
      headers: { 'if-match': '"1"' },
    });
    expect(response.status).toBe(412);
  });
});

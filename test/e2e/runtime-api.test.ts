import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '#infra/local/event-bus.ts';
import { type LocalRuntime, startRuntime } from '#infra/local/runtime.ts';
import { silentLogger } from '#shared/domain/ports.ts';
import { apiClient, removeDataDir, tempDataDir } from './support/runtime-process.ts';

/**
 * The programmatic runtime (`startRuntime`), as benchmarks and later suites use it in-process: the
 * outbox and the bus are reachable directly, the same state is visible over HTTP.
 */
const dataDir = tempDataDir();
const delivered: BusEvent[] = [];
let runtime: LocalRuntime;

const startHere = () =>
  startRuntime({
    port: 0,
    dataDir,
    seed: false,
    timeScale: 600,
    logger: silentLogger,
    rules: [
      {
        name: 'urgent-tickets',
        pattern: { source: ['gongdan'], 'detail-type': ['ticket.created'], detail: { priority: ['urgent'] } },
        target: async (event) => {
          delivered.push(event);
        },
      },
    ],
  });

beforeAll(async () => {
  runtime = await startHere();
});

afterAll(async () => {
  await runtime?.stop();
  removeDataDir(dataDir);
});

describe('startRuntime()', () => {
  it('delivers published events to the rules whose pattern matches, in EventBridge shape', async () => {
    // Prepare
    const api = apiClient(runtime.url);
    const { agent } = await runtime.tokens();
    const customer = { email: 'bus@example.com' };
    // Act
    const urgent = await api('POST', '/tickets', {
      token: agent,
      body: { subject: '机房断电', priority: 'urgent', customer },
    });
    await api('POST', '/tickets', { token: agent, body: { subject: '换个灯泡', priority: 'low', customer } });
    await runtime.events.idle();
    // Assess
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({
      version: '0',
      source: 'gongdan',
      'detail-type': 'ticket.created',
      detail: { ticketId: urgent.body.id, priority: 'urgent', eventId: delivered[0]!.id },
    });
    expect(Date.parse(delivered[0]!.time)).toBeGreaterThanOrEqual(Date.parse(urgent.body.createdAt));
  });

  it('keeps every outbox message, oldest first, on the virtual clock, across a restart', async () => {
    // Prepare
    const before = runtime.clock.now().getTime();
    // Act
    const email = await runtime.outbox.send({
      channel: 'email',
      to: 'huang@hualian.example.com',
      subject: '您的工单已受理',
      body: '我们已收到您的工单。',
      ticketId: 'T1',
      kind: 'ack',
    });
    const sms = await runtime.outbox.send({
      channel: 'sms',
      to: '+8613800000001',
      body: 'SLA 即将超时',
      ticketId: 'T1',
      kind: 'sla.warning',
    });
    await runtime.stop();
    runtime = await startHere();
    const { messages } = (await apiClient(runtime.url)('GET', '/dev/outbox')).body;
    // Assess
    expect(messages).toEqual([email, sms]);
    expect(messages[0]).toEqual({
      id: expect.any(String),
      channel: 'email',
      to: 'huang@hualian.example.com',
      subject: '您的工单已受理',
      body: '我们已收到您的工单。',
      sentAt: expect.any(String),
      ticketId: 'T1',
      kind: 'ack',
    });
    expect(messages[1].subject).toBe('');
    expect(Date.parse(messages[0].sentAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(messages[1].sentAt)).toBeGreaterThanOrEqual(Date.parse(messages[0].sentAt));
    // Time scale 600: the virtual clock is far ahead of the wall clock by now.
    expect(Date.parse(messages[1].sentAt)).toBeGreaterThan(Date.now());
  });

  it('serves the OpenAPI document at GET /openapi.json without a token, the committed one', async () => {
    // Prepare
    const committed = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
    // Act
    const response = await apiClient(runtime.url)('GET', '/openapi.json');
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.body.openapi).toBe('3.1.0');
    expect(Object.keys(response.body.paths)).toContain('/tickets/{id}');
    expect(response.body).toEqual(committed);
  });

  it('maps virtual instants to the wall-clock instants they fall on', () => {
    const now = runtime.clock.now();
    const inTenVirtualMinutes = new Date(now.getTime() + 10 * 60 * 1000);
    // Ten virtual minutes at 600× are one real second away.
    expect(runtime.clock.wallDelayUntil(inTenVirtualMinutes)).toBeGreaterThan(900);
    expect(runtime.clock.wallDelayUntil(inTenVirtualMinutes)).toBeLessThanOrEqual(1000);
    const wall = runtime.clock.toWall(inTenVirtualMinutes);
    expect(Math.abs(runtime.clock.toVirtual(wall).getTime() - inTenVirtualMinutes.getTime())).toBeLessThan(
      600,
    );
  });
});

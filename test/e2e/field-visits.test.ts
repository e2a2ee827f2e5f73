import { createHash, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { setCapacity } from './support/agents.ts';
import { eventually } from './support/eventually.ts';
import { runtimeSuite } from './support/runtime-process.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies field by field and assert on them.
type Json = any;

/** A 1×1 PNG. */
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** The site: 南京东路 800 号. About 120 m north of it, and about 2.2 km west. */
const site = { lat: 31.2349, lng: 121.4759 };
const near = { lat: 31.236, lng: 121.4759, accuracy: 15 };
const far = { lat: 31.2349, lng: 121.4529, accuracy: 20 };

/**
 * Field visits over HTTP against the local runtime (docs/field-service.md): the engineer's steps, each
 * audited with time and position; idempotent retries; the check-in radius; sign-off; bad input refused
 * with nothing stored. The seeded field engineers: u-agent-wang (online), u-agent-zhao (away).
 */
describe('Field visits over HTTP', () => {
  const rt = runtimeSuite();
  const as = (id: string) => rt.tokens.users.find((u) => u.id === id)!.token;
  const wang = () => as('u-agent-wang');

  beforeAll(async () => {
    // Room for every job this file gives the engineer.
    const put = await setCapacity(rt.api, rt.tokens.admin, 'u-agent-wang', 30);
    expect(put.status).toBe(200);
  });

  async function job(
    customer: Record<string, string> = { email: `kunde-${randomUUID().slice(0, 8)}@example.com` },
  ) {
    const created = await rt.api('POST', '/tickets', {
      token: rt.tokens.admin,
      body: {
        subject: '2 号货梯异响',
        description: '货梯运行时有异响',
        team: 'field-repair',
        category: 'elevator',
        customer: { name: '黄先生', ...customer },
        location: { ...site, address: '上海市黄浦区南京东路 800 号' },
      },
    });
    expect(created.status).toBe(201);
    let ticket = created.body as Json;
    if (ticket.assignee !== 'u-agent-wang') {
      const assigned = await rt.api('POST', `/tickets/${ticket.id}/assignment`, {
        token: rt.tokens.supervisor,
        body: { agentId: 'u-agent-wang', reason: '现场工程师' },
      });
      expect(assigned.status).toBe(200);
      ticket = assigned.body;
    }
    const accepted = await rt.api('POST', `/tickets/${ticket.id}/transitions`, {
      token: wang(),
      body: { to: 'open' },
    });
    expect(accepted.status).toBe(200);
    return accepted.body as Json;
  }
  const step = (
    id: string,
    body: Record<string, unknown>,
    token = wang(),
    headers: Record<string, string> = {},
  ) => rt.api('POST', `/tickets/${id}/visits`, { token, body, headers });
  const get = async (id: string) =>
    (await rt.api('GET', `/tickets/${id}`, { token: rt.tokens.admin })).body as Json;
  const history = async (id: string) =>
    ((await rt.api('GET', `/tickets/${id}/history`, { token: rt.tokens.admin })).body.items as Json[]).filter(
      (e) => e.type === 'visit',
    );
  const outbox = async (ticketId: string) =>
    ((await rt.api('GET', '/dev/outbox')).body.messages as Json[]).filter((m) => m.ticketId === ticketId);
  const upload = async (id: string, bytes: Buffer, file: { filename: string; contentType: string }) => {
    const started = await rt.api('POST', `/tickets/${id}/attachments`, {
      token: wang(),
      body: { ...file, size: bytes.length, sha256: sha(bytes), purpose: 'visit-photo' },
    });
    if (started.status !== 201) return started;
    const put = await fetch(started.body.upload.url, {
      method: 'PUT',
      headers: started.body.upload.headers,
      body: bytes,
    });
    expect(put.status).toBe(200);
    return started;
  };

  it('records the whole visit, each step audited with time and position, and resolves on check-out', async () => {
    // Prepare
    const ticket = await job();
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(randomUUID())]);

    // Act
    const start = await step(ticket.id, { action: 'start', lat: 31.2215, lng: 121.5447, accuracy: 30 });
    const arrive = await step(ticket.id, { action: 'arrive', ...near });
    const checkIn = await step(ticket.id, { action: 'check-in', ...near });
    const uploaded = await upload(ticket.id, photo, { filename: 'before.jpg', contentType: 'image/jpeg' });
    const recorded = await step(ticket.id, {
      action: 'record',
      ...near,
      notes: '更换了曳引机轴承',
      parts: [{ name: '轴承 6205', quantity: 2 }],
      photos: [{ attachmentId: uploaded.body.attachment.id, tag: 'before' }],
    });
    const signed = await rt.api('POST', `/tickets/${ticket.id}/sign-off`, {
      token: wang(),
      body: { signerName: '黄先生', signature: `data:image/png;base64,${png.toString('base64')}`, ...near },
    });
    const checkOut = await step(ticket.id, { action: 'check-out', ...near, summary: '更换轴承后试运行正常' });

    // Assess
    expect([
      start.status,
      arrive.status,
      checkIn.status,
      recorded.status,
      signed.status,
      checkOut.status,
    ]).toEqual([201, 201, 201, 201, 201, 201]);
    expect(checkIn.body.step).toMatchObject({ action: 'check-in', outsideRadius: false });
    expect(checkIn.body.step.distanceMeters).toBeGreaterThan(100);
    expect(checkIn.body.step.distanceMeters).toBeLessThan(150);
    expect(checkOut.body.resolution).toEqual({ resolved: true });
    const after = await get(ticket.id);
    expect(after.status).toBe('resolved');
    expect(after.visits).toHaveLength(1);
    const visit = after.visits[0];
    expect(visit).toMatchObject({
      engineer: 'u-agent-wang',
      status: 'completed',
      flagged: false,
      summary: '更换轴承后试运行正常',
      notes: [expect.objectContaining({ text: '更换了曳引机轴承' })],
      parts: [expect.objectContaining({ name: '轴承 6205', quantity: 2 })],
      photos: [expect.objectContaining({ attachmentId: uploaded.body.attachment.id, tag: 'before' })],
      signOff: expect.objectContaining({ signerName: '黄先生', sha256: sha(png), size: png.length }),
    });
    expect(visit.signOff.sourceIp).toBeTruthy();
    const audited = await history(ticket.id);
    expect(audited.map((e) => e.data.action)).toEqual([
      'start',
      'arrive',
      'check-in',
      'record',
      'sign-off',
      'check-out',
    ]);
    for (const e of audited) {
      expect(e.actor.id).toBe('u-agent-wang');
      expect(e.at).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(e.data.position).toMatchObject({ lat: expect.any(Number), lng: expect.any(Number) });
    }
    expect(audited.find((e) => e.data.action === 'sign-off').data).toMatchObject({
      sha256: sha(png),
      signerName: '黄先生',
    });
    const attachments = (await rt.api('GET', `/tickets/${ticket.id}/attachments`, { token: rt.tokens.admin }))
      .body.items;
    expect(attachments.map((a: Json) => [a.contentType, a.status])).toEqual(
      expect.arrayContaining([
        ['image/jpeg', 'stored'],
        ['image/png', 'stored'],
      ]),
    );
    const eta = await eventually(
      async () => (await outbox(ticket.id)).find((m) => m.kind === 'visit.eta'),
      10_000,
    );
    expect(eta.to).toBe(ticket.customer.email);
    expect(eta.body).toMatch(/预计约 \d+ 分钟到达/);
  });

  it('records a check-in sent twice (same Idempotency-Key or clientId) once', async () => {
    const ticket = await job();
    await step(ticket.id, { action: 'start', ...near });
    const key = `ci-${randomUUID()}`;

    const [first, second] = await Promise.all([
      step(ticket.id, { action: 'check-in', ...near }, wang(), { 'idempotency-key': key }),
      step(ticket.id, { action: 'check-in', ...near }, wang(), { 'idempotency-key': key }),
    ]);
    const third = await step(ticket.id, { action: 'check-in', ...near, clientId: key });
    const reused = await step(ticket.id, { action: 'check-out', ...near, summary: 'x', clientId: key });

    expect([first.status, second.status].sort()).toEqual([200, 201]);
    expect(third.status).toBe(200);
    expect(third.headers.get('idempotent-replayed')).toBe('true');
    expect(reused.status).toBe(422);
    const audited = await history(ticket.id);
    expect(audited.filter((e) => e.data.action === 'check-in')).toHaveLength(1);
    expect((await get(ticket.id)).visits[0].steps.map((s: Json) => s.action)).toEqual(['start', 'check-in']);
  });

  it('sends the ETA by SMS to a customer known only by phone', async () => {
    const ticket = await job({ phone: '+8613900001111' });
    const started = await step(ticket.id, { action: 'start', ...far });
    expect(started.status).toBe(201);
    const sms = await eventually(
      async () => (await outbox(ticket.id)).find((m) => m.kind === 'visit.eta'),
      10_000,
    );
    expect(sms).toMatchObject({ channel: 'sms', to: '+8613900001111' });
  });

  it('flags, but does not refuse, a check-in outside the radius', async () => {
    const ticket = await job();
    await step(ticket.id, { action: 'start', ...far });

    const checkIn = await step(ticket.id, { action: 'check-in', ...far });

    expect(checkIn.status).toBe(201);
    expect(checkIn.body.step.outsideRadius).toBe(true);
    expect(checkIn.body.step.distanceMeters).toBeGreaterThan(2000);
    expect(checkIn.body.visit.flagged).toBe(true);
    const [, audit] = await history(ticket.id);
    expect(audit.data).toMatchObject({ action: 'check-in', outsideRadius: true, radiusMeters: 500 });
  });

  it('refuses bad input with a clear 4xx and stores nothing', async () => {
    // Prepare
    const ticket = await job();
    const before = (await get(ticket.id)).version;

    // Act + Assess: coordinates out of range
    const outOfRange = await step(ticket.id, { action: 'start', lat: 91, lng: 200, accuracy: 5 });
    expect(outOfRange.status).toBe(400);
    expect(outOfRange.body.error.details.fields.map((f: Json) => f.path).sort()).toEqual(['lat', 'lng']);
    // not the assigned engineer: another field engineer, and a desk agent
    const zhao = await step(ticket.id, { action: 'start', ...near }, as('u-agent-zhao'));
    const zhang = await step(ticket.id, { action: 'start', ...near }, rt.tokens.agent);
    expect([zhao.status, zhang.status]).toEqual([403, 403]);
    expect(zhao.body.error.code).toBe('VISIT.NOT_ASSIGNED');
    // out of order: check-in before start, check-out before check-in
    const early = await step(ticket.id, { action: 'check-in', ...near });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('VISIT.OUT_OF_ORDER');
    // a signature before check-in is out of order too
    const signedEarly = await rt.api('POST', `/tickets/${ticket.id}/sign-off`, {
      token: wang(),
      body: { signerName: '黄先生', signature: `data:image/png;base64,${png.toString('base64')}` },
    });
    expect(signedEarly.status).toBe(409);
    expect((await get(ticket.id)).version).toBe(before);

    await step(ticket.id, { action: 'start', ...near });
    const outOfOrder = await step(ticket.id, { action: 'check-out', ...near, summary: 'x' });
    expect(outOfOrder.status).toBe(409);
    await step(ticket.id, { action: 'check-in', ...near });
    const atCheckIn = (await get(ticket.id)).version;

    // a signature that is not a PNG (a JPEG data URL; PNG claimed over other bytes)
    const jpeg = await rt.api('POST', `/tickets/${ticket.id}/sign-off`, {
      token: wang(),
      body: { signerName: '黄先生', signature: 'data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ==' },
    });
    const fake = await rt.api('POST', `/tickets/${ticket.id}/sign-off`, {
      token: wang(),
      body: {
        signerName: '黄先生',
        signature: `data:image/png;base64,${Buffer.from('GIF89a not a png at all').toString('base64')}`,
      },
    });
    expect([jpeg.status, fake.status]).toEqual([400, 400]);
    expect(fake.body.error.details.fields).toEqual([
      expect.objectContaining({ path: 'signature', code: 'not_png' }),
    ]);
    // a photo that is not an image, or over the limit
    const pdf = await rt.api('POST', `/tickets/${ticket.id}/attachments`, {
      token: wang(),
      body: {
        filename: 'report.pdf',
        contentType: 'application/pdf',
        size: 100,
        sha256: 'a'.repeat(64),
        purpose: 'visit-photo',
      },
    });
    const huge = await rt.api('POST', `/tickets/${ticket.id}/attachments`, {
      token: wang(),
      body: {
        filename: 'site.jpg',
        contentType: 'image/jpeg',
        size: 6 * 1024 * 1024,
        sha256: 'b'.repeat(64),
        purpose: 'visit-photo',
      },
    });
    expect([pdf.status, huge.status]).toEqual([415, 413]);
    expect(huge.body.error.details.fields).toEqual([expect.objectContaining({ path: 'size' })]);
    // a PDF uploaded as an ordinary attachment cannot be a visit photo
    const doc = Buffer.from(`%PDF-1.4 ${randomUUID()}`);
    const started = await rt.api('POST', `/tickets/${ticket.id}/attachments`, {
      token: wang(),
      body: { filename: 'report.pdf', contentType: 'application/pdf', size: doc.length, sha256: sha(doc) },
    });
    await fetch(started.body.upload.url, { method: 'PUT', headers: started.body.upload.headers, body: doc });
    const notPhoto = await step(ticket.id, {
      action: 'record',
      photos: [{ attachmentId: started.body.attachment.id, tag: 'after' }],
    });
    expect(notPhoto.status).toBe(415);
    // check-out that resolves needs a summary
    const noSummary = await step(ticket.id, { action: 'check-out', ...near });
    expect(noSummary.status).toBe(400);
    expect(noSummary.body.error.details.fields).toEqual([expect.objectContaining({ path: 'summary' })]);

    // nothing half-stored
    const after = await get(ticket.id);
    expect(after.version).toBe(atCheckIn);
    expect(after.visits[0].signOff).toBeNull();
    expect(after.visits[0].photos).toEqual([]);
    expect(after.status).toBe('open');
    const audited = await history(ticket.id);
    expect(audited.map((e) => e.data.action)).toEqual(['start', 'check-in']);
    const files = (await rt.api('GET', `/tickets/${ticket.id}/attachments`, { token: rt.tokens.admin })).body
      .items;
    expect(files.filter((f: Json) => f.contentType === 'image/png')).toEqual([]);
  });

  it("lists the engineer's jobs in visiting order, and a declined job goes back to routing", async () => {
    const ticket = await job();

    const listed = await rt.api('GET', `/field/jobs?lat=${far.lat}&lng=${far.lng}`, { token: wang() });
    const declined = await rt.api('POST', `/tickets/${ticket.id}/decline`, {
      token: wang(),
      body: { reason: '车辆故障，无法前往' },
    });
    const again = await rt.api('POST', `/tickets/${ticket.id}/decline`, {
      token: wang(),
      body: { reason: 'x' },
    });

    expect(listed.status).toBe(200);
    const mine = listed.body.items.find((j: Json) => j.id === ticket.id);
    expect(mine.distanceMeters).toBeGreaterThan(2000);
    expect(mine.navigationUrl).toMatch(/^https:\/\/uri\.amap\.com\/marker\?position=121\.4759,31\.2349/);
    expect(declined.status).toBe(200);
    expect(declined.body.assignee).not.toBe('u-agent-wang');
    expect(declined.body.routing.explanation.params.reason).toBe('车辆故障，无法前往');
    expect(again.status).toBe(403);
    const afterJobs = await rt.api('GET', '/field/jobs', { token: wang() });
    expect(afterJobs.body.items.some((j: Json) => j.id === ticket.id)).toBe(false);
  });
});

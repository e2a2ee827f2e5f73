import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setCapacity } from './support/agents.ts';
import {
  type ConsoleWorld,
  desktop,
  expectAccessible,
  phone,
  shot,
  startConsoleWorld,
} from './support/console-browser.ts';
import { eventually } from './support/eventually.ts';

// biome-ignore lint/suspicious/noExplicitAny: API bodies are asserted field by field
type Json = any;

/**
 * The field engineers' app (`/console/field/`, docs/field-service.md) in Chromium on a 390 px phone with
 * an emulated position: sign in as the seeded field engineer u-agent-wang, see today's jobs, accept one,
 * go through the visit (check-in inside and outside the radius, a photo, a signature drawn with pointer
 * events, check-out); and the same with the phone offline midway, ending with one of each action.
 */
let world: ConsoleWorld;
const site = { latitude: 31.2349, longitude: 121.4759 };
const near = { latitude: 31.236, longitude: 121.4759, accuracy: 15 };
const far = { latitude: 31.2349, longitude: 121.4529, accuracy: 20 };
const photo = readFileSync(join(import.meta.dirname, '../../console/public/field/icon-512.png'));

beforeAll(async () => {
  world = await startConsoleWorld();
  // Room for every job this file gives the engineer.
  const put = await setCapacity(world.api, world.tokens.admin, 'u-agent-wang', 30);
  expect(put.status).toBe(200);
});

afterAll(() => world?.stop());

async function job(subject: string) {
  const created = await world.api('POST', '/tickets', {
    token: world.tokens.admin,
    body: {
      subject,
      description: '货梯运行时有异响，请上门检查。',
      team: 'field-repair',
      category: 'elevator',
      customer: { name: '黄先生', email: `huang-${Date.now()}@hualian.example.com` },
      location: { lat: site.latitude, lng: site.longitude, address: '上海市黄浦区南京东路 800 号' },
    },
  });
  expect(created.status).toBe(201);
  let ticket = created.body as Json;
  if (ticket.assignee !== 'u-agent-wang') {
    const assigned = await world.api('POST', `/tickets/${ticket.id}/assignment`, {
      token: world.tokens.supervisor,
      body: { agentId: 'u-agent-wang', reason: '现场工程师' },
    });
    expect(assigned.status).toBe(200);
    ticket = assigned.body;
  }
  return ticket;
}

const visitActions = async (id: string) =>
  ((await world.api('GET', `/tickets/${id}/history`, { token: world.tokens.admin })).body.items as Json[])
    .filter((e) => e.type === 'visit')
    .map((e) => e.data);

async function phoneApp(lang: 'zh' | 'en', geolocation = near) {
  const context = await world.browser.newContext({
    viewport: phone,
    deviceScaleFactor: 2,
    hasTouch: true,
    locale: lang === 'en' ? 'en-US' : 'zh-CN',
    geolocation,
    permissions: ['geolocation'],
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${world.runtime.url}/console/field/`);
  await page.locator('button[data-user="u-agent-wang"]').click();
  await page.getByTestId('jobs').waitFor();
  return { context, page, errors };
}

/** A signature: two strokes with the mouse, which Chromium delivers as pointer events. */
async function sign(page: Page) {
  const pad = page.getByTestId('signature');
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  await page.mouse.move(box.x + 30, box.y + 120);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++)
    await page.mouse.move(box.x + 30 + i * 22, box.y + 120 - Math.sin(i / 2) * 50);
  await page.mouse.up();
  await page.mouse.move(box.x + 60, box.y + 60);
  await page.mouse.down();
  await page.mouse.move(box.x + 250, box.y + 140, { steps: 8 });
  await page.mouse.up();
  // Both strokes are on the canvas: ink where only the first one ended (x 294, y ≈ 134).
  const ink = await page.evaluate<number>(`(() => {
    const c = document.querySelector('[data-testid=signature]');
    const r = c.width / c.getBoundingClientRect().width;
    const d = c.getContext('2d').getImageData(284 * r, 124 * r, 20 * r, 20 * r).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  })()`);
  expect(ink).toBeGreaterThan(0);
}

async function openJob(page: Page, number: string, accept: string, open: string) {
  const card = page.locator(`[data-job="${number}"]`);
  await card.getByRole('button', { name: accept }).click();
  await card.getByRole('button', { name: open }).click();
}

const notice = (page: Page) => page.locator('.fld-notice').first();

describe("The field engineers' app on a phone", () => {
  it('shows the manifest and service worker that make it installable', async () => {
    const { context, page } = await phoneApp('zh');
    // Evaluated as text: tests have no DOM types.
    const manifest = await page.evaluate<Json>(
      "fetch(document.querySelector('link[rel=manifest]').getAttribute('href')).then((r) => r.json())",
    );
    const scope = await page.evaluate<string>('navigator.serviceWorker.ready.then((r) => r.scope)');
    expect(manifest).toMatchObject({ start_url: '/console/field/', display: 'standalone' });
    expect(manifest.icons.map((i: Json) => i.sizes)).toEqual(['192x192', '512x512']);
    expect(scope).toBe(`${world.runtime.url}/console/field/`);
    await context.close();
  });

  it('takes a job from acceptance to check-out, with a flagged and an unflagged check-in', async () => {
    // Prepare: two jobs for the engineer
    const a = await job('2 号货梯异响');
    const b = await job('地下车库照明故障');
    const { context, page, errors } = await phoneApp('zh');
    await page.locator(`[data-job="${a.number}"]`).waitFor();
    await expect.poll(() => page.locator(`[data-job="${a.number}"]`).innerText()).toMatch(/\d+\s米/);
    await expectAccessible(page, 'field jobs zh');
    await shot(page, 'field-jobs-zh-phone');
    expect(
      await page.locator(`[data-job="${a.number}"] a`, { hasText: '导航' }).getAttribute('href'),
    ).toMatch(/^https:\/\/uri\.amap\.com\/marker\?position=121\.4759,31\.2349/);

    // Act: job b — check in 2 km away (flagged), then back to the list
    await context.setGeolocation(far);
    await openJob(page, b.number, '接受', '处理');
    await page.getByRole('button', { name: '出发（通知客户）' }).click();
    await page.getByRole('button', { name: '签到（定位）' }).click();
    await expect.poll(() => page.getByTestId('checkin-distance').innerText()).toMatch(/超出范围/);
    await page.getByRole('button', { name: /今日工单/ }).click();

    // Act: job a — inside the radius, photo, notes and a part, signature, check-out
    await context.setGeolocation(near);
    await openJob(page, a.number, '接受', '处理');
    await page.getByRole('button', { name: '出发（通知客户）' }).click();
    await page.getByRole('button', { name: '已到达现场' }).click();
    await page.getByRole('button', { name: '签到（定位）' }).click();
    await expect
      .poll(() => page.getByTestId('checkin-distance').innerText())
      .toMatch(/已签到：距现场 1\d\d\s米/);
    await page
      .getByTestId('photo-before')
      .setInputFiles({ name: 'site.png', mimeType: 'image/png', buffer: photo });
    await expect.poll(() => page.getByTestId('photo-count').innerText()).toBe('已拍 1 张');
    await page.getByLabel('工作备注').fill('更换曳引机轴承，试运行正常');
    await page.getByLabel('使用配件').fill('轴承 6205');
    await page.getByLabel('数量').fill('2');
    await page.getByRole('button', { name: '保存记录' }).click();
    await expect.poll(() => notice(page).innerText()).toMatch(/记录已保存/);
    await sign(page);
    await shot(page, 'field-signature-zh-phone');
    await page.getByRole('button', { name: '确认签名' }).click();
    await page.getByTestId('signed').waitFor();
    await page.getByLabel('处理结果（必填）').fill('更换轴承后试运行正常');
    await expectAccessible(page, 'field visit zh');
    await shot(page, 'field-visit-zh-phone');
    await page.getByRole('button', { name: '签退并完成' }).click();
    await expect.poll(() => notice(page).innerText()).toMatch(/已签退/);

    // Assess: each action once, in order, with the photo, signature and resolution
    const actions = await visitActions(a.id);
    expect(actions.map((d) => d.action)).toEqual([
      'start',
      'arrive',
      'check-in',
      'record',
      'record',
      'sign-off',
      'check-out',
    ]);
    expect(actions[2]).toMatchObject({ outsideRadius: false });
    expect(actions[3].photos).toEqual([expect.objectContaining({ tag: 'before' })]);
    expect(actions[4]).toMatchObject({
      notes: '更换曳引机轴承，试运行正常',
      parts: [{ name: '轴承 6205', quantity: 2 }],
    });
    expect(actions[5].sha256).toMatch(/^[0-9a-f]{64}$/);
    const ticket = (await world.api('GET', `/tickets/${a.id}`, { token: world.tokens.admin })).body;
    expect(ticket.status).toBe('resolved');
    const files = (await world.api('GET', `/tickets/${a.id}/attachments`, { token: world.tokens.admin })).body
      .items;
    expect(files.map((f: Json) => f.contentType).sort()).toEqual(['image/jpeg', 'image/png']);
    const jpeg = files.find((f: Json) => f.contentType === 'image/jpeg');
    expect(jpeg.size).toBeLessThan(photo.length * 20);
    const flagged = await visitActions(b.id);
    expect(flagged.find((d) => d.action === 'check-in')).toMatchObject({ outsideRadius: true });
    expect(errors).toEqual([]);
    await context.close();

    // The console's ticket view shows the visit (desktop)
    const { page: desk, context: deskContext } = await world.signedIn('u-sup-field', { viewport: desktop });
    await desk.goto(`${world.runtime.url}/console/tickets/${a.id}`);
    await desk.locator('[data-panel="visits"]').waitFor();
    await desk.locator('[data-panel="visits"]').scrollIntoViewIfNeeded();
    expect(await desk.locator('[data-panel="visits"]').innerText()).toMatch(/黄先生[\s\S]*SHA-256/);
    await shot(desk, 'field-visits-panel-zh-desktop');
    await deskContext.close();
  });

  it('queues what is done offline and sends it once back online: one of each action', async () => {
    // Prepare
    const c = await job('配电房跳闸');
    const { context, page, errors } = await phoneApp('en');
    await openJob(page, c.number, 'Accept', 'Open');
    await page.getByRole('button', { name: 'Start (notify the customer)' }).click();
    await expect.poll(async () => (await visitActions(c.id)).length).toBe(1);
    // The app has finished sending and reloading (a reload cut off by going offline hangs the buttons)
    await page.getByText('On the way; the customer has the ETA').waitFor();
    await expect
      .poll(() => page.getByRole('button', { name: 'Check in (position)' }).first().isEnabled())
      .toBe(true);
    expect(await page.getByRole('status').first().innerText()).toBe('Online');

    // Act: offline, from check-in to check-out
    await context.setOffline(true);
    await context.setGeolocation(far);
    await page.getByRole('button', { name: 'Check in (position)' }).first().click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toMatch(/Offline · 1 to send/);
    await page
      .getByTestId('photo-after')
      .setInputFiles({ name: 'after.png', mimeType: 'image/png', buffer: photo });
    await sign(page);
    await page.getByRole('button', { name: 'Confirm signature' }).click();
    await page.getByLabel('What was done (required)').fill('Breaker replaced; power restored');
    await page.getByRole('button', { name: 'Check out and finish' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toMatch(/Offline · 4 to send/);
    await shot(page, 'field-offline-en-phone');
    const whileOffline = await visitActions(c.id);
    await context.setOffline(false);

    // Assess: nothing reached the server while offline; then each action exactly once
    expect(whileOffline.map((d) => d.action)).toEqual(['start']);
    await eventually(async () => ((await visitActions(c.id)).length === 5 ? true : undefined), 20_000);
    await page.reload();
    await page.getByTestId('jobs').waitFor();
    await page.waitForTimeout(1000);
    const actions = await visitActions(c.id);
    expect(actions.map((d) => d.action)).toEqual(['start', 'check-in', 'record', 'sign-off', 'check-out']);
    expect(actions[1]).toMatchObject({ outsideRadius: true });
    expect(actions[2].photos).toEqual([expect.objectContaining({ tag: 'after' })]);
    const ticket = (await world.api('GET', `/tickets/${c.id}`, { token: world.tokens.admin })).body;
    expect(ticket.status).toBe('resolved');
    expect(ticket.visits).toHaveLength(1);
    expect(await page.getByRole('status').first().innerText()).toBe('Online');
    await shot(page, 'field-jobs-en-phone');
    expect(errors).toEqual([]);
    await context.close();
  });
});

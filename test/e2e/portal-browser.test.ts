import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  type RuntimeProcess,
  removeDataDir,
  startRuntimeProcess,
} from './support/runtime-process.ts';

/**
 * The customer portal in a real headless Chromium (Debian's `chromium`, driven by playwright-core):
 * the pages work without JavaScript (the intake form's one script only adds upload progress; see
 * portal-customer.test.ts), so this is what any browser gets.
 */
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** One payload for every free-text field: it must come back as text, never as markup or a dialog. */
const xss = `<img src=x onerror=alert(1)>"'`;

let runtime: RuntimeProcess;
let profile: string;
let browser: BrowserContext;
const dialogs: string[] = [];

beforeAll(async () => {
  profile = mkdtempSync(join(tmpdir(), 'gongdan-chromium-'));
  // The runtime and the browser start side by side; whichever started is stopped in afterAll.
  const [started, launched] = await Promise.allSettled([
    startRuntimeProcess({ args: ['--no-seed'] }),
    chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: chromiumArgs,
      viewport: { width: 390, height: 844 }, // a phone
      locale: 'zh-CN',
    }),
  ]);
  if (started.status === 'fulfilled') runtime = started.value;
  if (launched.status === 'fulfilled') browser = launched.value;
  if (started.status === 'rejected') throw started.reason;
  if (launched.status === 'rejected') throw launched.reason;
  browser.on('page', (page) => page.on('dialog', (d) => dialogs.push(d.message())));
});

afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await runtime?.stop();
  if (runtime) removeDataDir(runtime.dataDir);
});

/**
 * Whatever the page shows, nothing may have been injected: no image, no script but the portal's own
 * upload-progress file, no dialog.
 */
async function expectNothingInjected(page: Page) {
  expect(await page.locator('img, script:not([src^="/portal/assets/upload.js?v="])').count()).toBe(0);
  expect(dialogs).toEqual([]);
}

/** Fits a 390 px wide screen without scrolling sideways. */
async function expectFitsPhone(page: Page) {
  const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
  expect(overflow).toBeLessThanOrEqual(0);
}

async function fillIntake(page: Page, values: Record<string, string>) {
  for (const [field, value] of Object.entries(values)) await page.fill(`#${field}`, value);
}

describe('The customer portal in Chromium', () => {
  const email = `portal-${Date.now()}@example.com`;
  let number = '';

  it('submits a request with an attachment and shows the ticket number', async () => {
    // Prepare
    const page = await browser.newPage();
    await page.goto(`${runtime.url}/portal`);
    await expectFitsPhone(page);
    expect(await page.locator('h1').textContent()).toBe('提交服务请求');

    // Act: first with a payload in every field (the e-mail is then invalid), as a bot would
    await fillIntake(page, {
      subject: xss,
      description: xss,
      name: xss,
      email: xss,
      phone: xss,
      location: xss,
    });
    await page.evaluate(`document.querySelector('#email').setAttribute('type', 'text')`);
    await page.click('button[type=submit]');

    // Assess: the form comes back with the values as text
    expect(await page.locator('#email-error').textContent()).toBe('请输入有效的电子邮箱');
    for (const field of ['subject', 'description', 'name', 'email', 'phone', 'location']) {
      expect(await page.inputValue(`#${field}`), field).toBe(xss);
    }
    await expectNothingInjected(page);

    // Act: a valid e-mail and phone number, a category and a file
    expect(await page.locator('#phone-error').textContent()).toBe('请输入有效的手机号');
    await page.fill('#email', email);
    await page.fill('#phone', '+86 138 0013 8000');
    await page.selectOption('#category', 'elevator');
    await page.setInputFiles('#attachments', {
      name: '现场照片.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('电梯停在 3 楼'),
    });
    await page.click('button[type=submit]');

    // Assess
    number = (await page.locator('#ticket-number').textContent()) ?? '';
    expect(number).toMatch(/^GD-\d{6}$/);
    expect(await page.locator('h1').textContent()).toBe('提交成功');
    await expectNothingInjected(page);
    await expectFitsPhone(page);
    await page.close();
  });

  it('looks up the status by number and e-mail, with the request shown as text', async () => {
    // Prepare
    const page = await browser.newPage();
    await page.goto(`${runtime.url}/portal/status?lang=en&number=${number}`);
    expect(await page.inputValue('#number')).toBe(number);

    // Act
    await page.fill('#email', email.toUpperCase());
    await page.click('button[type=submit]');

    // Assess
    expect(await page.locator('#ticket-number').textContent()).toBe(number);
    expect(await page.locator('#ticket-status').textContent()).toBe('New');
    expect(await page.locator('h1').textContent()).toBe(`${number} · ${xss}`);
    expect(await page.locator('p.description').textContent()).toBe(xss);
    expect(await page.locator('ul.files li').allTextContents()).toEqual(['现场照片.txt']);
    await expectNothingInjected(page);
    await expectFitsPhone(page);
    await page.close();
  });

  it('replies from the status page and shows the reply in the thread', async () => {
    // Prepare
    const page = await browser.newPage();
    await page.goto(`${runtime.url}/portal/status`);
    await page.fill('#number', number);
    await page.fill('#email', email);
    await page.click('button[type=submit]');

    // Act
    await page.fill('#reply', `还没修好 ${xss}`);
    await page.click('form:has(#reply) button[type=submit]');

    // Assess
    expect(await page.locator('.notice').textContent()).toBe('您的回复已发送。');
    expect(await page.locator('article.message p').allTextContents()).toEqual([`还没修好 ${xss}`]);
    expect(await page.locator('article.message .who').allTextContents()).toEqual(['您']);
    await expectNothingInjected(page);
    await page.close();
  });

  it('tells a wrong e-mail the same as an unknown number', async () => {
    const page = await browser.newPage();
    await page.goto(`${runtime.url}/portal/status?lang=en`);
    await page.fill('#number', number);
    await page.fill('#email', 'someone-else@example.com');
    const response = await Promise.all([
      page.waitForResponse(/\/portal\/status$/),
      page.click('button[type=submit]'),
    ]);
    expect(response[0].status()).toBe(404);
    expect(await page.locator('.alert').textContent()).toBe(
      'No matching ticket: check the number and the e-mail address (or phone number).',
    );
    await page.close();
  });

  it('acknowledges the request by mail, with the number', async () => {
    const api = apiClient(runtime.url);
    let ack: { to: string; subject: string; kind: string } | undefined;
    for (let i = 0; i < 50 && !ack; i++) {
      ack = (await api('GET', '/dev/outbox')).body.messages.find((m: { to: string }) => m.to === email);
      if (!ack) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ack).toMatchObject({ kind: 'ack', subject: expect.stringContaining(`[${number}]`) });
  });
});

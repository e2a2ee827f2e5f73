import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.ts';
import { runtimeSuite } from './support/runtime-process.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field and asserted on.
type Json = any;

/**
 * The customer's side of the portal (issue 14): times in the customer's zone, the expected first
 * response, branding and legal text set by an admin, a phone number instead of an e-mail (updates by
 * SMS), and upload progress as progressive enhancement. Over HTTP and in Chromium.
 */
const rt = runtimeSuite();

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const shots = process.env.SCREENSHOTS_DIR ?? join(process.cwd(), '.screenshots');
let browser: Browser;
let profile: string;

beforeAll(async () => {
  profile = mkdtempSync(join(tmpdir(), 'gongdan-portal-'));
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const desktop = { viewport: { width: 1280, height: 860 } };

/** A multipart form as a browser sends it. */
function multipart(
  fields: Record<string, string>,
  files: { name: string; type: string; content: Buffer }[] = [],
) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files)
    form.append('attachments', new Blob([new Uint8Array(f.content)], { type: f.type }), f.name);
  return form;
}

const submit = (fields: Record<string, string>) =>
  fetch(`${rt.runtime.url}/portal`, {
    method: 'POST',
    body: multipart({ nonce: `n-${crypto.randomUUID()}`, ...fields }),
  });

const lookup = (number: string, contact: string, lang = 'zh') =>
  fetch(`${rt.runtime.url}/portal/status`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ action: 'lookup', number, email: contact, lang }).toString(),
  });

/** "HH:MM" of an instant at a fixed offset (no DST there): the test's own arithmetic, not the portal's. */
const clockAt = (iso: string, offsetHours: number) =>
  new Date(Date.parse(iso) + offsetHours * 3_600_000).toISOString().slice(11, 16);

async function ticketByNumber(number: string): Promise<Json> {
  const found = await rt.api<Json>('GET', `/tickets/${number}`, { token: rt.tokens.admin });
  expect(found.status, number).toBe(200);
  return found.body;
}

const numberOf = (page: string) => /id="ticket-number">(GD-\d{6})</.exec(page)?.[1] ?? '';

describe('The portal configuration (GET/PUT /config/portal)', () => {
  it('starts at the defaults and refuses bad values field by field, a stale version and non-admins', async () => {
    // Act
    const initial = await rt.api<Json>('GET', '/config/portal', { token: rt.tokens.admin });
    const bad = await rt.api<Json>('PUT', '/config/portal', {
      token: rt.tokens.admin,
      body: { logoUrl: 'http://cdn.example.com/logo.png', timeZone: 'Mars/Olympus', servicePhone: 'call us' },
    });
    const agent = await rt.api<Json>('PUT', '/config/portal', { token: rt.tokens.agent, body: {} });
    const unknown = await rt.api<Json>('PUT', '/config/portal', {
      token: rt.tokens.admin,
      body: { colour: 'red' },
    });

    // Assess
    expect(initial.status).toBe(200);
    expect(initial.body).toMatchObject({
      version: 0,
      timeZone: 'Asia/Shanghai',
      logoUrl: null,
      servicePhone: null,
    });
    expect(initial.headers.get('etag')).toBe('"0"');
    expect(bad.status).toBe(400);
    const fields = bad.body.error.details.fields.map((d: Json) => d.path).sort();
    expect(fields).toEqual(['logoUrl', 'servicePhone', 'timeZone']);
    expect(agent.status).toBe(403);
    expect(unknown.status).toBe(400);
    expect((await rt.api<Json>('GET', '/config/portal', { token: rt.tokens.admin })).body.version).toBe(0);
  });
});

describe("The portal's branding, legal text and time zone", () => {
  const brand = '<script>alert(1)</script> 物业服务';

  it('shows what the admin set, escaped, with the logo allowed by the CSP and nothing else', async () => {
    // Prepare
    const put = await rt.api<Json>('PUT', '/config/portal', {
      token: rt.tokens.admin,
      headers: { 'if-match': '"0"' },
      body: {
        companyName: { zh: brand, en: 'Harbour Property Services' },
        logoUrl: 'https://cdn.example.com/brand/logo.png',
        servicePhone: '+86 400-820-8820',
        privacyNote: {
          zh: '我们仅为处理您的请求而使用您的信息。',
          en: 'We use your details only for your request.',
        },
        privacyUrl: 'https://example.com/privacy',
      },
    });
    const stale = await rt.api<Json>('PUT', '/config/portal', {
      token: rt.tokens.admin,
      headers: { 'if-match': '"0"' },
      body: {},
    });

    // Act
    const zh = await fetch(`${rt.runtime.url}/portal`);
    const zhPage = await zh.text();
    const en = await (await fetch(`${rt.runtime.url}/portal/status?lang=en`)).text();

    // Assess
    expect(put.status).toBe(200);
    expect(put.body.version).toBe(1);
    expect(put.headers.get('etag')).toBe('"1"');
    expect(stale.status).toBe(412);
    expect(zhPage).toContain('&lt;script&gt;alert(1)&lt;/script&gt; 物业服务');
    expect(zhPage).not.toContain('<script>alert(1)');
    expect(zhPage).toContain('<img src="https://cdn.example.com/brand/logo.png" alt="" id="brand-logo">');
    expect(zhPage).toContain('href="tel:+864008208820">+86 400-820-8820</a>');
    expect(zhPage).toContain('我们仅为处理您的请求而使用您的信息。 <a href="https://example.com/privacy"');
    expect(en).toContain('<span id="brand-name">Harbour Property Services</span>');
    expect(en).toContain('We use your details only for your request.');
    const csp = zh.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("img-src 'self' https://cdn.example.com;");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');
  });

  it('serves the upload script from the portal itself', async () => {
    const page = await (await fetch(`${rt.runtime.url}/portal`)).text();
    const src = /<script src="([^"]+)" defer><\/script>/.exec(page)?.[1];
    expect(src).toMatch(/^\/portal\/assets\/upload\.js\?v=[0-9a-f]{12}$/);
    const script = await fetch(`${rt.runtime.url}${src}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(await script.text()).toContain("xhr.upload.addEventListener('progress'");
    expect((await fetch(`${rt.runtime.url}/portal/assets/other.js`)).status).toBe(404);
  });

  it('shows times in the configured zone, named', async () => {
    // Prepare: a request, looked up in the default zone (Asia/Shanghai, UTC+8)
    const created = await submit({
      subject: '空调不制冷',
      description: '会议室 3 楼',
      email: 'tz@example.com',
    });
    const number = numberOf(await created.text());
    const ticket = await ticketByNumber(number);
    const shanghai = await (await lookup(number, 'tz@example.com')).text();

    // Act: the admin moves the portal to Berlin (UTC+1 in December)
    const current = await rt.api<Json>('GET', '/config/portal', { token: rt.tokens.admin });
    const { version: _v, ...rest } = current.body;
    const moved = await rt.api<Json>('PUT', '/config/portal', {
      token: rt.tokens.admin,
      headers: { 'if-match': current.headers.get('etag')! },
      body: { ...rest, timeZone: 'Europe/Berlin' },
    });
    const berlin = await (await lookup(number, 'tz@example.com', 'en')).text();

    // Assess
    expect(moved.status).toBe(200);
    expect(shanghai).toContain(`${clockAt(ticket.createdAt, 8)}（中国标准时间）</time>`);
    expect(shanghai).not.toContain(' UTC<');
    expect(berlin).toContain(`${clockAt(ticket.createdAt, 1)} (Central European Standard Time)</time>`);

    // Cleanup: back to the default zone for the tests after this one
    await rt.api<Json>('PUT', '/config/portal', {
      token: rt.tokens.admin,
      headers: { 'if-match': moved.headers.get('etag')! },
      body: { ...rest, timeZone: 'Asia/Shanghai' },
    });
  });

  it('serves an uploaded logo from the portal itself (the CSP then allows no other origin)', async () => {
    // Prepare: a logo drawn by the browser (a PNG)
    const drawing = await browser.newPage({ viewport: { width: 120, height: 40 } });
    await drawing.setContent(
      '<body style="margin:0"><div style="width:120px;height:40px;background:#fff;display:flex;align-items:center;justify-content:center;font:bold 22px sans-serif;color:#0b5cad">HPS</div>',
    );
    const png = await drawing.screenshot({ type: 'png' });
    await drawing.close();
    const current = await rt.api<Json>('GET', '/config/portal', { token: rt.tokens.admin });
    const { version: _v, ...rest } = current.body;

    // Act
    const put = await rt.api<Json>('PUT', '/config/portal', {
      token: rt.tokens.admin,
      headers: { 'if-match': current.headers.get('etag')! },
      body: { ...rest, logoImage: { contentType: 'image/png', data: png.toString('base64') } },
    });
    const notAnImage = await rt.api<Json>('PUT', '/config/portal', {
      token: rt.tokens.admin,
      body: { ...rest, logoImage: { contentType: 'image/svg+xml', data: 'PHN2Zz4=' } },
    });
    const form = await fetch(`${rt.runtime.url}/portal`);
    const logo = await fetch(`${rt.runtime.url}/portal/assets/logo?v=${put.body.version}`);

    // Assess
    expect(put.status).toBe(200);
    expect(notAnImage.status).toBe(400);
    expect(notAnImage.body.error.details.fields[0].path).toBe('logoImage.contentType');
    expect(await form.text()).toContain(
      `<img src="/portal/assets/logo?v=${put.body.version}" alt="" id="brand-logo">`,
    );
    expect(form.headers.get('content-security-policy')).toContain("img-src 'self';");
    expect(logo.status).toBe(200);
    expect(logo.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await logo.arrayBuffer()).equals(png)).toBe(true);
  });
});

describe('A phone number instead of an e-mail address', () => {
  const mobile = '138 0013 8000';
  let number = '';

  it('refuses a request with neither, each field told why', async () => {
    const response = await submit({ subject: '电梯故障', description: '2 号梯停在 5 楼', lang: 'en' });
    const page = await response.text();
    expect(response.status).toBe(400);
    expect(page).toContain('<p class="error" id="email-error">Enter an e-mail address or a phone number</p>');
    expect(page).toContain('<p class="error" id="phone-error">Enter an e-mail address or a phone number</p>');
    const bad = await submit({ subject: '电梯故障', description: '2 号梯', phone: 'abc' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('<p class="error" id="phone-error">请输入有效的手机号</p>');
  });

  it('opens the ticket, says when we will reply, and acknowledges it by SMS', async () => {
    // Act
    const response = await submit({
      subject: '电梯故障',
      description: '2 号梯停在 5 楼',
      phone: mobile,
      name: '王先生',
    });
    const page = await response.text();
    number = numberOf(page);

    // Assess: the page
    expect(response.status).toBe(201);
    const ticket = await ticketByNumber(number);
    expect(ticket.customer).toMatchObject({ phone: mobile });
    expect(ticket.customer.email).toBeUndefined();
    const due = ticket.sla.firstResponseDueAt;
    expect(due).toEqual(expect.any(String));
    expect(page).toMatch(
      new RegExp(
        `id="expected-response">我们将在 <time datetime="${due}">[^<]*${clockAt(due, 8)}（中国标准时间）</time>前回复您。`,
      ),
    );
    expect(page).toContain('确认短信已发送至您的手机');

    // Assess: the acknowledgement went by SMS, in E.164, with the number
    const sms = await eventually(async () => {
      const { body } = await rt.api<{ messages: Json[] }>('GET', '/dev/outbox');
      return body.messages.find((m) => m.channel === 'sms' && m.ticketId === ticket.id);
    }, 20_000);
    expect(sms).toMatchObject({ to: '+8613800138000', kind: 'ack' });
    expect(sms.body).toContain(number);
    expect(sms.body).toContain(`${clockAt(due, 8)}（中国标准时间） 前回复您`);
    expect(sms.body).toContain(`/portal/status?number=${number}`);
    const { body } = await rt.api<{ messages: Json[] }>('GET', '/dev/outbox');
    expect(body.messages.filter((m) => m.ticketId === ticket.id && m.channel === 'email')).toEqual([]);
  });

  it('finds the ticket by number and phone number (however it is written), not by a wrong one', async () => {
    const found = await lookup(number, '13800138000');
    const page = await found.text();
    expect(found.status).toBe(200);
    expect(page).toContain(`id="ticket-number">${number}<`);
    expect(page).toContain('id="expected-response">我们将在');
    expect((await lookup(number, '13900139000')).status).toBe(404);
    const listed = await rt.api<Json>('GET', '/tickets?customer=%2B86%20138%200013%208000', {
      token: rt.tokens.admin,
    });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((t: Json) => t.number)).toEqual([number]);
  });

  it('replies from the status page as the customer, known by the phone number', async () => {
    const response = await fetch(`${rt.runtime.url}/portal/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        action: 'reply',
        number,
        email: '+86 138 0013 8000',
        reply: '电梯编号 B-2',
        nonce: `reply-${Date.now()}-abcdef`,
      }).toString(),
    });
    const page = await response.text();
    expect(response.status).toBe(200);
    expect(page).toContain('<span class="who">您</span>');
    expect(page).toContain('<p>电梯编号 B-2</p>');
    const { id } = await ticketByNumber(number);
    const messages = await rt.api<Json>('GET', `/tickets/${id}/messages`, { token: rt.tokens.admin });
    expect(messages.body.items.at(-1).author).toMatchObject({
      role: 'customer',
      email: 'tel:+8613800138000',
    });
  });

  it('texts the status notice when the ticket waits for the customer', async () => {
    const ticket = await ticketByNumber(number);
    for (const to of ['open', 'pending']) {
      const moved = await rt.api<Json>('POST', `/tickets/${ticket.id}/transitions`, {
        token: rt.tokens.admin,
        body: { to },
      });
      expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    }
    const notice = await eventually(async () => {
      const { body } = await rt.api<{ messages: Json[] }>('GET', '/dev/outbox');
      return body.messages.find(
        (m) => m.channel === 'sms' && m.ticketId === ticket.id && m.kind === 'status',
      );
    }, 20_000);
    expect(notice.body).toContain(`工单 ${number} 需要您补充信息`);
  });
});

describe('The portal in Chromium', () => {
  const jpeg = Buffer.alloc(1_500_000, 7);

  it('works with JavaScript off: the form posts, the files arrive', async () => {
    const context = await browser.newContext({ ...phone, javaScriptEnabled: false, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${rt.runtime.url}/portal`);
    await page.fill('#subject', '楼道灯不亮');
    await page.fill('#description', 'B 座 7 楼');
    await page.fill('#phone', '13800138001');
    await page.setInputFiles('#attachments', { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    expect(await page.locator('#upload-progress li').count()).toBe(0);
    await page.click('button[type=submit]');
    expect(await page.locator('h1').textContent()).toBe('提交成功');
    const number = (await page.locator('#ticket-number').textContent()) ?? '';
    expect(await page.locator('#expected-response').textContent()).toMatch(
      /^我们将在 .+（中国标准时间）前回复您。$/,
    );
    const status = await (await lookup(number, '13800138001')).text();
    expect(status).toContain('<li>photo.jpg</li>');
    await context.close();
  });

  it('shows each file’s progress with JavaScript on, then the confirmation', async () => {
    // Prepare: a slow uplink (about 400 KB/s), so the upload takes a few seconds
    const context = await browser.newContext({ ...desktop, locale: 'en-GB' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on(
      'console',
      (m) => m.type() === 'error' && !m.location().url.endsWith('/favicon.ico') && errors.push(m.text()),
    );
    page.on(
      'response',
      (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && errors.push(r.url()),
    );
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 20,
      downloadThroughput: 4_000_000,
      uploadThroughput: 400_000,
    });
    await page.goto(`${rt.runtime.url}/portal?lang=en`);
    await page.fill('#subject', 'Water leak');
    await page.fill('#description', 'Ceiling of room 402');
    await page.fill('#email', 'leak@example.com');
    await page.setInputFiles('#attachments', [
      { name: 'ceiling.jpg', mimeType: 'image/jpeg', buffer: jpeg },
      { name: 'floor.jpg', mimeType: 'image/jpeg', buffer: jpeg },
    ]);
    expect(await page.locator('#upload-progress li .name').allTextContents()).toEqual([
      'ceiling.jpg',
      'floor.jpg',
    ]);

    // Act
    await page.click('button[type=submit]');

    // Assess: the first file's bar moves while the second waits, then the confirmation replaces the form
    const bars = page.locator('#upload-progress progress');
    await eventually(
      async () => {
        const first = Number(
          await bars
            .first()
            .getAttribute('value', { timeout: 100 })
            .catch(() => '0'),
        );
        return (await bars.count()) === 2 && first > 5 ? first : undefined;
      },
      15_000,
      50,
    );
    expect(await page.locator('#upload-status').textContent()).toBe('Uploading');
    await page.screenshot({ path: join(shots, 'portal-upload-progress-en-desktop.png') });
    const second = Number(await page.locator('#upload-progress progress').nth(1).getAttribute('value'));
    expect(second).toBeLessThan(100);
    await page.waitForSelector('#ticket-number', { timeout: 30_000 });
    expect(await page.locator('h1').textContent()).toBe('Thank you');
    const number = (await page.locator('#ticket-number').textContent()) ?? '';
    const status = await (await lookup(number, 'leak@example.com')).text();
    expect(status).toContain('<li>ceiling.jpg</li>');
    expect(status).toContain('<li>floor.jpg</li>');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('looks right in Chinese and English, on a phone and a desktop (screenshots)', async () => {
    for (const [lang, locale] of [
      ['zh', 'zh-CN'],
      ['en', 'en-GB'],
    ] as const) {
      for (const [device, options] of [
        ['phone', phone],
        ['desktop', desktop],
      ] as const) {
        const context = await browser.newContext({ ...options, locale });
        const page: Page = await context.newPage();
        await page.goto(`${rt.runtime.url}/portal?lang=${lang}`);
        const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
        expect(overflow).toBeLessThanOrEqual(0);
        await page.screenshot({ path: join(shots, `portal-form-${lang}-${device}.png`), fullPage: true });
        await page.fill('#subject', lang === 'zh' ? '空调漏水' : 'Air conditioning leaks');
        await page.fill('#description', lang === 'zh' ? '会议室 A' : 'Meeting room A');
        await page.fill('#phone', '+86 138 0013 8002');
        await page.click('button[type=submit]');
        await page.waitForSelector('#ticket-number');
        await page.screenshot({
          path: join(shots, `portal-confirmation-${lang}-${device}.png`),
          fullPage: true,
        });
        const number = (await page.locator('#ticket-number').textContent()) ?? '';
        await page.goto(`${rt.runtime.url}/portal/status?lang=${lang}&number=${number}`);
        await page.fill('#email', '+8613800138002');
        await page.click('button[type=submit]');
        await page.waitForSelector('#ticket-status');
        expect(await page.locator('#expected-response').count()).toBe(1);
        await page.screenshot({ path: join(shots, `portal-status-${lang}-${device}.png`), fullPage: true });
        await context.close();
      }
    }
  });
});

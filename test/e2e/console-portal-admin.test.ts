import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConsoleWorld,
  expectAccessible,
  phone,
  shot,
  startConsoleWorld,
} from './support/console-browser.ts';

/**
 * The console's "Customer portal" admin tab (`/admin/portal`): the portal's branding, legal text and
 * time zone, saved with If-Match; the API's field errors beside the fields; what is saved shows on the
 * portal.
 */
let world: ConsoleWorld;

beforeAll(async () => {
  world = await startConsoleWorld();
});

afterAll(() => world?.stop());

describe('The portal settings in the console', () => {
  it('shows a bad value beside its field, saves good ones, and the portal shows them', async () => {
    // Prepare
    const { page, context, errors } = await world.signedIn('u-admin');
    await page.goto(`${world.runtime.url}/console/admin/portal`);
    const name = page.getByLabel('公司名称（中文）');
    await name.waitFor();
    await expectAccessible(page, 'portal settings');
    await shot(page, 'admin-portal-zh-desktop');

    // Act: a logo URL that is not https
    await name.fill('海港物业 <b>客服</b>');
    await page.getByLabel('标志图片地址').fill('http://cdn.example.com/logo.png');
    await page.getByLabel('服务热线').fill('400-820-8820');
    await page
      .getByRole('button', { name: '保 存' })
      .or(page.getByRole('button', { name: '保存' }))
      .click();

    // Assess: the field's error beside it, nothing saved
    const logoItem = page.locator('.ant-form-item', { has: page.getByLabel('标志图片地址') });
    await logoItem.locator('.ant-form-item-explain-error').waitFor();
    expect(await page.getByRole('alert').first().textContent()).toContain('请检查标出的字段');
    expect((await world.api('GET', '/config/portal', { token: world.tokens.admin })).body.version).toBe(0);
    await shot(page, 'admin-portal-error-zh-desktop');
    await expectAccessible(page, 'portal settings with a field error');

    // Act: an https URL
    await page.getByLabel('标志图片地址').fill('https://cdn.example.com/logo.png');
    await page
      .getByRole('button', { name: '保 存' })
      .or(page.getByRole('button', { name: '保存' }))
      .click();

    // Assess: stored, and on the portal (as text)
    await expect
      .poll(
        async () => (await world.api('GET', '/config/portal', { token: world.tokens.admin })).body.version,
      )
      .toBe(1);
    const stored = (await world.api('GET', '/config/portal', { token: world.tokens.admin })).body;
    expect(stored).toMatchObject({
      companyName: { zh: '海港物业 <b>客服</b>', en: null },
      logoUrl: 'https://cdn.example.com/logo.png',
      servicePhone: '400-820-8820',
      timeZone: 'Asia/Shanghai',
    });
    const portal = await (await fetch(`${world.runtime.url}/portal`)).text();
    expect(portal).toContain('<span id="brand-name">海港物业 &lt;b&gt;客服&lt;/b&gt;</span>');
    expect(portal).toContain('400-820-8820</a>');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('speaks English and fits a phone', async () => {
    const { page, context } = await world.signedIn('u-admin', { lang: 'en', viewport: phone });
    await page.goto(`${world.runtime.url}/console/admin/portal`);
    await page.getByLabel('Company name (English)').waitFor();
    expect(await page.getByLabel('Company name (Chinese)').inputValue()).toBe('海港物业 <b>客服</b>');
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, 'admin-portal-en-phone');
    await expectAccessible(page, 'portal settings on a phone');
    await context.close();
  });
});

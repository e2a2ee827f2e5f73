import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConsoleWorld,
  desktop,
  expectAccessible,
  phone,
  shot,
  startConsoleWorld,
} from './support/console-browser.ts';

/**
 * The ticket's product and region in the console (docs/analytics.md, "Product and region"), in a real
 * headless Chromium against the local runtime: derived values shown and marked, an agent's correction
 * with the API's field error beside its input. Screenshots: zh desktop, en phone.
 */
let world: ConsoleWorld;
let ticketId = '';

beforeAll(async () => {
  world = await startConsoleWorld();
  const created = await world.api('POST', '/tickets', {
    token: world.tokens.admin,
    body: {
      subject: '卧室空调不制冷',
      description: '型号 KFR-35GW/BpR3DYA1，开机半小时还是不凉。',
      customer: { email: 'zhou.min@example.com', name: '周敏' },
      location: { lat: 39.99, lng: 116.47, address: '北京市朝阳区望京西园三区12号楼' },
    },
  });
  expect(created.status).toBe(201);
  ticketId = created.body.id;
});

afterAll(() => world?.stop());

const card = '[data-card="product-region"]';

describe('Product and region on the ticket page', () => {
  it('shows the derived product and region, marked, and lets an agent correct them (zh, desktop)', async () => {
    const { page, context, errors } = await world.signedIn('u-admin', { lang: 'zh', viewport: desktop });
    await page.goto(`${world.runtime.url}/console/tickets/${ticketId}`);
    const box = page.locator(card);
    await box.getByText('产品与地区').waitFor();
    await box.scrollIntoViewIfNeeded();

    expect(await box.locator('[data-field="product-line"]').textContent()).toBe('空调');
    expect(await box.locator('[data-field="product-model"]').textContent()).toBe('KFR-35GW/BPR3DYA1');
    expect(await box.locator('[data-field="region"]').textContent()).toBe('北京市/朝阳区');
    expect(await box.locator('[data-derived]').count()).toBe(2);
    await shot(page, 'product-region-zh-desktop');
    await expectAccessible(page, 'product-region-zh-desktop');

    // A model without its line: refused beside the line's input, in Chinese, before anything is sent.
    await box.locator('[data-action="edit-product-region"]').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('产品线').fill('');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await dialog.getByText('填写型号时请同时填写产品线').waitFor();
    await shot(page, 'product-region-edit-error-zh-desktop');
    // An over-long region is refused by the API: its message appears beside the region's input.
    await dialog.getByLabel('产品线').fill('空调');
    await dialog.getByLabel('地区').evaluate((el: { maxLength: number }) => {
      el.maxLength = 200;
    });
    await dialog.getByLabel('地区').fill('未知'.repeat(40));
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await dialog.locator('.ant-form-item-has-error').getByLabel('地区').waitFor();

    // The right line and the customer's new address: saved, the region normalised.
    await dialog.getByLabel('产品线').fill('空调');
    await dialog.getByLabel('地区').fill('广东省深圳市南山区科技园');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => box.locator('[data-field="region"]').textContent()).toBe('广东省/深圳市');
    // The product was left as read (still marked); the region was corrected (no longer marked).
    expect(
      await box
        .locator('[data-derived]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-derived'))),
    ).toEqual(['product']);
    const saved = await world.api('GET', `/tickets/${ticketId}`, { token: world.tokens.admin });
    expect(saved.body).toMatchObject({
      product: { line: '空调', model: 'KFR-35GW/BPR3DYA1' },
      region: '广东省/深圳市',
      derived: ['product'],
    });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows them in English on a phone', async () => {
    const { page, context, errors } = await world.signedIn('u-agent-zhang', { lang: 'en', viewport: phone });
    await page.goto(`${world.runtime.url}/console/tickets/${ticketId}`);
    const box = page.locator(card);
    await box.getByText('Product and region').waitFor();
    await box.scrollIntoViewIfNeeded();
    expect(await box.locator('[data-field="product-line"]').textContent()).toBe('空调');
    expect(await box.getByText('Region').count()).toBeGreaterThan(0);
    await shot(page, 'product-region-en-phone');
    await expectAccessible(page, 'product-region-en-phone');
    expect(errors).toEqual([]);
    await context.close();
  });
});

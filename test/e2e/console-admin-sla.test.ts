import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleWorld, expectAccessible, shot, startConsoleWorld } from './support/console-browser.ts';

/**
 * The admin's SLA escalation-chain editor (管理设置 → SLA 策略) in a real headless Chromium against the
 * local runtime: a level's delay changed and a level with a fixed e-mail recipient added, saved with
 * If-Match as the next version and nothing else changed; the API's field error beside its input and
 * nothing saved; English; axe-core.
 */
let world: ConsoleWorld;

interface SlaView {
  version: number;
  policies: { id: string; escalation: Record<string, unknown>[]; [other: string]: unknown }[];
}

beforeAll(async () => {
  world = await startConsoleWorld();
});

afterAll(() => world?.stop());

async function readSla() {
  const response = await world.api<SlaView>('GET', '/config/sla', { token: world.tokens.admin });
  expect(response.status).toBe(200);
  return response.body;
}

const versionShown = async (page: Page) =>
  Number(await page.locator('[data-version]').getAttribute('data-version'));

/** The API's message shown beside an input (Ant Design's form item help). */
const errorBeside = (page: Page, label: string) =>
  page
    .locator('.ant-form-item', { has: page.getByLabel(label, { exact: true }) })
    .locator('.ant-form-item-explain-error');

/** Chooses an option of an Ant Design Select named `label`. */
async function choose(page: Page, label: string, option: string) {
  await page.getByRole('combobox', { name: label, exact: true }).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option }).click();
}

describe('SLA escalation chains in the console', () => {
  it('lets an admin change a level and add one with a fixed e-mail; a bad delay shows its error and saves nothing', async () => {
    // Prepare
    const before = await readSla();
    const { page, context, errors } = await world.signedIn('u-admin');
    await page.locator('header [role=menuitem]', { hasText: '管理设置' }).click();
    await page.getByRole('tab', { name: 'SLA 策略' }).click();
    const firstDelay = page.getByLabel('urgent 升级第1级 超时后（分钟）', { exact: true });
    await firstDelay.waitFor();
    expect(await versionShown(page)).toBe(before.version);

    // Act: the first level 5 minutes after the breach; a level 4 at 240 minutes e-mailing a fixed address
    await firstDelay.fill('5');
    await page.getByRole('button', { name: 'urgent 添加升级级别' }).click();
    const newDelay = page.getByLabel('urgent 升级第4级 超时后（分钟）', { exact: true });
    await newDelay.fill('240');
    await choose(page, 'urgent 升级第4级 接收人1 接收人类型', '固定地址');
    await page.getByLabel('urgent 升级第4级 接收人1 地址', { exact: true }).fill('duty@example.com');
    await page.locator('button[type=submit]').click();

    // Assess: the next version holds exactly that change
    await expect.poll(() => versionShown(page)).toBe(before.version + 1);
    const saved = await readSla();
    expect(saved.version).toBe(before.version + 1);
    const expected = structuredClone(before.policies);
    const urgent = expected.find((p) => p.id === 'urgent')!;
    urgent.escalation[0] = { ...urgent.escalation[0], afterBreachMinutes: 5 };
    urgent.escalation.push({
      level: 4,
      afterBreachMinutes: 240,
      clock: 'elapsed',
      notify: [{ address: 'duty@example.com', channel: 'email' }],
    });
    expect(saved.policies).toEqual(expected);

    // Act: a negative delay on level 2
    const secondDelay = page.getByLabel('urgent 升级第2级 超时后（分钟）', { exact: true });
    await secondDelay.fill('-5');
    await page.locator('button[type=submit]').click();

    // Assess: the API's message beside that input, the alert, nothing saved
    await errorBeside(page, 'urgent 升级第2级 超时后（分钟）').waitFor();
    expect(await errorBeside(page, 'urgent 升级第2级 超时后（分钟）').textContent()).toMatch(
      />=\s?0|small|小/i,
    );
    await page.getByRole('alert').filter({ hasText: '未保存' }).waitFor();
    expect(await errorBeside(page, 'urgent 升级第1级 超时后（分钟）').count()).toBe(0);
    expect(await readSla()).toEqual(saved);
    expect(await versionShown(page)).toBe(saved.version);
    await page.locator('[data-escalation="urgent"]').scrollIntoViewIfNeeded();
    await shot(page, 'admin-sla-escalation-zh-desktop');
    await expectAccessible(page, 'SLA escalation chain with a field error');

    // Act: English
    await page.locator('button[aria-label=language]').click();

    // Assess
    await page.getByText('Escalation chain').first().waitFor();
    await page.getByLabel('urgent escalation level 4 recipient 1 address', { exact: true }).waitFor();
    expect(
      await page.getByLabel('urgent escalation level 1 After breach (minutes)', { exact: true }).inputValue(),
    ).toBe('5');
    await page.locator('[data-escalation="urgent"]').scrollIntoViewIfNeeded();
    await shot(page, 'admin-sla-escalation-en-desktop');
    await expectAccessible(page, 'SLA escalation chain in English');
    expect(errors).toEqual([]);
    await context.close();
  });
});

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleWorld, desktop, phone, shot, startConsoleWorld } from './support/console-browser.ts';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * No serious or critical accessibility violation (axe-core, WCAG 2 A/AA) in what this feature draws:
 * the children panel, its dialogs and the ticket's header (the parent link). Other panels of the
 * ticket view are their owners' to check.
 */
async function expectAccessible(page: Page, screen: string) {
  await page.waitForTimeout(500); // Ant Design's fade-in: mid-fade text is pale
  await page.evaluate(axeSource);
  const result = await page.evaluate<{
    violations: { id: string; impact: string; nodes: { target: string[] }[] }[];
  }>(
    "axe.run({ include: [['[data-testid=children-panel]'], ['.ant-card:first-of-type'], ['.ant-modal']] }, { runOnly: ['wcag2a', 'wcag2aa'] })",
  );
  const violations = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(violations, screen).toEqual([]);
}

/**
 * Child tickets in the console, in a real headless Chromium against the local runtime: the children
 * panel on the ticket view, "new child ticket", the parent link on a child, the refusal naming the open
 * children, and a supervisor's "force resolve with reason". Screenshots: zh and en, desktop and phone.
 */
let world: ConsoleWorld;

beforeAll(async () => {
  world = await startConsoleWorld();
});

afterAll(() => world?.stop());

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies field by field.
type Json = any;

describe('Child tickets in the console', () => {
  let parent: Json;
  let billingChild: Json;

  it('lists children, opens one from the form, and names the open ones when a resolve is refused', async () => {
    // Prepare: a parent being worked on, with one child already for billing
    const { api, tokens } = world;
    const created = await api('POST', '/tickets', {
      token: tokens.admin,
      body: {
        subject: '新店开业：网络、发票和门禁',
        description: '新门店下周一开业，需要三个团队配合',
        customer: { email: 'store@example.com', name: '王店长' },
      },
    });
    parent = created.body;
    expect(
      (await api('POST', `/tickets/${parent.id}/transitions`, { token: tokens.admin, body: { to: 'open' } }))
        .status,
    ).toBe(200);
    billingChild = (
      await api('POST', `/tickets/${parent.id}/children`, {
        token: tokens.admin,
        body: { team: 'billing', subject: '开具开业发票', description: '按合同开票' },
      })
    ).body;
    const { page, context, errors } = await world.signedIn('u-agent-zhang');
    await page.goto(`${world.runtime.url}/console/tickets/${parent.id}`);
    const panel = page.getByTestId('children-panel');
    await panel.getByRole('link', { name: billingChild.number }).waitFor();

    // Act: open a child for field repair from the form (a required field first left empty)
    await panel.getByRole('button', { name: '新建子工单' }).click();
    const dialog = page.getByRole('dialog', { name: '新建子工单' });
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await dialog.getByText('必填').first().waitFor();
    const teamBox = dialog.getByRole('combobox', { name: '团队' });
    await teamBox.fill('设备维修');
    await page.locator('.ant-select-item-option-active', { hasText: '设备维修' }).waitFor();
    await teamBox.press('Enter');
    await dialog
      .locator('.ant-select-content-value', { hasText: '设备维修' })
      .or(dialog.getByTitle('设备维修'))
      .first()
      .waitFor();
    await dialog.getByRole('textbox', { name: '主题' }).fill('安装门禁读卡器');
    await dialog.getByRole('textbox', { name: '描述' }).fill('大门和后门各一台');
    const assigneeBox = dialog.getByRole('combobox', { name: '处理人（可选）' });
    await assigneeBox.fill('王强');
    await page.locator('.ant-select-item-option-active', { hasText: '王强' }).waitFor();
    await assigneeBox.press('Enter');
    await shot(page, 'children-new-zh-desktop');
    await dialog.getByRole('button', { name: /确\s*定/ }).click();

    // Assess: both children listed with number, subject, team, status and assignee
    const row = panel.locator('tr', { hasText: '安装门禁读卡器' });
    await row.waitFor();
    expect(await row.textContent()).toContain('王强');
    expect(await row.textContent()).toContain('设备维修');
    const stored = (await api('GET', `/tickets/${parent.id}`, { token: tokens.agent })).body;
    expect(stored.children.map((c: Json) => c.subject)).toEqual(['开具开业发票', '安装门禁读卡器']);
    const doorChild = stored.children[1];

    // Act: the agent tries to resolve the parent (the dialog asks what was done: docs/closing-report.md)
    await page.locator('[data-action="to-resolved"]').click();
    await page.getByRole('dialog', { name: '解决工单' }).getByRole('textbox').fill('三项工作均已完成');
    await page.locator('[data-action="confirm-resolve"]').click();
    // Assess: the refusal names both open children; an agent is not offered to force it
    const alert = panel.getByRole('alert');
    await alert.getByText(billingChild.number).waitFor();
    expect(await alert.textContent()).toContain(doorChild.number);
    expect(await alert.getByRole('button', { name: '强制解决…' }).count()).toBe(0);
    expect((await api('GET', `/tickets/${parent.id}`, { token: tokens.agent })).body.status).toBe('open');
    await shot(page, 'children-refused-zh-desktop');
    await expectAccessible(page, 'ticket with children');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lets a supervisor force the resolve with a reason (in English), audited', async () => {
    const { page, context, errors } = await world.signedIn('u-sup-desk', { lang: 'en' });
    await page.goto(`${world.runtime.url}/console/tickets/${parent.id}`);
    const panel = page.getByTestId('children-panel');
    await panel.getByText('2 open').waitFor();
    await page.locator('[data-action="to-resolved"]').click();
    await page
      .getByRole('dialog', { name: 'Resolve the ticket' })
      .getByRole('textbox')
      .fill('Network, invoice and door done');
    await page.locator('[data-action="confirm-resolve"]').click();
    await panel.getByRole('alert').getByText('Child tickets are still open', { exact: false }).waitFor();
    await panel.getByRole('button', { name: 'Force resolve…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Force resolve the parent' });
    expect(await dialog.textContent()).toContain(billingChild.number);
    await dialog
      .getByRole('textbox', { name: 'Reason' })
      .fill('Store opens Monday; the children are tracked on their own');
    await shot(page, 'children-force-en-desktop');
    await dialog.getByRole('button', { name: 'Force resolve…' }).click();
    await expect
      .poll(() => page.locator('[data-status]').first().getAttribute('data-status'))
      .toBe('resolved');
    const history = (
      await world.api('GET', `/tickets/${parent.id}/history`, { token: world.tokens.supervisor })
    ).body.items as Json[];
    const forced = history.find((e) => e.type === 'transitioned' && e.data.to === 'resolved');
    expect(forced.data).toMatchObject({
      forced: true,
      reason: 'Store opens Monday; the children are tracked on their own',
    });
    expect(forced.actor.id).toBe('u-sup-desk');
    await shot(page, 'children-forced-en-desktop');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows a child with a link to its parent, on a phone in Chinese and English', async () => {
    for (const lang of ['zh', 'en'] as const) {
      const { page, context, errors } = await world.signedIn('u-agent-zhang', { lang, viewport: phone });
      await page.goto(`${world.runtime.url}/console/tickets/${billingChild.id}`);
      const back = page.getByTestId('parent-link').getByRole('link', { name: new RegExp(parent.number) });
      await back.waitFor();
      await shot(page, `children-child-${lang}-phone`);
      await back.click();
      await page.getByTestId('children-panel').getByRole('link', { name: billingChild.number }).waitFor();
      await page.getByTestId('children-panel').scrollIntoViewIfNeeded();
      await shot(page, `children-parent-${lang}-phone`);
      if (lang === 'en') await expectAccessible(page, 'parent on a phone');
      expect(errors).toEqual([]);
      await context.close();
    }
    // The panel on a wide screen in English, for the record
    const { page, context } = await world.signedIn('u-agent-zhang', { lang: 'en', viewport: desktop });
    await page.goto(`${world.runtime.url}/console/tickets/${parent.id}`);
    await page.getByTestId('children-panel').getByRole('link', { name: billingChild.number }).waitFor();
    await shot(page, 'children-parent-en-desktop');
    await context.close();
  });
});

import type { Page } from 'playwright-core';
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
 * Approvals (审批) in the console, in Chromium against the local runtime at 60 virtual seconds per
 * second (so "waiting for" reads in minutes): request a two-stage approval in the ticket view, nudge it,
 * find it in an approver's "my approvals", approve it there, reject the second stage on a phone in
 * English. Screenshots zh/en, desktop/phone, to `.screenshots/approvals-*`.
 */
let world: ConsoleWorld;

beforeAll(async () => {
  world = await startConsoleWorld(['--time-scale', '60']);
});

afterAll(() => world?.stop());

async function refundTicket() {
  const created = await world.api('POST', '/tickets', {
    token: world.tokens.admin,
    body: {
      subject: '会员卡押金退款 2,000 元',
      description: '客户退卡，要求退还押金 2,000 元。',
      category: 'refund',
      customer: { email: 'li.xiaojie@example.com', name: '李小姐' },
    },
  });
  expect(created.status).toBe(201);
  const ticket = created.body as { id: string; number: string };
  const opened = await world.api('POST', `/tickets/${ticket.id}/transitions`, {
    token: world.tokens.supervisor,
    body: { to: 'open' },
  });
  expect(opened.status).toBe(200);
  return ticket;
}

const panel = (page: Page) => page.locator('[data-testid=approvals]');

/** Picks people by name in a multiple Select labelled `label`: type, wait for the match, Enter. */
async function pick(page: Page, label: string, names: string[]) {
  const box = page.getByRole('combobox', { name: label });
  for (const name of names) {
    await box.click();
    await box.fill(name);
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option-active', { hasText: name })
      .waitFor();
    await box.press('Enter');
    await page.locator('.ant-select-selection-item', { hasText: name }).first().waitFor();
  }
  await box.press('Escape');
  // The dropdown closes with an animation: until it is gone, the next Select's options would match
  // twice (a slow machine showed both lists at once).
  await expect.poll(() => page.locator('.ant-select-dropdown:visible').count()).toBe(0);
}

describe('Approvals in the console (Chromium)', () => {
  let ticket: { id: string; number: string };
  let approvalId: string;

  it('requests a two-stage approval from the ticket view, shows who is pending and for how long, and nudges once', async () => {
    // Prepare
    ticket = await refundTicket();
    const { page, context, errors } = await world.signedIn('u-agent-zhang');
    await page.goto(`${world.runtime.url}/console/tickets/${ticket.id}`);
    await expect.poll(() => panel(page).textContent(), { timeout: 15_000 }).toContain('暂无审批');
    // Act: 发起审批 — reason, stage 1 any of two supervisors, stage 2 李娜
    await panel(page).getByRole('button', { name: '发起审批' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('事由').fill('客户退卡，退还押金 2,000 元，超过坐席权限');
    await pick(page, '审批人', ['刘洋', '陈静']);
    await dialog.getByText('任一通过（或签）').first().click();
    await dialog.getByRole('switch', { name: '添加第二级审批' }).click();
    await pick(page, '第二级审批人', ['李娜']);
    await dialog.getByRole('button', { name: /^提\s?交$/ }).click();
    // Assess: stage 1 pending with both supervisors waited on; stage 2 not started
    const card = panel(page).locator('[data-approval]').first();
    await card.waitFor();
    approvalId = (await card.getAttribute('data-approval'))!;
    expect(await card.getAttribute('data-status')).toBe('pending');
    await expect
      .poll(() => card.locator('[data-stage="0"] [data-approver-status=pending]').count(), {
        timeout: 15_000,
      })
      .toBe(2);
    expect(await card.locator('[data-stage="1"]').textContent()).toContain('未开始');
    await expect
      .poll(() => card.locator('[data-stage="0"]').textContent(), { timeout: 10_000 })
      .toMatch(/已等待 (不到 1 分钟|\d+ 分钟)/);
    const stored = (await world.api('GET', `/approvals/${approvalId}`, { token: world.tokens.agent })).body;
    expect(stored.stages.map((s: { mode: string }) => s.mode)).toEqual(['any', 'all']);
    expect(stored.reason).toBe('客户退卡，退还押金 2,000 元，超过坐席权限');

    // The resolve is held back while it is pending (the gate's 409 is shown)
    await page.locator('button[data-action="to-resolved"]').click();
    await page.getByRole('dialog').getByRole('textbox').fill('已退还押金');
    await page.locator('[data-action="confirm-resolve"]').click();
    await expect
      .poll(() => page.locator('.ant-message').textContent(), { timeout: 15_000 })
      .toContain(approvalId);

    // Nudge: counted; at once again, refused with the wait in Chinese
    await card.locator('button[data-action=nudge]').click();
    await expect
      .poll(() => card.locator('button[data-action=nudge]').textContent(), { timeout: 15_000 })
      .toContain('(1)');
    await card.locator('button[data-action=nudge]').click();
    await expect
      .poll(() => page.locator('.ant-message').textContent(), { timeout: 15_000 })
      .toMatch(/刚催办过，请 \d+ 分钟后再试/);
    await page.waitForTimeout(3000); // let the toasts go before the picture
    await card.scrollIntoViewIfNeeded();
    await shot(page, 'approvals-ticket-zh-desktop');
    await expectAccessible(page, 'ticket approvals');
    expect(errors).toEqual([]);
    await context.close();
  });

  it("lists it in a first-stage approver's 我的审批, who approves it from the ticket; the second stage starts", async () => {
    const { page, context, errors } = await world.signedIn('u-sup-field');
    await page.locator('header [role=menuitem]', { hasText: '我的审批' }).click();
    const row = page.locator('tr[data-approval]', { hasText: ticket.number });
    await row.waitFor();
    expect(await row.textContent()).toContain('张伟');
    expect(await row.textContent()).toContain('1/2');
    expect(await row.textContent()).toMatch(/\d+ 分钟/);
    await shot(page, 'approvals-mine-zh-desktop');
    await expectAccessible(page, 'my approvals');
    await page.setViewportSize(phone);
    await page.locator('[data-approval]', { hasText: ticket.number }).waitFor();
    await shot(page, 'approvals-mine-zh-phone');
    await expectAccessible(page, 'my approvals (phone)');
    await page.setViewportSize(desktop);

    // Act: open it and approve with a comment
    await row.getByRole('link', { name: ticket.number }).click();
    const card = panel(page).locator(`[data-approval="${approvalId}"]`);
    await card.getByRole('button', { name: /^通\s?过$/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('审批意见').fill('同意，按流程退款');
    await dialog.getByRole('button', { name: /^通\s?过$/ }).click();
    // Assess: stage 1 approved (陈静 not needed), stage 2 pending on 李娜; gone from my queue
    await expect
      .poll(() => card.locator('[data-approver="u-sup-desk"]').getAttribute('data-approver-status'), {
        timeout: 15_000,
      })
      .toBe('not_needed');
    expect(await card.locator('[data-approver="u-agent-li"]').getAttribute('data-approver-status')).toBe(
      'pending',
    );
    expect(await card.locator('[data-stage="1"]').textContent()).toMatch(/已等待 (不到 1 分钟|\d+ 分钟)/);
    expect(await card.textContent()).toContain('同意，按流程退款');
    await page.locator('header [role=menuitem]', { hasText: '我的审批' }).click();
    await expect
      .poll(() => page.locator('.ant-empty').textContent(), { timeout: 15_000 })
      .toContain('没有等待你审批的事项');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows the second-stage approver their queue and the panel in English on a phone, and records the rejection', async () => {
    const { page, context, errors } = await world.signedIn('u-agent-li', { lang: 'en', viewport: phone });
    await page.goto(`${world.runtime.url}/console/approvals`);
    const item = page.locator('[data-approval]', { hasText: ticket.number });
    await item.waitFor();
    expect(await item.textContent()).toContain('Stage 2/2');
    expect(await item.textContent()).toContain('张伟');
    expect(await item.textContent()).toMatch(/Waiting (under a minute|\d+ min)/);
    await shot(page, 'approvals-mine-en-phone');
    await expectAccessible(page, 'my approvals (en, phone)');

    await item.getByRole('link', { name: ticket.number }).click();
    const card = panel(page).locator(`[data-approval="${approvalId}"]`);
    await card.getByRole('button', { name: 'Reject' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Comment').fill('Deposit was already refunded in October');
    await dialog.getByRole('button', { name: 'Reject' }).click();
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 15_000 }).toBe('rejected');
    // The decision trail: who, how, from where
    await card.getByText('Decision trail (2)').click();
    await expect.poll(() => card.textContent(), { timeout: 15_000 }).toContain('IP ');
    expect(await card.textContent()).toContain('Deposit was already refunded in October');
    await page.waitForTimeout(3000);
    await card.scrollIntoViewIfNeeded();
    await shot(page, 'approvals-ticket-en-phone');
    await expectAccessible(page, 'ticket approvals (en, phone)');
    await page.setViewportSize(desktop);
    await card.scrollIntoViewIfNeeded();
    await shot(page, 'approvals-ticket-en-desktop');
    // The ticket's history words each step of it
    const decided = page.locator('[data-history="approval.decided"]');
    await expect.poll(() => decided.count(), { timeout: 15_000 }).toBe(2);
    expect(await decided.allTextContents()).toEqual([
      expect.stringContaining('Approve · “同意，按流程退款”'),
      expect.stringContaining('Reject · “Deposit was already refunded in October” → Rejected'),
    ]);
    expect(await page.locator('[data-history="approval.requested"]').textContent()).toContain(
      'stage 1 刘洋、陈静 (Any one approves) → stage 2 李娜 (All must approve)',
    );
    expect(errors).toEqual([]);
    await context.close();

    // What the API holds matches what was shown
    const stored = (await world.api('GET', `/approvals/${approvalId}`, { token: world.tokens.agent })).body;
    expect(stored.status).toBe('rejected');
    expect(
      stored.decisions.map((d: { approver: string; decision: string }) => [d.approver, d.decision]),
    ).toEqual([
      ['u-sup-field', 'approve'],
      ['u-agent-li', 'reject'],
    ]);
    expect(stored.decisions[1].userAgent).toMatch(/Chrome/);
  });
});

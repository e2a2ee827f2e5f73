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
 * The console in a real headless Chromium (Debian's `chromium`, driven by playwright-core) against the
 * local runtime at 120 virtual seconds per second, so an urgent ticket's first response (30 min,
 * warned at 75 %) turns to a warning after ~11 s and breaches after 15 s while the test watches.
 * Screenshots of each main screen (zh and en, desktop and phone) go to `.screenshots/`.
 */
let world: ConsoleWorld;
let runtime: ConsoleWorld['runtime'];
let browser: ConsoleWorld['browser'];
let api: ConsoleWorld['api'];
let tokens: ConsoleWorld['tokens'];
let tokenOf: ConsoleWorld['tokenOf'];
let signedIn: ConsoleWorld['signedIn'];

beforeAll(async () => {
  world = await startConsoleWorld(['--time-scale', '120']);
  ({ runtime, browser, api, tokens, tokenOf, signedIn } = world);
});

afterAll(() => world?.stop());

async function createTicket(body: Record<string, unknown>) {
  const created = await api('POST', '/tickets', { token: tokens.admin, body });
  expect(created.status).toBe(201);
  return created.body as { id: string; number: string; version: number };
}

describe('The console in Chromium', () => {
  it('signs in by choosing a seeded user; each role sees only its screens, and the API refuses the rest', async () => {
    // Prepare
    const context = await browser.newContext({ viewport: desktop, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${runtime.url}/console/`);
    // Assess: the sign-in page lists staff by name
    await expect.poll(() => page.locator('button[data-user]').count()).toBeGreaterThanOrEqual(8);
    expect(await page.locator('button[data-user="u-agent-zhang"]').textContent()).toContain('张伟');
    await shot(page, 'signin-zh-desktop');
    await expectAccessible(page, 'sign-in');
    await context.close();

    // Act / Assess: per role, the menu
    const menus: Record<string, string[]> = {};
    for (const user of ['u-agent-zhang', 'u-sup-field', 'u-admin']) {
      const { page: p, context: c } = await signedIn(user);
      // (Ant Design's horizontal menu keeps an empty overflow item)
      menus[user] = (await p.locator('header [role=menuitem]').allTextContents()).filter((x) => x.trim());
      await c.close();
    }
    expect(menus['u-agent-zhang']).toEqual(['工单队列', '我的审批']);
    expect(menus['u-sup-field']).toEqual(['工单队列', '我的审批', '主管看板', '数据报表']);
    expect(menus['u-admin']).toEqual(['工单队列', '我的审批', '主管看板', '数据报表', '管理设置']);
    // …and the API still refuses what the console hides
    const agent = tokenOf('u-agent-zhang');
    expect((await api('GET', '/config/sla', { token: agent })).status).toBe(403);
    expect((await api('PUT', '/config/sla', { token: agent, body: { policies: [] } })).status).toBe(403);
  });

  it('shows the queue by nearest due time; a new ticket appears without reload and its countdown turns to warning', async () => {
    // Prepare
    const { page, context, errors } = await signedIn('u-sup-desk');
    await page.locator('[role=tab]', { hasText: '团队队列' }).click();
    await page.locator('tr[data-ticket]').first().waitFor();
    // Act: a ticket arrives over the API while the queue is open
    const ticket = await createTicket({
      subject: '机房空调告警 温度过高',
      priority: 'urgent',
      customer: { email: 'ops@example.com', name: '运维值班' },
    });
    // Assess: it shows within 5 s, without a reload, at the top (the nearest due time)
    const row = page.locator(`tr[data-ticket="${ticket.number}"]`);
    await row.waitFor({ timeout: 5000 });
    const listed = (await api('GET', '/tickets?active=true&sort=due&limit=5', { token: tokens.supervisor }))
      .body as {
      items: { number: string }[];
    };
    const shown = await page
      .locator('tr[data-ticket]')
      .evaluateAll((rows) => rows.slice(0, 5).map((r) => r.getAttribute('data-ticket')));
    expect(shown).toEqual(listed.items.map((t) => t.number));
    expect(await row.locator('[data-sla]').getAttribute('data-sla')).toBe('ok');
    await shot(page, 'queue-zh-desktop');
    await expectAccessible(page, 'queue');
    // Assess: at 75 % of 30 min (22.5 virtual minutes ≈ 11 s here) the countdown turns orange
    await expect
      .poll(() => row.locator('[data-sla]').getAttribute('data-sla'), { timeout: 20_000 })
      .toBe('warning');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('moves through the queue with j and k and opens the selected ticket with Enter', async () => {
    // Prepare
    const { page, context } = await signedIn('u-sup-desk');
    const rows = page.locator('tr[data-ticket]');
    await rows.nth(1).waitFor();
    const selected = () => page.locator('tr.gd-row-selected').getAttribute('data-ticket');
    const first = await rows.nth(0).getAttribute('data-ticket');
    const second = await rows.nth(1).getAttribute('data-ticket');
    const secondLink = await rows.nth(1).locator('a').first().getAttribute('href');
    // Act / Assess
    expect(await selected()).toBe(first);
    await page.keyboard.press('j');
    expect(await selected()).toBe(second);
    await page.keyboard.press('k');
    expect(await selected()).toBe(first);
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === secondLink);
    await page.locator('[data-status]').waitFor();
    await context.close();
  });

  it('finds a ticket, replies, adds a note, moves it through its lifecycle and shows the history', async () => {
    // Prepare
    const ticket = await createTicket({
      subject: '会议室投影仪无法开机',
      description: '3 楼大会议室，投影仪指示灯不亮。',
      customer: { email: 'meeting@example.com', name: '行政部' },
    });
    // A supervisor puts it in 张伟's queue (routing may have given it to someone else)
    const assigned = await api('POST', `/tickets/${ticket.id}/assignment`, {
      token: tokens.supervisor,
      body: { agentId: 'u-agent-zhang', reason: '熟悉该会议室设备' },
    });
    expect(assigned.status).toBe(200);
    const { page, context, errors } = await signedIn('u-agent-zhang');
    // Act: find it in my queue by searching its number (the "/" key focuses the search)
    await page.locator('tr[data-ticket]').first().waitFor();
    await page.keyboard.press('/');
    await page.keyboard.type(ticket.number);
    await page.keyboard.press('Enter');
    const row = page.locator(`tr[data-ticket="${ticket.number}"]`);
    await expect.poll(() => page.locator('tr[data-ticket]').count()).toBe(1);
    await row.click();
    await page.locator('h1', { hasText: '会议室投影仪无法开机' }).waitFor();
    // The routing explanation in Chinese, from its code and parameters
    await page.getByText('刘洋 分配给 张伟：熟悉该会议室设备').waitFor();
    // Act: reply and note
    await page.locator('[data-composer=reply]').fill('您好，工程师 30 分钟内到场。');
    await page.locator('[data-send=reply]').click();
    await page.locator('[data-message=public]', { hasText: '工程师 30 分钟内到场' }).waitFor();
    await page.keyboard.press('n');
    await page.keyboard.type('备件库还有一台备用投影仪');
    await page.locator('[data-send=note]').click();
    await page.locator('[data-message=internal]', { hasText: '备用投影仪' }).waitFor();
    // Act: raise the priority (the SLA follows it)
    await page.getByRole('combobox', { name: '优先级' }).click();
    await page.locator('.ant-select-item-option[title="高"]').click();
    await expect
      .poll(() => api('GET', `/tickets/${ticket.id}`, { token: tokens.agent }).then((r) => r.body.priority))
      .toBe('high');
    // Act: the lifecycle, only through the buttons offered, each once the last one shows
    for (const [action, status] of [
      ['to-open', 'open'],
      ['to-pending', 'pending'],
      ['to-open', 'open'],
      ['to-resolved', 'resolved'],
    ] as const) {
      await page.locator(`[data-action="${action}"]`).click();
      // Resolving asks what was done (docs/closing-report.md).
      if (status === 'resolved') {
        await page.getByRole('dialog').getByRole('textbox').fill('重新设置了账户权限');
        await page.locator('[data-action="confirm-resolve"]').click();
      }
      await expect.poll(() => page.locator('[data-status]').getAttribute('data-status')).toBe(status);
    }
    // Assess
    await expect.poll(() => page.locator('[data-status]').getAttribute('data-status')).toBe('resolved');
    await expect
      .poll(() =>
        page.locator('[data-history]').evaluateAll((e) => e.map((x) => x.getAttribute('data-history'))),
      )
      .toEqual(
        expect.arrayContaining([
          'created',
          'viewed',
          'replied',
          'noted',
          'updated',
          'transitioned',
          'assigned',
        ]),
      );
    const stored = (await api('GET', `/tickets/${ticket.id}`, { token: tokens.agent })).body as {
      status: string;
      assignee: string;
    };
    expect(stored).toMatchObject({ status: 'resolved', assignee: 'u-agent-zhang', priority: 'high' });
    await shot(page, 'ticket-zh-desktop');
    await expectAccessible(page, 'ticket');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('does not offer an illegal action, and the API refuses it', async () => {
    // Prepare: an urgent ticket, resolved; closing urgent work takes a supervisor
    const ticket = await createTicket({
      subject: '主干网络中断',
      priority: 'urgent',
      customer: { email: 'net@example.com' },
    });
    for (const to of ['open', 'resolved']) {
      await api('POST', `/tickets/${ticket.id}/transitions`, {
        token: tokens.supervisor,
        body: { to, ...(to === 'resolved' ? { summary: '已处理 / Done' } : {}) },
      });
    }
    const { page, context } = await signedIn('u-agent-li');
    // Act
    await page.goto(`${runtime.url}/console/tickets/${ticket.id}`);
    await page.locator('[data-action="to-open"]').waitFor();
    // Assess: of the lifecycle moves (`to-*`; following, linking and merging are other actions), only reopen
    expect(
      await page
        .locator('[data-action^="to-"]')
        .evaluateAll((b) => b.map((x) => x.getAttribute('data-action'))),
    ).toEqual(['to-open']);
    const refused = await api('POST', `/tickets/${ticket.id}/transitions`, {
      token: tokenOf('u-agent-li'),
      body: { to: 'closed' },
    });
    expect(refused.status).toBe(403);
    await context.close();
  });

  it('shows what changed when someone else changed the ticket first (412), and retries on the fresh version', async () => {
    // Prepare: the agent has the ticket open…
    const ticket = await createTicket({ subject: '门禁卡失效', customer: { email: 'door@example.com' } });
    const { page, context } = await signedIn('u-agent-zhang');
    await page.goto(`${runtime.url}/console/tickets/${ticket.id}`);
    await page.locator('[data-action="to-open"]').waitFor();
    // …when a supervisor changes its priority-free state: accepts it
    const other = await api('POST', `/tickets/${ticket.id}/transitions`, {
      token: tokens.supervisor,
      body: { to: 'open' },
    });
    expect(other.status).toBe(200);
    // Act: the agent replies on the version they saw
    await page.locator('[data-composer=reply]').fill('我们已收到，正在处理。');
    await page.locator('[data-send=reply]').click();
    // Assess: the conflict is explained, naming the status change
    const alert = page.locator('[role=alert]', { hasText: '工单已被他人修改' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('待受理 → 处理中');
    expect(await page.locator('[data-composer=reply]').inputValue()).toBe('我们已收到，正在处理。'); // the draft is kept
    await shot(page, 'conflict-zh-desktop');
    // Act: retry on the fresh version
    await alert.locator('button', { hasText: '按最新内容重试' }).click();
    await page.locator('[data-message=public]', { hasText: '我们已收到' }).waitFor();
    expect(await page.locator('[role=alert]', { hasText: '工单已被他人修改' }).count()).toBe(0);
    expect(await page.locator('[data-composer=reply]').inputValue()).toBe('');
    await context.close();
  });

  it('toggles availability, and coming online shows the work picked up', async () => {
    // Prepare: 张伟 goes offline from the header
    const { page, context } = await signedIn('u-agent-zhang');
    const availability = page.getByRole('radiogroup', { name: '在线状态' });
    await availability.getByText('离线').click();
    await expect
      .poll(async () => {
        const agents = (await api('GET', '/agents', { token: tokens.admin })).body as {
          items: { id: string; availability: string }[];
        };
        return agents.items.find((a) => a.id === 'u-agent-zhang')?.availability;
      })
      .toBe('offline');
    // …while billing work arrives that only he can take (billing's only member): it waits in the queue
    const ticket = await createTicket({
      subject: '发票金额与合同不符',
      team: 'billing',
      customer: { email: 'finance@example.com' },
    });
    // Act
    await availability.getByText('在线').click();
    // Assess: the notice names the ticket he was handed, as a link
    const notice = page.locator('.ant-message-notice', { hasText: '上线后接到的工单' });
    await notice.waitFor();
    expect(await notice.locator('a').allTextContents()).toContain(ticket.number);
    const stored = (await api('GET', `/tickets/${ticket.id}`, { token: tokens.admin })).body as {
      assignee: string;
    };
    expect(stored.assignee).toBe('u-agent-zhang');
    await context.close();
  });

  it('counts a breach on the supervisor board, live', async () => {
    // Prepare
    const { page, context, errors } = await signedIn('u-sup-field');
    await page.locator('header [role=menuitem]', { hasText: '主管看板' }).click();
    await page.locator('[data-team]').first().waitFor();
    const breachedIn = (team: string) =>
      page
        .locator(`[data-team="${team}"] [data-stat="breached"] .ant-statistic-content-value`)
        .textContent()
        .then(Number);
    // Act: an urgent ticket for the service desk; its first response (30 min) is due in 15 s here
    const ticket = await createTicket({
      subject: '收银系统全部离线',
      priority: 'urgent',
      team: 'service-desk',
      customer: { email: 'pos@example.com' },
    });
    const before = await breachedIn('service-desk');
    // Assess: the board counts it within a few seconds of the breach, without a reload
    await expect.poll(() => breachedIn('service-desk'), { timeout: 30_000 }).toBeGreaterThan(before);
    expect(await page.getByText(ticket.number).count()).toBeGreaterThan(0); // in the at-risk list
    await shot(page, 'board-zh-desktop');
    await expectAccessible(page, 'board');
    // …and the ticket's history says which target breached, in words, from the audit entry's data
    await page.getByText(ticket.number).first().click();
    await expect
      .poll(() => page.locator('[data-history="sla.breached"]').first().textContent(), { timeout: 10_000 })
      .toContain('首次响应超时');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lets an admin edit an SLA policy; a bad value shows its field error', async () => {
    // Prepare
    const { page, context } = await signedIn('u-admin');
    await page.locator('header [role=menuitem]', { hasText: '管理设置' }).click();
    const field = page.locator('input[aria-label="urgent firstResponse"]');
    await field.waitFor();
    const version = Number(await page.locator('[data-version]').getAttribute('data-version'));
    // Act: a bad value
    await field.fill('-5');
    await page.locator('button[type=submit]').click();
    // Assess: the API's message beside the field, nothing saved
    const item = page.locator('.ant-form-item', { has: field });
    await item.locator('.ant-form-item-explain-error').waitFor();
    expect(await item.locator('.ant-form-item-explain-error').textContent()).toMatch(
      />0|greater|大于|positive/i,
    );
    await shot(page, 'admin-sla-error-zh-desktop');
    await expectAccessible(page, 'admin with a field error'); // the error text must be readable too
    // Act: a good value
    await field.fill('45');
    await page.locator('button[type=submit]').click();
    await expect
      .poll(async () => Number(await page.locator('[data-version]').getAttribute('data-version')))
      .toBe(version + 1);
    // Assess
    const stored = (await api('GET', '/config/sla', { token: tokens.admin })).body as {
      policies: { id: string; targets: { firstResponse?: { minutes: number } } }[];
      updatedBy: unknown;
    };
    expect(stored.policies.find((p) => p.id === 'urgent')?.targets.firstResponse?.minutes).toBe(45);
    expect(JSON.stringify(stored.updatedBy)).toContain('u-admin');
    await expectAccessible(page, 'admin');
    await context.close();
  });

  it('speaks English when switched, and fits a 390 px phone', async () => {
    // Prepare
    const { page, context } = await signedIn('u-agent-zhang', { viewport: phone });
    // Act
    await page.locator('button[aria-label=language]').click();
    // Assess
    await page.locator('h1', { hasText: 'Queue' }).waitFor();
    expect(await page.locator('[role=tab]').allTextContents()).toEqual([
      'My queue',
      'Team queues',
      'All tickets',
    ]);
    await page.locator('li[data-ticket]').first().waitFor(); // a phone gets cards, not a table
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, 'queue-en-phone');
    await expectAccessible(page, 'queue on a phone');
    await page.locator('[role=tab]', { hasText: 'All tickets' }).click();
    await page.locator('li[data-ticket] a').first().click();
    await page.locator('[data-composer=reply]').waitFor();
    await shot(page, 'ticket-en-phone');
    expect(
      await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth'),
    ).toBeLessThanOrEqual(0);
    await context.close();
    // …and the other screens in English on a desktop, Chinese on a phone
    const en = await signedIn('u-admin', { lang: 'en' }); // an English browser starts in English
    await en.page.locator('tr[data-ticket]').first().waitFor();
    await shot(en.page, 'queue-en-desktop');
    await en.page.locator('header [role=menuitem]', { hasText: 'Supervisor board' }).click();
    await en.page.locator('[data-team]').first().waitFor();
    await shot(en.page, 'board-en-desktop');
    await en.context.close();
    const zhPhone = await signedIn('u-sup-field', { viewport: phone });
    await zhPhone.page.locator('li[data-ticket]').first().waitFor();
    await shot(zhPhone.page, 'queue-zh-phone');
    await zhPhone.page.locator('header [role=menuitem]', { hasText: '主管看板' }).click();
    await zhPhone.page.locator('[data-team]').first().waitFor();
    await shot(zhPhone.page, 'board-zh-phone');
    await zhPhone.context.close();
  });
});

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConsoleWorld,
  expectAccessible,
  phone,
  shot,
  startConsoleWorld,
} from './support/console-browser.ts';
import { eventually } from './support/eventually.ts';

// biome-ignore lint/suspicious/noExplicitAny: API bodies are asserted field by field
type Json = any;

/**
 * Working together on a ticket in the console (Chromium against the local runtime): follow, a note
 * that mentions a colleague picked after `@` with a file attached, the attachments list, links and
 * the merge dialog with the merged banner. Screenshots zh and en, desktop and phone.
 */
let world: ConsoleWorld;

beforeAll(async () => {
  world = await startConsoleWorld();
});

afterAll(() => world?.stop());

async function createTicket(subject: string, email = 'li.xiaojie@example.com') {
  const created = await world.api('POST', '/tickets', {
    token: world.tokens.admin,
    body: {
      subject,
      description: '三楼的打印机一直卡纸，无法打印合同。',
      customer: { email, name: '李小姐' },
      team: 'service-desk',
    },
  });
  expect(created.status).toBe(201);
  return created.body as Json;
}

const ticketUrl = (id: string) => `${world.runtime.url}/console/tickets/${id}`;

describe('Working together on a ticket in the console', () => {
  it('follows, mentions a colleague with a file attached, links and merges a duplicate', async () => {
    // Prepare: a ticket, a related one, and a duplicate with a reply on it
    const ticket = await createTicket('三楼打印机卡纸');
    const related = await createTicket('三楼网络打印服务器告警', 'ops@example.com');
    const duplicate = await createTicket('打印机又卡纸了');
    const asked = await world.api('POST', `/tickets/${duplicate.id}/replies`, {
      token: world.tokens.agent,
      body: { body: '请问是哪一台打印机？', public: true },
    });
    expect(asked.status).toBe(201);
    const { page, context, errors } = await world.signedIn('u-agent-zhang');
    await page.goto(ticketUrl(ticket.id));
    await page.getByRole('heading', { name: '三楼打印机卡纸' }).waitFor();

    // Act: follow
    await page.locator('[data-action="follow"]').click();

    // Assess
    await page.locator('[data-action="unfollow"]').waitFor();
    await expect.poll(() => page.locator('[data-watchers]').textContent()).toContain('张伟');

    // Act: a note mentioning 王强 (picked after @), with a photo attached
    const note = page.locator('textarea[data-composer="note"]');
    await note.click();
    await note.pressSequentially('请 @u-agent-w');
    await page.getByText('王强 · u-agent-wang').click();
    await note.pressSequentially('帮忙去现场看一下，照片见附件。');
    const photo = Buffer.from(`\x89PNG fake photo ${Date.now()}`);
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.locator('[data-attach="note"]').click(),
    ]);
    await chooser.setFiles({ name: '现场照片.png', mimeType: 'image/png', buffer: photo });
    await expect.poll(() => page.locator('.ant-upload-list-item-done').count(), { timeout: 10_000 }).toBe(1);
    await page.locator('[data-send="note"]').click();

    // Assess: the mention is highlighted, the file is on the note and in the list; wang is notified
    const mention = page.locator('[data-message="internal"] [data-mention="u-agent-wang"]').first();
    await mention.waitFor();
    expect(await mention.textContent()).toBe('@王强');
    await page.locator('[data-message="internal"] [data-attachment="现场照片.png"]').waitFor();
    await page.locator('[data-attachment-row="现场照片.png"]').waitFor();
    await mention.scrollIntoViewIfNeeded();
    await shot(page, 'collab-thread-zh-desktop');
    const mails = await eventually(async () => {
      const all = (await world.api('GET', '/dev/outbox')).body.messages as Json[];
      const found = all.filter((m) => m.ticketId === ticket.id && m.kind === 'mention');
      return found.length ? found : undefined;
    }, 10_000);
    expect(mails[0].to).toBe('wang.qiang@gongdan.local');
    await expect.poll(() => page.locator('[data-watchers]').textContent()).toContain('王强');

    // Act / Assess: the file downloads with its bytes
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-attachment-row="现场照片.png"] button').click(),
    ]);
    expect(download.suggestedFilename()).toBe('现场照片.png');
    const saved = await download.path();
    const { readFileSync } = await import('node:fs');
    expect(createHash('sha256').update(readFileSync(saved)).digest('hex')).toBe(
      createHash('sha256').update(photo).digest('hex'),
    );

    // Act: link the related ticket by number
    await page.getByRole('textbox', { name: '关联另一张工单（编号）' }).fill(related.number);
    await page.locator('[data-action="link"]').click();
    await page.locator(`[data-link="${related.number}"]`).waitFor();
    await page.getByText('关注人 (2)').scrollIntoViewIfNeeded();
    await shot(page, 'collab-ticket-zh-desktop');
    await expectAccessible(page, 'ticket with collaboration');

    // Act: merge the duplicate into the ticket through the dialog
    await page.goto(ticketUrl(duplicate.id));
    await page.getByRole('heading', { name: '打印机又卡纸了' }).waitFor();
    await page.locator('[data-action="merge"]').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: '目标工单编号' }).fill(ticket.number);
    await dialog.locator('[data-action="merge-find"]').click();
    await dialog.locator(`[data-merge-target="${ticket.number}"]`).waitFor();
    await shot(page, 'collab-merge-dialog-zh-desktop');
    await expectAccessible(page, 'merge dialog');
    await dialog.locator('[data-action="merge-confirm"]').click();

    // Assess: the banner points at the target; the target has the copied reply
    await page.locator(`[data-merged-into="${ticket.number}"]`).waitFor();
    await shot(page, 'collab-merged-banner-zh-desktop');
    const thread = (await world.api('GET', `/tickets/${ticket.id}/messages`, { token: world.tokens.agent }))
      .body.items as Json[];
    expect(
      thread.some((m) => m.body === '请问是哪一台打印机？' && m.mergedFrom?.number === duplicate.number),
    ).toBe(true);
    expect(errors).toEqual([]);
    await context.close();

    // English, desktop and phone; Chinese on a phone
    const en = await world.signedIn('u-agent-zhang', { lang: 'en' });
    await en.page.goto(ticketUrl(ticket.id));
    await en.page.getByRole('button', { name: 'Unfollow' }).waitFor();
    await en.page.getByText('Merged into this').waitFor();
    await shot(en.page, 'collab-ticket-en-desktop');
    await en.page.setViewportSize(phone);
    await en.page.getByText('Watchers (2)').scrollIntoViewIfNeeded();
    await shot(en.page, 'collab-ticket-en-phone');
    await expectAccessible(en.page, 'ticket on a phone (en)');
    await en.context.close();
    const zhPhone = await world.signedIn('u-agent-wang', { viewport: phone });
    await zhPhone.page.goto(ticketUrl(ticket.id));
    await zhPhone.page.getByText('关注人 (2)').scrollIntoViewIfNeeded();
    await shot(zhPhone.page, 'collab-ticket-zh-phone');
    await zhPhone.page.goto(ticketUrl(duplicate.id));
    await zhPhone.page.locator(`[data-merged-into="${ticket.number}"]`).waitFor();
    await shot(zhPhone.page, 'collab-merged-banner-zh-phone');
    await zhPhone.context.close();
  });

  it('explains a refused upload beside the file', async () => {
    const ticket = await createTicket('上传限制');
    const { page, context } = await world.signedIn('u-agent-zhang', { lang: 'en' });
    await page.goto(ticketUrl(ticket.id));
    await page.getByRole('heading', { name: '上传限制' }).waitFor();
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.locator('[data-attach="reply"]').click(),
    ]);
    await chooser.setFiles({
      name: 'setup.exe',
      mimeType: 'application/x-msdownload',
      buffer: Buffer.from('MZ'),
    });
    await expect.poll(() => page.locator('.ant-upload-list-item-error').count(), { timeout: 10_000 }).toBe(1);
    await expect
      .poll(() => page.locator('[data-upload-error="setup.exe"]').textContent(), { timeout: 5000 })
      .toBe('setup.exe: Programs and scripts (.exe) cannot be attached');
    await expect.poll(() => page.getByText('no programs or scripts').count()).toBeGreaterThan(0);
    await shot(page, 'collab-upload-refused-en-desktop');
    await context.close();
  });
});

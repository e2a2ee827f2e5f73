import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConsoleWorld,
  expectAccessible,
  phone,
  shot,
  startConsoleWorld,
} from './support/console-browser.ts';

// biome-ignore lint/suspicious/noExplicitAny: API bodies are asserted field by field
type Json = any;

/**
 * Sender authentication in the console (Chromium against the local runtime): a reply's SPF/DKIM/DMARC
 * verdicts on its message in the thread, and the warning on a ticket quarantined because its mail
 * failed them.
 */
let world: ConsoleWorld;

beforeAll(async () => {
  world = await startConsoleWorld();
});

afterAll(() => world?.stop());

const results = (verdict: 'pass' | 'fail') =>
  `mx.gongdan.local; spf=${verdict} smtp.mailfrom=example.com; dkim=${verdict} header.d=example.com; dmarc=${verdict} header.from=example.com`;

async function deliver(from: string, subject: string, body: string, verdict: 'pass' | 'fail') {
  const raw = [
    `Authentication-Results: ${results(verdict)}`,
    `From: ${from}`,
    'To: support@gongdan.local',
    `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
    `Message-ID: <${randomUUID()}@mail.example.com>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    body,
    '',
  ].join('\r\n');
  const response = await world.api('POST', '/dev/inbound-email', {
    rawBody: raw,
    headers: { 'content-type': 'message/rfc822' },
  });
  expect(response.status).toBe(202);
  return response.body as Json;
}

const ticketUrl = (id: string) => `${world.runtime.url}/console/tickets/${id}`;

describe('Sender authentication in the console', () => {
  it("shows a reply's verdicts on its message and warns on a quarantined ticket, zh and en", async () => {
    // Prepare: a customer's ticket, their authenticated reply, and a forged mail naming the ticket
    const customer = `kunde-${randomUUID().slice(0, 8)}@example.com`;
    const original = await deliver(`王女士 <${customer}>`, '门禁卡失效', '门禁卡刷不开三楼的门。', 'pass');
    await deliver(customer, `Re: 门禁卡失效 [${original.number}]`, '今天还是刷不开。', 'pass');
    const forged = await deliver(
      customer,
      `Re: 门禁卡失效 [${original.number}]`,
      '请把新卡寄到别处。',
      'fail',
    );
    expect(forged.ticketId).not.toBe(original.ticketId);

    // Act: the original ticket's thread
    const { page, context, errors } = await world.signedIn('u-agent-zhang');
    await page.goto(ticketUrl(original.ticketId));
    await page.getByText('今天还是刷不开。').waitFor();

    // Assess
    await expect
      .poll(() => page.locator('[data-message="public"] [data-mail-auth="pass"]').textContent())
      .toBe('SPF ✓ DKIM ✓ DMARC ✓');
    await page.locator('[data-message="public"] [data-mail-auth="pass"]').first().scrollIntoViewIfNeeded();
    await shot(page, 'mail-auth-thread-zh-desktop');

    // Act: the quarantined ticket
    await page.goto(ticketUrl(forged.ticketId));
    await page.getByText('请把新卡寄到别处。').waitFor();

    // Assess
    await page
      .getByText(`此邮件未通过发件人验证，已单独建单待复核，未并入 ${original.number}。`, { exact: false })
      .waitFor();
    expect(await page.locator('[data-mail-auth="fail"]').textContent()).toBe(
      '⚠ 发件人验证未通过 · SPF ✗ DKIM ✗ DMARC ✗',
    );
    await shot(page, 'mail-auth-quarantined-zh-desktop');
    await expectAccessible(page, 'quarantined ticket');
    await page.setViewportSize(phone);
    await shot(page, 'mail-auth-quarantined-zh-phone');
    expect(errors).toEqual([]);
    await context.close();

    const en = await world.signedIn('u-agent-zhang', { lang: 'en' });
    await en.page.goto(ticketUrl(forged.ticketId));
    await en.page.getByText(`not added to ${original.number}`, { exact: false }).waitFor();
    expect(await en.page.locator('[data-mail-auth="fail"]').textContent()).toContain(
      'Sender authentication failed',
    );
    await shot(en.page, 'mail-auth-quarantined-en-desktop');
    await en.page.setViewportSize(phone);
    await shot(en.page, 'mail-auth-quarantined-en-phone');
    await en.context.close();
  });
});

import { describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.ts';
import { runtimeSuite } from './support/runtime-process.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field and asserted on.
type Json = any;

// Rating links last 3 hours of Gongdan time; at 600× that is 18 s, so the expiry test can outwait one.
process.env.FEEDBACK_LINK_VALID_HOURS = '3';
const rt = runtimeSuite({ args: ['--time-scale', '600'] });

const outbox = async () => (await rt.api<{ messages: Json[] }>('GET', '/dev/outbox')).body.messages;

/** A ticket an agent accepted and so is working on. */
async function openTicket(
  customer: Record<string, string>,
  subject = '打印机卡纸',
  description = '三楼打印机一直卡纸',
) {
  const created = await rt.api<Json>('POST', '/tickets', {
    token: rt.tokens.agent,
    body: { subject, description, customer },
  });
  expect(created.status).toBe(201);
  const opened = await rt.api<Json>('POST', `/tickets/${created.body.id}/transitions`, {
    token: rt.tokens.agent,
    body: { to: 'open' },
  });
  expect(opened.status).toBe(200);
  return opened.body;
}

const resolve = (id: string, body: Json) =>
  rt.api<Json>('POST', `/tickets/${id}/transitions`, {
    token: rt.tokens.agent,
    body: { to: 'resolved', ...body },
  });

/** The closing report sent for `ticketId` on `channel`, once the outbox has it. */
const reportOf = (ticketId: string, channel: 'email' | 'sms' = 'email') =>
  eventually(
    async () =>
      (await outbox()).find(
        (m) => m.ticketId === ticketId && m.kind === 'closing_report' && m.channel === channel,
      ),
    20_000,
  );

const linkIn = (text: string) => {
  const found = /(https?:\/\/\S+\/tickets\/\S+\/feedback\?token=[\w-]+&lang=\w+)/.exec(text)?.[1];
  expect(found, text).toBeDefined();
  return new URL(found!);
};

const postRating = (link: URL, body: Record<string, unknown>) =>
  rt.api<Json>('POST', link.pathname, { body: { token: link.searchParams.get('token'), ...body } });

const postForm = (path: string, form: Record<string, string>) =>
  fetch(`${rt.runtime.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });

describe('The closing report and the customer’s rating', () => {
  it('refuses to resolve without a summary, naming the field, and changes nothing', async () => {
    // Prepare
    const ticket = await openTicket({ email: 'wang.fang@example.com' });

    // Act
    const missing = await resolve(ticket.id, {});
    const blank = await resolve(ticket.id, { summary: '   ' });

    // Assess
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.fields).toEqual([
      expect.objectContaining({ path: 'summary', code: 'required' }),
    ]);
    expect(blank.status).toBe(400);
    const still = await rt.api<Json>('GET', `/tickets/${ticket.id}`, { token: rt.tokens.agent });
    expect(still.body.status).toBe('open');
    expect(still.body.version).toBe(ticket.version);
  });

  it('mails the report with the summary, the timeline and a link that rates once', async () => {
    // Prepare: a first response, then the resolve
    const ticket = await openTicket({ email: 'li.na@example.com', name: '李娜' });
    await rt.api('POST', `/tickets/${ticket.id}/replies`, {
      token: rt.tokens.agent,
      body: { body: '我们已安排工程师检查。', public: true },
    });
    const resolved = await resolve(ticket.id, { summary: '更换了定影组件并清理了进纸通道，打印测试正常。' });
    expect(resolved.status).toBe(200);
    expect(resolved.body.resolution).toMatchObject({
      summary: '更换了定影组件并清理了进纸通道，打印测试正常。',
    });

    // Act: the report, its page, the rating
    const mail = await reportOf(ticket.id);
    const link = linkIn(mail.body);
    const page = await fetch(`${rt.runtime.url}${link.pathname}${link.search}`);
    const pageText = await page.text();
    const rated = await postRating(link, { score: 5, comment: '师傅很专业' });
    const again = await postRating(link, { score: 1, comment: '改主意了' });

    // Assess: the mail carries what was asked and done, the timeline and the link, in Chinese
    expect(mail.to).toBe('li.na@example.com');
    expect(mail.body).toContain('服务完成报告');
    expect(mail.body).toContain('三楼打印机一直卡纸');
    expect(mail.body).toContain('更换了定影组件并清理了进纸通道');
    for (const step of ['提交请求', '首次回复', '问题解决']) expect(mail.body).toContain(step);
    expect(mail.body).toContain('处理人');
    // the resolve's plain status notice is replaced by the report
    expect((await outbox()).filter((m) => m.ticketId === ticket.id && m.kind === 'status')).toHaveLength(0);
    // the page: escaped, strict, the report and the form
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(pageText).toContain('更换了定影组件并清理了进纸通道');
    expect(pageText).toContain('name="score" value="5"');
    // the rating once
    expect(rated.status).toBe(200);
    expect(rated.body.rating).toMatchObject({ score: 5, comment: '师傅很专业' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('FEEDBACK.ALREADY_RATED');
    const stored = (await rt.api<Json>('GET', `/tickets/${ticket.id}`, { token: rt.tokens.agent })).body;
    expect(stored.feedback.rating).toMatchObject({
      score: 5,
      comment: '师傅很专业',
      assignee: stored.assignee,
    });
    const history = (await rt.api<Json>('GET', `/tickets/${ticket.id}/history`, { token: rt.tokens.agent }))
      .body;
    expect(history.items.filter((e: Json) => e.type === 'rated')).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ score: 5, team: stored.team }) }),
    ]);
    const published = await eventually(async () => {
      const { body } = await rt.api<{ events: Json[] }>('GET', '/dev/events');
      return body.events.find((e) => e.detailType === 'ticket.rated' && e.detail.ticketId === ticket.id);
    }, 20_000);
    expect(published.detail).toMatchObject({ score: 5, commented: true, team: stored.team });
  });

  it('answers an altered token with 401, a bad score with 400, and keeps the ticket unrated', async () => {
    // Prepare
    const ticket = await openTicket({ email: 'zhao.lei@example.com' });
    await resolve(ticket.id, { summary: '重置了账户密码。' });
    const link = linkIn((await reportOf(ticket.id)).body);
    const token = link.searchParams.get('token')!;
    const altered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;

    // Act
    const page = await fetch(`${rt.runtime.url}${link.pathname}?token=${altered}`);
    const post = await rt.api<Json>('POST', link.pathname, { body: { token: altered, score: 4 } });
    const otherTicket = await rt.api<Json>('POST', `/tickets/${ticket.id.slice(0, -1)}x/feedback`, {
      body: { token, score: 4 },
    });
    const badScore = await postRating(link, { score: 9 });
    const noScoreForm = await postForm(`${link.pathname}?lang=en`, { token, lang: 'en' });

    // Assess
    expect(page.status).toBe(401);
    expect(post.status).toBe(401);
    expect(post.body.error.code).toBe('FEEDBACK.LINK_INVALID');
    expect(otherTicket.status).toBe(401);
    expect(badScore.status).toBe(400);
    expect(badScore.body.error.details.fields).toEqual([expect.objectContaining({ path: 'score' })]);
    expect(noScoreForm.status).toBe(400);
    expect(await noScoreForm.text()).toContain('Choose a score from 1 to 5.');
    const stored = (await rt.api<Json>('GET', `/tickets/${ticket.id}`, { token: rt.tokens.agent })).body;
    expect(stored.feedback.rating).toBeNull();
  });

  it('alerts the team’s supervisor of a low score and lets the customer reopen, once', async () => {
    // Prepare
    const ticket = await openTicket(
      { email: 'sun.qiang@example.com' },
      'Laptop will not boot',
      'Black screen after update',
    );
    await resolve(ticket.id, { summary: 'Rolled back the display driver.' });
    const mail = await reportOf(ticket.id);
    const link = linkIn(mail.body);
    const token = link.searchParams.get('token')!;

    // Act: rate 1 through the page's form, then take the offer
    const rated = await postForm(`${link.pathname}?lang=en`, {
      token,
      lang: 'en',
      score: '1',
      comment: 'Still broken',
    });
    const thanks = await rated.text();
    const reopened = await postForm(`${link.pathname}/reopen?lang=en`, { token, lang: 'en' });
    const twice = await rt.api<Json>('POST', `${link.pathname}/reopen`, { body: { token } });

    // Assess: an English report (the request was in English), the alert to the supervisor, the reopen
    expect(mail.body).toContain('Service report');
    expect(mail.body).toContain('Rolled back the display driver.');
    expect(rated.status).toBe(200);
    expect(thanks).toContain('Your rating: 1 / 5');
    expect(thanks).toContain('Reopen the ticket');
    const stored = (await rt.api<Json>('GET', `/tickets/${ticket.id}`, { token: rt.tokens.agent })).body;
    const routing = (await rt.api<Json>('GET', '/config/routing', { token: rt.tokens.admin })).body;
    const supervisorId = routing.teams.find((t: Json) => t.id === stored.team).supervisor;
    const supervisor = (await rt.api<Json>('GET', '/agents', { token: rt.tokens.admin })).body.items.find(
      (a: Json) => a.id === supervisorId,
    );
    const alert = await eventually(
      async () => (await outbox()).find((m) => m.ticketId === ticket.id && m.kind === 'feedback.low_score'),
      20_000,
    );
    expect(alert.to).toBe(supervisor.email);
    expect(alert.body).toContain('Still broken');
    expect(reopened.status).toBe(200);
    expect(stored.status).toBe('open');
    expect(twice.status).toBe(409);
  });

  it('sends a customer known by phone only an SMS with the link', async () => {
    // Prepare
    const ticket = await openTicket({ phone: '+8613800138000', name: '周先生' });

    // Act
    await resolve(ticket.id, { summary: '远程协助恢复了网络连接。' });
    const sms = await reportOf(ticket.id, 'sms');
    const link = linkIn(sms.body);
    const page = await fetch(`${rt.runtime.url}${link.pathname}${link.search}`);
    const rated = await postRating(link, { score: 4 });

    // Assess
    expect(sms.to).toBe('+8613800138000');
    expect(sms.body.length).toBeLessThan(200);
    expect(page.status).toBe(200);
    expect(rated.status).toBe(200);
  });

  it('shows the same report and the rating form on the portal’s status page, and rates from there', async () => {
    // Prepare
    const ticket = await openTicket({ email: 'he.ping@example.com' });
    await resolve(ticket.id, { summary: '已为您更换网线并测试网速正常。' });
    const lookup = { number: ticket.number, email: 'he.ping@example.com', lang: 'zh' };

    // Act
    const page = await postForm('/portal/status', { action: 'lookup', ...lookup });
    const pageText = await page.text();
    const rated = await postForm('/portal/status', {
      action: 'rate',
      ...lookup,
      score: '4',
      comment: '不错',
    });
    const ratedText = await rated.text();

    // Assess
    expect(page.status).toBe(200);
    expect(pageText).toContain('服务完成报告');
    expect(pageText).toContain('已为您更换网线并测试网速正常。');
    expect(pageText).toContain('name="action" value="rate"');
    expect(rated.status).toBe(200);
    expect(ratedText).toContain('感谢您的评价');
    expect(ratedText).toContain('您的评分：4 / 5');
    expect(ratedText).not.toContain('name="action" value="rate"');
    const stored = (await rt.api<Json>('GET', `/tickets/${ticket.id}`, { token: rt.tokens.agent })).body;
    expect(stored.feedback.rating).toMatchObject({ score: 4, comment: '不错' });
  });

  it('refuses an expired link with 410', async () => {
    // Prepare
    const ticket = await openTicket({ email: 'qian.yu@example.com' });
    await resolve(ticket.id, { summary: '已为您开通 VPN 权限。' });
    const link = linkIn((await reportOf(ticket.id)).body);

    // Act: wait past the 3 hours (18 s at 600×)
    await new Promise((r) => setTimeout(r, 19_000));
    const page = await fetch(`${rt.runtime.url}${link.pathname}${link.search}`);
    const post = await postRating(link, { score: 5 });

    // Assess
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('已过期');
    expect(post.status).toBe(410);
    expect(post.body.error.code).toBe('FEEDBACK.LINK_EXPIRED');
  }, 40_000);
});

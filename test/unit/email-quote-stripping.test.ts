import { describe, expect, it } from 'vitest';
import { stripQuotedReply } from '#shared/domain/intake/quote-stripping.ts';
import { mail, parsed } from './intake-fakes.ts';

const lines = (...l: string[]) => l.join('\n');

describe('stripQuotedReply()', () => {
  it('removes a Gmail quote under a wrapped "On … wrote:" line', () => {
    const text = lines(
      'Restarted it, works now.',
      '',
      'On Fri, Nov 20, 2026 at 9:00 AM Gongdan Support <support@gongdan.test>',
      'wrote:',
      '> Please restart the printer.',
      '>',
      '> -- ',
      '> Gongdan',
    );
    expect(stripQuotedReply(text)).toBe('Restarted it, works now.');
  });

  it('removes a Gmail / NetEase quote under "在 … 写道："', () => {
    const text = lines(
      '好的，我试一下。',
      '',
      '在 2026年11月20日周五 09:00，Gongdan 客服 <support@gongdan.test> 写道：',
      '> 请重启打印机。',
    );
    expect(stripQuotedReply(text)).toBe('好的，我试一下。');
    const netease = lines(
      '收到',
      '',
      '在 2026-11-20 09:00:00，"Gongdan" <support@gongdan.test> 写道：',
      '> 请重启',
    );
    expect(stripQuotedReply(netease)).toBe('收到');
  });

  it('cuts Outlook history under "-----Original Message-----"', () => {
    const text = lines(
      'Still broken.',
      '',
      '-----Original Message-----',
      'From: Gongdan Support <support@gongdan.test>',
      'Sent: Friday, November 20, 2026 9:00 AM',
      'To: Zhao <zhao@example.com>',
      'Subject: RE: Printer broken [GD-000123]',
      '',
      'Please restart the printer.',
    );
    expect(stripQuotedReply(text)).toBe('Still broken.');
  });

  it('cuts an Outlook header block under a rule line, in English and in Chinese', () => {
    const en = lines(
      'Thanks!',
      '',
      '________________________________',
      'From: Gongdan Support <support@gongdan.test>',
      'Sent: Friday, November 20, 2026 9:00 AM',
      'To: Zhao',
      'Subject: Printer broken',
      '',
      'Old text',
    );
    const zh = lines(
      '谢谢！',
      '',
      '发件人: Gongdan 客服 <support@gongdan.test>',
      '发送时间: 2026年11月20日 9:00',
      '收件人: 赵女士 <zhao@example.com>',
      '主题: 答复: 打印机坏了 [GD-000123]',
      '',
      '旧内容',
    );
    expect(stripQuotedReply(en)).toBe('Thanks!');
    expect(stripQuotedReply(zh)).toBe('谢谢！');
  });

  it('cuts QQ Mail and Foxmail history under "------------------ 原始邮件 ------------------"', () => {
    const text = lines(
      '问题已解决',
      '',
      '',
      '------------------ 原始邮件 ------------------',
      '发件人: "Gongdan客服"<support@gongdan.test>;',
      '发送时间: 2026年11月20日(星期五) 上午9:00',
      '收件人: "赵女士"<zhao@qq.com>;',
      '主题: Re: 打印机坏了 [GD-000123]',
    );
    expect(stripQuotedReply(text)).toBe('问题已解决');
    const english = lines('Solved', '------------------ Original ------------------', 'From: x', 'Date: y');
    expect(stripQuotedReply(english)).toBe('Solved');
  });

  it('removes a "-- " signature and a phone footer', () => {
    expect(stripQuotedReply(lines('See attached.', '', '-- ', 'Zhao Li', 'ACME Ltd.'))).toBe('See attached.');
    expect(stripQuotedReply(lines('收到，谢谢', '', '发自我的iPhone'))).toBe('收到，谢谢');
    expect(stripQuotedReply(lines('OK', '', 'Sent from my iPhone'))).toBe('OK');
  });

  it('keeps answers written between quoted lines', () => {
    const text = lines(
      'On Fri, Nov 20, 2026 at 9:00 AM Gongdan <support@gongdan.test> wrote:',
      '> Which floor?',
      'Floor 3.',
      '> Which model?',
      'HP 4250.',
    );
    expect(stripQuotedReply(text)).toBe(text);
  });

  it('removes a trailing quote block with no attribution', () => {
    expect(stripQuotedReply(lines('Yes, please.', '', '> Shall we replace it?', '> Regards'))).toBe(
      'Yes, please.',
    );
  });

  it('keeps a message that is all quote rather than storing nothing', () => {
    const text = lines('> only quoted', '> text');
    expect(stripQuotedReply(text)).toBe(text);
  });

  it('does not cut a customer\'s own "From:" line that is not a header block', () => {
    const text = lines('From: my desk on floor 3', 'the printer makes a noise.');
    expect(stripQuotedReply(text)).toBe(text);
  });

  it('normalizes CRLF line ends', () => {
    expect(stripQuotedReply('Done.\r\n\r\n> old\r\n')).toBe('Done.');
  });

  it('strips the quote of an HTML-only Gmail reply once it is text', async () => {
    const html =
      '<div dir="ltr">It works now, thanks!</div><br><div class="gmail_quote"><div class="gmail_attr">' +
      'On Fri, Nov 20, 2026 at 9:00 AM Gongdan Support &lt;<a href="mailto:support@gongdan.test">' +
      'support@gongdan.test</a>&gt; wrote:<br></div><blockquote class="gmail_quote">' +
      '<div>Please restart the printer.</div></blockquote></div>';
    const email = await parsed(mail({ html }));
    expect(email.text).toContain('> Please restart the printer.');
    expect(stripQuotedReply(email.text)).toBe('It works now, thanks!');
  });

  it('strips the history of an HTML-only QQ Mail reply once it is text', async () => {
    const html =
      '<div>问题已解决</div><div><br></div><div>------------------&nbsp;原始邮件&nbsp;------------------</div>' +
      '<div><div><b>发件人:</b>&nbsp;"Gongdan客服"&lt;support@gongdan.test&gt;;</div>' +
      '<div><b>发送时间:</b>&nbsp;2026年11月20日(星期五) 上午9:00</div>' +
      '<div><b>收件人:</b>&nbsp;"赵女士"&lt;zhao@qq.com&gt;;</div><div><b>主题:</b>&nbsp;Re: 打印机坏了</div></div>' +
      '<div><br></div>旧内容';
    expect(stripQuotedReply((await parsed(mail({ html }))).text)).toBe('问题已解决');
  });
});

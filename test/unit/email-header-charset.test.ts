import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { transcodeUnlabelledHeaders } from '#shared/adapters/email/header-charset.ts';
import { parseEmail } from '#shared/adapters/email/parse-email.ts';
import { readFixture } from './intake-fakes.ts';

/**
 * Older Chinese and Japanese mail clients write Subject and display names as raw 8-bit bytes in their
 * own charset, with no RFC 2047 label. These messages are built byte by byte, the way such a client
 * sends them: nothing in the header says which charset the bytes are in.
 */
function rawMail(parts: {
  fromName: Buffer | string;
  address: string;
  subject: Buffer | string;
  contentType?: string;
  body?: Buffer | string;
}): Buffer {
  const bytes = (v: Buffer | string) => (typeof v === 'string' ? Buffer.from(v, 'latin1') : v);
  return Buffer.concat([
    Buffer.from('From: '),
    bytes(parts.fromName),
    Buffer.from(` <${parts.address}>\r\nTo: support@gongdan.test\r\nSubject: `),
    bytes(parts.subject),
    Buffer.from(
      '\r\nDate: Fri, 20 Nov 2026 08:00:00 +0800\r\nMessage-ID: <legacy-1@mail.example.cn>\r\nMIME-Version: 1.0\r\n',
    ),
    Buffer.from(`Content-Type: ${parts.contentType ?? 'text/plain'}\r\n\r\n`),
    bytes(parts.body ?? 'see subject\r\n'),
  ]);
}

async function parsed(raw: Buffer) {
  const result = await parseEmail(raw);
  if (!result.ok) throw result.error;
  return result.email;
}

describe('parseEmail() with unlabelled 8-bit headers', () => {
  it('reads a GBK subject and sender name that carry no charset label', async () => {
    // Prepare
    const raw = rawMail({
      fromName: iconv.encode('张三', 'gbk'),
      address: 'zhangsan@example.cn',
      subject: iconv.encode('打印机坏了，请尽快处理', 'gbk'),
    });

    // Act
    const email = await parsed(raw);

    // Assess
    expect(email.subject).toBe('打印机坏了，请尽快处理');
    expect(email.from).toEqual({ address: 'zhangsan@example.cn', name: '张三' });
  });

  it('reads GB18030 headers, four-byte characters included', async () => {
    const raw = rawMail({
      fromName: iconv.encode('𠮷田 李四', 'gb18030'),
      address: 'lisi@example.cn',
      subject: iconv.encode('报修：三楼空调不制冷，温度显示异常 𠮷', 'gb18030'),
    });

    const email = await parsed(raw);

    expect(email.subject).toBe('报修：三楼空调不制冷，温度显示异常 𠮷');
    expect(email.from?.name).toBe('𠮷田 李四');
  });

  it('reads a Shift_JIS subject and sender name that carry no charset label', async () => {
    const raw = rawMail({
      fromName: iconv.encode('山田太郎', 'shift_jis'),
      address: 'yamada@example.jp',
      subject: iconv.encode('プリンターが壊れました。至急対応をお願いします', 'shift_jis'),
    });

    const email = await parsed(raw);

    expect(email.subject).toBe('プリンターが壊れました。至急対応をお願いします');
    expect(email.from).toEqual({ address: 'yamada@example.jp', name: '山田太郎' });
  });

  it("takes the body's declared charset as the hint for a name too short to tell", async () => {
    const raw = rawMail({
      fromName: iconv.encode('王五', 'gbk'),
      address: 'wangwu@example.cn',
      subject: 'Invoice question',
      contentType: 'text/plain; charset=gb2312',
      body: iconv.encode('发票抬头写错了', 'gb2312'),
    });

    const email = await parsed(raw);

    expect(email.from?.name).toBe('王五');
    expect(email.text).toBe('发票抬头写错了');
  });

  it('keeps raw UTF-8 headers as UTF-8 (the shared fixture with an 8-bit UTF-8 subject)', async () => {
    const email = await parsed(readFixture('demisto-parse-emails/chinese_email_test.eml'));

    expect(email.subject).toBe('示例邮件');
  });

  it('decodes each header on its own: a UTF-8 subject beside a GBK sender name', async () => {
    const raw = rawMail({
      fromName: iconv.encode('赵六 客户服务部', 'gbk'),
      address: 'zhaoliu@example.cn',
      subject: Buffer.from('订单 2026-118 未发货', 'utf8'),
    });

    const email = await parsed(raw);

    expect(email.subject).toBe('订单 2026-118 未发货');
    expect(email.from?.name).toBe('赵六 客户服务部');
  });
});

describe('transcodeUnlabelledHeaders()', () => {
  it('leaves a message without 8-bit header bytes exactly as it was', () => {
    const raw = Buffer.from('From: a@example.com\r\nSubject: hi\r\n\r\n\xe4\xbd\xa0\r\n', 'latin1');

    const result = transcodeUnlabelledHeaders(raw);

    expect(result.charset).toBeNull();
    expect(result.bytes.equals(raw)).toBe(true);
  });

  it('rewrites only the header section, never the body bytes', () => {
    const body = iconv.encode('正文保持原样', 'gbk');
    const raw = rawMail({
      fromName: iconv.encode('张三', 'gbk'),
      address: 'zhangsan@example.cn',
      subject: iconv.encode('打印机坏了，请尽快处理', 'gbk'),
      body,
    });

    const result = transcodeUnlabelledHeaders(raw);

    expect(result.charset).toBe('gb18030');
    expect(result.bytes.subarray(result.bytes.length - body.length).equals(body)).toBe(true);
    expect(result.bytes.toString('utf8')).toContain('Subject: 打印机坏了，请尽快处理\r\n');
  });
});

import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { openImport } from '../../../shared/domain/import/check-import.ts';
import { collect, sourceOf } from './support.ts';

/** Twenty tickets as a Chinese desk exports them; `variant` makes the text traditional for Big5. */
function chineseCsv(variant: 'simplified' | 'traditional', extraName = '') {
  const simplified = {
    header: '工单号,标题,优先级,客户邮箱,客户姓名,创建时间,描述',
    subjects: ['打印机无法连接网络', '账号无法登录', '发票抬头开错了', '退款一直没有到账', '网站页面打不开'],
    names: ['张伟', '王芳', '李娜', '刘洋', '陈静'],
    description: '客户来电说明问题，已记录“详细情况”，请尽快处理',
  };
  const traditional = {
    header: '工單號,標題,優先級,客戶郵箱,客戶姓名,創建時間,描述',
    subjects: ['印表機無法連線', '帳號無法登入', '發票抬頭開錯了', '退款一直沒有到帳', '網站頁面打不開'],
    names: ['張偉', '王芳', '李娜', '劉洋', '陳靜'],
    description: '客戶來電說明問題，已記錄「詳細情況」，請盡快處理',
  };
  const t = variant === 'simplified' ? simplified : traditional;
  const rows = Array.from({ length: 20 }, (_, i) => ({
    externalId: `OLD-${1000 + i}`,
    subject: `${t.subjects[i % 5]}（第${i + 1}次）`,
    name: `${t.names[i % 5]}${i === 7 ? extraName : ''}`,
    email: `user${i}@example.com`,
    createdAt: `2026-01-${String((i % 28) + 1).padStart(2, '0')} 09:05`,
    description: `${t.description},"引号"与逗号`,
  }));
  const text = [
    t.header,
    ...rows.map(
      (r) =>
        `${r.externalId},${r.subject},high,${r.email},${r.name},${r.createdAt},"${r.description.replaceAll('"', '""')}"`,
    ),
  ].join('\r\n');
  return { text, rows };
}

const cases = [
  { encoding: 'gbk', variant: 'simplified', reported: 'GB18030', extra: '' },
  // 𠮷 (U+20BB7) is outside GBK: four bytes in GB18030, so only a real GB18030 reading gets it back.
  { encoding: 'gb18030', variant: 'simplified', reported: 'GB18030', extra: '𠮷' },
  { encoding: 'big5', variant: 'traditional', reported: 'Big5', extra: '' },
  { encoding: 'utf8-bom', variant: 'simplified', reported: 'UTF-8 (BOM)', extra: '𠮷' },
  { encoding: 'utf8', variant: 'traditional', reported: 'UTF-8', extra: '' },
  { encoding: 'utf16le-bom', variant: 'simplified', reported: 'UTF-16LE (BOM)', extra: '𠮷' },
] as const;

describe('openImport() on Chinese CSV files', () => {
  it.each(cases)('reads a $encoding file, reports $reported and keeps every value exact', async (c) => {
    // Prepare
    const { text, rows } = chineseCsv(c.variant, c.extra);
    const encoding = c.encoding.replace(/-bom$/, '');
    const bytes = iconv.encode(text, encoding, { addBOM: c.encoding.endsWith('-bom') });
    expect(iconv.decode(bytes, encoding)).toBe(text); // encodable
    // Act: 5-byte chunks split double-byte characters across chunks
    const opened = await openImport(sourceOf(bytes, 5));
    const checked = await collect(opened.rows);
    // Assess
    expect(opened.encoding).toBe(c.reported);
    expect(Object.values(opened.mapping)).toEqual([
      'externalId',
      'subject',
      'priority',
      'customerEmail',
      'customerName',
      'createdAt',
      'description',
    ]);
    expect(checked.map((r) => r.issues)).toEqual(rows.map(() => []));
    expect(checked.map((r) => r.values?.subject)).toEqual(rows.map((r) => r.subject));
    expect(checked.map((r) => r.values?.customer.name)).toEqual(rows.map((r) => r.name));
    expect(checked.map((r) => r.values?.description)).toEqual(rows.map((r) => r.description));
    expect(checked[0]?.values?.createdAt).toBe('2026-01-01T01:05:00.000Z');
  });

  it('tells GBK from Big5 on a two-line file, where chardet alone guesses a Western code page', async () => {
    const simplified = '工单号,标题,创建时间,客户邮箱\r\nA1,无法登录,2026-01-21,a@example.com';
    const traditional = '工單號,標題,創建時間,客戶郵箱\r\nA1,無法登入,2026-01-21,a@example.com';
    const gbk = await openImport(sourceOf(iconv.encode(simplified, 'gbk')));
    const big5 = await openImport(sourceOf(iconv.encode(traditional, 'big5')));
    expect([gbk.encoding, big5.encoding]).toEqual(['GB18030', 'Big5']);
    expect((await collect(gbk.rows))[0]?.values?.subject).toBe('无法登录');
    expect((await collect(big5.rows))[0]?.values?.subject).toBe('無法登入');
  });
});

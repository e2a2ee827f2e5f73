import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { openImport } from '../../../shared/domain/import/check-import.ts';
import { modelPrefixes } from '../../../shared/domain/ticket/product-region.ts';
import { collect, sourceOf, utf8 } from './support.ts';

/** The import's product, model and region columns (docs/import.md, "Columns"; docs/analytics.md). */
describe('product, model and region columns', () => {
  it('finds them by traditional headers in a Big5 file and reads each row', async () => {
    const text = [
      '工單號,標題,客戶郵箱,創建時間,產品線,型號,地區',
      'T-1,冷氣不冷,a@example.com,2025-03-01 09:00,,KFR-35GW,廣東省深圳市南山區',
      'T-2,洗衣機漏水,b@example.com,2025-03-01 10:00,洗衣機,,上海市/徐匯區',
      'T-3,印表機卡紙,c@example.com,2025-03-01 11:00,,ZZ-1234X,',
    ].join('\r\n');
    const bytes = iconv.encode(text, 'big5');

    const opened = await openImport(sourceOf(bytes));
    const rows = await collect(opened.rows);

    expect(opened.encoding).toBe('Big5');
    expect(opened.mapping).toMatchObject({ 產品線: 'product', 型號: 'model', 地區: 'region' });
    // 廣東 is traditional (values are not folded), but 深圳 is a known city: its province is added.
    expect(rows[0]?.values).toMatchObject({
      product: '空调',
      model: 'KFR-35GW',
      region: '广东省/深圳市',
    });
    expect(rows[1]?.values).toMatchObject({ product: '洗衣機', region: '上海市/徐匯區' });
    expect(rows[1]?.values).not.toHaveProperty('model');
    expect(rows[2]).toMatchObject({
      values: null,
      issues: [expect.objectContaining({ column: '產品線', code: 'REQUIRED', severity: 'error' })],
    });
  });

  it('normalises a recognised region, refuses an over-long unknown one, and uses the configured prefixes', async () => {
    const csv = [
      'externalId,subject,customerEmail,createdAt,model,address',
      'R-1,a,a@example.com,2025-03-01,HP-LJ2020,北京朝阳区望京西园三区12号楼',
      `R-2,b,b@example.com,2025-03-01,,${'某'.repeat(61)}`,
    ].join('\n');
    const prefixes = modelPrefixes({ modelPrefixes: [{ prefix: 'HP', line: '打印机' }] });

    const rows = await collect((await openImport(sourceOf(utf8(csv)), { modelPrefixes: prefixes })).rows);

    expect(rows[0]?.values).toMatchObject({ product: '打印机', model: 'HP-LJ2020', region: '北京市/朝阳区' });
    expect(rows[1]).toMatchObject({
      values: null,
      issues: [expect.objectContaining({ column: 'address', code: 'TOO_LONG' })],
    });
  });
});

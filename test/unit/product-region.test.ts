import { describe, expect, it } from 'vitest';
import { defaultRoutingInput } from '../../shared/domain/routing/default-config.ts';
import { parseRoutingConfig } from '../../shared/domain/routing/routing-config.ts';
import {
  deriveProductRegion,
  findModel,
  findRegion,
  modelPrefixes,
  normaliseRegion,
  productOf,
  readProductText,
} from '../../shared/domain/ticket/product-region.ts';

describe('model numbers in a ticket text', () => {
  it.each([
    ['家里的空调KFR-35GW/BpR3DYA1不制冷了', 'KFR-35GW/BPR3DYA1', '空调'],
    ['格力 KFR-72LW 外机异响', 'KFR-72LW', '空调'],
    ['挂机 KF-23GW 漏水', 'KF-23GW', '空调'],
    ['变频 KFRd-72LW 不制热', 'KFRD-72LW', '空调'],
    ['滚筒洗衣机XQG100-B14脱水时噪音大', 'XQG100-B14', '洗衣机'],
    ['波轮 XQB80-M1269 不排水', 'XQB80-M1269', '洗衣机'],
    ['冰箱型号：BCD-470WDPG，冷藏室结冰', 'BCD-470WDPG', '冰箱'],
    ['热水器JSQ30-16WH5点不着火', 'JSQ30-16WH5', '热水器'],
    ['油烟机 CXW-200-JE15 吸力小', 'CXW-200-JE15', '油烟机'],
    ['my washer xqg100-b14 leaks', 'XQG100-B14', '洗衣机'],
    // Full-width letters and digits, as some input methods type them.
    ['空调ＫＦＲ－３５ＧＷ不制冷', 'KFR-35GW', '空调'],
    ['洗碗机 WQP12-J7309 不出水', 'WQP12-J7309', '洗碗机'],
  ])('%s → %s (%s)', (text, model, line) => {
    expect(findModel(text)).toEqual({ model, line });
  });

  it.each([
    ['a mobile number', '请回电 13812345678'],
    ['a landline', '座机 010-87654321'],
    ['an order number', '订单号BC20261234567 还没发货'],
    ['a tracking number', '顺丰 SF1234567890123'],
    ['a ticket number', '见工单 GD-000123'],
    ['a purchase order', 'PO-5531 已付款'],
    ['a mask, too short for a model', '我买的KF94口罩'],
    ['an operating system', '电脑是 Windows10'],
    ['an unknown prefix', '打印机 HP-LJ2020 卡纸'],
    ['a word inside a longer word', 'ABCKFR-35GW'],
    ['an amount', '花了 ¥3500 修空调'],
    ['no model at all', '空调不制冷，已经三天了'],
  ])('%s is no model', (_what, text) => {
    expect(findModel(text)).toBeNull();
  });

  it('takes the line from a configured prefix, before the built-in table, and can drop the table', () => {
    const own = modelPrefixes({
      modelPrefixes: [
        { prefix: 'hp', line: '打印机' },
        { prefix: 'KFR', line: '家用空调' },
      ],
    });
    expect(findModel('打印机 HP-LJ2020 卡纸', own)).toEqual({ model: 'HP-LJ2020', line: '打印机' });
    expect(findModel('KFR-35GW', own)?.line).toBe('家用空调');
    expect(findModel('XQG100-B14', own)?.line).toBe('洗衣机');
    const only = modelPrefixes({ modelPrefixes: [{ prefix: 'HP', line: '打印机' }], useDefaults: false });
    expect(findModel('XQG100-B14', only)).toBeNull();
  });

  it('reads a product field as a person types it', () => {
    expect(readProductText('空调 KFR-35GW')).toEqual({ line: '空调', model: 'KFR-35GW' });
    expect(readProductText('KFR-35GW')).toEqual({ line: '空调', model: 'KFR-35GW' });
    expect(readProductText('洗衣机')).toEqual({ line: '洗衣机' });
    expect(readProductText('  ')).toBeNull();
    expect(productOf(undefined, 'bcd-470wdpg')).toEqual({ line: '冰箱', model: 'BCD-470WDPG' });
    expect(productOf('冰箱', undefined)).toEqual({ line: '冰箱' });
    expect(productOf(undefined, 'ZZ-1234X')).toBeNull();
  });

  it('the routing configuration accepts a products section and refuses a bad prefix', () => {
    const base = defaultRoutingInput;
    const config = parseRoutingConfig({
      ...base,
      products: { modelPrefixes: [{ prefix: 'HP', line: '打印机' }] },
    });
    expect(config.products).toEqual({ modelPrefixes: [{ prefix: 'HP', line: '打印机' }], useDefaults: true });
    let refused: unknown;
    try {
      parseRoutingConfig({ ...base, products: { modelPrefixes: [{ prefix: 'H-P1', line: '打印机' }] } });
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({
      code: 'ROUTING.CONFIG_INVALID',
      details: { fields: [expect.objectContaining({ path: 'products.modelPrefixes.0.prefix' })] },
    });
  });
});

describe('regions from addresses', () => {
  it.each([
    ['北京市朝阳区望京西园三区12号楼', '北京市/朝阳区'],
    ['广东省深圳市南山区科技园科苑路15号', '广东省/深圳市'],
    ['上海市浦东新区张江高科技园区', '上海市/浦东新区'],
    ['重庆渝中区解放碑', '重庆市/渝中区'],
    ['北京海淀区中关村大街1号', '北京市/海淀区'],
    ['深圳南山区', '广东省/深圳市'],
    ['浙江杭州西湖区文三路', '浙江省/杭州市'],
    ['江苏省苏州工业园区星湖街', '江苏省/苏州市'],
    ['广西南宁市青秀区', '广西壮族自治区/南宁市'],
    ['新疆乌鲁木齐天山区', '新疆维吾尔自治区/乌鲁木齐市'],
    ['湖北省恩施土家族苗族自治州', '湖北省/恩施土家族苗族自治州'],
    ['吉林市船营区', '吉林省/吉林市'],
    ['广东省', '广东省'],
    ['成都市武侯区天府大道', '四川省/成都市'],
    ['北京市 / 朝阳区', '北京市/朝阳区'],
  ])('%s → %s', (address, region) => {
    expect(findRegion(address)).toBe(region);
  });

  it.each([
    ['an unopened box, not 开封', '包装未开封，直接退货'],
    ['a street named after a city', '中山路100号'],
    ['marble, not 大理', '大理石台面开裂'],
    ['no place', '空调不制冷'],
    ['an English address', '12 Baker Street, London'],
  ])('%s is no region', (_what, text) => {
    expect(findRegion(text)).toBeNull();
  });

  it('in free text, a city without its province counts only with 市', () => {
    expect(findRegion('深圳湾附近的朋友', { strict: true })).toBeNull();
    expect(findRegion('我在深圳市南山区', { strict: true })).toBe('广东省/深圳市');
    expect(findRegion('我在广东深圳', { strict: true })).toBe('广东省/深圳市');
  });

  it('a region given is kept canonical when it names a known place, as typed otherwise', () => {
    expect(normaliseRegion('北京市朝阳区')).toBe('北京市/朝阳区');
    expect(normaliseRegion('北京市/朝阳区')).toBe('北京市/朝阳区');
    expect(normaliseRegion(' 华东大区 ')).toBe('华东大区');
  });
});

describe('deriving product and region for a ticket', () => {
  const ticket = {
    subject: '空调不制冷',
    description: '型号 KFR-35GW，联系电话 13812345678，订单号 JD20261207001',
    location: { address: '北京市朝阳区望京西园三区12号楼' },
    customFields: {},
  };

  it('fills what is missing and names what it derived', () => {
    expect(deriveProductRegion(ticket, { product: null, region: null })).toEqual({
      product: { line: '空调', model: 'KFR-35GW' },
      region: '北京市/朝阳区',
      derived: ['product', 'region'],
    });
  });

  it('keeps what was given', () => {
    expect(deriveProductRegion(ticket, { product: { line: '洗衣机' }, region: '上海市/徐汇区' })).toEqual({
      product: { line: '洗衣机' },
      region: '上海市/徐汇区',
      derived: [],
    });
  });

  it('reads the portal address field, then the text', () => {
    expect(
      deriveProductRegion(
        { subject: 'x', description: '', location: null, customFields: { location: '广东省深圳市南山区' } },
        { product: null, region: null },
      ).region,
    ).toBe('广东省/深圳市');
    expect(
      deriveProductRegion(
        { subject: '杭州市西湖区的洗衣机XQB80-M1269漏水', description: '' },
        { product: null, region: null },
      ),
    ).toEqual({
      product: { line: '洗衣机', model: 'XQB80-M1269' },
      region: '浙江省/杭州市',
      derived: ['product', 'region'],
    });
  });

  it('derives nothing from text without a model or a place', () => {
    expect(
      deriveProductRegion(
        { subject: '账单有误', description: '请回电 13812345678，订单号 BC20261234567' },
        { product: null, region: null },
      ),
    ).toEqual({ product: null, region: null, derived: [] });
  });
});

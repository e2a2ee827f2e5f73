import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.ts';
import { runtimeSuite } from './support/runtime-process.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, asserted field by field
type Json = Record<string, any>;

const suite = runtimeSuite();

const customer = { email: 'zhang.wei@example.com', name: '张伟' };

const create = (body: Json, token = suite.tokens.agent) => suite.api('POST', '/tickets', { token, body });

/** The `ticket.created` event the bus published for a ticket. */
const createdEvent = (ticketId: string) =>
  eventually(
    async () => {
      const { body } = await suite.api('GET', '/dev/events');
      return (body.events as Json[]).find(
        (e) => e.detailType === 'ticket.created' && e.detail.ticketId === ticketId,
      );
    },
    30_000,
    100,
  );

describe('Product and region on tickets (docs/analytics.md, "Product and region")', () => {
  it('keeps an explicit product and region, normalising a recognised region, and publishes them', async () => {
    // Act
    const created = await create({
      subject: '空调外机异响',
      description: '声音很大，晚上睡不着',
      customer,
      product: { line: '空调', model: 'KFR-72LW' },
      region: '广东省深圳市南山区',
    });

    // Assess
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      product: { line: '空调', model: 'KFR-72LW' },
      region: '广东省/深圳市',
    });
    expect(created.body.derived ?? []).toEqual([]);
    const event = await createdEvent(created.body.id);
    expect(event?.detail).toMatchObject({
      product: { line: '空调', model: 'KFR-72LW' },
      region: '广东省/深圳市',
    });
  });

  it('derives the product from a model number in the description and the region from the address', async () => {
    // Act
    const created = await create({
      subject: '洗衣机脱水时漏水',
      description: '型号 XQG100-B14，联系电话 13812345678，订单号 JD20261207001。',
      customer,
      location: { lat: 39.99, lng: 116.47, address: '北京市朝阳区望京西园三区12号楼' },
    });
    const read = await suite.api('GET', `/tickets/${created.body.id}`, { token: suite.tokens.agent });

    // Assess
    expect(created.status).toBe(201);
    expect(read.body).toMatchObject({
      product: { line: '洗衣机', model: 'XQG100-B14' },
      region: '北京市/朝阳区',
      derived: ['product', 'region'],
    });
  });

  it('derives nothing from a ticket that names no model and no place', async () => {
    const created = await create({ subject: '发票抬头开错了', description: '请回电 13812345678', customer });

    expect(created.status).toBe(201);
    expect(created.body.product).toBeNull();
    expect(created.body.region).toBeNull();
  });

  it('lets a customer give them on create', async () => {
    const created = await create(
      { subject: '冰箱不制冷', product: { line: '冰箱', model: 'BCD-470WDPG' }, region: '上海市/徐汇区' },
      suite.tokens.customer,
    );

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      product: { line: '冰箱', model: 'BCD-470WDPG' },
      region: '上海市/徐汇区',
    });
  });

  it('changes them with PATCH (audited, no longer marked derived) and clears them with null', async () => {
    // Prepare
    const created = await create({ subject: '空调KFR-35GW不制冷', description: '', customer });
    expect(created.body.derived).toEqual(['product']);

    // Act
    const changed = await suite.api('PATCH', `/tickets/${created.body.id}`, {
      token: suite.tokens.agent,
      body: { product: { line: '中央空调', model: 'KFR-120LW' }, region: '浙江杭州西湖区' },
      headers: { 'if-match': `"${created.body.version}"` },
    });
    const cleared = await suite.api('PATCH', `/tickets/${created.body.id}`, {
      token: suite.tokens.agent,
      body: { region: null },
    });
    const history = await suite.api('GET', `/tickets/${created.body.id}/history`, {
      token: suite.tokens.agent,
    });

    // Assess
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      product: { line: '中央空调', model: 'KFR-120LW' },
      region: '浙江省/杭州市',
      derived: [],
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body.region).toBeNull();
    expect(cleared.body.product).toEqual({ line: '中央空调', model: 'KFR-120LW' });
    const updates = (history.body.items as Json[]).filter((e) => e.type === 'updated');
    expect(updates.map((e) => e.data)).toEqual([
      {
        product: { from: { line: '空调', model: 'KFR-35GW' }, to: { line: '中央空调', model: 'KFR-120LW' } },
        region: { from: null, to: '浙江省/杭州市' },
      },
      { region: { from: '浙江省/杭州市', to: null } },
    ]);
  });

  it('refuses bad product and region input with 400 and each field named', async () => {
    // Prepare
    const created = await create({ subject: '热水器不出热水', customer });

    // Act
    const badCreate = await create({
      subject: '坏的输入',
      customer,
      product: { model: 'KFR-35GW' },
      region: 'x'.repeat(61),
    });
    const badPatch = await suite.api('PATCH', `/tickets/${created.body.id}`, {
      token: suite.tokens.agent,
      body: { product: { line: '', model: 'y'.repeat(61) }, region: 42 },
    });
    const unknownKey = await suite.api('PATCH', `/tickets/${created.body.id}`, {
      token: suite.tokens.agent,
      body: { product: { line: '空调', colour: 'white' } },
    });

    // Assess
    const paths = (r: Json) => (r.body.error.details.fields as Json[]).map((f) => f.path).sort();
    expect(badCreate.status).toBe(400);
    expect(badCreate.body.error.code).toBe('REQUEST.INVALID');
    expect(paths(badCreate)).toEqual(['product.line', 'region']);
    expect(badPatch.status).toBe(400);
    expect(paths(badPatch)).toEqual(['product.line', 'product.model', 'region']);
    expect(unknownKey.status).toBe(400);
    expect(paths(unknownKey)).toEqual(['product']);
    const unchanged = await suite.api('GET', `/tickets/${created.body.id}`, { token: suite.tokens.agent });
    expect(unchanged.body.version).toBe(created.body.version);
  });

  it('filters the ticket list by product line, model and region (a region prefix finds its cities)', async () => {
    // Prepare
    const a = await create({
      subject: '洗碗机WQP12-J7309不出水',
      description: '地址：四川省成都市武侯区',
      customer,
    });
    const b = await create({
      subject: '洗碗机报错',
      customer,
      product: { line: '洗碗机' },
      region: '四川省/绵阳市',
    });
    await create({ subject: '洗碗机异响', customer, product: { line: '洗碗机' }, region: '重庆市/渝中区' });

    // Act
    const list = async (query: string) =>
      ((await suite.api('GET', `/tickets?${query}`, { token: suite.tokens.agent })).body.items as Json[]).map(
        (t) => t.id,
      );
    const [byRegionPrefix, byModel, byLineAndCity] = [
      await list(`region=${encodeURIComponent('四川省')}`),
      await list('model=wqp12-j7309'),
      await list(`product=${encodeURIComponent('洗碗机')}&region=${encodeURIComponent('四川省/绵阳市')}`),
    ];

    // Assess
    expect(a.body.region).toBe('四川省/成都市');
    expect(byRegionPrefix.sort()).toEqual([a.body.id, b.body.id].sort());
    expect(byModel).toEqual([a.body.id]);
    expect(byLineAndCity).toEqual([b.body.id]);
  });

  it('derives with the model-prefix table of the routing configuration, refusing a bad prefix', async () => {
    // Prepare
    const read = await suite.api('GET', '/config/routing', { token: suite.tokens.admin });
    const { version, updatedAt: _at, updatedBy: _by, ...doc } = read.body;
    const put = (products: Json) =>
      suite.api('PUT', '/config/routing', {
        token: suite.tokens.admin,
        headers: { 'if-match': `"${version}"` },
        body: { ...doc, products },
      });

    // Act
    const bad = await put({ modelPrefixes: [{ prefix: 'H-P', line: '打印机' }] });
    const saved = await put({ modelPrefixes: [{ prefix: 'HP', line: '打印机' }] });
    const printer = await create({ subject: '打印机 HP-LJ2020 卡纸', customer });
    const washer = await create({ subject: '洗衣机 XQG100-B14 不排水', customer });

    // Assess
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields).toEqual([
      expect.objectContaining({ path: 'products.modelPrefixes.0.prefix' }),
    ]);
    expect(saved.status).toBe(200);
    expect(printer.body.product).toEqual({ line: '打印机', model: 'HP-LJ2020' });
    expect(washer.body.product).toEqual({ line: '洗衣机', model: 'XQG100-B14' });
  });

  it('takes a product/model and a region from the portal form, and re-shows an over-long one', async () => {
    // Prepare
    const form = (fields: Record<string, string>) => {
      const body = new FormData();
      for (const [k, v] of Object.entries({ nonce: `n-${crypto.randomUUID()}`, lang: 'zh', ...fields }))
        body.append(k, v);
      return fetch(`${suite.runtime.url}/portal`, { method: 'POST', body });
    };
    const base = { subject: '空调漏水', description: '挂机一直滴水', email: 'li.na@example.com' };

    // Act
    const page = await (await form({ ...base, product: '空调 KFR-35GW', region: '北京朝阳区' })).text();
    const tooLong = await form({ ...base, region: '区'.repeat(61) });
    const number = /id="ticket-number">(GD-\d{6})</.exec(page)?.[1] ?? '';
    const ticket = await suite.api('GET', `/tickets/${number}`, { token: suite.tokens.admin });

    // Assess
    expect(number).not.toBe('');
    expect(ticket.body).toMatchObject({
      product: { line: '空调', model: 'KFR-35GW' },
      region: '北京市/朝阳区',
    });
    expect(ticket.body.derived ?? []).toEqual([]);
    expect(tooLong.status).toBe(400);
    expect(await tooLong.text()).toContain('id="region-error"');
  });

  it('imports product, model and region columns by their Chinese headers, deriving a line and a region', async () => {
    // Prepare
    const csv = stringify([
      ['工单号', '标题', '状态', '客户邮箱', '创建时间', '产品', '型号', '地区'],
      [
        'PR-1',
        '空调不制冷',
        'closed',
        'a@example.com',
        '2025-03-01 09:00',
        '空调',
        'KFR-35GW',
        '北京市/朝阳区',
      ],
      [
        'PR-2',
        '洗衣机漏水',
        'closed',
        'b@example.com',
        '2025-03-01 10:00',
        '',
        'xqb80-m1269',
        '广东省深圳市南山区科技园',
      ],
      ['PR-3', '热水器XQ故障', 'closed', 'c@example.com', '2025-03-01 11:00', '', 'ZZ-1234X', ''],
      ['PR-4', '冰箱BCD-470WDPG结冰', 'closed', 'd@example.com', '2025-03-01 12:00', '', '', ''],
    ]);

    // Act
    const started = await suite.api('POST', '/imports?dryRun=false&fileName=products.csv', {
      token: suite.tokens.admin,
      rawBody: Buffer.from(csv),
      headers: { 'content-type': 'text/csv' },
    });
    const report = await eventually(
      async () => {
        const r = await suite.api('GET', `/imports/${started.body.importId}`, { token: suite.tokens.admin });
        return ['completed', 'failed'].includes(r.body.status) ? (r.body as Json) : undefined;
      },
      120_000,
      100,
    );
    const find = async (ref: string) =>
      (await suite.api('GET', `/tickets?q=${ref}&view=full`, { token: suite.tokens.admin })).body.items[0];

    // Assess
    expect(report).toMatchObject({ status: 'completed', created: 3, errorCount: 1 });
    expect(report.mapping).toMatchObject({ 产品: 'product', 型号: 'model', 地区: 'region' });
    expect(report.errors).toEqual([expect.objectContaining({ row: 4, column: '产品', code: 'REQUIRED' })]);
    expect(await find('PR-1')).toMatchObject({
      product: { line: '空调', model: 'KFR-35GW' },
      region: '北京市/朝阳区',
    });
    expect(await find('PR-2')).toMatchObject({
      product: { line: '洗衣机', model: 'XQB80-M1269' },
      region: '广东省/深圳市',
    });
    expect(await find('PR-4')).toMatchObject({
      product: { line: '冰箱', model: 'BCD-470WDPG' },
      region: null,
      derived: ['product'],
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConsoleWorld,
  desktop,
  expectAccessible,
  phone,
  shot,
  startConsoleWorld,
} from './support/console-browser.ts';

// biome-ignore lint/suspicious/noExplicitAny: API bodies are read field by field
type Json = any;

/**
 * The Customer 360 panel in the ticket view, in Chromium, on the seeded runtime: the demo CRM the
 * runtime serves under `/dev/crm` (docs/integrations.md) answers for the seeded VIP customer 黄先生
 * (CRM-10001) with contract validity and past repairs; an ERP connector added here has no id for him,
 * so the panel shows one source working and one not mapped, side by side.
 */
let world: ConsoleWorld;
let ticketId: string;

beforeAll(async () => {
  world = await startConsoleWorld();
  const current = (await world.api('GET', '/config/connectors', { token: world.tokens.admin })).body as Json;
  expect(current.connectors.map((c: Json) => c.name)).toEqual(['crm']);
  const { version, updatedAt, updatedBy, ...config } = current;
  const put = await world.api('PUT', '/config/connectors', {
    token: world.tokens.admin,
    body: {
      ...config,
      connectors: [
        ...config.connectors,
        {
          name: 'erp-contracts',
          title: { zh: 'ERP 合同', en: 'ERP contracts' },
          system: 'erp',
          baseUrl: `${world.runtime.url.replace('localhost', '127.0.0.1')}/dev/erp`,
          path: '/contracts?customer={externalId}',
          fields: [{ label: { zh: '合同', en: 'Contracts' }, path: 'contracts', format: 'list' }],
        },
      ],
    },
  });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  const created = await world.api('POST', '/tickets', {
    token: world.tokens.agent,
    body: {
      subject: '3 号客梯再次困人',
      description: '客梯在 5 楼停住，门打不开，里面有两位乘客。',
      customer: { name: '黄先生', email: 'huang@hualian.example.com', tier: 'vip', externalId: 'CRM-10001' },
    },
  });
  expect(created.status).toBe(201);
  ticketId = created.body.id;
});

afterAll(() => world?.stop());

const cases = [
  { lang: 'zh', viewport: desktop, name: 'desktop' },
  { lang: 'en', viewport: desktop, name: 'desktop' },
  { lang: 'zh', viewport: phone, name: 'phone' },
  { lang: 'en', viewport: phone, name: 'phone' },
] as const;

const texts = {
  zh: {
    title: '客户 360',
    valid: '合同有效期至',
    repairs: '历史维修',
    ok: '正常',
    notMapped: '未关联',
    refresh: /^刷\s?新$/,
    crm: '客户关系管理 (演示)',
  },
  en: {
    title: 'Customer 360',
    valid: 'Contract valid until',
    repairs: 'Past repairs',
    ok: 'OK',
    notMapped: 'Not mapped',
    refresh: 'Refresh',
    crm: 'CRM (demo)',
  },
};

describe('The Customer 360 panel', () => {
  it.each(cases)(
    'shows contract validity, past repairs and each source status ($lang, $name)',
    async ({ lang, viewport, name }) => {
      // Prepare
      const { page, context, errors } = await world.signedIn('u-agent-zhang', { lang, viewport });
      const words = texts[lang];

      // Act
      await page.goto(`${world.runtime.url}/console/tickets/${ticketId}`);
      const panel = page.locator('.ant-card').filter({ has: page.getByText(words.title, { exact: true }) });
      const crm = panel.getByRole('region', { name: words.crm });
      await crm.getByText(words.valid).waitFor();

      // Assess
      await expect(crm.getByText(words.ok, { exact: true }).count()).resolves.toBe(1);
      await expect(crm.getByText(lang === 'zh' ? '2027年3月31日' : '31 Mar 2027').count()).resolves.toBe(1);
      await expect(crm.getByText(words.repairs).count()).resolves.toBe(1);
      await expect(crm.getByText('2026-11-18 · 3 号客梯 门机皮带更换 · 王工').count()).resolves.toBe(1);
      await expect(crm.getByText(lang === 'zh' ? '¥128,000.00' : 'CN¥128,000.00').count()).resolves.toBe(1);
      const erp = panel.getByRole('region', { name: lang === 'zh' ? 'ERP 合同' : 'ERP contracts' });
      await expect(erp.getByText(words.notMapped, { exact: true }).count()).resolves.toBe(1);
      await panel.scrollIntoViewIfNeeded();
      await shot(page, `customer-360-${lang}-${name}`);
      if (name === 'desktop') await expectAccessible(page, `customer 360 (${lang})`);

      // Act: a refresh asks the CRM again, past the cache.
      const refreshed = page.waitForResponse((r) => r.url().includes('customer-360?refresh=true'));
      await panel.getByRole('button', { name: words.refresh }).click();
      expect((await refreshed).status()).toBe(200);
      await page.waitForTimeout(300);
      await crm.getByText(words.valid).waitFor();

      // Assess
      await expect(panel.getByText(lang === 'zh' ? '缓存' : 'cached', { exact: true }).count()).resolves.toBe(
        0,
      );
      expect(errors).toEqual([]);
      await context.close();
    },
  );
});

describe('The Customer 360 panel for a customer found through a mapping', () => {
  it('marks a contract that has run out as expired (李小姐, mapped by e-mail in the demo data)', async () => {
    // Prepare
    const created = await world.api('POST', '/tickets', {
      token: world.tokens.agent,
      body: {
        subject: '空调不制冷',
        description: '会议室空调开机后只吹风不制冷。',
        customer: { name: '李小姐', email: 'li.xiaojie@example.com' },
      },
    });
    const { page, context, errors } = await world.signedIn('u-agent-zhang', {
      lang: 'zh',
      viewport: desktop,
    });

    // Act
    await page.goto(`${world.runtime.url}/console/tickets/${created.body.id}`);
    const crm = page.getByRole('region', { name: '客户关系管理 (演示)' });
    await crm.getByText('合同有效期至').waitFor();

    // Assess
    await expect(crm.getByText('已过期', { exact: true }).count()).resolves.toBe(1);
    await expect(crm.getByText('2026年6月30日').count()).resolves.toBe(1);
    await expect(crm.getByText('无', { exact: true }).count()).resolves.toBe(1); // no past repairs
    await page.getByText('外部编号: crm CRM-30562').scrollIntoViewIfNeeded();
    await shot(page, 'customer-360-zh-desktop-expired');
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('The connectors admin screen', () => {
  it.each(cases)(
    'edits the connectors as JSON, with the API field errors listed ($lang, $name)',
    async ({ lang, viewport, name }) => {
      // Prepare
      const { page, context, errors } = await world.signedIn('u-admin', { lang, viewport });
      const before = (await world.api('GET', '/config/connectors', { token: world.tokens.admin }))
        .body as Json;

      // Act: a timeout over the limit is refused, naming the field.
      await page.goto(`${world.runtime.url}/console/admin/connectors`);
      const editor = page.getByRole('textbox', {
        name: lang === 'zh' ? '客户 360 连接器' : 'Customer 360 connectors',
      });
      await editor.waitFor();
      const document = JSON.parse(await editor.inputValue());
      document.connectors[0].timeoutMs = 60_000;
      await editor.fill(JSON.stringify(document, null, 2));
      await page.getByRole('button', { name: lang === 'zh' ? /保\s?存/ : 'Save' }).click();
      await page.getByText('connectors.0.timeoutMs').waitFor();

      // Assess
      expect((await world.api('GET', '/config/connectors', { token: world.tokens.admin })).body.version).toBe(
        before.version,
      );
      await page.evaluate('window.scrollTo(0, 0)');
      await shot(page, `connectors-admin-${lang}-${name}`);
      if (name === 'desktop') await expectAccessible(page, `connectors admin (${lang})`);

      // Act: a valid change is stored as the next version.
      document.connectors[0].timeoutMs = 1500;
      await editor.fill(JSON.stringify(document, null, 2));
      await page.getByRole('button', { name: lang === 'zh' ? /保\s?存/ : 'Save' }).click();
      await page.getByText(lang === 'zh' ? '已保存' : 'Saved', { exact: true }).waitFor();

      // Assess
      const after = (await world.api('GET', '/config/connectors', { token: world.tokens.admin }))
        .body as Json;
      expect(after.version).toBe(before.version + 1);
      expect(after.connectors[0].timeoutMs).toBe(1500);
      expect(errors).toEqual([]);
      await context.close();
    },
  );
});

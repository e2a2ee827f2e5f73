import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleWorld, expectAccessible, shot, startConsoleWorld } from './support/console-browser.ts';

/**
 * The admin's agents editor in a real headless Chromium against the local runtime: the table, the form
 * per agent, the API's field errors beside their inputs, creating an agent, English labels. What the
 * form saved is checked through the API itself.
 */
let world: ConsoleWorld;

interface StoredAgent {
  id: string;
  name: string;
  teams: string[];
  skills: Record<string, number>;
  languages: string[];
  capacity: { max: number; perChannel: Record<string, number> };
  level: number;
  availability: string;
  location: { lat: number; lng: number; address?: string } | null;
  shift: unknown;
  load: unknown;
  lastAssignedAt: unknown;
  profileVersion?: number;
  updatedAt?: string;
  updatedBy?: { id: string; name?: string } | null;
}

beforeAll(async () => {
  world = await startConsoleWorld();
});

afterAll(() => world?.stop());

/** An agent's profile: what `PUT /agents/{id}` sets, without routing's live load and the write's stamp. */
const profileOf = ({
  load: _load,
  lastAssignedAt: _last,
  profileVersion: _version,
  updatedAt: _at,
  updatedBy: _by,
  ...profile
}: StoredAgent) => profile;

async function storedAgent(id: string): Promise<StoredAgent | undefined> {
  const listed = await world.api('GET', '/agents', { token: world.tokens.admin });
  expect(listed.status).toBe(200);
  return (listed.body as { items: StoredAgent[] }).items.find((a) => a.id === id);
}

/** Signs in as the admin and opens 管理设置 → 坐席. */
async function agentsScreen(lang: 'zh' | 'en' = 'zh') {
  const signed = await world.signedIn('u-admin', { lang });
  const { page } = signed;
  await page.locator('header [role=menuitem]', { hasText: lang === 'zh' ? '管理设置' : 'Settings' }).click();
  await page.getByRole('tab', { name: lang === 'zh' ? '坐席' : 'Agents' }).click();
  await page.locator('tr[data-agent="u-agent-li"]').waitFor();
  return signed;
}

/** The form item (label, input and its error) that holds the input named `label`. */
const formItem = (page: Page, label: string) =>
  page.locator('.ant-form-item', { has: page.getByLabel(label, { exact: true }) }).last();

/** The row number (1-based, as the inputs are labelled) of a skill in the open form. */
async function skillRow(page: Page, skill: string): Promise<number> {
  const names = await page
    .locator('[data-skill-row] input[aria-label^="技能名称"]')
    .evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value));
  const index = names.indexOf(skill);
  expect(index, `skill ${skill} in ${names.join(', ')}`).toBeGreaterThanOrEqual(0);
  return index + 1;
}

/**
 * No serious accessibility violation on the screen at rest: the pointer is moved off the button it
 * last clicked, whose hover colour is a passing state (Ant Design's lighter primary), not the screen.
 */
async function expectAccessibleAtRest(page: Page, screen: string) {
  await page.mouse.move(1, 1);
  await expectAccessible(page, screen);
}

const saveButton = (page: Page) => page.locator('[data-action=save-agent]');
const putAnswer = (page: Page, id: string) =>
  page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().endsWith(`/agents/${id}`));

describe('The agents editor in the console', () => {
  it("lets an admin change an agent's capacity and a skill level; the API has the change", async () => {
    // Prepare
    const before = (await storedAgent('u-agent-li'))!;
    expect(before.capacity.max).toBe(6);
    expect(before.skills.app).toBe(4);
    const { page, context, errors } = await agentsScreen();
    const row = page.locator('tr[data-agent="u-agent-li"]');
    expect(await row.textContent()).toContain('李娜');
    expect(await row.locator('[data-skills] .ant-tag').allTextContents()).toContain('app·4');
    await shot(page, 'admin-agents-zh-desktop');
    await expectAccessibleAtRest(page, 'agents table');

    // Act
    await page.getByRole('button', { name: '编辑 李娜' }).click();
    await page.getByLabel('最多同时处理工单数').waitFor();
    await page.getByLabel('最多同时处理工单数').fill('9');
    const app = await skillRow(page, 'app');
    await page.getByLabel(`熟练度 ${app}`, { exact: true }).fill('5');
    await expectAccessibleAtRest(page, 'agent form'); // (after the drawer's slide-in)
    await shot(page, 'admin-agents-form-zh-desktop');
    const answer = putAnswer(page, 'u-agent-li');
    await saveButton(page).click();

    // Assess: saved, the drawer closed, the table and the API show the change; the rest is as it was
    expect((await answer).status()).toBe(200);
    await expect.poll(() => row.locator('[data-capacity]').textContent()).toBe('9');
    expect(await row.locator('[data-skills] .ant-tag').allTextContents()).toContain('app·5');
    const after = (await storedAgent('u-agent-li'))!;
    expect(after.capacity.max).toBe(9);
    expect(after.skills).toEqual({ ...before.skills, app: 5 });
    expect({ ...profileOf(after), capacity: before.capacity, skills: before.skills }).toEqual(
      profileOf(before),
    );
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows the API's field errors beside a bad capacity, an empty name and a proficiency of 6; saves nothing", async () => {
    // Prepare
    const before = (await storedAgent('u-agent-zhang'))!;
    const { page, context } = await agentsScreen();
    await page.getByRole('button', { name: '编辑 张伟' }).click();
    const capacity = page.getByLabel('最多同时处理工单数');
    await capacity.waitFor();

    // Act: a capacity below zero
    await capacity.fill('-1');
    let answer = putAnswer(page, 'u-agent-zhang');
    await saveButton(page).click();

    // Assess: the API refused it and its message stands beside the capacity input
    expect((await answer).status()).toBe(400);
    const capacityError = formItem(page, '最多同时处理工单数').locator('.ant-form-item-explain-error');
    await capacityError.waitFor();
    expect(await capacityError.textContent()).toMatch(/>=\s*0|too small/i);
    await expect.poll(() => page.getByRole('alert').count()).toBeGreaterThan(0);
    await expectAccessibleAtRest(page, 'agent form with an error');
    await shot(page, 'admin-agents-error-zh-desktop');

    // Act: a good capacity, an empty name and a proficiency above 5
    await capacity.fill('8');
    await page.getByLabel('姓名', { exact: true }).fill('');
    const billing = `熟练度 ${await skillRow(page, 'billing')}`;
    await page.getByLabel(billing, { exact: true }).fill('6');
    answer = putAnswer(page, 'u-agent-zhang');
    await saveButton(page).click();

    // Assess: each error beside its own input (`name`, `skills.billing`), none left beside the capacity
    expect((await answer).status()).toBe(400);
    const nameError = formItem(page, '姓名').locator('.ant-form-item-explain-error');
    await nameError.waitFor();
    expect(await nameError.textContent()).toMatch(/>=\s*1|too small/i);
    const skillError = formItem(page, billing).locator('.ant-form-item-explain-error');
    expect(await skillError.textContent()).toMatch(/<=\s*5|too big/i);
    await expect.poll(() => capacityError.count()).toBe(0); // (the old message fades out)
    // …and nothing was saved
    expect(profileOf((await storedAgent('u-agent-zhang'))!)).toEqual(profileOf(before));
    await context.close();
  });

  it('explains a change someone else saved first (412), records who saved, and saves nothing', async () => {
    // Prepare: the admin opens 王强's profile…
    const before = (await storedAgent('u-agent-wang'))!;
    const { page, context } = await agentsScreen();
    await page.getByRole('button', { name: '编辑 王强' }).click();
    const capacity = page.getByLabel('最多同时处理工单数');
    await capacity.waitFor();
    expect(Number(await page.locator('[data-agent-form] [data-version]').getAttribute('data-version'))).toBe(
      before.profileVersion,
    );
    // …when a supervisor saves a change to it over the API
    const {
      load: _l,
      lastAssignedAt: _a,
      profileVersion,
      updatedAt: _u,
      updatedBy: _b,
      availability: _v,
      id: _i,
      ...body
    } = before as StoredAgent & { id: string };
    const theirs = await world.api('PUT', '/agents/u-agent-wang', {
      token: world.tokens.supervisor,
      body: { ...body, capacity: { ...before.capacity, max: 7 } },
      headers: { 'if-match': `"${profileVersion}"` },
    });
    expect(theirs.status).toBe(200);
    expect(theirs.headers.get('etag')).toBe(`"${(profileVersion ?? 0) + 1}"`);

    // Act: the admin saves theirs on the version they read
    await capacity.fill('2');
    const answer = putAnswer(page, 'u-agent-wang');
    await saveButton(page).click();

    // Assess: 412, explained; the supervisor's change stands, with who made it
    expect((await answer).status()).toBe(412);
    await page.locator('[role=alert]', { hasText: '坐席资料已被他人修改' }).waitFor();
    const stored = (await storedAgent('u-agent-wang'))!;
    expect(stored.capacity.max).toBe(7);
    expect(stored.updatedBy?.id).toBe('u-sup-field');
    await context.close();
  });

  it('creates a new agent with a team, a skill and a capacity', async () => {
    // Prepare
    expect(await storedAgent('u-agent-wu')).toBeUndefined();
    const { page, context } = await agentsScreen();

    // Act
    await page.getByRole('button', { name: '新建坐席' }).click();
    await page.getByLabel('用户 ID').fill('u-agent-wu');
    await page.getByLabel('姓名', { exact: true }).fill('吴芳');
    await page.getByLabel('邮箱').fill('wu.fang@gongdan.local');
    await page.getByLabel('所属团队').click();
    await page.locator('.ant-select-item-option', { hasText: '客服' }).first().click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: '添加技能' }).click();
    await page.getByLabel('技能名称 1', { exact: true }).fill('billing');
    await page.getByLabel('熟练度 1', { exact: true }).fill('4');
    await page.getByLabel('最多同时处理工单数').fill('4');
    const answer = putAnswer(page, 'u-agent-wu');
    await saveButton(page).click();

    // Assess
    expect((await answer).status()).toBe(201);
    await page.locator('tr[data-agent="u-agent-wu"]').waitFor();
    const created = (await storedAgent('u-agent-wu'))!;
    expect(created).toMatchObject({
      name: '吴芳',
      teams: ['service-desk'],
      skills: { billing: 4 },
      languages: ['zh'],
      capacity: { max: 4, perChannel: {} },
      level: 1,
      availability: 'offline',
      location: null,
      shift: null,
    });
    await context.close();
  });

  it('speaks English when switched', async () => {
    // Prepare
    const { page, context } = await agentsScreen();

    // Act
    await page.locator('button[aria-label=language]').click();

    // Assess
    await page.getByRole('tab', { name: 'Agents', selected: true }).waitFor();
    await page.getByRole('heading', { name: 'Agents' }).waitFor();
    const headers = await page.locator('thead th').allTextContents();
    expect(headers).toEqual(
      expect.arrayContaining(['Name', 'Teams', 'Skills', 'Capacity', 'Support level', 'Availability']),
    );
    expect(await page.locator('tr[data-agent="u-agent-li"]').textContent()).toContain('Service desk');
    await shot(page, 'admin-agents-en-desktop');
    await page.getByRole('button', { name: 'Edit Zhou Jie' }).click();
    for (const label of ['Name', 'E-mail', 'Teams', 'Max open tickets', 'Support level', 'Time zone']) {
      await page.getByLabel(label, { exact: true }).waitFor();
    }
    await expectAccessibleAtRest(page, 'agent form in English');
    await shot(page, 'admin-agents-form-en-desktop');
    await page.getByLabel('Time zone', { exact: true }).scrollIntoViewIfNeeded();
    await shot(page, 'admin-agents-shift-en-desktop');
    await context.close();
  });

  it('refuses an agent who tries to change a profile over the API', async () => {
    // Act
    const refused = await world.api('PUT', '/agents/u-agent-zhang', {
      token: world.tokenOf('u-agent-zhang'),
      body: { name: '张伟', teams: ['service-desk'], capacity: { max: 99 } },
    });

    // Assess
    expect(refused.status).toBe(403);
    expect((await storedAgent('u-agent-zhang'))?.capacity.max).toBe(8);
  });
});

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleWorld, expectAccessible, shot, startConsoleWorld } from './support/console-browser.ts';

/**
 * The admin's business-calendar editor (管理设置 → 工作日历) in a real headless Chromium against the
 * local runtime: holidays and make-up working days (调休) saved with If-Match, the API's field errors
 * beside their fields, a concurrent change explained (412), English, axe-core, and the API refusing
 * anyone but an admin.
 */
let world: ConsoleWorld;

interface Interval {
  start: string;
  end: string;
}
interface CalendarsView {
  version: number;
  updatedBy: { id: string; name?: string } | null;
  calendars: {
    id: string;
    name: string;
    alwaysOpen: boolean;
    weeklyHours: Record<string, Interval[]>;
    holidays: { date: string; until?: string; name?: string }[];
    makeUpDays: { date: string; name?: string; followsWeekday?: string; hours?: Interval[] }[];
  }[];
}

beforeAll(async () => {
  world = await startConsoleWorld();
});

afterAll(() => world?.stop());

async function readCalendars(token = world.tokens.admin) {
  const response = await world.api<CalendarsView>('GET', '/config/calendars', { token });
  expect(response.status).toBe(200);
  return response.body;
}

/** Ant Design spaces out a two-character Chinese button label: 保 存. */
const save = /^保\s?存$/;
const cnOffice = (view: CalendarsView) => view.calendars.find((c) => c.id === 'cn-office')!;
const versionShown = async (page: Page) =>
  Number(await page.locator('[data-version]').getAttribute('data-version'));

/** Signs in as the admin and opens 管理设置 → 工作日历 on the Beijing office calendar. */
async function openCalendars() {
  const signed = await world.signedIn('u-admin');
  const { page } = signed;
  await page.locator('header [role=menuitem]', { hasText: '管理设置' }).click();
  await page.getByRole('tab', { name: '工作日历' }).click();
  await page.getByRole('combobox', { name: '日历' }).click();
  await page.getByText('(cn-office)').last().click();
  await page.locator('[data-calendar="cn-office"]').waitFor();
  return signed;
}

/** Types a date into an Ant Design DatePicker and confirms it. */
async function pickDate(page: Page, label: string, date: string) {
  const input = page.getByLabel(label, { exact: true });
  await input.click();
  await input.fill(date);
  await input.press('Enter');
  await expect.poll(() => input.inputValue()).toBe(date);
}

/** The API's message shown beside a field (Ant Design's form item help). */
const errorBeside = (page: Page, label: string) =>
  page
    .locator('.ant-form-item', { has: page.getByLabel(label, { exact: true }) })
    .locator('.ant-form-item-explain-error');

describe('Business calendars in the console', () => {
  it('lets an admin add a holiday and a make-up working day; the API stores them as the next version', async () => {
    // Prepare
    const before = await readCalendars();
    const { page, context, errors } = await openCalendars();
    expect(await versionShown(page)).toBe(before.version);
    await expect.poll(() => page.getByLabel('周一第1段 开始', { exact: true }).inputValue()).toBe('09:00');
    expect(await page.getByLabel('周六休息', { exact: true }).isChecked()).toBe(true);

    // Act: a holiday 2027-02-08 … 2027-02-12 (春节) and a make-up Saturday with its own hours
    await page.getByRole('button', { name: '添加节假日' }).click();
    const holiday = `节假日${cnOffice(before).holidays.length + 1}`;
    await pickDate(page, `${holiday} 日期`, '2027-02-08');
    await pickDate(page, `${holiday} 至（含）`, '2027-02-12');
    await page.getByLabel(`${holiday} 名称`, { exact: true }).fill('春节');
    await page.getByRole('button', { name: '添加调休日' }).click();
    const makeUp = `调休日${cnOffice(before).makeUpDays.length + 1}`;
    await pickDate(page, `${makeUp} 日期`, '2027-02-20');
    await page.getByLabel(`${makeUp} 名称`, { exact: true }).fill('春节调休');
    await page.getByLabel(`${makeUp} 工作时段`, { exact: true }).click();
    await page.getByText('自定义时段', { exact: true }).last().click();
    await page.getByLabel(`${makeUp}第1段 结束`, { exact: true }).fill('17:00');
    await page.getByRole('button', { name: save }).click();

    // Assess: the version on screen goes up, and the API has both (everything else as it was)
    await expect.poll(() => versionShown(page)).toBe(before.version + 1);
    const after = await readCalendars();
    expect(after.version).toBe(before.version + 1);
    expect(after.updatedBy?.id).toBe('u-admin');
    expect(cnOffice(after).holidays).toEqual([
      ...cnOffice(before).holidays,
      { date: '2027-02-08', until: '2027-02-12', name: '春节' },
    ]);
    expect(cnOffice(after).makeUpDays).toEqual([
      ...cnOffice(before).makeUpDays,
      { date: '2027-02-20', name: '春节调休', hours: [{ start: '09:00', end: '17:00' }] },
    ]);
    expect(cnOffice(after).weeklyHours).toEqual(cnOffice(before).weeklyHours);
    expect(after.calendars.find((c) => c.id === '24x7')).toEqual(
      before.calendars.find((c) => c.id === '24x7'),
    );
    expect(await page.getByText('王磊 (管理员)').count()).toBeGreaterThan(0); // who changed it last
    await page.getByLabel(`${holiday} 名称`, { exact: true }).scrollIntoViewIfNeeded();
    await shot(page, 'admin-calendars-holidays-zh-desktop');
    await page.evaluate('window.scrollTo(0, 0)');
    await shot(page, 'admin-calendars-zh-desktop');
    await expectAccessible(page, 'admin calendars');
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows the API's field errors beside a bad time and a make-up day on a holiday, and saves nothing", async () => {
    // Prepare
    const before = await readCalendars();
    const { page, context } = await openCalendars();
    const makeUp = `调休日${cnOffice(before).makeUpDays.length}`; // the one added above

    // Act: a start time that is no time, and the make-up day moved into the 春节 holiday
    await page.getByLabel('周一第1段 开始', { exact: true }).fill('25:00');
    await pickDate(page, `${makeUp} 日期`, '2027-02-09');
    await page.getByRole('button', { name: save }).click();

    // Assess: each message beside its field, nothing saved
    await expect.poll(() => errorBeside(page, '周一第1段 开始').textContent()).toContain('HH:mm');
    expect(await errorBeside(page, `${makeUp} 日期`).textContent()).toContain('2027-02-09 is also a holiday');
    expect(await page.locator('[role=alert]', { hasText: '未保存' }).count()).toBe(1);
    await page.getByLabel('周一第1段 开始', { exact: true }).scrollIntoViewIfNeeded();
    await shot(page, 'admin-calendars-error-zh-desktop');
    const after = await readCalendars();
    expect(after.version).toBe(before.version);
    expect(after.calendars).toEqual(before.calendars);
    expect(await versionShown(page)).toBe(before.version);
    // Act: open on Saturdays (not saved: discarded below)
    await page.getByLabel('周六休息', { exact: true }).uncheck();
    // Assess: a day that opens gets office hours to edit
    expect(await page.getByLabel('周六第1段 开始', { exact: true }).inputValue()).toBe('09:00');
    expect(await page.getByLabel('周六第1段 结束', { exact: true }).inputValue()).toBe('18:00');
    // Act: discard the changes
    await page.getByRole('button', { name: '放弃修改' }).click();
    // Assess
    await expect.poll(() => page.getByLabel('周一第1段 开始', { exact: true }).inputValue()).toBe('09:00');
    expect(await page.getByLabel('周六休息', { exact: true }).isChecked()).toBe(true);
    expect(await page.locator('[role=alert]', { hasText: '未保存' }).count()).toBe(0);
    await context.close();
  });

  it('explains a change someone else saved first (412) and reloads the latest version', async () => {
    // Prepare: the admin has the calendars open…
    const { page, context } = await openCalendars();
    const read = await versionShown(page);
    // …when the calendar is renamed through the API
    const current = await readCalendars();
    const renamed = await world.api('PUT', '/config/calendars', {
      token: world.tokens.admin,
      headers: { 'if-match': `"${current.version}"` },
      body: {
        calendars: current.calendars.map((c) =>
          c.id === 'cn-office' ? { ...c, name: '北京总部办公时间' } : c,
        ),
      },
    });
    expect(renamed.status).toBe(200);

    // Act: the admin adds a holiday on the version they read and saves
    await page.getByRole('button', { name: '添加节假日' }).click();
    const holiday = `节假日${cnOffice(current).holidays.length + 1}`;
    await pickDate(page, `${holiday} 日期`, '2027-04-05');
    await page.getByLabel(`${holiday} 名称`, { exact: true }).fill('清明节');
    await page.getByRole('button', { name: save }).click();

    // Assess: the conflict is explained (who, which version), nothing of theirs saved
    const alert = page.locator('[role=alert]', { hasText: '工作日历已被他人修改' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain(`版本 ${read + 1}`);
    expect(await alert.textContent()).toContain('王磊 (管理员)');
    await shot(page, 'admin-calendars-conflict-zh-desktop');
    const stored = await readCalendars();
    expect(stored.version).toBe(read + 1);
    expect(cnOffice(stored).holidays.some((h) => h.date === '2027-04-05')).toBe(false);
    // Act: reload the latest
    await alert.getByRole('button', { name: '重新加载最新版本' }).click();
    // Assess: the other change is on screen, the conflict gone
    await expect.poll(() => versionShown(page)).toBe(read + 1);
    await expect.poll(() => page.getByLabel('名称', { exact: true }).inputValue()).toBe('北京总部办公时间');
    expect(await page.getByLabel(`${holiday} 日期`, { exact: true }).count()).toBe(0);
    expect(await page.locator('[role=alert]', { hasText: '工作日历已被他人修改' }).count()).toBe(0);
    await context.close();
  });

  it('speaks English when switched', async () => {
    // Prepare
    const { page, context, errors } = await openCalendars();
    // Act
    await page.locator('button[aria-label=language]').click();
    // Assess
    await page.getByRole('heading', { name: 'Business calendars', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Weekly working hours' }).waitFor();
    expect(await page.getByLabel('Monday shift 1 start', { exact: true }).inputValue()).toBe('09:00');
    expect(await page.getByLabel('Sunday closed', { exact: true }).isChecked()).toBe(true);
    expect(await page.getByRole('button', { name: 'Add holiday' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(1);
    await shot(page, 'admin-calendars-en-desktop');
    await expectAccessible(page, 'admin calendars in English');
    // …and an always-open calendar says why it has no hours
    await page.getByRole('combobox', { name: 'Calendar' }).click();
    await page.getByText('(24x7)').last().click();
    await page.getByText('An always-open calendar counts every minute', { exact: false }).waitFor();
    expect(await page.getByRole('heading', { name: 'Weekly working hours' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("refuses a supervisor's change and an agent's read through the API", async () => {
    // Prepare
    const current = await readCalendars(world.tokens.supervisor); // supervisors may read them
    // Act
    const put = await world.api('PUT', '/config/calendars', {
      token: world.tokens.supervisor,
      headers: { 'if-match': `"${current.version}"` },
      body: { calendars: current.calendars },
    });
    const agentRead = await world.api('GET', '/config/calendars', { token: world.tokenOf('u-agent-zhang') });
    // Assess
    expect(put.status).toBe(403);
    expect(agentRead.status).toBe(403);
    expect((await readCalendars()).version).toBe(current.version);
  });
});

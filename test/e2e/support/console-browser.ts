import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { apiClient, type RuntimeProcess, removeDataDir, startRuntimeProcess } from './runtime-process.ts';

/**
 * What the console's browser tests share: the local runtime and Debian's `chromium` (driven by
 * playwright-core) started side by side, signing in through the sign-in page, axe-core checks and
 * screenshots (to `.screenshots/`, or $SCREENSHOTS_DIR).
 */
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const shots = process.env.SCREENSHOTS_DIR ?? join(process.cwd(), '.screenshots');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export const desktop = { width: 1366, height: 860 };
export const phone = { width: 390, height: 844 };

export type DevTokens = Record<string, string> & { users: { id: string; token: string }[] };

export interface ConsoleWorld {
  runtime: RuntimeProcess;
  browser: Browser;
  api: ReturnType<typeof apiClient>;
  tokens: DevTokens;
  tokenOf(userId: string): string;
  /** A fresh browser context signed in as `userId` through the sign-in page. */
  signedIn(
    userId: string,
    options?: { lang?: 'zh' | 'en'; viewport?: typeof desktop },
  ): Promise<{ page: Page; context: Awaited<ReturnType<Browser['newContext']>>; errors: string[] }>;
  stop(): Promise<void>;
}

export async function startConsoleWorld(runtimeArgs: string[] = []): Promise<ConsoleWorld> {
  mkdirSync(shots, { recursive: true });
  const [started, launched] = await Promise.allSettled([
    startRuntimeProcess({ args: runtimeArgs }),
    chromium.launch({
      executablePath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
    }),
  ]);
  const stopAll = async () => {
    if (launched.status === 'fulfilled') await launched.value.close();
    if (started.status === 'fulfilled') {
      await started.value.stop();
      removeDataDir(started.value.dataDir);
    }
  };
  if (started.status === 'rejected' || launched.status === 'rejected') {
    await stopAll();
    throw started.status === 'rejected' ? started.reason : (launched as PromiseRejectedResult).reason;
  }
  const runtime = started.value;
  const browser = launched.value;
  const api = apiClient(runtime.url);
  const tokens = (await api('GET', '/dev/tokens')).body as DevTokens;
  return {
    runtime,
    browser,
    api,
    tokens,
    tokenOf: (id) => tokens.users.find((u) => u.id === id)!.token,
    async signedIn(userId, options = {}) {
      const context = await browser.newContext({
        viewport: options.viewport ?? desktop,
        locale: options.lang === 'en' ? 'en-US' : 'zh-CN',
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${runtime.url}/console/`);
      await page.locator(`button[data-user="${userId}"]`).click();
      await page.locator('header').waitFor();
      return { page, context, errors };
    },
    stop: stopAll,
  };
}

/** No serious or critical accessibility violation (axe-core, WCAG 2 A/AA rules). */
export async function expectAccessible(page: Page, screen: string) {
  await page.waitForTimeout(500); // let Ant Design's fade animations finish: mid-fade text is pale
  await page.evaluate(axeSource);
  // The page's own axe (a global once injected); evaluated as text, since tests have no DOM types.
  const result = await page.evaluate<{
    violations: { id: string; impact: string; nodes: { target: string[] }[] }[];
  }>("axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] })");
  const violations = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(violations, screen).toEqual([]);
}

/**
 * A screenshot of what a user sees once the screen has settled: Ant Design fades a loading table or list
 * back in over 0.3 s, and a shot inside that fade shows every row greyed out.
 */
export async function shot(page: Page, name: string) {
  await page
    .locator('.ant-spin-blur')
    .waitFor({ state: 'detached', timeout: 5000 })
    .catch(() => {});
  await page.waitForTimeout(350);
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
}

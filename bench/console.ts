/**
 * The console's weight and speed: the JavaScript a first visit downloads (gzipped: the entry chunk and
 * what index.html preloads; screens loaded on demand are listed apart), and the time from navigation
 * to the first rendered queue row against the local runtime (`startRuntime`, the seeded demo data),
 * in headless Chromium, cold (new browser context: nothing cached) and warm (same context, reload).
 *
 * Run: `node --import tsx bench/console.ts [visits=10]` (builds the console first when stale).
 * Aims (issue 10): ≤ 350 KB gzipped initial JS; first queue render ≤ 1.5 s.
 */
import '../infra/local/polyfills.ts';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { startRuntime } from '#infra/local/runtime.ts';
import { consoleDist, ensureConsoleBuilt } from '#infra/tools/console-build.ts';
import type { Logger } from '#shared/domain/ports.ts';

const visits = Number(process.argv[2] ?? 10);
const quiet: Logger = { info() {}, warn() {}, error: (m) => console.error(m) };
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

await ensureConsoleBuilt();

// Initial JavaScript: the module script and modulepreload links of index.html.
const html = readFileSync(join(consoleDist, 'index.html'), 'utf8');
const initial = [...html.matchAll(/(?:src|href)="\/console\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
const gz = (file: string) => gzipSync(readFileSync(join(consoleDist, file)), { level: 9 }).length;
const initialGz = initial.reduce((sum, f) => sum + gz(f), 0);
const lazy = readdirSync(join(consoleDist, 'assets'))
  .filter((f) => f.endsWith('.js') && !initial.includes(`assets/${f}`))
  .map((f) => ({ f, size: gz(`assets/${f}`) }));
console.log(`initial JS (gzip -9): ${kb(initialGz)} in ${initial.length} file(s): ${initial.join(', ')}`);
console.log(
  `on demand: ${lazy.map(({ f, size }) => `${f.replace(/-[\w-]+\.js$/, '')} ${kb(size)}`).join(', ')}`,
);

const dataDir = mkdtempSync(join(tmpdir(), 'gongdan-bench-console-'));
const rt = await startRuntime({ port: 0, dataDir, logger: quiet });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const tokens = await rt.tokens();
  const token = tokens.agent;
  const [, payload] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
  const session = JSON.stringify({
    token,
    user: { id: claims.sub, name: claims.name, roles: claims['cognito:groups'] },
    expiresAt: claims.exp * 1000,
  });
  // What a list weighs: 10 tickets as summaries (the default) and as whole tickets.
  const listBytes = async (view: string) =>
    (
      await (
        await fetch(`${rt.url}/tickets?limit=10&view=${view}`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).text()
    ).length;
  const [summary, full] = [await listBytes('summary'), await listBytes('full')];
  console.log(`GET /tickets?limit=10: summary ${kb(summary)}, full ${kb(full)} (seeded tickets)`);
  const firstRow = async (page: import('playwright-core').Page, go: () => Promise<unknown>) => {
    const start = performance.now();
    await go();
    await page.locator('tr[data-ticket]').first().waitFor();
    return performance.now() - start;
  };
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < visits; i++) {
    const context = await browser.newContext({ viewport: { width: 1366, height: 860 }, locale: 'zh-CN' });
    await context.addInitScript({
      content: `localStorage.setItem('gongdan.session', ${JSON.stringify(session)})`,
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    cold.push(await firstRow(page, () => page.goto(`${rt.url}/console/`)));
    warm.push(await firstRow(page, () => page.reload()));
    await context.close();
  }
  const line = (name: string, v: number[]) =>
    `${name}: median ${percentile(v, 50).toFixed(0)} ms, p90 ${percentile(v, 90).toFixed(0)} ms, max ${Math.max(...v).toFixed(0)} ms`;
  console.log(`first queue render over ${visits} visits (navigation → first row, agent 张伟's queue)`);
  console.log(`  ${line('cold (empty cache)', cold)}`);
  console.log(`  ${line('warm (reload)', warm)}`);
} finally {
  await browser.close();
  await rt.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

/**
 * The field engineers' app (`/console/field/`, docs/field-service.md) on a phone network: what it
 * transfers (gzip -9 of the files its page loads: the HTML, the JS and CSS it references and preloads,
 * the manifest, the service worker) and its time to interactive in headless Chromium on a throttled
 * phone profile (Lighthouse's "slow 4G": 150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up; CPU 4× slower;
 * 390×844 at 3×), measured from navigation to the first job's button being enabled (the jobs fetched
 * and React's handlers bound). Cold: a new context (nothing cached); warm: a reload (HTTP cache and the
 * service worker's shell).
 *
 * Run: `node --import tsx bench/field-app.ts [visits=5]` (builds the console first when stale).
 */
import '../infra/local/polyfills.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { startRuntime } from '#infra/local/runtime.ts';
import { consoleDist, ensureConsoleBuilt } from '#infra/tools/console-build.ts';
import type { Logger } from '#shared/domain/ports.ts';

const visits = Number(process.argv[2] ?? 5);
const quiet: Logger = { info() {}, warn() {}, error: (m) => console.error(m) };
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const slow4g = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6 * 1024 * 1024) / 8,
  uploadThroughput: (750 * 1024) / 8,
};
const cpuSlowdown = 4;

await ensureConsoleBuilt();

// The files the page loads: its HTML, the scripts, styles and preloads it names, manifest and worker.
const html = readFileSync(join(consoleDist, 'field/index.html'), 'utf8');
const referenced = [...html.matchAll(/(?:src|href)="\/console\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
const files = ['field/index.html', ...referenced, 'field/manifest.webmanifest', 'field/sw.js'];
const gz = (file: string) => gzipSync(readFileSync(join(consoleDist, file)), { level: 9 }).length;
const raw = (file: string) => readFileSync(join(consoleDist, file)).length;
const total = files.reduce((sum, f) => sum + gz(f), 0);
console.log(`field app transfer (gzip -9): ${kb(total)} (raw ${kb(files.reduce((s, f) => s + raw(f), 0))})`);
for (const f of files)
  console.log(`  ${f.padEnd(40)} ${kb(gz(f)).padStart(9)} gzip  ${kb(raw(f)).padStart(9)} raw`);

const dataDir = mkdtempSync(join(tmpdir(), 'gongdan-bench-field-'));
const rt = await startRuntime({ port: 0, dataDir, logger: quiet });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const tokens = await rt.tokens();
  const token = tokens.users.find((u: { id: string }) => u.id === 'u-agent-wang')!.token as string;
  // A job for the seeded field engineer, at a site 120 m from where the phone is.
  const created = await fetch(`${rt.url}/tickets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      subject: '2 号货梯异响',
      team: 'field-repair',
      category: 'elevator',
      customer: { name: '黄先生', email: 'huang@hualian.example.com' },
      location: { lat: 31.2349, lng: 121.4759, address: '上海市黄浦区南京东路 800 号' },
    }),
  });
  if (created.status !== 201) throw new Error(`creating the job: HTTP ${created.status}`);
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
  const session = JSON.stringify({
    token,
    user: { id: claims.sub, name: claims.name, roles: claims['cognito:groups'] },
    expiresAt: claims.exp * 1000,
  });

  const cold: number[] = [];
  const warm: number[] = [];
  const wire: number[] = [];
  for (let i = 0; i < visits; i++) {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 3,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      geolocation: { latitude: 31.236, longitude: 121.4759, accuracy: 15 },
      permissions: ['geolocation'],
    });
    await context.addInitScript({
      content: `localStorage.setItem('gongdan.session', ${JSON.stringify(session)})`,
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', slow4g);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuSlowdown });
    let bytes = 0;
    cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => {
      bytes += e.encodedDataLength;
    });
    const interactive = async (go: () => Promise<unknown>) => {
      const start = performance.now();
      await go();
      await page.locator('[data-job] button:not([disabled])').first().waitFor({ timeout: 60_000 });
      return performance.now() - start;
    };
    cold.push(await interactive(() => page.goto(`${rt.url}/console/field/`)));
    wire.push(bytes);
    // The service worker holds the shell before the warm visit (evaluated as text: no DOM types here).
    await page.evaluate('navigator.serviceWorker.ready.then((r) => r.scope)');
    warm.push(await interactive(() => page.reload()));
    await context.close();
  }
  console.log(
    `time to interactive on slow 4G, CPU ${cpuSlowdown}× (navigation → first job's button enabled), ${visits} visits:`,
  );
  console.log(
    `  cold (nothing cached): median ${median(cold).toFixed(0)} ms, max ${Math.max(...cold).toFixed(0)} ms`,
  );
  console.log(
    `  warm (reload, cached): median ${median(warm).toFixed(0)} ms, max ${Math.max(...warm).toFixed(0)} ms`,
  );
  console.log(`  bytes on the wire, cold (the local runtime does not compress): ${kb(median(wire))}`);
} finally {
  await browser.close();
  await rt.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

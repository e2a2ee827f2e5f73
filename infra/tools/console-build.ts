import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The console's sources and its built files (`console/dist`, served at `/console`). */
export const consoleRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../console');
export const consoleDist = join(consoleRoot, 'dist');
const stampFile = join(consoleDist, '.build-stamp');

/** The newest modification time among the console's sources and build settings. */
function newestSource(dir = consoleRoot): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** True when `console/dist` is missing or older than a source file. */
export function consoleIsStale(): boolean {
  if (!existsSync(stampFile)) return true;
  return statSync(stampFile).mtimeMs < newestSource();
}

/**
 * Builds the console with Vite when it is stale, so `npm start` and the tests always serve what the
 * sources say. Concurrent callers (test workers) may both build; Vite writes the same files.
 */
export async function ensureConsoleBuilt(log: (line: string) => void = console.log): Promise<void> {
  if (!consoleIsStale()) return;
  log('Building the console (console/dist)…');
  await buildConsole('warn');
}

/**
 * `vite build` in a child process with NODE_ENV=production: in a test run NODE_ENV is `test`, and a
 * build in that process would bundle React's and Ant Design's development code.
 */
async function buildConsole(logLevel: 'info' | 'warn'): Promise<void> {
  const entry = createRequire(import.meta.url).resolve('vite'); // …/node_modules/vite/dist/node/index.js
  const vite = join(entry.slice(0, entry.lastIndexOf(`${sep}dist${sep}`)), 'bin', 'vite.js');
  const { code, output } = await new Promise<{ code: number | null; output: string }>((done) => {
    const child = spawn(process.execPath, [vite, 'build', '--logLevel', logLevel], {
      cwd: consoleRoot,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
    });
    child.stderr.on('data', (d) => {
      text += d;
    });
    child.on('close', (exit) => done({ code: exit, output: text }));
  });
  if (logLevel === 'info' || code !== 0) process.stdout.write(output);
  if (code !== 0) throw new Error(`vite build failed (exit ${code})`);
  writeFileSync(stampFile, new Date().toISOString());
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--force')) await buildConsole('info');
  else await ensureConsoleBuilt();
}

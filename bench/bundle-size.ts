/**
 * Bundles every API function's handler, and those of `otherFunctions`, with the esbuild settings the CDK stack uses (infra/bundling.ts)
 * and prints the size of each minified bundle, plus how long a fresh Node process takes to import it.
 *
 *   node --import tsx bench/bundle-size.ts
 *
 * Bundles are written to .bench/bundles/<function>/ (git-ignored), laid out like the Lambda asset.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { apiRoutes } from '#functions/routes.ts';
import { esbuildOptions, functionEntry, lambdaBundle, projectRoot } from '#infra/bundling.ts';
import { localEnvironment } from '#infra/local/runtime.ts';

const outRoot = join(projectRoot, '.bench', 'bundles');

/** Functions no API route serves that are measured too (their placeholders are in `coldStartEnv`). */
const otherFunctions = [
  'inbound-email',
  'intake-event',
  'sla-checkpoint',
  'sla-evaluate',
  'routing-sweep',
  'ticket-changed',
  'outbox-retry',
];

/**
 * The variables the wirings read at import, with the local runtime's values (the same catalogue the
 * stack sets per function kind); nothing is called, so the names need not exist.
 */
const coldStartEnv = {
  ...process.env,
  ...localEnvironment('https://bench.example'),
  AWS_REGION: 'us-east-1',
  MAIL_BUCKET: 'bench-inbound-mail',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** Milliseconds for a new Node process to import the bundle (median of 3; includes no process start). */
function importMs(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t);`;
  const runs = [0, 1, 2].map(() => {
    try {
      return Number(
        execFileSync(process.execPath, ['--input-type=module', '-e', script], {
          env: coldStartEnv,
          stdio: ['ignore', 'pipe', 'pipe'],
        }).toString(),
      );
    } catch (error) {
      const stderr = String((error as { stderr?: Buffer }).stderr ?? '');
      const cause = /^\w*Error: .*$/m.exec(stderr)?.[0] ?? stderr.slice(-500);
      throw new Error(`importing ${file} failed: ${cause}`);
    }
  });
  return runs.sort((a, b) => a - b)[1]!;
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);

rmSync(outRoot, { recursive: true, force: true });
const rows: { name: string; bytes: number; gzip: number; map: number; ms: number }[] = [];
for (const name of [...apiRoutes.map((r) => r.name), ...otherFunctions]) {
  const outdir = join(outRoot, name);
  mkdirSync(outdir, { recursive: true });
  await build(esbuildOptions(functionEntry(name), outdir));
  const file = join(outdir, lambdaBundle.outputFile);
  rows.push({
    name,
    bytes: statSync(file).size,
    gzip: gzipSync(readFileSync(file)).length,
    map: statSync(`${file}.map`).size,
    ms: importMs(file),
  });
}

const header = ['function', 'bytes', 'KB', 'gzip KB', 'map KB', 'import ms'];
const table = [
  header,
  ...rows.map((r) => [r.name, String(r.bytes), kb(r.bytes), kb(r.gzip), kb(r.map), r.ms.toFixed(0)]),
];
const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
const line = (row: string[]) =>
  row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');

console.log(
  `esbuild ${lambdaBundle.format} ${lambdaBundle.target}, minify=${lambdaBundle.minify}, ` +
    `external=[${lambdaBundle.external.join(', ')}] (same options as GongdanFunction)\n`,
);
console.log(line(table[0]!));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of table.slice(1)) console.log(line(row));
const total = rows.reduce((sum, r) => sum + r.bytes, 0);
console.log(
  `\n${rows.length} functions, ${total} bytes (${kb(total)} KB) in all; import ms on Node ${process.versions.node}, ${process.arch}`,
);

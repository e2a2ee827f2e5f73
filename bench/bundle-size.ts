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

const outRoot = join(projectRoot, '.bench', 'bundles');

/** Functions no API route serves that are measured too (their placeholders are in `coldStartEnv`). */
const otherFunctions = ['routing-sweep'];

/** Placeholder values for the variables lambdaDeps() reads at import; nothing is called. */
const coldStartEnv = {
  ...process.env,
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'bench',
  EVENT_BUS_NAME: 'bench',
  AUTH_ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_bench',
  AUTH_AUDIENCE: 'bench',
  SLA_TIMER_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:bench',
  SLA_NOTIFY_FROM: 'sla@example.com',
  SLA_TICKET_LINK_BASE: 'https://example.com/tickets/',
  MAIL_FROM: 'support@example.com',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** Milliseconds for a new Node process to import the bundle (median of 3; includes no process start). */
function importMs(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t);`;
  const runs = [0, 1, 2].map(() =>
    Number(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: coldStartEnv }).toString(),
    ),
  );
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

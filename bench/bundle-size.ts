/**
 * Bundles every API function's handler, and those of `otherFunctions`, with the esbuild settings the CDK stack uses (infra/bundling.ts)
 * and prints the size of each minified bundle, plus how long a fresh Node process takes to import it,
 * whether the intake classifier's model is inside it (it must not be: it ships as the IntentModel layer
 * and is read on first use), and how the API functions stand against the 300 KB aim.
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
/** The issue's aim for an API function's minified bundle (docs/operations.md, "Bundle sizes"). */
const apiAimBytes = 300 * 1024;
const modelFile = join(projectRoot, 'shared', 'domain', 'classify', 'intent-model.json');

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
const rows: {
  name: string;
  api: boolean;
  bytes: number;
  gzip: number;
  map: number;
  ms: number;
  model: boolean;
}[] = [];
const apiNames = new Set(apiRoutes.map((r) => r.name));
for (const name of [...apiNames, ...otherFunctions]) {
  const outdir = join(outRoot, name);
  mkdirSync(outdir, { recursive: true });
  const { metafile } = await build({ ...esbuildOptions(functionEntry(name), outdir), metafile: true });
  const file = join(outdir, lambdaBundle.outputFile);
  rows.push({
    name,
    api: apiNames.has(name),
    model: Object.keys(metafile?.inputs ?? {}).some((i) => i.endsWith('intent-model.json')),
    bytes: statSync(file).size,
    gzip: gzipSync(readFileSync(file)).length,
    map: statSync(`${file}.map`).size,
    ms: importMs(file),
  });
}

const header = ['function', 'bytes', 'KB', 'gzip KB', 'map KB', 'import ms', 'model', 'aim'];
const table = [
  header,
  ...rows.map((r) => [
    r.name,
    String(r.bytes),
    kb(r.bytes),
    kb(r.gzip),
    kb(r.map),
    r.ms.toFixed(0),
    r.model ? 'INSIDE' : 'no',
    r.api ? (r.bytes <= apiAimBytes ? 'ok' : 'over') : '',
  ]),
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
const api = rows.filter((r) => r.api);
const sizes = api.map((r) => r.bytes).sort((a, b) => a - b);
console.log(
  `API functions: ${api.length}, minified ${kb(sizes[0]!)}–${kb(sizes.at(-1)!)} KB (median ${kb(sizes[Math.floor(sizes.length / 2)]!)} KB); ` +
    `${api.filter((r) => r.bytes <= apiAimBytes).length} at or under the ${kb(apiAimBytes)} KB aim`,
);
const withModel = rows.filter((r) => r.model).map((r) => r.name);
console.log(
  `Intent model (${kb(statSync(modelFile).size)} KB): ${withModel.length ? `INSIDE ${withModel.join(', ')}` : 'in no bundle'} — ` +
    'the IntentModel layer (/opt/intent-model.json) in AWS, the repository file locally, read on first use',
);

import { fileURLToPath } from 'node:url';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogLevel, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/** The repository root: where package.json, package-lock.json and `functions/` live. */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** A Lambda entry point for a folder under `functions/`. */
export const functionEntry = (name: string) =>
  fileURLToPath(new URL(`../functions/${name}/handler.ts`, import.meta.url));

/**
 * The esbuild settings of every Lambda bundle, in one place: `GongdanFunction` hands them to CDK's local
 * esbuild and `bench/bundle-size.ts` hands the same values to esbuild's API, so the bench measures what
 * ships.
 *
 * - ESM: smaller and faster to load than CJS (TOOLCHAIN.md: 338 KB / 60 ms vs 537 KB / 80 ms).
 * - The AWS SDK is bundled (nothing external): the version we test is the version that runs, and only
 *   the commands we import are loaded.
 * - `module` before `main` picks packages' ESM builds, which tree-shake.
 * - The banner gives bundled CommonJS code a real `require` for Node built-ins, which esbuild's ESM
 *   output cannot provide ("Dynamic require of 'x' is not supported").
 * - Source maps without embedded sources: stack traces map to file:line (NODE_OPTIONS
 *   --enable-source-maps) without shipping the source text.
 * - The `gongdan-lambda` condition picks the Lambda side of the package's conditional imports:
 *   `#intent-model` becomes a loader of the model from the IntentModel layer instead of the 0.5 MB
 *   model itself (docs/operations.md, "Bundle sizes"). `module` is listed because custom conditions
 *   replace esbuild's default set.
 */
export const lambdaBundle = {
  target: 'node22',
  platform: 'node',
  format: 'esm',
  outputFile: 'index.mjs',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  conditions: ['gongdan-lambda', 'module'],
  external: [] as string[],
  banner:
    "import { createRequire as __gongdanCreateRequire } from 'node:module'; const require = __gongdanCreateRequire(import.meta.url);",
  logLevel: 'warning',
} as const;

/** `lambdaBundle` as CDK `NodejsFunction` bundling options (always local esbuild: no Docker here). */
export function cdkBundling(): BundlingOptions {
  return {
    target: lambdaBundle.target,
    format: OutputFormat.ESM,
    minify: lambdaBundle.minify,
    sourceMap: lambdaBundle.sourcemap,
    sourcesContent: lambdaBundle.sourcesContent,
    mainFields: [...lambdaBundle.mainFields],
    esbuildArgs: { '--conditions': lambdaBundle.conditions.join(',') },
    externalModules: [...lambdaBundle.external],
    banner: lambdaBundle.banner,
    logLevel: LogLevel.WARNING,
    forceDockerBundling: false,
  };
}

/** `lambdaBundle` as esbuild build options, writing `<outdir>/index.mjs` like CDK's asset does. */
export function esbuildOptions(entry: string, outdir: string): BuildOptions {
  return {
    entryPoints: [entry],
    bundle: true,
    outfile: `${outdir}/${lambdaBundle.outputFile}`,
    target: lambdaBundle.target,
    platform: lambdaBundle.platform,
    format: lambdaBundle.format,
    minify: lambdaBundle.minify,
    sourcemap: lambdaBundle.sourcemap,
    sourcesContent: lambdaBundle.sourcesContent,
    mainFields: [...lambdaBundle.mainFields],
    conditions: [...lambdaBundle.conditions],
    external: [...lambdaBundle.external],
    banner: { js: lambdaBundle.banner },
    logLevel: lambdaBundle.logLevel,
  };
}

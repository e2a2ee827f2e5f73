import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AslDefinition } from '#workflows/checkpoint-timer.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const cacheDir = join(repoRoot, 'node_modules/.cache/gongdan');

/** The timers the local runtime runs: the module that defines each and its synthesizing function. */
const timers = {
  'sla-timer': { module: 'workflows/sla-timer.ts', synthesize: 'synthesizeSlaTimerAsl' },
  'approval-timer': { module: 'workflows/approval-timer.ts', synthesize: 'synthesizeApprovalTimerAsl' },
} as const;
export type LocalTimerKind = keyof typeof timers;

/**
 * What a synthesized ASL depends on: the definition's source, the shared checkpoint-timer builder and
 * the aws-cdk-lib that synthesizes it. Any change to one is a new key, so a cached definition is always
 * the one synthesis would return now.
 */
function cacheKey(kind: LocalTimerKind): string {
  const cdkVersion = (createRequire(import.meta.url)('aws-cdk-lib/package.json') as { version: string })
    .version;
  return createHash('sha256')
    .update(readFileSync(join(repoRoot, timers[kind].module)))
    .update(readFileSync(join(repoRoot, 'workflows/checkpoint-timer.ts')))
    .update(`aws-cdk-lib@${cdkVersion}`)
    .digest('hex')
    .slice(0, 16);
}

/** Synthesizes in a child process (aws-cdk-lib takes seconds of CPU) so start-up is not blocked meanwhile. */
function synthesizeInChild(kind: LocalTimerKind, signal: AbortSignal): Promise<AslDefinition> {
  const { module, synthesize } = timers[kind];
  const script = `import('#${module}').then((m) => process.stdout.write(JSON.stringify(m.${synthesize}())))`;
  return new Promise((resolveSynth, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal,
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0)
        return reject(new Error(`${kind} synthesis failed (exit ${code}): ${err.slice(-2000)}`));
      try {
        resolveSynth(JSON.parse(out) as AslDefinition);
      } catch (error) {
        reject(error);
      }
    });
  });
}

/**
 * A timer's ASL exactly as the CDK stack synthesizes it (`synthesizeSlaTimerAsl`,
 * `synthesizeApprovalTimerAsl`), for the local executor. Synthesis takes several seconds, so the result
 * is kept in `node_modules/.cache/gongdan/` under a key of the definition's sources and the aws-cdk-lib
 * version; a runtime finds it there on every later start.
 */
export async function loadTimerDefinition(
  kind: LocalTimerKind,
  signal: AbortSignal = new AbortController().signal,
) {
  const file = join(cacheDir, `${kind}-${cacheKey(kind)}.json`);
  if (existsSync(file)) {
    try {
      return { definition: JSON.parse(readFileSync(file, 'utf8')) as AslDefinition, cached: true };
    } catch {
      // A torn write from an interrupted run: synthesize again.
    }
  }
  const definition = await synthesizeInChild(kind, signal);
  try {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(definition));
    renameSync(tmp, file);
  } catch {
    // No cache (read-only checkout): the next start synthesizes again.
  }
  return { definition, cached: false };
}

/** The SLA timer's definition (`loadTimerDefinition('sla-timer')`). */
export const loadSlaTimerDefinition = (signal?: AbortSignal) => loadTimerDefinition('sla-timer', signal);

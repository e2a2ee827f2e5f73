/**
 * Runs every benchmark in turn and prints their figures: `npm run bench` (or `npm run bench -- routing`
 * for the ones whose file name contains "routing"). Each runs in its own process so one's warm-up
 * and memory don't colour another's.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const filter = process.argv[2];
const scripts = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.d.ts'))
  .filter((f) => !filter || f.includes(filter))
  .sort();

let failed = 0;
for (const script of scripts) {
  console.log(`\n=== bench/${script} ===`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', `bench/${script}`], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);

import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const depcruise = resolve(root, 'node_modules/.bin/depcruise');
const config = resolve(root, '.dependency-cruiser.cjs');

/** Runs the layer check `npm run lint` runs, over `dirs` seen from `cwd`. */
function check(cwd: string, dirs: string[]) {
  const run = spawnSync(depcruise, [...dirs, '--config', config, '--output-type', 'err'], {
    cwd,
    encoding: 'utf8',
  });
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('The layer rules (.dependency-cruiser.cjs)', () => {
  it('fail on a fixture that breaks them, naming each rule and import', () => {
    // Act
    const { code, output } = check(resolve(root, 'test/fixtures/layers'), ['shared', 'infra']);

    // Assess
    expect(code).not.toBe(0);
    expect(output).toMatch(
      /domain-points-inward: shared\/domain\/ticket\.ts → shared\/adapters\/dynamo-tickets\.ts/,
    );
    expect(output).toMatch(/channels-points-inward: shared\/channels\/portal\.ts → shared\/http\/page\.ts/);
    expect(output).toMatch(/no-circular: shared\/use-cases\/(assign|settle)\.ts/);
    expect(output).toMatch(
      /core-without-aws: shared\/use-cases\/publish\.ts → .*node_modules\/@aws-sdk\/client-eventbridge\//,
    );
    expect(output).toMatch(
      /tracer-only-in-lambdas: infra\/local\/runtime\.ts → .*@aws-lambda-powertools\/tracer/,
    );
  });

  it('pass on the project itself: no cycles, every layer pointing inward', () => {
    // Act
    const { code, output } = check(root, ['shared', 'functions', 'infra', 'workflows', 'bench']);

    // Assess
    expect(output).toMatch(/no dependency violations found/);
    expect(code).toBe(0);
  });
});

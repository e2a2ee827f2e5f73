import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** A GitHub Actions expression as written in the workflow: `${{ … }}`. */
const gh = (inner: string) => ['$', '{{ ', inner, ' }}'].join('');

const workflow = () => readFileSync(new URL('../../.github/workflows/deploy.yml', import.meta.url), 'utf8');

/** The jobs of the workflow, by name, as their text (top-level keys under `jobs:`, two spaces in). */
function jobs(text: string): Record<string, string> {
  const body = text.slice(text.indexOf('\njobs:\n') + 7);
  const parts = body.split(/^ {2}(?=[a-z][\w-]*:\n)/m).filter((p) => p.trim());
  return Object.fromEntries(parts.map((p) => [p.slice(0, p.indexOf(':')), p]));
}

describe('The deploy pipeline (.github/workflows/deploy.yml)', () => {
  it('runs the tests, then synth with cdk-nag for every stage, before any deploy', () => {
    // Act
    const { test, synth, deploy } = jobs(workflow());

    // Assess
    expect(test).toContain('bash .ci/run');
    expect(synth).toContain('needs: test');
    expect(synth).toMatch(/stage: \[dev, prod\]/);
    expect(synth).toContain('npx cdk synth');
    expect(deploy).toContain('needs: synth');
    expect(deploy).toMatch(/npx cdk synth[\s\S]*npx cdk deploy --all --app cdk\.out\.\$STAGE/);
  });

  it('deploys with an OIDC role and holds no secrets or keys', () => {
    // Act
    const text = workflow();
    const { deploy } = jobs(text);

    // Assess
    expect(deploy).toContain('id-token: write');
    expect(deploy).toContain(`role-to-assume: ${gh('vars.AWS_DEPLOY_ROLE_ARN')}`);
    expect(text).not.toMatch(/secrets\.|aws-access-key-id|aws-secret-access-key|AKIA[0-9A-Z]{16}/);
  });

  it('gives the stage and the required mail settings to the deploy', () => {
    // Act
    const { deploy } = jobs(workflow());

    // Assess
    expect(deploy).toContain(`environment: ${gh("inputs.stage || 'dev'")}`);
    expect(deploy).toContain(`GONGDAN_MAIL_FROM: ${gh('vars.GONGDAN_MAIL_FROM')}`);
    expect(deploy).toContain(`GONGDAN_SLA_NOTIFY_FROM: ${gh('vars.GONGDAN_SLA_NOTIFY_FROM')}`);
    expect(deploy).toContain('-c stage=$STAGE');
  });
});

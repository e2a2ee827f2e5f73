import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { addGongdan } from '#infra/gongdan-app.ts';
import { readSettings, readStage } from '#infra/settings.ts';
import { cdkJsonContext, gongdanTestApp, testConsoleAssets, testRegion } from './support/gongdan-app.ts';

/**
 * What a first deploy needs: the mail settings given on purpose (there is no working default), and
 * `dev` and `prod` side by side in one account, prod's data stack protected from deletion.
 */
describe('Mail settings for a deploy', () => {
  const mail = {
    'gongdan:mailFrom': 'support@desk.example.org',
    'gongdan:slaNotifyFrom': 'sla@desk.example.org',
  };

  it('fail synthesis, naming each missing setting and how to set it', () => {
    // Prepare
    const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });

    // Act
    const synth = () => addGongdan(app, { region: testRegion, consoleAssets: testConsoleAssets });

    // Assess
    expect(synth).toThrow(/gongdan:mailFrom is required/);
    expect(synth).toThrow(/-c gongdan:mailFrom=support@your-domain/);
    expect(synth).toThrow(/GONGDAN_MAIL_FROM/);
    expect(synth).toThrow(/gongdan:slaNotifyFrom is required/);
    expect(synth).toThrow(/GONGDAN_SLA_NOTIFY_FROM/);
    expect(synth).toThrow(/docs\/deploy\.md/);
  });

  it('are read from the environment when the context has none, the context winning', () => {
    // Prepare
    const environment = {
      GONGDAN_MAIL_FROM: 'help@env.example.org',
      GONGDAN_SLA_NOTIFY_FROM: 'sla@env.example.org',
    };

    // Act
    const fromEnv = readSettings(new App().node, environment);
    const both = readSettings(new App({ context: mail }).node, environment);

    // Assess
    expect(fromEnv).toMatchObject({ mailFrom: 'help@env.example.org', slaNotifyFrom: 'sla@env.example.org' });
    expect(both).toMatchObject({
      mailFrom: 'support@desk.example.org',
      slaNotifyFrom: 'sla@desk.example.org',
    });
  });

  it('are validated when they come from the environment, naming the variable', () => {
    // Act
    const read = () =>
      readSettings(new App().node, {
        GONGDAN_MAIL_FROM: 'not an address',
        GONGDAN_SLA_NOTIFY_FROM: 'sla@x.org',
      });

    // Assess
    expect(read).toThrow(/gongdan:mailFrom \(GONGDAN_MAIL_FROM\)/);
  });
});

/** Resources whose names are scoped to a parent (a role's policy, an API's stage, a pool's group). */
const scopedNames = /^AWS::(IAM::Policy|ApiGatewayV2::|Cognito::UserPoolGroup)/;

describe('Stages', () => {
  const build = (context: Record<string, unknown>) => gongdanTestApp({ bundling: false, context });

  it('name the stacks by stage, dev by default, so dev and prod deploy side by side', () => {
    // Act
    const dev = build({});
    const prod = build({ stage: 'prod' });

    // Assess
    expect([dev.stateful.stackName, dev.stateless.stackName]).toEqual([
      'Gongdan-dev-Stateful',
      'Gongdan-dev-Stateless',
    ]);
    expect([prod.stateful.stackName, prod.stateless.stackName]).toEqual([
      'Gongdan-prod-Stateful',
      'Gongdan-prod-Stateless',
    ]);
    expect(prod.stage).toBe('prod');
  });

  it('give each stage its own Cognito sign-in domain by default (the prefix is unique in a region)', () => {
    // Act
    const domains = ['dev', 'prod'].map((stage) => {
      const [domain] = Object.values(
        Template.fromStack(build({ stage }).stateless).findResources('AWS::Cognito::UserPoolDomain'),
      );
      return JSON.stringify(domain?.Properties.Domain);
    });

    // Assess
    expect(domains[0]).toContain('gongdan-dev-');
    expect(domains[1]).toContain('gongdan-prod-');
  });

  it('give no two stages a resource of the same fixed name (names are unique per account and region)', () => {
    // Prepare: every literal `…Name` property of both stacks, but names scoped to a parent
    const names = (stage: string) => {
      const built = build({ stage });
      return [built.stateful, built.stateless].flatMap((stack) =>
        Object.entries(
          Template.fromStack(stack).toJSON().Resources as Record<
            string,
            { Type: string; Properties?: Record<string, unknown> }
          >,
        )
          .filter(([, r]) => !scopedNames.test(r.Type))
          .flatMap(([id, r]) =>
            Object.entries(r.Properties ?? {})
              .filter(([key, value]) => /Name$/.test(key) && typeof value === 'string')
              .map(([key, value]) => `${r.Type} ${id}.${key}=${value}`),
          ),
      );
    };

    // Act
    const dev = names('dev');
    const prod = new Set(names('prod'));

    // Assess
    expect(dev.filter((n) => prod.has(n))).toEqual([]);
  });

  it('protect the prod data stack from deletion, and retain its table, key and bucket', () => {
    // Act
    const prod = build({ stage: 'prod' });
    const dev = build({ stage: 'dev' });
    const data = Template.fromStack(prod.stateful).toJSON().Resources as Record<
      string,
      { Type: string; DeletionPolicy?: string }
    >;
    const kept = (type: string) =>
      Object.values(data)
        .filter((r) => r.Type === type)
        .map((r) => r.DeletionPolicy);

    // Assess
    expect(prod.stateful.terminationProtection).toBe(true);
    expect(dev.stateful.terminationProtection).toBe(false);
    expect(kept('AWS::DynamoDB::GlobalTable')).toEqual(['Retain']);
    expect(kept('AWS::KMS::Key')).toEqual(['Retain']);
    expect(kept('AWS::S3::Bucket').length).toBeGreaterThan(0);
    expect(new Set(kept('AWS::S3::Bucket'))).toEqual(new Set(['Retain']));
  });

  it('reject a stage name that cannot be part of a stack name', () => {
    // Act
    const read = (stage: string) => () => readStage(new App({ context: { stage } }).node, {});

    // Assess
    expect(read('Prod_1')).toThrow(/stage: must be/);
    expect(read('prod')()).toBe('prod');
    expect(readStage(new App().node, { GONGDAN_STAGE: 'staging' })).toBe('staging');
  });
});

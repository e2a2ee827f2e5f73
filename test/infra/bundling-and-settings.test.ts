import { App } from 'aws-cdk-lib';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { describe, expect, it } from 'vitest';
import { cdkBundling, esbuildOptions, lambdaBundle } from '#infra/bundling.ts';
import { readSettings } from '#infra/settings.ts';
import { testMailSettings } from './support/gongdan-app.ts';

describe('Lambda bundling options', () => {
  it('give CDK and the bundle-size bench the same esbuild settings', () => {
    // Act
    const cdk = cdkBundling();
    const bench = esbuildOptions('functions/x/handler.ts', '/tmp/out');

    // Assess
    expect(bench).toMatchObject({
      bundle: true,
      target: cdk.target,
      platform: 'node',
      format: cdk.format === OutputFormat.ESM ? 'esm' : 'cjs',
      minify: cdk.minify,
      sourcemap: cdk.sourceMap,
      sourcesContent: cdk.sourcesContent,
      mainFields: cdk.mainFields,
      external: cdk.externalModules,
      banner: { js: cdk.banner },
      logLevel: cdk.logLevel,
      outfile: `/tmp/out/${lambdaBundle.outputFile}`,
    });
  });

  it('bundle locally for Node 22 as minified ESM with the AWS SDK inside', () => {
    // Act
    const cdk = cdkBundling();

    // Assess
    expect(cdk).toMatchObject({
      forceDockerBundling: false,
      target: 'node22',
      format: OutputFormat.ESM,
      minify: true,
      sourceMap: true,
      externalModules: [],
    });
    expect(lambdaBundle.outputFile).toBe('index.mjs'); // what CDK names an ESM bundle
  });
});

describe('readSettings()', () => {
  /** With the mail senders every deploy must give (test/infra/deploy-stages.test.ts checks that). */
  const settingsFrom = (context: Record<string, unknown>) =>
    readSettings(new App({ context: { ...testMailSettings, ...context } }).node);

  it('defaults every setting but the mail senders, which a deploy must give', () => {
    // Act
    const settings = settingsFrom({});

    // Assess
    expect(settings).toEqual({
      logRetentionDays: 30,
      logLevel: 'INFO',
      debugLogSampleRate: 0.01,
      expectedAgents: 500,
      publicRouteRateLimit: 20,
      publicRouteBurstLimit: 40,
      corsAllowOrigins: [],
      eventArchiveRetentionDays: 90,
      cognitoPlusPlan: false,
      slaNotifyFrom: 'sla-alerts@example.com',
      slaSms: true,
      mailFrom: 'support@example.com',
      mailFromName: 'Gongdan 客服中心 / Customer Service',
      inboundEmail: true,
      inboundRecipients: [],
      reopenWindowDays: 7,
      mailRetentionDays: 30,
      webhookSources: [],
    });
  });

  it('reads webhook sources as JSON and validates each one, naming the key', () => {
    // Prepare
    const source = {
      source: 'grafana',
      secretRef: '/gongdan/webhooks/grafana',
      mapping: { subject: 'title', customer: { email: { value: 'ops@example.com' } } },
    };

    // Act
    const settings = settingsFrom({ 'gongdan:webhookSources': JSON.stringify([source]) });
    const invalid = () => settingsFrom({ 'gongdan:webhookSources': '[{"source":"Bad Name"}]' });
    const notJson = () => settingsFrom({ 'gongdan:webhookSources': '{oops' });

    // Assess
    expect(settings.webhookSources).toHaveLength(1);
    expect(settings.webhookSources[0]).toMatchObject({ ...source, toleranceSeconds: 300 });
    expect(invalid).toThrow(/gongdan:webhookSources\.0\.source/);
    expect(notJson).toThrow(/gongdan:webhookSources: must be a JSON array of webhook sources/);
  });

  it('reads -c strings: numbers, flags and comma-separated origins', () => {
    // Act
    const settings = settingsFrom({
      'gongdan:logRetentionDays': '90',
      'gongdan:cognitoPlusPlan': 'true',
      'gongdan:corsAllowOrigins': 'https://desk.example.com, https://portal.example.com',
    });

    // Assess
    expect(settings).toMatchObject({
      logRetentionDays: 90,
      cognitoPlusPlan: true,
      corsAllowOrigins: ['https://desk.example.com', 'https://portal.example.com'],
    });
  });

  it('rejects a retention CloudWatch does not offer, naming the key', () => {
    // Act
    const read = () => settingsFrom({ 'gongdan:logRetentionDays': 42 });

    // Assess
    expect(read).toThrow(/gongdan:logRetentionDays/);
  });
});

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { addGongdan } from '#infra/gongdan-app.ts';

/** Any fixed region: the stacks need one (see gongdan-app.ts); tests must not depend on the machine's. */
export const testRegion = 'eu-central-1';

/** The feature flags and settings `cdk synth` uses, so the tests synthesize what the CLI would. */
export const cdkJsonContext = (): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL('../../../cdk.json', import.meta.url), 'utf8')).context;

/**
 * A stand-in for `console/dist` (an index.html and one asset). The infra tests check the construct
 * tree, not the console's bytes, so they neither run Vite nor depend on the console's state (as
 * `bundling: false` skips esbuild); `npm run synth` builds and ships the real one (infra/bin/app.ts).
 */
export const testConsoleAssets = fileURLToPath(new URL('../../fixtures/console-dist', import.meta.url));

export interface TestAppOptions {
  /** Run esbuild for every function (real assets) or stage placeholders (faster; tree is identical). */
  bundling: boolean;
  /** Extra CDK context, e.g. `{ 'gongdan:corsAllowOrigins': 'https://desk.example.com' }`. */
  context?: Record<string, unknown>;
}

/**
 * The mail settings a deploy must give (infra/settings.ts has no default for them): the tests give the
 * reserved example.com domain, which is never verified in SES.
 */
export const testMailSettings = {
  'gongdan:mailFrom': 'support@example.com',
  'gongdan:slaNotifyFrom': 'sla-alerts@example.com',
};

/** A fresh CDK app with Gongdan added exactly as `infra/bin/app.ts` does. */
export function gongdanTestApp(options: TestAppOptions) {
  const app = new App({
    context: {
      ...cdkJsonContext(),
      ...testMailSettings,
      ...(options.bundling ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...options.context,
    },
  });
  return { app, ...addGongdan(app, { region: testRegion, consoleAssets: testConsoleAssets }) };
}

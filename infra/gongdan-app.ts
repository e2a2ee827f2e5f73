import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { forbidBlanketAcknowledgements } from './constructs/acknowledgements.ts';
import { readSettings, readStage } from './settings.ts';
import { StatefulStack } from './stateful-stack.ts';
import { StatelessStack } from './stateless-stack.ts';

/**
 * Adds Gongdan to a CDK app: the stateful stack, the stateless stack that uses it, and the cdk-nag
 * AWS Solutions checks, which fail synthesis on any finding that is not acknowledged with a reason.
 * `infra/bin/app.ts` and the infra tests both build the app through here. `consoleAssets` is the built
 * console (`console/dist`): construction is synchronous, so the caller builds it first.
 */
export function addGongdan(
  app: App,
  options: {
    region: string | undefined;
    consoleAssets: string;
    /** Where `GONGDAN_*` settings and `GONGDAN_STAGE` come from when the context has none. */
    environment?: Readonly<Record<string, string | undefined>>;
  },
) {
  const settings = readSettings(app.node, options.environment);
  // Stages deploy side by side: `Gongdan-dev-Stateful`, `Gongdan-prod-Stateful`… The construct ids stay
  // (the cdk CLI selects `GongdanStateful`); the CloudFormation stack names carry the stage.
  const stage = readStage(app.node, options.environment);
  const production = stage === 'prod';
  const description = 'Gongdan (工单) customer-service ticket engine';
  // The table's customer-managed key is set per replica region, so the stacks cannot be
  // region-agnostic. The account stays a deploy-time value: the same template fits any account.
  if (!options.region) throw new Error('No AWS region: run through the cdk CLI, or set CDK_DEFAULT_REGION');
  const env = { region: options.region };

  const stateful = new StatefulStack(app, 'GongdanStateful', {
    stackName: `Gongdan-${stage}-Stateful`,
    description: `${description}: table, key, event bus`,
    // The data stack of prod cannot be deleted by accident (its table, key and buckets are retained anyway).
    terminationProtection: production,
    env,
    settings,
  });
  const stateless = new StatelessStack(app, 'GongdanStateless', {
    stackName: `Gongdan-${stage}-Stateless`,
    description: `${description}: users, HTTP API, functions, web console`,
    env,
    stage,
    settings,
    tickets: stateful.tickets,
    bus: stateful.bus,
    mail: stateful.mail,
    consoleAssets: options.consoleAssets,
  });
  Tags.of(app).add('project', 'gongdan');
  Tags.of(app).add('stage', stage);

  const nag = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(nag);
  forbidBlanketAcknowledgements(app);
  return { settings, stage, stateful, stateless, nag };
}

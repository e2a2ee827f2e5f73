import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoAgentStore } from '#shared/adapters/dynamo/dynamo-agent-store.ts';
import { dynamoRoutingConfigStore } from '#shared/adapters/dynamo/dynamo-routing-config-store.ts';
import { DomainError } from '#shared/domain/errors.ts';
import { createAgent } from './admin/create-agent.ts';
import { loadRoutingConfig } from './admin/load-routing.ts';

/**
 * Administration of a deployed stage, with the caller's AWS credentials (docs/deploy.md):
 *
 *   npm run admin -- create-agent --email li@corp.cn --name 李娜 --team service-desk --role agent --stage dev
 *   npm run config:load -- --file docs/templates/routing.json --stage dev
 *
 * The user pool and the table are read from the stage's stack outputs (`Gongdan-<stage>-Stateless`,
 * `Gongdan-<stage>-Stateful`), or given with --user-pool-id and --table.
 */
const usage = `usage:
  npm run admin -- create-agent --email <address> --name <name> --team <team>[,<team>…] --role agent|supervisor|admin
                   [--capacity 5] [--languages zh,en] (--stage dev | --user-pool-id <id> --table <name>) [--region <region>]
  npm run admin -- load-routing --file <routing.json> (--stage dev | --table <name>) [--region <region>]
  npm run config:load -- --file <routing.json> --stage dev`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    email: { type: 'string' },
    name: { type: 'string' },
    team: { type: 'string', multiple: true },
    role: { type: 'string' },
    capacity: { type: 'string' },
    languages: { type: 'string' },
    stage: { type: 'string' },
    'user-pool-id': { type: 'string' },
    table: { type: 'string' },
    region: { type: 'string' },
    file: { type: 'string' },
    help: { type: 'boolean' },
  },
});

const list = (v: string[] | string | undefined) =>
  [v ?? []]
    .flat()
    .flatMap((s) => s.split(',').map((x) => x.trim()))
    .filter(Boolean);

async function stackOutput(stackName: string, key: string): Promise<string> {
  const cloudFormation = new CloudFormationClient(values.region ? { region: values.region } : {});
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  const value = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
  if (!value) throw new Error(`Stack ${stackName} has no output ${key}: is the stage deployed?`);
  return value;
}

const tableName = () => {
  if (values.table) return Promise.resolve(values.table);
  if (!values.stage) throw new Error('Give --stage (or --table)');
  return stackOutput(`Gongdan-${values.stage}-Stateful`, 'TableName');
};
const userPoolId = () => {
  if (values['user-pool-id']) return Promise.resolve(values['user-pool-id']);
  if (!values.stage) throw new Error('Give --stage (or --user-pool-id)');
  return stackOutput(`Gongdan-${values.stage}-Stateless`, 'UserPoolId');
};

async function main() {
  const command = positionals[0];
  if (values.help || !command) {
    console.log(usage);
    return;
  }
  const clientConfig = values.region ? { region: values.region } : {};
  const dynamo = new DynamoDBClient(clientConfig);
  if (command === 'create-agent') {
    const result = await createAgent(
      {
        cognito: new CognitoIdentityProviderClient(clientConfig),
        userPoolId: await userPoolId(),
        agents: dynamoAgentStore(dynamo, await tableName()),
      },
      {
        email: values.email ?? '',
        name: values.name ?? '',
        teams: list(values.team),
        role: (values.role ?? '') as 'agent',
        ...(values.capacity ? { capacity: Number(values.capacity) } : {}),
        ...(values.languages ? { languages: list(values.languages) } : {}),
      },
    );
    console.log(JSON.stringify(result, null, 2));
  } else if (command === 'load-routing') {
    if (!values.file) throw new Error('Give --file');
    const table = await tableName();
    const config = await loadRoutingConfig(
      { routing: dynamoRoutingConfigStore(dynamo, table), agents: dynamoAgentStore(dynamo, table) },
      JSON.parse(readFileSync(values.file, 'utf8')),
    );
    console.log(`routing configuration version ${config.version} stored (${config.rules.length} rules)`);
  } else {
    throw new Error(`Unknown command ${command}\n${usage}`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof DomainError)
    console.error(error.message, JSON.stringify(error.details ?? {}, null, 2));
  else console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

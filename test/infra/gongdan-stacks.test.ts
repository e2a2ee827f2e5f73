import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '#functions/routes.ts';
import { esbuildOptions, functionEntry, lambdaBundle } from '#infra/bundling.ts';
import {
  type GongdanFunction,
  keyActions,
  observabilityNames,
  tableActions,
} from '#infra/constructs/gongdan-function.ts';
import type { StatefulStack } from '#infra/stateful-stack.ts';
import type { StatelessStack } from '#infra/stateless-stack.ts';
import { createTableInput, ticketTable } from '#shared/adapters/dynamo/table-design.ts';
import { roles } from '#shared/domain/actor.ts';
import { flattenNested } from './support/flatten.ts';
import { assertEnvFor } from './support/function-env.ts';
import { gongdanTestApp, testRegion } from './support/gongdan-app.ts';

// biome-ignore lint/suspicious/noExplicitAny: raw CloudFormation JSON, asserted field by field
type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };

let stateful: StatefulStack;
let stateless: StatelessStack;
let data: Template;
let api: Template;
let assembly: CloudAssembly;

// One synthesis for the whole file, with real esbuild bundles (about 0.6 s per function on a quiet
// machine, ~100 functions; up to three times that when the suite's other files run beside it).
beforeAll(() => {
  const built = gongdanTestApp({ bundling: true });
  stateful = built.stateful;
  stateless = built.stateless;
  data = Template.fromStack(stateful);
  api = flattenNested(stateless);
  assembly = built.app.synth(); // cached: the synthesis Template.fromStack already ran
}, 300_000);

/** An element's logical id, in whichever (nested) stack it lives: `api` holds them all. */
const logicalId = (_stack: Stack, element: { node: { defaultChild?: unknown } }) => {
  const cfn = element.node.defaultChild as CfnElement;
  return cfn.stack.getLogicalId(cfn);
};

const only = (template: Template, type: string): [string, Resource] => {
  const found = Object.entries(template.findResources(type)) as [string, Resource][];
  expect(found).toHaveLength(1);
  return found[0]!;
};

const resource = (template: Template, id: string): Resource =>
  (template.toJSON().Resources as Record<string, Resource>)[id]!;

const functionOf = (name: string): GongdanFunction => stateless.api.functions[name]!;

/** Every statement of the inline policies attached to a function's role. */
function statementsOf(fn: GongdanFunction) {
  const roleId = logicalId(stateless, fn.role!);
  return Object.values(api.findResources('AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === roleId))
    .flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    )
    .map((s) => ({ actions: [s.Action].flat(), resource: s.Resource }));
}

describe('GongdanStateful', () => {
  it('builds the ticket table from the shared table design: keys, every index, attributes, TTL', () => {
    // Prepare
    const design = createTableInput(ticketTable, 'unused');
    const byName = (a: { AttributeName: string }, b: { AttributeName: string }) =>
      a.AttributeName.localeCompare(b.AttributeName);

    // Act
    const [, table] = only(data, 'AWS::DynamoDB::GlobalTable');

    // Assess
    expect(table.Properties.KeySchema).toEqual(design.KeySchema);
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(design.GlobalSecondaryIndexes);
    expect([...table.Properties.AttributeDefinitions].sort(byName)).toEqual(
      [...design.AttributeDefinitions].sort(byName),
    );
    expect(table.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: ticketTable.timeToLiveAttribute,
      Enabled: true,
    });
  });

  it('keeps the table safe: on demand, streams with both images, PITR, customer-managed key, retained', () => {
    // Prepare
    const [keyId] = only(data, 'AWS::KMS::Key');

    // Act
    const [, table] = only(data, 'AWS::DynamoDB::GlobalTable');

    // Assess
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    expect(table.Properties.Replicas).toEqual([
      expect.objectContaining({
        Region: testRegion,
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      }),
    ]);
    expect(table.DeletionPolicy).toBe('Retain');
  });

  it('rotates the table key and retains it with the table, so retained data stays readable', () => {
    // Act
    const [, key] = only(data, 'AWS::KMS::Key');

    // Assess
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
  });

  it('has one event bus whose events are all archived for replay', () => {
    // Prepare
    const [busId] = only(data, 'AWS::Events::EventBus');

    // Act
    const [, archive] = only(data, 'AWS::Events::Archive');

    // Assess
    expect(archive.Properties).toMatchObject({
      SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] },
      RetentionDays: 90,
      EventPattern: { account: [{ Ref: 'AWS::AccountId' }] },
    });
  });

  it('lets CloudFormation name every resource (no physical names)', () => {
    // Act
    const [, table] = only(data, 'AWS::DynamoDB::GlobalTable');
    const [, bus] = only(data, 'AWS::Events::EventBus');

    // Assess
    expect(table.Properties.TableName).toBeUndefined();
    expect(bus.Properties.Name).toBe('Gongdan-dev-Stateful-Events'); // by stack, so by stage
  });
});

describe('GongdanStateless', () => {
  it('makes one function per API route: Node 22 on arm64, active tracing, source-mapped stack traces', () => {
    // Act
    const functions = api.findResources('AWS::Lambda::Function');

    // Assess: one per route, plus the SLA timer's three task functions and its reconciler
    // (test/infra/sla-timer.test.ts),
    // the approval timer's two (test/infra/approval-timer.test.ts), the two channel functions
    // (test/infra/channels.test.ts), the dispatcher and its retry sweep (test/infra/reactions.test.ts),
    // the routing sweep (test/infra/routing-maintenance.test.ts) and CDK's console upload handler
    // (test/infra/console-hosting.test.ts), and the import run's prepare, chunk and finish
    // (test/infra/imports.test.ts), the outbound webhooks' deliverer (test/infra/webhooks-out.test.ts) and
    // the export worker (test/infra/exports.test.ts), and the insight jobs' spikes, forecast and digest
    // (test/infra/insights.test.ts)
    expect(Object.keys(functions)).toHaveLength(apiRoutes.length + 4 + 2 + 2 + 2 + 1 + 1 + 3 + 1 + 1 + 3);
    for (const route of apiRoutes) {
      const fn = resource(api, logicalId(stateless, functionOf(route.name)));
      expect(fn.Properties, route.name).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
      });
    }
  });

  it('ships each function as a minified ESM bundle with its source map, built from its own handler', () => {
    for (const route of apiRoutes) {
      // Prepare
      const fn = resource(api, logicalId(stateless, functionOf(route.name)));
      const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
      const dir = join(assembly.directory, `asset.${hash}`);

      // Act
      const bundle = readFileSync(join(dir, lambdaBundle.outputFile), 'utf8');

      // Assess
      expect(bundle.startsWith(lambdaBundle.banner), route.name).toBe(true);
      expect(bundle, route.name).toMatch(/export\s*\{[^}]*\bhandler\b/);
      expect(existsSync(join(dir, `${lambdaBundle.outputFile}.map`)), route.name).toBe(true);
    }
  });

  it('ships byte for byte the bundle that bench/bundle-size.ts measures', async () => {
    // Prepare
    const route = apiRoutes[0]!;
    const fn = resource(api, logicalId(stateless, functionOf(route.name)));
    const shipped = readFileSync(
      join(
        assembly.directory,
        `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`,
        'index.mjs',
      ),
    );

    // Act
    const result = await build({ ...esbuildOptions(functionEntry(route.name), '/bench-out'), write: false });
    const measured = result.outputFiles.find((f) => f.path.endsWith(`/${lambdaBundle.outputFile}`))!;

    // Assess
    expect(Buffer.from(measured.contents).equals(shipped)).toBe(true);
  });

  it('gives every function its own log group with the configured retention', () => {
    for (const route of apiRoutes) {
      // Act
      const fn = resource(api, logicalId(stateless, functionOf(route.name)));
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref;

      // Assess
      expect(resource(api, logGroupId).Properties.RetentionInDays, route.name).toBe(30);
    }
  });

  it('sets every environment variable the wiring of each route reads, valid by its own schema', () => {
    for (const route of apiRoutes) {
      // Act
      const variables = resource(api, logicalId(stateless, functionOf(route.name))).Properties.Environment
        .Variables;

      // Assess: the schemas the handler parses at cold start accept what the stack sets
      expect(() =>
        assertEnvFor(
          (route.auth ?? 'jwt') === 'jwt' && !route.uses?.includes('attachments') ? 'api' : 'channelApi',
          variables,
        ),
      ).not.toThrow();
      expect(variables, route.name).toMatchObject({
        TABLE_NAME: expect.anything(),
        AUTH_ISSUER: expect.anything(),
        POWERTOOLS_SERVICE_NAME: observabilityNames.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: observabilityNames.metricsNamespace,
        POWERTOOLS_LOG_LEVEL: 'INFO',
      });
    }
  });

  it('fails synthesis, naming the variable, when a function lacks one its wiring reads', () => {
    // Prepare: a route function whose table name ends up blank
    const built = gongdanTestApp({ bundling: false });
    const fn = built.stateless.api.functions['create-ticket']!;
    fn.addEnvironment('TABLE_NAME', '');

    // Act
    const problems = fn.node.validate();

    // Assess
    expect(problems.join('\n')).toMatch(/TABLE_NAME is not set/);
  });

  it('routes every apiRoutes entry, by method and path, to its own function; jwt routes behind the authorizer', () => {
    // Prepare
    const [authorizerId] = only(api, 'AWS::ApiGatewayV2::Authorizer');
    const routes = Object.values(api.findResources('AWS::ApiGatewayV2::Route')) as Resource[];
    expect(routes).toHaveLength(apiRoutes.length);

    for (const route of apiRoutes) {
      // Act
      const found = routes.find((r) => r.Properties.RouteKey === `${route.method} ${route.path}`);
      const integrationId = found?.Properties.Target['Fn::Join'][1][1].Ref;
      const integration = resource(api, integrationId);

      // Assess: the portal (public) and webhooks (HMAC, checked by the function) have no authorizer
      if ((route.auth ?? 'jwt') === 'jwt') {
        expect(found?.Properties, route.name).toMatchObject({
          AuthorizationType: 'JWT',
          AuthorizerId: { Ref: authorizerId },
        });
      } else {
        expect(found?.Properties.AuthorizationType, route.name).toBe('NONE');
        expect(found?.Properties.AuthorizerId, route.name).toBeUndefined();
      }
      expect(integration.Properties, route.name).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [logicalId(stateless, functionOf(route.name)), 'Arn'] },
      });
    }
  });

  it("accepts only the user pool's ID tokens: issuer is the pool, audience is the app client", () => {
    // Prepare
    const [poolId] = only(api, 'AWS::Cognito::UserPool');
    const [clientId] = only(api, 'AWS::Cognito::UserPoolClient');

    // Act
    const [, authorizer] = only(api, 'AWS::ApiGatewayV2::Authorizer');

    // Assess
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: clientId }],
        Issuer: { 'Fn::Join': ['', [`https://cognito-idp.${testRegion}.amazonaws.com/`, { Ref: poolId }]] },
      },
    });
  });

  it('grants each function exactly its route access on the table, each index by name, and the key', () => {
    // Routes with narrowed writes (`route.writes`) are asserted in least-privilege.test.ts.
    for (const route of apiRoutes.filter((r) => !('writes' in r && r.writes))) {
      // Act
      const statements = statementsOf(functionOf(route.name));
      const dynamo = statements.filter((s) => s.actions.some((a) => a.startsWith('dynamodb:')));
      const kms = statements.filter((s) => s.actions.some((a) => a.startsWith('kms:')));

      // Assess
      const indexStatement = dynamo.find((s) => JSON.stringify(s.resource).includes('/index/'));
      expect(
        dynamo.map((s) => s.actions.sort()),
        route.name,
      ).toEqual(expect.arrayContaining([[...tableActions[route.access]].sort(), ['dynamodb:Query']]));
      expect(dynamo, route.name).toHaveLength(2);
      expect(indexStatement?.actions, route.name).toEqual(['dynamodb:Query']);
      expect(
        JSON.stringify(indexStatement?.resource)
          .match(/\/index\/\w+/g)
          ?.sort(),
        route.name,
      ).toEqual(ticketTable.indexes.map((i) => `/index/${i.indexName}`).sort());
      expect(
        kms.map((s) => s.actions.sort()),
        route.name,
      ).toEqual([[...keyActions[route.access]].sort()]);
      expect(JSON.stringify(statements), route.name).not.toMatch(
        /dynamodb:Scan|index\/\*|dynamodb:\*|kms:\*/,
      );
    }
  });

  it("lets no route function publish, start timers or send mail: what follows a change is the dispatcher's", () => {
    for (const route of apiRoutes) {
      // Act
      const actions = statementsOf(functionOf(route.name))
        .flatMap((s) => s.actions)
        // An import's POST routes start the import run (docs/import.md), nothing that follows a ticket change.
        .filter((a) => !(route.uses?.includes('imports') && a === 'states:StartExecution'));

      // Assess
      expect(actions, route.name).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/^(events|states|ses|sns|sqs):/)]),
      );
    }
  });

  it('allows each function to write only to its own log group', () => {
    for (const route of apiRoutes) {
      // Prepare
      const fn = resource(api, logicalId(stateless, functionOf(route.name)));

      // Act
      const logs = statementsOf(functionOf(route.name)).filter((s) =>
        s.actions.some((a) => a.startsWith('logs:')),
      );

      // Assess
      expect(logs, route.name).toEqual([
        {
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resource: { 'Fn::GetAtt': [fn.Properties.LoggingConfig.LogGroup.Ref, 'Arn'] },
        },
      ]);
    }
    // No AWS-managed policy (AWSLambdaBasicExecutionRole may write to every log group); the only
    // attached policies are the mail bucket's prefix grants from the stateful stack (channels.test.ts).
    const attached = Object.values(
      api.findResources('AWS::IAM::Role', { Properties: { ManagedPolicyArns: Match.anyValue() } }),
    );
    expect(JSON.stringify(attached)).not.toMatch(/arn:aws:iam::aws:policy|iam::aws:policy/);
    expect(
      attached.flatMap((r) => r.Properties.ManagedPolicyArns).map((arn: unknown) => JSON.stringify(arn)),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/MailStore(ReadInbound|WriteAttachments)/)]));
  });

  it('logs every request and throttles on the $default stage', () => {
    // Act
    const [, stage] = only(api, 'AWS::ApiGatewayV2::Stage');

    // Assess
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      // 500 expected agents (cdk.json) × 0.5 requests/s × 2 (infra/api-throttle.ts), burst twice that
      DefaultRouteSettings: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } },
    });
    expect(JSON.parse(stage.Properties.AccessLogSettings.Format)).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
    });
  });

  it("allows in CORS only the console's origin unless more are configured", () => {
    // Prepare
    const console = logicalId(stateless, stateless.console.distribution);

    // Act
    const [, httpApi] = only(api, 'AWS::ApiGatewayV2::Api');

    // Assess
    expect(httpApi.Properties.CorsConfiguration.AllowOrigins).toEqual([
      { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [console, 'DomainName'] }]] },
    ]);
  });

  it('has one Cognito group per role, named as the role the code reads from cognito:groups', () => {
    // Act
    const groups = Object.values(api.findResources('AWS::Cognito::UserPoolGroup')) as Resource[];

    // Assess
    expect(groups.map((g) => g.Properties.GroupName).sort()).toEqual([...roles].sort());
  });

  it('creates accounts by invitation only, with a strong password policy and TOTP MFA required', () => {
    // Act
    const [, pool] = only(api, 'AWS::Cognito::UserPool');

    // Assess
    expect(pool.Properties).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
    });
    expect(pool.DeletionPolicy).toBe('Retain');
  });

  it('gives the app client no secret and no plain USER_PASSWORD_AUTH flow', () => {
    // Act
    const [, client] = only(api, 'AWS::Cognito::UserPoolClient');

    // Assess
    expect(client.Properties.GenerateSecret).toBe(false);
    expect(client.Properties.ExplicitAuthFlows).not.toContain('ALLOW_USER_PASSWORD_AUTH');
  });
});

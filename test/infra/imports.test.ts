import type { PolicyValidationPluginReport } from 'aws-cdk-lib';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '#functions/routes.ts';
import type { StatelessStack } from '#infra/stateless-stack.ts';
import { gongdanTestApp } from './support/gongdan-app.ts';

// biome-ignore lint/suspicious/noExplicitAny: raw CloudFormation JSON, asserted field by field
type Json = any;

let stateless: StatelessStack;
let nested: Template;
let report: PolicyValidationPluginReport;

beforeAll(() => {
  const built = gongdanTestApp({ bundling: false });
  stateless = built.stateless;
  nested = Template.fromStack(Stack.of(stateless.imports));
  built.app.synth();
  report = built.nag.validateScope(built.app);
}, 120_000);

const importRoutes = apiRoutes.filter((r) => r.uses?.includes('imports'));
const statementsOf = (logicalIdPrefix: string) =>
  Object.entries(nested.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith(logicalIdPrefix))
    .flatMap(([, p]: [string, Json]) => p.Properties.PolicyDocument.Statement as Json[]);
const actionsOf = (prefix: string) => statementsOf(prefix).flatMap((s) => [s.Action].flat());

describe('Bulk import in AWS (infra/constructs/imports.ts)', () => {
  it('lives in its own nested stack with a state machine running the chunks in a Distributed Map over the manifest', () => {
    expect(Stack.of(stateless.imports)).not.toBe(stateless);
    const [machine] = Object.values(nested.findResources('AWS::StepFunctions::StateMachine')) as Json[];
    const definition = JSON.parse(
      (machine.Properties.DefinitionString['Fn::Join'][1] as unknown[])
        .map((part) => (typeof part === 'string' ? part : 'REF'))
        .join(''),
    );
    const map = definition.States.CommitOrCheckOnly.Choices[0].Next;
    expect(definition.StartAt).toBe('PrepareImport');
    expect(map).toBe('CommitChunks');
    expect(definition.States.CommitChunks).toMatchObject({
      Type: 'Map',
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: 'CommitChunk',
      },
      ItemReader: {
        Resource: expect.stringMatching(/:states:::s3:getObject$/),
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { 'Key.$': '$.run.manifestKey' },
      },
      Next: 'FinishImport',
    });
    expect(definition.States.CommitChunks.MaxConcurrency).toBeGreaterThan(0);
    expect(definition.States.PrepareImport.Catch[0].Next).toBe('RecordImportFailure');
  });

  it('keeps the uploads in a private, TLS-only bucket with access logs, expiry and CORS for the console PUT', () => {
    nested.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: Match.anyValue(),
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'import-bucket/' }),
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 30 })]) },
      CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedMethods: ['PUT'] })] },
    });
    const policies = JSON.stringify(nested.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toContain('aws:SecureTransport');
  });

  it('adds every import route to the API behind the JWT authorizer, one function each, none in the parent stack', () => {
    const routes = Object.values(nested.findResources('AWS::ApiGatewayV2::Route')) as Json[];
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(
      importRoutes.map((r) => `${r.method} ${r.path}`).sort(),
    );
    for (const r of routes) expect(r.Properties.AuthorizationType).toBe('JWT');
    const parentRoutes = JSON.stringify(Template.fromStack(stateless).toJSON());
    for (const r of importRoutes) expect(parentRoutes).not.toContain(`"${r.method} ${r.path}"`);
    // Route functions, plus prepare, chunk and finish, and the export worker (test/infra/exports.test.ts).
    nested.resourceCountIs('AWS::Lambda::Function', importRoutes.length + 3 + 1);
  });

  it('grants least privilege: only the finish publishes, only POST routes start runs and put files, a chunk only reads', () => {
    const chunk = actionsOf('ImportsChunkRoleDefaultPolicy');
    const finish = actionsOf('ImportsFinishRoleDefaultPolicy');
    const getImport = actionsOf('ImportsGetImportRoleDefaultPolicy');
    const createImport = actionsOf('ImportsCreateImportRoleDefaultPolicy');
    expect(chunk).toContain('s3:GetObject');
    expect(chunk).not.toContain('s3:PutObject');
    expect(chunk).not.toContain('events:PutEvents');
    expect(finish).toContain('events:PutEvents');
    expect(getImport).not.toContain('s3:PutObject');
    expect(getImport).not.toContain('states:StartExecution');
    expect(getImport.some((a: string) => /dynamodb:(Put|Update|Delete|BatchWrite)/.test(a))).toBe(false);
    expect(createImport).toEqual(expect.arrayContaining(['s3:PutObject', 'states:StartExecution']));
    // S3 access is to the imports/ keys of the one bucket, never the whole account.
    for (const s of statementsOf('Imports')) {
      if ([s.Action].flat().some((a: string) => a.startsWith('s3:Put'))) {
        expect(JSON.stringify(s.Resource)).toContain('/imports/*');
      }
    }
  });

  it('is cdk-nag clean', () => {
    const findings = report.violations
      .filter((v) => v.violatingResources.some((r) => r.constructPath?.includes('/Imports/')))
      .map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath)}`);
    expect(findings).toEqual([]);
  });
});

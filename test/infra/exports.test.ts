import { type CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GongdanFunction } from '#infra/constructs/gongdan-function.ts';
import type { StatelessStack } from '#infra/stateless-stack.ts';
import { flattenNested } from './support/flatten.ts';
import { gongdanTestApp } from './support/gongdan-app.ts';

// biome-ignore lint/suspicious/noExplicitAny: raw CloudFormation JSON, asserted field by field
type Json = any;

let stateless: StatelessStack;
let flat: Template;

beforeAll(() => {
  stateless = gongdanTestApp({ bundling: false }).stateless;
  flat = flattenNested(stateless);
}, 120_000);

const idOf = (element: { node: { defaultChild?: unknown } }) => {
  const cfn = element.node.defaultChild as CfnElement;
  return cfn.stack.getLogicalId(cfn);
};
const resources = () => flat.toJSON().Resources as Record<string, Json>;
const worker = () =>
  Object.entries(resources()).find(
    ([, r]) => r.Type === 'AWS::Lambda::Function' && /export file/i.test(r.Properties.Description ?? ''),
  )!;
/** The statements of the managed policies a function's role attaches. */
function managedStatements(fn: GongdanFunction): Json[] {
  const role = resources()[idOf(fn.role!)];
  const arns = JSON.stringify(role.Properties.ManagedPolicyArns ?? []);
  return Object.entries(resources())
    .filter(([id, r]) => r.Type === 'AWS::IAM::ManagedPolicy' && arns.includes(`"${id}"`))
    .flatMap(([, r]) => r.Properties.PolicyDocument.Statement);
}

describe('Exports in AWS (docs/export.md, "In AWS")', () => {
  it('has an export worker with 15 minutes to write a file, reading the table and writing only exports/', () => {
    // Act
    const [id, fn] = worker();

    // Assess
    expect(fn.Properties).toMatchObject({ Timeout: 900, MemorySize: 1024 });
    expect(fn.Properties.Environment.Variables.EXPORT_BUCKET).toBeDefined();
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    const arns = JSON.stringify(resources()[roleId].Properties.ManagedPolicyArns);
    const files = Object.entries(resources()).find(([pid]) => pid.startsWith('ImportsExportFiles'))!;
    expect(arns).toContain(`"${files[0]}"`);
    expect(files[1].Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
        Resource: expect.objectContaining({ 'Fn::Join': ['', [expect.anything(), '/exports/*']] }),
      }),
    ]);
    expect(Stack.of(stateless.imports).node.tryFindChild('ExportRun')).toBeUndefined(); // inside the construct
    expect(id).toMatch(/^ImportsExportRun/);
  });

  it('lets POST /exports invoke that worker, and nothing else; GET /exports/{id} only reads the files', () => {
    // Prepare
    const [workerId] = worker();
    const start = stateless.api.functions['start-export']!;
    const get = stateless.api.functions['get-export']!;

    // Act
    const startStatements = managedStatements(start);
    const getStatements = managedStatements(get);
    const startEnv = resources()[idOf(start)].Properties.Environment.Variables;
    const getEnv = resources()[idOf(get)].Properties.Environment.Variables;

    // Assess
    const invoke = startStatements.filter((s) => [s.Action].flat().includes('lambda:InvokeFunction'));
    expect(invoke).toEqual([
      expect.objectContaining({ Resource: { 'Fn::GetAtt': [workerId, 'Arn'] }, Effect: 'Allow' }),
    ]);
    expect(startEnv.EXPORT_RUN_FUNCTION).toEqual({ Ref: workerId });
    expect(JSON.stringify(getStatements)).not.toContain('lambda:InvokeFunction');
    expect(getEnv.EXPORT_RUN_FUNCTION).toBeUndefined();
    for (const env of [startEnv, getEnv]) expect(env.EXPORT_BUCKET).toBeDefined();
  });

  it('expires export files after a week and leaves no unfinished upload behind', () => {
    // Act
    const bucket = Object.values(resources()).find(
      (r) =>
        r.Type === 'AWS::S3::Bucket' &&
        JSON.stringify(r.Properties.LifecycleConfiguration ?? {}).includes('ExpireExports'),
    );

    // Assess
    const rules = bucket.Properties.LifecycleConfiguration.Rules as Json[];
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Id: 'ExpireExports', Prefix: 'exports/', ExpirationInDays: 7 }),
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
      ]),
    );
  });
});

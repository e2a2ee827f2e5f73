import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '#functions/routes.ts';
import { env } from '#shared/runtime/env.ts';
import { flattenNested } from './support/flatten.ts';
import { gongdanTestApp } from './support/gongdan-app.ts';

// biome-ignore lint/suspicious/noExplicitAny: raw CloudFormation JSON, asserted field by field
type Json = any;

/**
 * The report routes in the stack (docs/analytics.md): each route that `uses: ['reports']` gets the
 * Analytics construct's Athena query policy and its workgroup and database; the live board, which reads
 * the table only, gets neither.
 */
let flat: Template;
beforeAll(() => {
  flat = flattenNested(gongdanTestApp({ bundling: false }).stateless);
}, 180_000);

const resources = (type: string) => Object.entries(flat.findResources(type)) as [string, Json][];
const functionOf = (id: string) =>
  resources('AWS::Lambda::Function').find(
    ([logicalId]) => logicalId.includes(id) && !logicalId.includes('Role'),
  )?.[1];
function managedStatements(id: string): Json[] {
  const role = resources('AWS::IAM::Role').find(([logicalId]) => logicalId.includes(`${id}Role`))?.[1];
  return (role?.Properties.ManagedPolicyArns ?? []).flatMap((arn: Json) => {
    const policy = arn?.Ref && flat.toJSON().Resources[arn.Ref];
    return policy?.Type === 'AWS::IAM::ManagedPolicy' ? policy.Properties.PolicyDocument.Statement : [];
  });
}
const athenaActions = (id: string) =>
  managedStatements(id)
    .flatMap((s) => [s.Action].flat() as string[])
    .filter((a) => a.startsWith('athena:'));

describe('report routes in the stack', () => {
  it('grant Athena to the lake report routes, and only to them', () => {
    const lakeRoutes = apiRoutes.filter((r) => r.uses?.includes('reports')).map((r) => r.name);
    expect(lakeRoutes).toContain('get-report-kpis');
    const variables = functionOf('GetReportKpis')?.Properties.Environment.Variables;
    expect(variables[env.athenaWorkgroup.name]).toBeDefined();
    expect(variables[env.athenaDatabase.name]).toBeDefined();
    expect(athenaActions('GetReportKpis')).toEqual(
      expect.arrayContaining(['athena:StartQueryExecution', 'athena:GetQueryResults']),
    );

    const live = functionOf('GetReportLive')?.Properties.Environment.Variables;
    expect(live[env.athenaWorkgroup.name]).toBeUndefined();
    expect(athenaActions('GetReportLive')).toEqual([]);
  });
});

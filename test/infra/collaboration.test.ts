import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GongdanFunction } from '#infra/constructs/gongdan-function.ts';
import type { StatefulStack } from '#infra/stateful-stack.ts';
import type { StatelessStack } from '#infra/stateless-stack.ts';
import { flattenNested } from './support/flatten.ts';
import { assertEnvFor } from './support/function-env.ts';
import { gongdanTestApp } from './support/gongdan-app.ts';

// biome-ignore lint/suspicious/noExplicitAny: raw CloudFormation JSON, asserted field by field
type Resource = { Type: string; Properties: Record<string, any> };

const consoleOrigin = 'https://desk.example.com';
/** The routes that keep or link staff attachments (docs/collaboration.md). */
const attachmentRoutes = ['list-attachments', 'get-attachment', 'create-attachment', 'add-reply'];

let stateful: StatefulStack;
let stateless: StatelessStack;
let data: Template;
let api: Template;

beforeAll(() => {
  const built = gongdanTestApp({ bundling: false, context: { 'gongdan:corsAllowOrigins': consoleOrigin } });
  stateful = built.stateful;
  stateless = built.stateless;
  built.app.synth();
  data = Template.fromStack(stateful);
  api = flattenNested(stateless);
}, 90_000);

/** An element's logical id, in whichever (nested) stack it lives: `api` holds them all. */
const logicalId = (_stack: Stack, element: { node: { defaultChild?: unknown } }) => {
  const cfn = element.node.defaultChild as CfnElement;
  return cfn.stack.getLogicalId(cfn);
};
const resource = (template: Template, id: string): Resource =>
  (template.toJSON().Resources as Record<string, Resource>)[id]!;
const environmentOf = (fn: GongdanFunction) =>
  resource(api, logicalId(stateless, fn)).Properties.Environment.Variables as Record<string, unknown>;
const managedPoliciesOf = (fn: GongdanFunction) =>
  JSON.stringify(resource(api, logicalId(stateless, fn.role!)).Properties.ManagedPolicyArns ?? []);
const staffPolicyId = () => logicalId(stateful, stateful.mail.staffAttachments);

describe('Staff attachments in the stacks', () => {
  it('lets the console origin PUT and GET presigned links on the mail bucket, and nothing else', () => {
    const bucket = resource(data, logicalId(stateful, stateful.mail.bucket));
    expect(bucket.Properties.CorsConfiguration.CorsRules).toEqual([
      {
        Id: 'StaffAttachments',
        AllowedOrigins: ['https://*.cloudfront.net', consoleOrigin],
        AllowedMethods: ['PUT', 'GET'],
        AllowedHeaders: ['content-type', 'content-disposition', 'x-amz-checksum-sha256'],
        ExposedHeaders: ['etag'],
        MaxAge: 3600,
      },
    ]);
  });

  it('lets the console on its CloudFront domain upload when no custom origin is configured', () => {
    const plain = gongdanTestApp({ bundling: false });
    const template = Template.fromStack(plain.stateful);
    const bucket = resource(template, logicalId(plain.stateful, plain.stateful.mail.bucket));
    expect(bucket.Properties.CorsConfiguration.CorsRules).toEqual([
      expect.objectContaining({
        AllowedOrigins: ['https://*.cloudfront.net'],
        AllowedMethods: ['PUT', 'GET'],
      }),
    ]);
  });

  it('grants signing links only GetObject and PutObject under attachments/', () => {
    const policy = resource(data, staffPolicyId());
    expect(policy.Type).toBe('AWS::IAM::ManagedPolicy');
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toEqual(['s3:GetObject', 's3:PutObject']);
    expect(statements[0].Effect).toBe('Allow');
    expect(JSON.stringify(statements[0].Resource)).toContain('/attachments/*');
  });

  it('gives the attachment routes the bucket, the channel settings and the grant; other staff routes neither', () => {
    const policyId = staffPolicyId();
    for (const name of attachmentRoutes) {
      const fn = stateless.api.functions[name]!;
      expect(Object.keys(environmentOf(fn)), name).toContain('MAIL_BUCKET');
      expect(() => assertEnvFor('channelApi', environmentOf(fn)), name).not.toThrow();
      expect(managedPoliciesOf(fn), name).toContain(policyId);
    }
    for (const name of ['get-ticket', 'merge-ticket', 'add-watcher', 'add-link']) {
      const fn = stateless.api.functions[name]!;
      expect(Object.keys(environmentOf(fn)), name).not.toContain('MAIL_BUCKET');
      expect(managedPoliciesOf(fn), name).not.toContain(policyId);
    }
  });

  it('serves the collaboration routes behind the JWT authorizer, DELETE allowed from the console', () => {
    const routes = Object.values(api.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
    for (const key of [
      'POST /tickets/{id}/watchers',
      'DELETE /tickets/{id}/watchers/{agentId}',
      'POST /tickets/{id}/links',
      'DELETE /tickets/{id}/links/{ticket}',
      'POST /tickets/{id}/merge',
      'GET /tickets/{id}/attachments',
      'GET /tickets/{id}/attachments/{attachmentId}',
      'POST /tickets/{id}/attachments',
    ]) {
      const route = routes.find((r) => r.RouteKey === key);
      expect(route, key).toBeDefined();
      expect(route!.AuthorizationType, key).toBe('JWT');
    }
    const httpApi = Object.values(api.findResources('AWS::ApiGatewayV2::Api'))[0]!;
    expect(httpApi.Properties.CorsConfiguration.AllowMethods).toContain('DELETE');
  });
});

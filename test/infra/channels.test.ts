import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptions, functionEntry } from '#infra/bundling.ts';
import type { GongdanFunction } from '#infra/constructs/gongdan-function.ts';
import type { StatefulStack } from '#infra/stateful-stack.ts';
import type { StatelessStack } from '#infra/stateless-stack.ts';
import { intakeEventPattern } from '#shared/channels/event-intake.ts';
import { flattenNested } from './support/flatten.ts';
import { assertEnvFor } from './support/function-env.ts';
import { gongdanTestApp, testRegion } from './support/gongdan-app.ts';

// biome-ignore lint/suspicious/noExplicitAny: raw CloudFormation JSON, asserted field by field
type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };

const webhookSources = [
  {
    source: 'grafana',
    secretRef: '/gongdan/webhooks/grafana',
    mapping: { subject: 'title', customer: { email: { value: 'ops@example.com' } } },
  },
  {
    source: 'crm',
    secretRef: 'secretsmanager:gongdan/crm',
    mapping: { subject: 'subject', customer: { email: 'email' } },
  },
];

let stateful: StatefulStack;
let stateless: StatelessStack;
let data: Template;
let api: Template;

// Findings and grants do not depend on bundle contents: no esbuild here (same construct tree).
beforeAll(() => {
  const built = gongdanTestApp({
    bundling: false,
    context: {
      'gongdan:mailFrom': 'help@desk.example.com',
      'gongdan:webhookSources': JSON.stringify(webhookSources),
    },
  });
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

function statementsOf(fn: GongdanFunction) {
  const roleId = logicalId(stateless, fn.role!);
  return Object.values(api.findResources('AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === roleId))
    .flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    )
    .map((s) => ({ actions: [s.Action].flat(), resource: s.Resource }));
}

const environmentOf = (fn: GongdanFunction) =>
  resource(api, logicalId(stateless, fn)).Properties.Environment.Variables as Record<string, unknown>;
const managedPoliciesOf = (fn: GongdanFunction) =>
  JSON.stringify(resource(api, logicalId(stateless, fn.role!)).Properties.ManagedPolicyArns ?? []);

describe('The mail bucket (stateful)', () => {
  it('is encrypted, private, TLS-only, logged and retained', () => {
    // Prepare
    const bucketId = logicalId(stateful, stateful.mail.bucket);

    // Act
    const bucket = resource(data, bucketId);
    const policy = Object.values(data.findResources('AWS::S3::BucketPolicy')).find(
      (p) => p.Properties.Bucket.Ref === bucketId,
    )!;

    // Assess
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: logicalId(stateful, stateful.mail.accessLogs) } },
    });
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(policy.Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      ]),
    );
  });

  it('expires raw mail after 30 days and moves attachments to infrequent access', () => {
    const rules = resource(data, logicalId(stateful, stateful.mail.bucket)).Properties.LifecycleConfiguration
      .Rules;
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Id: 'ExpireRawMail',
          Prefix: 'inbound/',
          ExpirationInDays: 30,
          Status: 'Enabled',
        }),
        expect.objectContaining({
          Id: 'AttachmentsToInfrequentAccess',
          Prefix: 'attachments/',
          Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
        }),
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }),
      ]),
    );
  });

  it('lets SES write only under inbound/, only for this account', () => {
    const bucketId = logicalId(stateful, stateful.mail.bucket);
    const policy = Object.values(data.findResources('AWS::S3::BucketPolicy')).find(
      (p) => p.Properties.Bucket.Ref === bucketId,
    )!;
    expect(policy.Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        {
          Effect: 'Allow',
          Principal: { Service: 'ses.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/inbound/*']] },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        },
      ]),
    );
  });
});

describe('E-mail in (stateless)', () => {
  it('stores each message under inbound/, then invokes the intake function asynchronously', () => {
    // Act
    const [rule] = Object.values(api.findResources('AWS::SES::ReceiptRule')) as Resource[];

    // Assess
    expect(rule!.Properties.Rule).toMatchObject({
      Enabled: true,
      Recipients: ['help@desk.example.com'],
      ScanEnabled: true,
      Actions: [
        { S3Action: { ObjectKeyPrefix: 'inbound/' } },
        {
          LambdaAction: {
            FunctionArn: { 'Fn::GetAtt': [logicalId(stateless, stateless.channels.inboundEmail), 'Arn'] },
            InvocationType: 'Event',
          },
        },
      ],
    });
    api.resourceCountIs('AWS::SES::ReceiptRuleSet', 1);
  });

  it('retries a failed message twice, then keeps it in the dead-letter queue', () => {
    api.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(stateless, stateless.channels.inboundEmail) },
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [logicalId(stateless, stateless.channels.deadLetters), 'Arn'] },
        },
      },
    });
  });

  it('lets the intake function read inbound/ and write attachments/ only, and send nothing itself', () => {
    // Prepare
    const fn = stateless.channels.inboundEmail;

    // Act
    const statements = statementsOf(fn);

    // Assess
    expect(managedPoliciesOf(fn)).toMatch(/MailStoreReadInbound/);
    expect(managedPoliciesOf(fn)).toMatch(/MailStoreWriteAttachments/);
    expect(statements.filter((s) => s.actions.some((a) => a.startsWith('s3:')))).toEqual([]);
    // The acknowledgement is asked for with the ticket and sent by the dispatcher (test/infra/reactions.test.ts).
    expect(JSON.stringify(statements)).not.toMatch(/ses:|sns:|events:PutEvents|states:/);
    expect(environmentOf(fn)).toMatchObject({
      MAIL_FROM: 'help@desk.example.com',
      MESSAGE_ID_DOMAIN: 'desk.example.com',
      MAIL_BUCKET: expect.anything(),
      REOPEN_WINDOW_DAYS: '7',
    });
  });

  it('has no receipt rule set when inbound e-mail is switched off', () => {
    const { app, stateless: off } = gongdanTestApp({
      bundling: false,
      context: { 'gongdan:inboundEmail': 'false' },
    });
    app.synth();
    Template.fromStack(off).resourceCountIs('AWS::SES::ReceiptRuleSet', 0);
  });
});

describe('EventBridge in', () => {
  const rules = () => Object.values(api.findResources('AWS::Events::Rule')) as Resource[];
  const targeting = (fn: GongdanFunction) =>
    rules().filter((r) =>
      r.Properties.Targets.some(
        (t: { Arn: unknown }) =>
          JSON.stringify(t.Arn) === JSON.stringify({ 'Fn::GetAtt': [logicalId(stateless, fn), 'Arn'] }),
      ),
    );

  it('routes ticket.*.requested from any source but Gongdan to intake, with retries and a dead-letter queue', () => {
    // Act
    const [rule, ...more] = targeting(stateless.channels.intakeEvent);

    // Assess
    expect(more).toEqual([]);
    expect(rule!.Properties.EventPattern).toEqual(intakeEventPattern);
    expect(rule!.Properties.Targets[0]).toMatchObject({
      RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 12 * 3600 },
      DeadLetterConfig: {
        Arn: { 'Fn::GetAtt': [logicalId(stateless, stateless.channels.deadLetters), 'Arn'] },
      },
    });
  });
});

describe('The channel functions', () => {
  it('get every environment variable their wiring reads, valid by its own schema', () => {
    const open = ['portal-form', 'portal-submit', 'portal-status', 'portal-status-post', 'webhook'];
    for (const fn of stateless.channels.functions) {
      expect(() => assertEnvFor('intake', environmentOf(fn)), fn.node.path).not.toThrow();
    }
    for (const name of open) {
      expect(
        () => assertEnvFor('channelApi', environmentOf(stateless.api.functions[name]!)),
        name,
      ).not.toThrow();
    }
    expect(Object.keys(environmentOf(stateless.channels.inboundEmail))).toContain('MAIL_BUCKET');
  });

  it('bundle with a `handler` export', async () => {
    // Mail parsing brings charset tables (two copies of iconv-lite: mailparser and libmime are pinned
    // to versions that nest their own). Functions that create tickets carry the intent model (about
    // 0.5 MB of JSON, docs/classify.md).
    const limits = { 'inbound-email': 4_000_000, 'intake-event': 2_000_000 };
    for (const [name, limit] of Object.entries(limits)) {
      // Act
      const result = await build({ ...esbuildOptions(functionEntry(name), '/bench-out'), write: false });
      const bundle = result.outputFiles.find((f) => f.path.endsWith('/index.mjs'))!;

      // Assess
      expect(bundle.text, name).toMatch(/export\s*\{[^}]*\bhandler\b/);
      expect(bundle.contents.length, name).toBeLessThan(limit);
    }
  });
});

describe('The portal and webhook routes', () => {
  it('let only the portal submission keep attachments, and no portal route send mail', () => {
    for (const name of ['portal-form', 'portal-submit', 'portal-status', 'portal-status-post']) {
      const fn = stateless.api.functions[name]!;
      expect(environmentOf(fn), name).toMatchObject({ MAIL_FROM: 'help@desk.example.com' });
      expect(JSON.stringify(statementsOf(fn)), name).not.toMatch(/ses:|ssm:|secretsmanager:/);
      expect(managedPoliciesOf(fn), name).toMatch(name === 'portal-submit' ? /WriteAttachments/ : /^\[\]$/);
    }
  });

  it('let the webhook function read exactly the secrets its sources name, and nothing else', () => {
    // Prepare
    const fn = stateless.api.functions.webhook!;

    // Act
    const secrets = statementsOf(fn).filter((s) => s.actions.some((a) => /^(ssm|secretsmanager):/.test(a)));

    // Assess
    expect(secrets).toEqual([
      {
        actions: ['ssm:GetParameter'],
        resource: {
          'Fn::Join': [
            '',
            [`arn:aws:ssm:${testRegion}:`, { Ref: 'AWS::AccountId' }, ':parameter/gongdan/webhooks/grafana'],
          ],
        },
      },
      {
        actions: ['secretsmanager:GetSecretValue'],
        resource: {
          'Fn::Join': [
            '',
            [
              `arn:aws:secretsmanager:${testRegion}:`,
              { Ref: 'AWS::AccountId' },
              ':secret:gongdan/crm-??????',
            ],
          ],
        },
      },
    ]);
    expect(JSON.parse(String(environmentOf(fn).WEBHOOK_SOURCES))).toMatchObject(webhookSources);
    expect(managedPoliciesOf(fn)).toBe('[]');
  });

  it('keep the secrets themselves out of the template', () => {
    expect(JSON.stringify(api.toJSON())).not.toMatch(/whsec_/);
    api.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { Environment: { Variables: { WEBHOOK_SECRET: Match.anyValue() } } },
      0,
    );
  });
});

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, type PolicyValidationPluginReport, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConsoleHosting } from '#infra/constructs/console-hosting.ts';
import type { StatelessStack } from '#infra/stateless-stack.ts';
import { gongdanTestApp, testRegion } from './support/gongdan-app.ts';

// biome-ignore lint/suspicious/noExplicitAny: raw CloudFormation JSON, asserted field by field
type Resource = { Type: string; Properties: Record<string, any> };
type Statement = {
  Effect: string;
  Principal?: unknown;
  Condition?: Record<string, unknown>;
  Action: unknown;
};

let stateless: StatelessStack;
let template: Template;
let assembly: CloudAssembly;
let report: PolicyValidationPluginReport;
let root: IConstruct;

// One synthesis for the file; a stand-in console and no esbuild (the construct tree is the same).
beforeAll(() => {
  const built = gongdanTestApp({ bundling: false });
  stateless = built.stateless;
  root = built.app;
  template = Template.fromStack(stateless);
  assembly = built.app.synth();
  report = built.nag.validateScope(built.app);
}, 60_000);

const logicalId = (element: IConstruct) =>
  stateless.getLogicalId((element.node.defaultChild ?? element) as CfnElement);

const only = (type: string): [string, Resource] => {
  const found = Object.entries(template.findResources(type)) as [string, Resource][];
  expect(found, type).toHaveLength(1);
  return found[0]!;
};

/** A CloudFormation string value as text: `Fn::Join` flattened, references as `<Ref>` / `<Id.Attr>`. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (v['Fn::Join']) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(text).join(separator);
  }
  if (v.Ref) return `<${v.Ref}>`;
  if (v['Fn::GetAtt']) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  // A value of the stateful stack (the mail bucket's domain), by its output's name.
  if (v['Fn::GetStackOutput']) return `<${(v['Fn::GetStackOutput'] as { OutputName: string }).OutputName}>`;
  if (v['Fn::ImportValue']) return `<${JSON.stringify(v['Fn::ImportValue'])}>`;
  throw new Error(`Unexpected value ${JSON.stringify(value)}`);
}

const distributionDomain = () => `<${logicalId(stateless.console.distribution)}.DomainName>`;

describe('ConsoleHosting: the bucket', () => {
  it('blocks all public access, encrypts with S3-managed keys and logs access to the log bucket', () => {
    // Act
    const bucket = template.toJSON().Resources[logicalId(stateless.console.bucket)] as Resource;

    // Assess
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: logicalId(stateless.console.accessLogs) } },
    });
  });

  it('lets only this distribution read it (origin access control), refuses plain HTTP, and is never public', () => {
    // Prepare
    const bucketId = logicalId(stateless.console.bucket);
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
      (p) => p.Properties.Bucket.Ref === bucketId,
    ) as Resource;
    const statements = policy.Properties.PolicyDocument.Statement as Statement[];

    // Act
    const allows = statements.filter((s) => s.Effect === 'Allow');
    const anyone = (s: Statement) =>
      s.Principal === '*' || JSON.stringify(s.Principal) === JSON.stringify({ AWS: '*' });

    // Assess: the only Allow is CloudFront's service principal, pinned to this distribution
    expect(allows).toEqual([
      expect.objectContaining({
        Action: 's3:GetObject',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
      }),
    ]);
    expect(text((allows[0]!.Condition!.StringEquals as Record<string, unknown>)['AWS:SourceArn'])).toMatch(
      new RegExp(`:distribution/<${logicalId(stateless.console.distribution)}>$`),
    );
    // Anyone ('*') appears only in the TLS-only Deny
    for (const s of statements.filter(anyone)) {
      expect(s).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    }
  });
});

describe('ConsoleHosting: the distribution', () => {
  it('reaches the bucket through origin access control, not an origin access identity', () => {
    // Prepare
    const [oacId, oac] = only('AWS::CloudFront::OriginAccessControl');

    // Act
    const [, distribution] = only('AWS::CloudFront::Distribution');

    // Assess
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    expect(distribution.Properties.DistributionConfig.Origins).toEqual([
      expect.objectContaining({
        DomainName: { 'Fn::GetAtt': [logicalId(stateless.console.bucket), 'RegionalDomainName'] },
        OriginAccessControlId: { 'Fn::GetAtt': [oacId, 'Id'] },
        S3OriginConfig: { OriginAccessIdentity: '' },
      }),
    ]);
  });

  it('redirects HTTP to HTTPS, serves GET and HEAD only, with the security headers and the SPA routing', () => {
    // Prepare
    const [policyId] = only('AWS::CloudFront::ResponseHeadersPolicy');
    const [functionId] = only('AWS::CloudFront::Function');

    // Act
    const [, distribution] = only('AWS::CloudFront::Distribution');

    // Assess
    const config = distribution.Properties.DistributionConfig;
    expect(config.DefaultRootObject).toBe('console/index.html');
    expect(config.CacheBehaviors).toBeUndefined(); // one behaviour: nothing escapes the headers
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
      ResponseHeadersPolicyId: { Ref: policyId },
      FunctionAssociations: [
        { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } },
      ],
    });
    expect(config.Logging).toEqual({
      Bucket: { 'Fn::GetAtt': [logicalId(stateless.console.accessLogs), 'RegionalDomainName'] },
      Prefix: 'cloudfront/',
    });
  });

  it('sends HSTS (two years, subdomains, preload), nosniff, DENY framing and a strict referrer policy', () => {
    // Act
    const [, policy] = only('AWS::CloudFront::ResponseHeadersPolicy');

    // Assess
    expect(policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig).toMatchObject({
      StrictTransportSecurity: {
        AccessControlMaxAgeSec: 63_072_000,
        IncludeSubdomains: true,
        Preload: true,
        Override: true,
      },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
    });
  });

  it('sends a CSP that runs only our own scripts and talks only to us, the API, the attachment bucket and the Hosted UI', () => {
    // Prepare
    const [, policy] = only('AWS::CloudFront::ResponseHeadersPolicy');
    const config = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;

    // Act
    const directives = Object.fromEntries(
      text(config.ContentSecurityPolicy.ContentSecurityPolicy)
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...sources]) => [name!, sources]),
    );

    // Assess
    const hostedUi = `https://<${logicalId(stateless.users.signInDomain)}>.auth.${testRegion}.amazoncognito.com`;
    expect(config.ContentSecurityPolicy.Override).toBe(true);
    expect(directives).toEqual({
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:', 'blob:'],
      'font-src': ["'self'", 'data:'],
      'connect-src': [
        "'self'",
        `https://*.execute-api.${testRegion}.<AWS::URLSuffix>`,
        expect.stringMatching(/^https:\/\/<.*MailStoreBucket.*RegionalDomainName.*>$/),
        hostedUi,
      ],
      'frame-ancestors': ["'none'"],
      'base-uri': ["'self'"],
      'form-action': ["'self'", hostedUi],
      'object-src': ["'none'"],
    });
  });
});

describe('ConsoleHosting: the SPA routing function', () => {
  type Result = { uri?: string; statusCode?: number; headers?: Record<string, { value: string }> };
  let route: (uri: string) => Result;

  beforeAll(() => {
    const [, fn] = only('AWS::CloudFront::Function');
    expect(fn.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    // The function's own code, as CloudFront would run it.
    const handler = new Function(`${fn.Properties.FunctionCode}; return handler;`)() as (
      e: unknown,
    ) => Result;
    route = (uri) => handler({ request: { uri, querystring: {}, headers: {} } });
  });

  it('answers client-side routes under /console/ with index.html', () => {
    expect(route('/console/').uri).toBe('/console/index.html');
    expect(route('/console/callback').uri).toBe('/console/index.html');
    expect(route('/console/tickets/T-42/history').uri).toBe('/console/index.html');
  });

  it("answers the field engineers' app's routes with its own page", () => {
    expect(route('/console/field').uri).toBe('/console/field/index.html');
    expect(route('/console/field/').uri).toBe('/console/field/index.html');
    expect(route('/console/fieldwork').uri).toBe('/console/index.html');
    expect(route('/console/field/sw.js').uri).toBe('/console/field/sw.js');
  });

  it('passes files through: hashed assets, config.json, index.html', () => {
    expect(route('/console/assets/index-3f2a9c.js').uri).toBe('/console/assets/index-3f2a9c.js');
    expect(route('/console/config.json').uri).toBe('/console/config.json');
    expect(route('/console/index.html').uri).toBe('/console/index.html');
  });

  it('redirects / and /console to /console/', () => {
    for (const uri of ['/', '/console']) {
      expect(route(uri), uri).toMatchObject({
        statusCode: 302,
        headers: { location: { value: '/console/' } },
      });
    }
  });

  it('leaves paths outside the console alone', () => {
    expect(route('/favicon.ico').uri).toBe('/favicon.ico');
    expect(route('/other/page').uri).toBe('/other/page');
  });
});

describe('ConsoleHosting: sign-in with the Hosted UI', () => {
  it('lets the app client use the code grant only, with no secret, returning to the console', () => {
    // Act
    const [, client] = only('AWS::Cognito::UserPoolClient');

    // Assess
    expect(client.Properties).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      SupportedIdentityProviders: ['COGNITO'],
    });
    expect([...client.Properties.AllowedOAuthScopes].sort()).toEqual(['email', 'openid', 'profile']);
    expect(client.Properties.CallbackURLs.map(text)).toEqual([
      `https://${distributionDomain()}/console/callback`,
    ]);
    expect(client.Properties.LogoutURLs.map(text)).toEqual([`https://${distributionDomain()}/console/`]);
  });

  it('gives the pool a Hosted UI domain prefixed gongdan-<stage>-<account> by default', () => {
    // Act
    const [, domain] = only('AWS::Cognito::UserPoolDomain');

    // Assess
    expect(text(domain.Properties.Domain)).toBe('gongdan-dev-<AWS::AccountId>');
    expect(domain.Properties.UserPoolId).toEqual({ Ref: logicalId(stateless.users.userPool) });
  });

  it('uses the configured prefix, and refuses one Cognito would reject', () => {
    // Act
    const { stateless: configured } = gongdanTestApp({
      bundling: false,
      context: { 'gongdan:cognitoDomainPrefix': 'acme-desk' },
    });
    const invalid = () =>
      gongdanTestApp({ bundling: false, context: { 'gongdan:cognitoDomainPrefix': 'my-aws-desk' } });

    // Assess
    Template.fromStack(configured).hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: 'acme-desk',
    });
    expect(invalid).toThrow(/gongdan:cognitoDomainPrefix: may not contain aws, amazon or cognito/);
  });

  it("makes the API accept the console's tokens and its origin in CORS", () => {
    // Prepare
    const [clientId] = only('AWS::Cognito::UserPoolClient');

    // Act
    const [, authorizer] = only('AWS::ApiGatewayV2::Authorizer');
    const [, api] = only('AWS::ApiGatewayV2::Api');

    // Assess
    expect(authorizer.Properties.JwtConfiguration.Audience).toEqual([{ Ref: clientId }]);
    expect(api.Properties.CorsConfiguration.AllowOrigins.map(text)).toEqual([
      `https://${distributionDomain()}`,
    ]);
    expect(api.Properties.CorsConfiguration.AllowHeaders).toContain('authorization');
  });

  it('keeps the configured CORS origins beside the console', () => {
    // Act
    const { stateless: configured } = gongdanTestApp({
      bundling: false,
      context: { 'gongdan:corsAllowOrigins': 'https://desk.example.com' },
    });
    const origins = Object.values(Template.fromStack(configured).findResources('AWS::ApiGatewayV2::Api'))[0]!
      .Properties.CorsConfiguration.AllowOrigins;

    // Assess
    expect(origins.map(text)).toEqual([
      'https://desk.example.com',
      `https://<${configured.getLogicalId(configured.console.distribution.node.defaultChild as CfnElement)}.DomainName>`,
    ]);
  });
});

describe('ConsoleHosting: the upload', () => {
  const deployment = () => only('Custom::CDKBucketDeployment')[1].Properties;

  it('puts the built console and config.json under console/ of the bucket and invalidates /console/*', () => {
    // Act
    const props = deployment();

    // Assess
    expect(props).toMatchObject({
      DestinationBucketName: { Ref: logicalId(stateless.console.bucket) },
      DestinationBucketKeyPrefix: 'console/',
      DistributionId: { Ref: logicalId(stateless.console.distribution) },
      DistributionPaths: ['/console/*'],
      SystemMetadata: { 'cache-control': 'no-cache' },
    });
    expect(props.SourceObjectKeys).toHaveLength(2);
    const built = join(
      assembly.directory,
      `asset.${String(props.SourceObjectKeys[0]).replace(/\.zip$/, '')}`,
    );
    expect(readFileSync(join(built, 'index.html'), 'utf8')).toContain('/console/assets/');
  });

  it('writes config.json with the API URL and the Cognito ids, resolved at deploy', () => {
    // Prepare
    const props = deployment();
    const asset = join(
      assembly.directory,
      `asset.${String(props.SourceObjectKeys[1]).replace(/\.zip$/, '')}`,
    );
    const markers = props.SourceMarkers[1] as Record<string, unknown>;

    // Act: each deploy-time marker shown as the reference CloudFormation resolves it to
    const raw = readFileSync(join(asset, 'config.json'), 'utf8');
    const config = JSON.parse(
      Object.entries(markers).reduce((json, [marker, value]) => json.replaceAll(marker, text(value)), raw),
    );

    // Assess
    const users = stateless.users;
    expect(config).toEqual({
      mode: 'cognito',
      apiUrl: `<${logicalId(stateless.api.httpApi)}.ApiEndpoint>`,
      cognito: {
        domain: `https://<${logicalId(users.signInDomain)}>.auth.${testRegion}.amazoncognito.com`,
        clientId: `<${logicalId(users.client)}>`,
        region: testRegion,
        userPoolId: `<${logicalId(users.userPool)}>`,
        redirectUri: `https://${distributionDomain()}/console/callback`,
        logoutUri: `https://${distributionDomain()}/console/`,
      },
    });
  });

  it('refuses to synthesize without a built console', () => {
    // Prepare
    const stack = new Stack(new App(), 'Empty', { env: { region: testRegion } });
    const empty = mkdtempSync(join(tmpdir(), 'gongdan-console-'));

    // Act
    const construct = () =>
      new ConsoleHosting(stack, 'Console', {
        assets: empty,
        signInUrl: 'https://example.auth.eu-central-1.amazoncognito.com',
        apiOrigins: [],
        logRetention: 30,
      });

    // Assess
    expect(construct).toThrow(/no index\.html in .*build the console first/);
  });
});

describe('ConsoleHosting: cdk-nag', () => {
  /** Every acknowledgement on the console's constructs and CDK's upload handler. */
  const consoleAcks = () =>
    root.node
      .findAll()
      .filter((c) => /^GongdanStateless\/(Console|Custom::CDKBucketDeployment)/.test(c.node.path))
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((m) =>
            Object.entries(m.data as Record<string, unknown>).map(([id, reason]) => ({
              path: c.node.path,
              id: id.replace(/^annotation::/i, ''),
              reason,
            })),
          ),
      );

  it('reports no unacknowledged finding, error or warning, in the stateless stack', () => {
    // Act
    const findings = report.violations.flatMap((v) =>
      v.violatingResources
        .filter((r) => r.constructPath?.startsWith('GongdanStateless/'))
        .map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}`),
    );

    // Assess
    expect(findings).toEqual([]);
  });

  it('acknowledges only the reviewed findings, each with a specific reason on its own construct', () => {
    // Act
    const acks = consoleAcks();

    // Assess
    const handlerAcks = acks.filter((a) => a.path.includes('Custom::CDKBucketDeployment'));
    expect(handlerAcks.map((a) => a.id)).toEqual(['AwsSolutions-L1']);
    expect(
      acks
        .filter((a) => !handlerAcks.includes(a))
        .map((a) => `${a.path.replace(/^GongdanStateless\//, '')} ${a.id}`)
        .sort(),
    ).toEqual(
      [
        'Console/AccessLogs AwsSolutions-S1',
        'Console/Distribution AwsSolutions-CFR1',
        'Console/Distribution AwsSolutions-CFR2',
        'Console/Distribution AwsSolutions-CFR4',
        'Console/DeploymentRole AwsSolutions-IAM5[Action::s3:Abort*]',
        'Console/DeploymentRole AwsSolutions-IAM5[Action::s3:DeleteObject*]',
        'Console/DeploymentRole AwsSolutions-IAM5[Action::s3:GetBucket*]',
        'Console/DeploymentRole AwsSolutions-IAM5[Action::s3:GetObject*]',
        'Console/DeploymentRole AwsSolutions-IAM5[Action::s3:List*]',
        `Console/DeploymentRole AwsSolutions-IAM5[Resource::<${logicalId(stateless.console.bucket)}.Arn>/*]`,
        `Console/DeploymentRole AwsSolutions-IAM5[Resource::arn:aws:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${testRegion}/*]`,
        'Console/DeploymentRole AwsSolutions-IAM5[Resource::*]',
      ].sort(),
    );
    for (const ack of acks) {
      expect(typeof ack.reason, `${ack.id} at ${ack.path}`).toBe('string');
      expect(String(ack.reason).trim().length, `${ack.id} at ${ack.path}`).toBeGreaterThanOrEqual(60);
    }
  });

  it('gives the upload handler its own log group and no AWS managed policy', () => {
    // Act
    const [roleId, role] = Object.entries(template.findResources('AWS::IAM::Role')).find(
      ([id]) => id === logicalId(stateless.console.node.findChild('DeploymentRole')),
    )!;
    const handler = Object.values(template.findResources('AWS::Lambda::Function')).find(
      (f) => f.Properties.Role['Fn::GetAtt']?.[0] === roleId,
    )!;

    // Assess
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(handler.Properties.LoggingConfig).toEqual({
      LogGroup: { Ref: logicalId(stateless.console.node.findChild('DeploymentLogs')) },
    });
  });
});

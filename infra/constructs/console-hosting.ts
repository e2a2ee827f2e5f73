import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CfnElement,
  DefaultStackSynthesizer,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { consoleCsp } from '../console-csp.ts';
import { acknowledgeResourceWildcard } from './acknowledgements.ts';

/** Where the console lives, in the bucket and on the distribution (Vite's `base`). */
export const consolePrefix = 'console/';

/**
 * `console/config.json`: what the console reads at start-up. Mirrors `ConsoleConfig` of
 * console/src/config.ts in its `cognito` mode (that file is browser code with Vite types, so it is
 * not imported here).
 */
export interface ConsoleRuntimeConfig {
  mode: 'cognito';
  /** The API's base URL, no trailing slash. */
  apiUrl: string;
  cognito: {
    domain: string;
    clientId: string;
    region: string;
    userPoolId: string;
    redirectUri: string;
    logoutUri: string;
  };
}

export interface ConsoleHostingProps {
  /** The built console (`console/dist`: `index.html` and `assets/`). */
  assets: string;
  /** The Hosted UI's base URL: the console posts to its token endpoint and navigates to it. */
  signInUrl: string;
  /** The API origins the console may call (CSP `connect-src`). */
  apiOrigins: string[];
  /**
   * Where the console (and the field app) PUT and GET attachments with presigned URLs: the mail bucket's
   * regional endpoint (CSP `connect-src`).
   */
  fileOrigins?: string[];
  /** Days the access logs (CloudFront and the bucket's) are kept; also the deployment's log group. */
  logRetention: RetentionDays;
}

/**
 * Viewer-request routing of the single-page app: `/` and `/console` redirect to `/console/`; a path
 * under `/console/` whose last segment has no file extension is a client-side route and gets
 * `index.html` (the browser keeps its URL); files (`/console/assets/app-3f2a.js`, `config.json`) pass.
 * Written in the ES5 subset every cloudfront-js runtime accepts.
 */
export const spaRoutingCode = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/' || uri === '/console') {
    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '/console/' } } };
  }
  if (uri.indexOf('/${consolePrefix}') === 0) {
    var last = uri.substring(uri.lastIndexOf('/') + 1);
    if (!/\\.[A-Za-z0-9]+$/.test(last)) {
      // The field engineers' app is its own page (docs/field-service.md).
      var field = uri === '/${consolePrefix}field' || uri.indexOf('/${consolePrefix}field/') === 0;
      request.uri = field ? '/${consolePrefix}field/index.html' : '/${consolePrefix}index.html';
    }
  }
  return request;
}`;

/**
 * The operator console: a private bucket behind CloudFront (origin access control), the single-page
 * app under `/console/` with client-side routes answered by `index.html`, HTTPS only, strict security
 * headers, access logs for the bucket and the distribution. `publish()` uploads the built console with
 * its `config.json`, whose values (API URL, Cognito ids) CloudFormation resolves at deploy.
 */
export class ConsoleHosting extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;
  readonly distribution: Distribution;
  readonly securityHeaders: ResponseHeadersPolicy;
  /** `https://<distribution domain>`: what the API allows in CORS. */
  readonly origin: string;
  /** Where the Hosted UI returns with `?code=` (`/console/callback`, a client-side route). */
  readonly callbackUrl: string;
  /** Where the Hosted UI returns after sign-out. */
  readonly logoutUrl: string;
  private deployment?: BucketDeployment;
  private readonly props: ConsoleHostingProps;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    this.props = props;
    if (!existsSync(join(props.assets, 'index.html'))) {
      throw new Error(
        `ConsoleHosting: no index.html in ${props.assets}; build the console first ` +
          '(infra/bin/app.ts awaits ensureConsoleBuilt(), or run: node --import tsx infra/tools/console-build.ts)',
      );
    }

    // CloudFront's standard logs are delivered through ACLs (the log delivery account writes each file
    // with an ACL granting us full control), so this bucket keeps ACLs enabled, as CDK's own CloudFront
    // log buckets do; public access is still blocked. Retained, like the mail bucket's access logs.
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(props.logRetention) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access log bucket of the console bucket and distribution; logging its own access ' +
        'would need a third bucket and record only the log delivery services writing here.',
    });

    // Nothing here but the built console: versioning would keep old builds that git already keeps.
    // Retained: CloudFormation cannot delete a bucket with objects, and emptying it on delete would
    // take another custom-resource Lambda for files anyone can rebuild.
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'console-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const csp = consoleCsp({
      connect: [...props.apiOrigins, ...(props.fileOrigins ?? []), props.signInUrl],
      formAction: [props.signInUrl],
    });
    this.securityHeaders = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Gongdan console: HSTS, no sniffing, no framing, strict referrer, CSP',
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
      },
    });

    const spaRouting = new CloudFrontFunction(this, 'SpaRouting', {
      // CloudFront function names are unique in an account: the stack name carries the stage.
      functionName: `${Stack.of(this).stackName}-SpaRouting-${Stack.of(this).region}`,
      comment: 'Console routes to index.html; / to /console/',
      code: FunctionCode.fromInline(spaRoutingCode),
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Gongdan console',
      defaultRootObject: `${consolePrefix}index.html`,
      httpVersion: HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.securityHeaders,
        functionAssociations: [{ function: spaRouting, eventType: FunctionEventType.VIEWER_REQUEST }],
        compress: true,
      },
      enableLogging: true,
      logBucket: this.accessLogs,
      logFilePrefix: 'cloudfront/',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        'The distribution uses the default *.cloudfront.net certificate, with which CloudFront fixes the ' +
        'minimum viewer protocol at TLSv1 whatever is configured; raising it to TLSv1.2_2021 needs a ' +
        'custom domain and an ACM certificate in us-east-1, which this deployment does not assume.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'No geo restriction: staff and customers work from many countries, and the distribution serves ' +
        'only the static console bundle; the data is behind the API, which requires a Cognito token.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'No WAF web ACL: the distribution serves only static files from a private bucket (GET and HEAD); ' +
        'the API is not behind it and has its own throttling. A web ACL costs a monthly fee per ACL and ' +
        'rule for no input to inspect here.',
    });

    const domain = this.distribution.distributionDomainName;
    this.origin = `https://${domain}`;
    this.callbackUrl = `https://${domain}/${consolePrefix}callback`;
    this.logoutUrl = `https://${domain}/${consolePrefix}`;

    this.node.addValidation({
      validate: () => (this.deployment ? [] : ['ConsoleHosting: call publish() to upload the console']),
    });
  }

  /**
   * Uploads the built console under `console/` with its `config.json` (tokens in `config` resolve at
   * deploy), and invalidates the distribution's cache of `/console/*`.
   */
  publish(config: ConsoleRuntimeConfig): BucketDeployment {
    if (this.deployment) throw new Error('ConsoleHosting: publish() was already called');
    const logGroup = new LogGroup(this, 'DeploymentLogs', {
      retention: this.props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Our own role for CDK's handler, so it may write to its own log group only (the default role
    // carries AWSLambdaBasicExecutionRole, which may write to every log group); CDK adds the S3 and
    // CloudFront grants it needs.
    const role = new Role(this, 'DeploymentRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Uploads the Gongdan console to its bucket during deploys',
    });
    logGroup.grantWrite(role);
    this.deployment = new BucketDeployment(this, 'Deployment', {
      sources: [Source.asset(this.props.assets), Source.jsonData('config.json', config)],
      destinationBucket: this.bucket,
      destinationKeyPrefix: consolePrefix,
      // Browsers revalidate every file (an ETag check), so a deploy reaches them at once: index.html
      // and config.json must not be kept stale, and Vite's hashed assets answer 304 cheaply.
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: [`/${consolePrefix}*`],
      logGroup,
      role,
    });
    this.acknowledgeDeploymentHandler(role);
    return this.deployment;
  }

  /**
   * The findings on CDK's own BucketDeployment handler (a Python Lambda with the AWS CLI, run only while
   * CloudFormation deploys): its runtime, and the grants aws-cdk-lib adds to its role, each one
   * acknowledged on its own.
   */
  private acknowledgeDeploymentHandler(role: Role) {
    const stack = Stack.of(this);
    // A singleton function at the stack's root (one per stack, whatever the number of deployments).
    const handler = stack.node.children.find(
      (c) => c instanceof LambdaFunction && c.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    if (!handler) throw new Error('ConsoleHosting: CDK BucketDeployment handler not found');
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        "CDK's BucketDeployment handler: aws-cdk-lib chooses its Python runtime together with the AWS CLI " +
        'layer it ships, and upgrades both; it runs only while CloudFormation deploys the console.',
    });
    const bucketId = stack.getLogicalId(this.bucket.node.defaultChild as CfnElement);
    const qualifier =
      this.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') ??
      DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    const assets = `arn:${stack.partition}:s3:::cdk-${qualifier}-assets-<AWS::AccountId>-${stack.region}/*`;
    // Each grant below is CDK's own (BucketDeployment), on the bootstrap asset bucket (read) and the
    // console bucket (read-write) only.
    const findings: Record<string, string> = {
      'AwsSolutions-IAM5[Action::s3:GetBucket*]':
        'The console upload (s3 sync) reads the bucket settings of the asset bucket and the console ' +
        'bucket; CDK grants GetBucket* on those two buckets only.',
      'AwsSolutions-IAM5[Action::s3:GetObject*]':
        'The console upload reads the staged console zip from the asset bucket and the objects already ' +
        'in the console bucket, to copy only what changed.',
      'AwsSolutions-IAM5[Action::s3:List*]':
        'The console upload lists the console bucket to find what changed and what to prune, and the ' +
        'asset bucket to fetch the zip; no other bucket.',
      'AwsSolutions-IAM5[Action::s3:Abort*]':
        'The AWS CLI aborts its own failed multipart uploads into the console bucket; it is the only ' +
        'bucket the handler may write.',
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]':
        'Files no longer in the build are pruned from console/, so the bucket holds exactly one build; ' +
        'the console bucket holds nothing else.',
      [`AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`]:
        'Every object of the console bucket, which holds only the built console and its config.json, ' +
        'both replaced by each deploy.',
      [`AwsSolutions-IAM5[Resource::${assets}]`]:
        'The CDK bootstrap asset bucket, where the console zip is staged under its content hash; the ' +
        'handler may only read it.',
    };
    for (const [id, reason] of Object.entries(findings)) Validations.of(role).acknowledge({ id, reason });
    acknowledgeResourceWildcard(role, {
      actions: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
      reason:
        'cloudfront:CreateInvalidation and GetInvalidation, which CDK grants on "*": they expire cached ' +
        'copies of /console/* after an upload and change no content or setting',
    });
  }
}

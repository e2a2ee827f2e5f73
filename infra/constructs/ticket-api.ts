import { Duration, Lazy, NestedStack, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpAuthorizer,
  HttpAuthorizerType,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  type HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Route } from '#shared/http/route.ts';
import { functionEntry } from '../bundling.ts';
import { grantConnectorSecrets } from './connector-secrets.ts';
import { GongdanFunction, type ObservabilitySettings, type TableBinding } from './gongdan-function.ts';
import { pascal } from './pascal.ts';
import { grantWebhooksOutSecrets } from './webhooks-out.ts';

export interface TicketApiProps {
  routes: readonly Pick<Route, 'name' | 'method' | 'path' | 'access' | 'writes' | 'auth' | 'uses'>[];
  tickets: TableBinding;
  /** Cognito issuer URL and app client id: what both the API Gateway authorizer and our code check. */
  auth: { issuer: string; audience: string };
  logRetention: RetentionDays;
  observability: ObservabilitySettings;
  /** The stage's throttle, and each public route's own (portal, webhooks, e-mailed links). */
  throttle: {
    rateLimit: number;
    burstLimit: number;
    publicRoutes?: { rateLimit: number; burstLimit: number };
  };
  /** Browser origins allowed to call the API; empty leaves CORS off. */
  corsAllowOrigins: string[];
}

/** One JSON line per request: ids, route, status, timings, errors; no bodies and no token. */
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    time: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
    sub: '$context.authorizer.claims.sub',
  }),
);

/**
 * The nested stack a route's function and route live in. CloudFormation allows 500 resources per stack
 * and each route costs seven (function, role, policy, log group, permission, integration, route), so the
 * routes are spread over nested stacks by the first segment of their path: stable, so adding a route
 * never moves another one to a different stack (which would replace its function).
 */
export function routeStackOf(path: string): 'TicketRoutes' | 'AdminRoutes' | 'ChannelRoutes' {
  const segment = path.split('/')[1] ?? '';
  if (segment === 'tickets') return 'TicketRoutes';
  if (['portal', 'hooks', 'approvals', 'field', 'openapi.json', 'kb'].includes(segment))
    return 'ChannelRoutes';
  return 'AdminRoutes';
}

/** Why a route without the JWT authorizer needs none (cdk-nag's AwsSolutions-APIG4, acknowledged). */
function whyOpen(route: Pick<Route, 'auth' | 'path'>): string {
  if (route.auth === 'hmac') {
    return (
      'A webhook: the sender has no user-pool token; the function verifies an HMAC-SHA256 ' +
      'signature over timestamp and raw body with the source secret before anything is read.'
    );
  }
  if (route.path === '/approvals/{id}/act') {
    return (
      "An approver's one-time decision link from their e-mail: no sign-in by design; the 256-bit token in " +
      'the link is the credential, kept only as a hash, valid for one approver, one stage, once, until it expires.'
    );
  }
  if (route.path.startsWith('/tickets/{id}/feedback')) {
    return (
      "The customer's rating link from the closing report: no sign-in by design; the 256-bit token in " +
      'the link is the credential, kept only as a hash, for one ticket, rated once, until it expires.'
    );
  }
  if (route.path === '/openapi.json') {
    return (
      "The API's OpenAPI document is public by design: it describes the routes and their schemas, " +
      'holds no data, reads nothing and takes no input.'
    );
  }
  return (
    'The customer portal is public by design (web intake form, status lookup by ticket number ' +
    'and e-mail); it limits body size, counts per IP and e-mail, and has a honeypot.'
  );
}

/**
 * The ticket HTTP API: one Lambda and one route per entry of `apiRoutes`, every `jwt` route behind a
 * JWT authorizer that accepts the user pool's ID tokens (the portal, the OpenAPI document and webhooks
 * have none: they are public or verify a signature themselves), a `$default` stage with access logs and
 * throttling. Each function gets read or read-write on the table as its route declares, and nothing
 * else: what follows a change (events, timers, mail) is the dispatcher's (`Reactions`).
 */
export class TicketApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly functions: Record<string, GongdanFunction> = {};
  /** The user pool's JWT authorizer, for routes other constructs add (the imports' nested stack). */
  readonly authorizer: IHttpRouteAuthorizer;

  constructor(scope: Construct, id: string, props: TicketApiProps) {
    super(scope, id);

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Gongdan ticket API',
      createDefaultStage: false,
      ...(props.corsAllowOrigins.length
        ? {
            corsPreflight: {
              allowOrigins: props.corsAllowOrigins,
              allowMethods: [
                CorsHttpMethod.GET,
                CorsHttpMethod.POST,
                CorsHttpMethod.PUT,
                CorsHttpMethod.PATCH,
                // Unfollow and unlink (docs/collaboration.md).
                CorsHttpMethod.DELETE,
              ],
              allowHeaders: ['authorization', 'content-type', 'if-match', 'idempotency-key'],
              exposeHeaders: ['etag', 'location', 'idempotent-replayed'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttle.rateLimit, burstLimit: props.throttle.burstLimit },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: accessLogFormat },
    });

    // The user pool's ID tokens, checked by API Gateway before any function runs. Created here, in the
    // API's own stack, and referenced by id from the route stacks.
    const jwtAuthorizer = new HttpAuthorizer(this, 'CognitoJwt', {
      httpApi: this.httpApi,
      type: HttpAuthorizerType.JWT,
      identitySource: ['$request.header.Authorization'],
      jwtIssuer: props.auth.issuer,
      jwtAudience: [props.auth.audience],
    });
    const authorizer = HttpAuthorizer.fromHttpAuthorizerAttributes(this, 'CognitoJwtRef', {
      authorizerId: jwtAuthorizer.authorizerId,
      authorizerType: HttpAuthorizerType.JWT,
    });
    this.authorizer = authorizer;
    const routeStacks = new Map<string, NestedStack>();
    const stackFor = (path: string) => {
      const name = routeStackOf(path);
      let stack = routeStacks.get(name);
      if (!stack) {
        stack = new NestedStack(this, name);
        routeStacks.set(name, stack);
      }
      return stack;
    };

    const publicRouteSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> =
      {};
    (this.stage.node.defaultChild as CfnStage).routeSettings = Lazy.any({
      produce: () => (Object.keys(publicRouteSettings).length ? publicRouteSettings : undefined),
    });
    for (const route of props.routes) {
      // Bulk import's routes are made in its own nested stack, with its bucket and run (constructs/imports.ts).
      if (route.uses?.includes('imports')) continue;
      const jwt = (route.auth ?? 'jwt') === 'jwt';
      const scope = stackFor(route.path);
      const fn = new GongdanFunction(scope, pascal(route.name), {
        entry: functionEntry(route.name),
        // The portal and webhook routes also wire the channels (shared/runtime/lambda.ts).
        // Staff attachment routes compose the channels' wiring (records, links to the mail bucket).
        kind: jwt && !route.uses?.includes('attachments') ? 'api' : 'channelApi',
        description: `${route.method} ${route.path}`,
        logRetention: props.logRetention,
        observability: props.observability,
        environment: {
          authIssuer: props.auth.issuer,
          authAudience: props.auth.audience,
          // Approval e-mails (rendered where approvals change) link back to the API's decision pages.
          approvalLinkBase: this.httpApi.apiEndpoint,
        },
      }).bindTable(props.tickets, route.access, route.writes);
      if (route.uses?.includes('connector-secrets')) grantConnectorSecrets(fn);
      if (route.uses?.includes('webhooks-out-secrets')) grantWebhooksOutSecrets(fn, 'manage');
      this.functions[route.name] = fn;

      const added = [
        new HttpRoute(scope, `${pascal(route.name)}Route`, {
          httpApi: this.httpApi,
          routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
          integration: new HttpLambdaIntegration(`${pascal(route.name)}Integration`, fn),
          // Public (portal, OpenAPI document) and HMAC (webhook) routes opt out of the JWT authorizer explicitly.
          authorizer: jwt ? authorizer : new HttpNoneAuthorizer(),
        }),
      ];
      if (!jwt) {
        for (const r of added) {
          Validations.of(r).acknowledge({ id: 'AwsSolutions-APIG4', reason: whyOpen(route) });
        }
        const limit = props.throttle.publicRoutes;
        if (limit) {
          // RouteSettings is plain JSON to CloudFormation: its keys are written as the service spells them.
          publicRouteSettings[`${route.method} ${route.path}`] = {
            ThrottlingRateLimit: limit.rateLimit,
            ThrottlingBurstLimit: limit.burstLimit,
          };
          // CloudFormation rejects route settings for a route key it has not created yet.
          for (const r of added) this.stage.node.addDependency(r);
        }
      }
    }
  }
}

import { Aws, CfnOutput, NestedStack, Stack, type StackProps } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { apiRoutes } from '#functions/routes.ts';
import { apiThrottle } from './api-throttle.ts';
import { Analytics } from './constructs/analytics.ts';
import { ApprovalTimer } from './constructs/approval-timer.ts';
import { Channels } from './constructs/channels.ts';
import { ConsoleHosting } from './constructs/console-hosting.ts';
import { GongdanFunction, type TableBinding } from './constructs/gongdan-function.ts';
import { Imports } from './constructs/imports.ts';
import { Insights } from './constructs/insights.ts';
import type { MailStore } from './constructs/mail-store.ts';
import { Operations } from './constructs/operations.ts';
import { Reactions } from './constructs/reactions.ts';
import { RoutingMaintenance } from './constructs/routing-maintenance.ts';
import { SlaTimer } from './constructs/sla-timer.ts';
import { TicketApi } from './constructs/ticket-api.ts';
import { UserDirectory } from './constructs/user-directory.ts';
import { WebhooksOut } from './constructs/webhooks-out.ts';
import type { GongdanSettings } from './settings.ts';

export interface StatelessStackProps extends StackProps {
  settings: GongdanSettings;
  /** From the stateful stack. */
  tickets: TableBinding;
  /** From the stateful stack. */
  bus: IEventBus;
  /** From the stateful stack: raw inbound mail and attachments, and the grants on them. */
  mail: Pick<MailStore, 'bucket' | 'readInbound' | 'writeAttachments' | 'staffAttachments'>;
  /** The built console (`console/dist`, or a stand-in in tests): see infra/tools/console-build.ts. */
  consoleAssets: string;
  /** The stage (`dev`, `prod`): part of the default sign-in domain prefix, unique in a region. */
  stage: string;
}

/**
 * Compute and edges: the user directory, the HTTP API and its functions, the web console, the SLA timer,
 * the channels, the reactions that follow every ticket change, and the every-minute routing maintenance.
 */
export class StatelessStack extends Stack {
  readonly users: UserDirectory;
  readonly api: TicketApi;
  readonly console: ConsoleHosting;
  readonly slaTimer: SlaTimer;
  readonly approvalTimer: ApprovalTimer;
  readonly channels: Channels;
  readonly reactions: Reactions;
  readonly routingMaintenance: RoutingMaintenance;
  readonly operations: Operations;
  readonly webhooksOut: WebhooksOut;
  readonly imports: Imports;
  readonly analytics: Analytics;
  readonly insights: Insights;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { settings } = props;

    const observability = {
      logLevel: settings.logLevel,
      debugSampleRate: String(settings.debugLogSampleRate),
    };
    this.users = new UserDirectory(this, 'Users', {
      plusPlan: settings.cognitoPlusPlan,
      signInDomainPrefix: settings.cognitoDomainPrefix ?? `gongdan-${props.stage}-${Aws.ACCOUNT_ID}`,
    });

    // The console, the API and the app client are one stack because they refer to each other: the
    // client's redirect URLs and the API's CORS name the distribution; config.json names the API and
    // the client. The console's CSP cannot name this API exactly: the API's CORS refers to the
    // distribution, and the distribution to its headers policy, so the API's id there would close a
    // cycle. It allows API Gateway endpoints of this region instead.
    this.console = new ConsoleHosting(this, 'Console', {
      assets: props.consoleAssets,
      signInUrl: this.users.signInDomain.baseUrl(),
      apiOrigins: [`https://*.execute-api.${this.region}.${this.urlSuffix}`],
      // Presigned attachment URLs are virtual-hosted: https://<bucket>.s3.<region>.amazonaws.com/…
      fileOrigins: [`https://${props.mail.bucket.bucketRegionalDomainName}`],
      logRetention: settings.logRetentionDays,
    });
    this.users.addSignInRedirects({
      callbackUrl: this.console.callbackUrl,
      logoutUrl: this.console.logoutUrl,
    });

    this.api = new TicketApi(this, 'Api', {
      routes: apiRoutes,
      tickets: props.tickets,
      auth: { issuer: this.users.issuer, audience: this.users.client.userPoolClientId },
      logRetention: settings.logRetentionDays,
      observability,
      throttle: apiThrottle(settings),
      corsAllowOrigins: [...settings.corsAllowOrigins, this.console.origin],
    });

    this.console.publish({
      mode: 'cognito',
      apiUrl: this.api.httpApi.apiEndpoint,
      cognito: {
        domain: this.users.signInDomain.baseUrl(),
        clientId: this.users.client.userPoolClientId,
        region: this.region,
        userPoolId: this.users.userPool.userPoolId,
        redirectUri: this.console.callbackUrl,
        logoutUri: this.console.logoutUrl,
      },
    });

    this.slaTimer = new SlaTimer(this, 'SlaTimer', {
      tickets: props.tickets,
      bus: props.bus,
      logRetention: settings.logRetentionDays,
      observability,
      messages: {
        // Staff open SLA links in the console (signed in there), not as a JSON 401 from the API.
        linkBase: settings.slaTicketLinkBase ?? `${this.console.origin}/console/tickets`,
        onCallEmail: settings.slaOnCallEmail,
        onCallPhone: settings.slaOnCallPhone,
      },
    });

    this.approvalTimer = new ApprovalTimer(this, 'ApprovalTimer', {
      tickets: props.tickets,
      bus: props.bus,
      linkBase: this.api.httpApi.apiEndpoint,
      logRetention: settings.logRetentionDays,
      observability,
    });

    const mailFromDomain = settings.mailFrom.split('@')[1]!;
    const mailSesIdentity = settings.mailSesIdentity ?? mailFromDomain;
    this.channels = new Channels(this, 'Channels', {
      api: this.api,
      routes: apiRoutes,
      tickets: props.tickets,
      bus: props.bus,
      mail: props.mail,
      logRetention: settings.logRetentionDays,
      observability,
      portalStatusUrl: `${this.api.httpApi.apiEndpoint}/portal/status`,
      settings: {
        mailFrom: settings.mailFrom,
        mailFromName: settings.mailFromName,
        sesIdentity: mailSesIdentity,
        messageIdDomain: settings.messageIdDomain ?? mailFromDomain,
        inboundRecipients: settings.inboundRecipients.length
          ? settings.inboundRecipients
          : [settings.mailFrom],
        inboundEmail: settings.inboundEmail,
        reopenWindowDays: settings.reopenWindowDays,
        webhookSources: settings.webhookSources,
      },
    });

    const slaFrom = settings.slaNotifyFrom;
    this.reactions = new Reactions(this, 'Reactions', {
      tickets: props.tickets,
      bus: props.bus,
      slaTimer: this.slaTimer.stateMachine,
      approvalTimer: this.approvalTimer.stateMachine,
      logRetention: settings.logRetentionDays,
      observability,
      mail: {
        // The closing report's rating link points at the API (docs/closing-report.md).
        environment: { ...this.channels.mailEnvironment, approvalLinkBase: this.api.httpApi.apiEndpoint },
        sesIdentity: mailSesIdentity,
      },
      sla: {
        from: slaFrom,
        sesIdentity: settings.slaSesIdentity ?? (/<([^>]+)>/.exec(slaFrom)?.[1] ?? slaFrom).split('@').pop()!,
        sms: settings.slaSms,
        smsSenderId: settings.slaSmsSenderId,
      },
    });

    this.routingMaintenance = new RoutingMaintenance(this, 'RoutingMaintenance', {
      tickets: props.tickets,
      logRetention: settings.logRetentionDays,
      observability,
    });

    // Outbound webhooks (docs/integrations.md), in a nested stack: this stack is near 500 resources.
    this.webhooksOut = new WebhooksOut(new NestedStack(this, 'WebhooksOut'), 'WebhooksOut', {
      tickets: props.tickets,
      bus: props.bus,
      ticketLinkBase: settings.slaTicketLinkBase ?? `${this.console.origin}/console/tickets`,
      logRetention: settings.logRetentionDays,
      observability,
    });

    // The analytics lake (docs/analytics.md): Firehose into S3 as Parquet, Glue tables, the Athena
    // workgroup, in a nested stack. The dispatcher and the retry sweep both run the analytics reaction.
    this.analytics = new Analytics(new NestedStack(this, 'Analytics'), 'Analytics', {
      logRetention: settings.logRetentionDays,
    });
    this.analytics.bindLake(this.reactions.dispatcher);
    this.analytics.bindLake(this.reactions.retry);

    // Bulk import (docs/import.md): its routes, bucket and Distributed Map run, in a nested stack as well.
    this.imports = new Imports(new NestedStack(this, 'Imports'), 'Imports', {
      routes: apiRoutes.filter((r) => r.uses?.includes('imports')),
      httpApi: this.api.httpApi,
      authorizer: this.api.authorizer,
      auth: { issuer: this.users.issuer, audience: this.users.client.userPoolClientId },
      tickets: props.tickets,
      bus: props.bus,
      uploadOrigins: [...settings.corsAllowOrigins, this.console.origin],
      logRetention: settings.logRetentionDays,
      observability,
    });
    // Every route's function is found by its name on the API, wherever its stack.
    Object.assign(this.api.functions, this.imports.functions);
    // Exports written to files (docs/export.md) keep them under exports/ in the same bucket.
    for (const route of apiRoutes.filter((r) => r.uses?.includes('exports'))) {
      this.imports.grantExports(this.api.functions[route.name]!, { start: route.method === 'POST' });
    }
    // Lake reports (docs/analytics.md) query the analytics lake with Athena.
    for (const route of apiRoutes.filter((r) => r.uses?.includes('reports'))) {
      this.analytics.grantQuery(this.api.functions[route.name]!);
    }

    // Spikes, forecasts and the weekly digest over the lake (docs/analytics.md), in a nested stack.
    this.insights = new Insights(new NestedStack(this, 'Insights'), 'Insights', {
      tickets: props.tickets,
      bus: props.bus,
      analytics: this.analytics,
      notify: {
        from: slaFrom,
        sesIdentity: settings.slaSesIdentity ?? (/<([^>]+)>/.exec(slaFrom)?.[1] ?? slaFrom).split('@').pop()!,
      },
      linkBase: settings.slaTicketLinkBase ?? `${this.console.origin}/console/tickets`,
      logRetention: settings.logRetentionDays,
      observability,
    });

    // Alarms, the on-call topic and the dashboard, in a nested stack: this stack is near CloudFormation's
    // 500 resources, and a nested stack takes what it refers to as parameters, not exports that would
    // pin each function's name. Made last: it watches every function above (test/infra/operations.test.ts).
    this.operations = new Operations(new NestedStack(this, 'Operations'), 'Operations', {
      functions: this.node.findAll().filter((c): c is GongdanFunction => c instanceof GongdanFunction),
      // Every queue here is a dead-letter queue (of the channels, the dispatcher, …) but the webhooks' work queue.
      deadLetterQueues: this.node
        .findAll()
        .filter((c): c is Queue => c instanceof Queue && c !== this.webhooksOut.queue)
        .map((queue) => ({ name: queue.node.path.split('/').slice(1).join(''), queue })),
      stateMachines: [
        { name: 'SlaTimer', stateMachine: this.slaTimer.stateMachine, abortsExpected: true },
        { name: 'ApprovalTimer', stateMachine: this.approvalTimer.stateMachine, abortsExpected: false },
      ],
      httpApi: this.api.httpApi,
      table: props.tickets.table,
      indexNames: props.tickets.indexNames,
      bus: props.bus,
      onCallEmail: settings.alarmEmail,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.stage.url });
    new CfnOutput(this, 'UserPoolId', { value: this.users.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.users.client.userPoolClientId });
    new CfnOutput(this, 'AuthIssuer', { value: this.users.issuer });
    new CfnOutput(this, 'ConsoleUrl', { value: this.console.logoutUrl });
    new CfnOutput(this, 'SignInDomain', { value: this.users.signInDomain.baseUrl() });
  }
}

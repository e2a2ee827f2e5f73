import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { apiRoutes } from '#functions/routes.ts';
import { Channels } from './constructs/channels.ts';
import type { TableBinding } from './constructs/gongdan-function.ts';
import type { MailStore } from './constructs/mail-store.ts';
import { RoutingMaintenance } from './constructs/routing-maintenance.ts';
import { SlaTimer } from './constructs/sla-timer.ts';
import { TicketApi } from './constructs/ticket-api.ts';
import { UserDirectory } from './constructs/user-directory.ts';
import type { GongdanSettings } from './settings.ts';

export interface StatelessStackProps extends StackProps {
  settings: GongdanSettings;
  /** From the stateful stack. */
  tickets: TableBinding;
  /** From the stateful stack. */
  bus: IEventBus;
  /** From the stateful stack: raw inbound mail and attachments, and the grants on them. */
  mail: Pick<MailStore, 'bucket' | 'readInbound' | 'writeAttachments'>;
}

/**
 * Compute and edges: the user directory, the HTTP API and its functions, the SLA timer, the channels and
 * the every-minute routing maintenance.
 */
export class StatelessStack extends Stack {
  readonly users: UserDirectory;
  readonly api: TicketApi;
  readonly slaTimer: SlaTimer;
  readonly channels: Channels;
  readonly routingMaintenance: RoutingMaintenance;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { settings } = props;

    this.users = new UserDirectory(this, 'Users', { plusPlan: settings.cognitoPlusPlan });
    this.api = new TicketApi(this, 'Api', {
      routes: apiRoutes,
      tickets: props.tickets,
      bus: props.bus,
      auth: { issuer: this.users.issuer, audience: this.users.client.userPoolClientId },
      logRetention: settings.logRetentionDays,
      throttle: { rateLimit: settings.apiRateLimit, burstLimit: settings.apiBurstLimit },
      corsAllowOrigins: settings.corsAllowOrigins,
    });

    const from = settings.slaNotifyFrom;
    this.slaTimer = new SlaTimer(this, 'SlaTimer', {
      tickets: props.tickets,
      bus: props.bus,
      logRetention: settings.logRetentionDays,
      notify: {
        from,
        sesIdentity: settings.slaSesIdentity ?? (/<([^>]+)>/.exec(from)?.[1] ?? from).split('@').pop()!,
        linkBase: settings.slaTicketLinkBase ?? `${this.api.httpApi.apiEndpoint}/tickets`,
        sms: settings.slaSms,
        smsSenderId: settings.slaSmsSenderId,
        onCallEmail: settings.slaOnCallEmail,
        onCallPhone: settings.slaOnCallPhone,
      },
    });
    // Every API function knows the timer (ticket SLA is computed on read too); those that change
    // tickets start, restart and stop it.
    for (const route of apiRoutes) {
      this.api.functions[route.name]?.bindSlaTimer(this.slaTimer.stateMachine, {
        start: route.access === 'write',
      });
    }

    const mailFromDomain = settings.mailFrom.split('@')[1]!;
    this.channels = new Channels(this, 'Channels', {
      api: this.api,
      routes: apiRoutes,
      tickets: props.tickets,
      bus: props.bus,
      mail: props.mail,
      auth: { issuer: this.users.issuer, audience: this.users.client.userPoolClientId },
      logRetention: settings.logRetentionDays,
      portalStatusUrl: `${this.api.httpApi.apiEndpoint}/portal/status`,
      settings: {
        mailFrom: settings.mailFrom,
        mailFromName: settings.mailFromName,
        sesIdentity: settings.mailSesIdentity ?? mailFromDomain,
        messageIdDomain: settings.messageIdDomain ?? mailFromDomain,
        inboundRecipients: settings.inboundRecipients.length
          ? settings.inboundRecipients
          : [settings.mailFrom],
        inboundEmail: settings.inboundEmail,
        reopenWindowDays: settings.reopenWindowDays,
        webhookSources: settings.webhookSources,
      },
    });
    // Intake opens and changes tickets as the write routes do; customer mail only reads them.
    for (const fn of this.channels.functions) {
      fn.bindSlaTimer(this.slaTimer.stateMachine, { start: this.channels.ticketWriters.includes(fn) });
    }

    this.routingMaintenance = new RoutingMaintenance(this, 'RoutingMaintenance', {
      tickets: props.tickets,
      bus: props.bus,
      slaTimer: this.slaTimer.stateMachine,
      logRetention: settings.logRetentionDays,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.stage.url });
    new CfnOutput(this, 'UserPoolId', { value: this.users.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.users.client.userPoolClientId });
    new CfnOutput(this, 'AuthIssuer', { value: this.users.issuer });
  }
}

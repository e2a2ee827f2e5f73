import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { apiRoutes } from '#functions/routes.ts';
import type { TableBinding } from './constructs/gongdan-function.ts';
import { TicketApi } from './constructs/ticket-api.ts';
import { UserDirectory } from './constructs/user-directory.ts';
import type { GongdanSettings } from './settings.ts';

export interface StatelessStackProps extends StackProps {
  settings: GongdanSettings;
  /** From the stateful stack. */
  tickets: TableBinding;
  /** From the stateful stack. */
  bus: IEventBus;
}

/** Compute and edges: the user directory, the HTTP API and its functions. */
export class StatelessStack extends Stack {
  readonly users: UserDirectory;
  readonly api: TicketApi;

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

    new CfnOutput(this, 'ApiUrl', { value: this.api.stage.url });
    new CfnOutput(this, 'UserPoolId', { value: this.users.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.users.client.userPoolClientId });
    new CfnOutput(this, 'AuthIssuer', { value: this.users.issuer });
  }
}

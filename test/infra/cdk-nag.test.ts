import type { PolicyValidationPluginReport } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '#functions/routes.ts';
import { routeStackOf } from '#infra/constructs/ticket-api.ts';
import { gongdanTestApp } from './support/gongdan-app.ts';

/** Every `Validations.of(x).acknowledge()` in the tree: construct path, rule id, reason. */
function acknowledgements(root: IConstruct) {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, unknown>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

const summary = (report: PolicyValidationPluginReport) =>
  report.violations.map(
    (v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath)}`,
  );

const pascal = (name: string) =>
  name
    .split('-')
    .map((w) => `${w[0]!.toUpperCase()}${w.slice(1)}`)
    .join('');

// Findings do not depend on what is inside a bundle, so this file skips esbuild (same construct tree).
let built: ReturnType<typeof gongdanTestApp>;
let report: PolicyValidationPluginReport;

beforeAll(() => {
  built = gongdanTestApp({ bundling: false });
  built.app.synth();
  report = built.nag.validateScope(built.app);
}, 60_000);

describe('cdk-nag AwsSolutions checks', () => {
  it('report no unacknowledged finding, error or warning, in either stack', () => {
    // Assess
    expect(summary(report)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('give every acknowledgement a specific reason', () => {
    // Act
    const acks = acknowledgements(built.app);

    // Assess
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(typeof ack.reason, `${ack.id} at ${ack.path}`).toBe('string');
      expect(String(ack.reason).trim().length, `${ack.id} at ${ack.path}`).toBeGreaterThanOrEqual(60);
    }
  });

  it('acknowledge only the reviewed rules, so a new suppression shows up here in review', () => {
    // Act
    const ids = [...new Set(acknowledgements(built.app).map((a) => a.id))].sort();

    // Assess
    expect(ids).toEqual([
      // The portal and the OpenAPI document (public by design) and webhooks (HMAC-verified) have no authorizer.
      'AwsSolutions-APIG4',
      // The console's distribution: no geo restriction, no WAF, the default certificate's TLS floor.
      'AwsSolutions-CFR1',
      'AwsSolutions-CFR2',
      'AwsSolutions-CFR4',
      'AwsSolutions-COG8',
      // CDK's console upload handler (BucketDeployment): its grants on the asset and console buckets…
      'AwsSolutions-IAM5[Action::s3:Abort*]',
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
      'AwsSolutions-IAM5[Action::s3:GetBucket*]',
      'AwsSolutions-IAM5[Action::s3:GetObject*]',
      'AwsSolutions-IAM5[Action::s3:List*]',
      'AwsSolutions-IAM5[Resource::*]',
      // The analytics lake (docs/analytics.md): Firehose's delivery log streams and the objects it names
      // in the lake; Athena's reads of each table's prefix and its results prefix.
      'AwsSolutions-IAM5[Resource::<AnalyticsDeliveryLogsFA5EC910.Arn>:*]',
      'AwsSolutions-IAM5[Resource::<AnalyticsLake8AEC7D4C.Arn>/*]',
      'AwsSolutions-IAM5[Resource::<AnalyticsLake8AEC7D4C.Arn>/ticket_events/*]',
      'AwsSolutions-IAM5[Resource::<AnalyticsLake8AEC7D4C.Arn>/ticket_facts/*]',
      'AwsSolutions-IAM5[Resource::<AnalyticsQueryResults11B30085.Arn>/athena/*]',
      // The approval timer: LambdaInvoke's `<function>:*` (versions and aliases) for its two tasks.
      'AwsSolutions-IAM5[Resource::<ApprovalTimerDeadlineCACEE553.Arn>:*]',
      'AwsSolutions-IAM5[Resource::<ApprovalTimerDelegateD323D46B.Arn>:*]',
      'AwsSolutions-IAM5[Resource::<ConsoleBucket86B6957C.Arn>/*]',
      // Bulk import (docs/import.md): its run's three tasks (`<function>:*`), the import keys of its bucket…
      'AwsSolutions-IAM5[Resource::<ImportsChunk49D4DA8D.Arn>:*]',
      // …the export keys of the same bucket for the two file-export routes (docs/export.md)…
      'AwsSolutions-IAM5[Resource::<ImportsFiles4C162912.Arn>/exports/*]',
      'AwsSolutions-IAM5[Resource::<ImportsFiles4C162912.Arn>/imports/*]',
      'AwsSolutions-IAM5[Resource::<ImportsFinish6E1C7579.Arn>:*]',
      'AwsSolutions-IAM5[Resource::<ImportsPrepare2E5A7843.Arn>:*]',
      // The insight jobs' schedules (docs/analytics.md): each may invoke its own function (`<function>:*`).
      'AwsSolutions-IAM5[Resource::<InsightsDigest528BAF6B.Arn>:*]',
      'AwsSolutions-IAM5[Resource::<InsightsForecastB794CDDB.Arn>:*]',
      'AwsSolutions-IAM5[Resource::<InsightsSpikes467693D7.Arn>:*]',
      // The mail bucket: GetObject under inbound/ and PutObject under attachments/ (one prefix each).
      'AwsSolutions-IAM5[Resource::<MailStoreBucketF96DE0ED.Arn>/attachments/*]',
      'AwsSolutions-IAM5[Resource::<MailStoreBucketF96DE0ED.Arn>/inbound/*]',
      // The SLA timer: LambdaInvoke's `<function>:*` (versions and aliases) for its three tasks…
      'AwsSolutions-IAM5[Resource::<SlaTimerCheckpointAEF13644.Arn>:*]',
      'AwsSolutions-IAM5[Resource::<SlaTimerDegradedE861AE44.Arn>:*]',
      'AwsSolutions-IAM5[Resource::<SlaTimerEvaluate918CE6DB.Arn>:*]',
      // …(the console handler's read of the bootstrap asset bucket)…
      // …the Distributed Map's read of the run's manifest (its key is known at run time)…
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<ImportsFiles4C162912>/*]',
      'AwsSolutions-IAM5[Resource::arn:aws:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-eu-central-1/*]',
      // Customer 360: the connectors' secrets, runtime configuration, under their prefix only (docs/integrations.md).
      'AwsSolutions-IAM5[Resource::arn:aws:secretsmanager:eu-central-1:<AWS::AccountId>:secret:gongdan/connectors/*]',
      // Outbound webhooks: one signing secret per subscription, made at run time, under their prefix only.
      'AwsSolutions-IAM5[Resource::arn:aws:secretsmanager:eu-central-1:<AWS::AccountId>:secret:gongdan/webhooks-out/*]',
      // Customer 360's runtime configuration in SSM, under its prefix only.
      'AwsSolutions-IAM5[Resource::arn:aws:ssm:eu-central-1:<AWS::AccountId>:parameter/gongdan/connectors/*]',
      // …and StopExecution, whose execution names (per ticket and version) are only known at run time.
      'AwsSolutions-IAM5[Resource::arn:aws:states:eu-central-1:<AWS::AccountId>:execution:<SlaTimerStateMachine30E35E5F.Name>:*]',
      // …and the Distributed Map's own child executions (described and stopped by the map).
      'AwsSolutions-IAM5[Resource::arn:aws:states:eu-central-1:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"ImportsStateMachineB46E1EDF"}]}]}/*:*]',
      'AwsSolutions-IAM5[Resource::arn:aws:states:eu-central-1:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"ImportsStateMachineB46E1EDF"}]}]}:*]',
      'AwsSolutions-L1',
      // The mail bucket's and the console's access-log buckets log nowhere else.
      'AwsSolutions-S1',
      // The channels' and the dispatcher's dead-letter queues have no dead-letter queue of their own.
      'AwsSolutions-SQS3',
    ]);
  });

  it('acknowledge the missing authorizer only on the portal, OpenAPI document, webhook, approval-link and feedback routes', () => {
    // Act
    const paths = acknowledgements(built.app)
      .filter((a) => a.id === 'AwsSolutions-APIG4')
      .map((a) => a.path);

    // Assess
    const open = apiRoutes.filter((r) => (r.auth ?? 'jwt') !== 'jwt');
    expect(open.map((r) => r.name).sort()).toEqual([
      'approval-link-decision',
      'approval-link-page',
      'feedback-page',
      'feedback-reopen',
      'feedback-submit',
      'get-openapi',
      'portal-asset',
      'portal-form',
      'portal-status',
      'portal-status-post',
      'portal-submit',
      'webhook',
    ]);
    expect(paths.sort()).toEqual(
      open.map((r) => `GongdanStateless/Api/${routeStackOf(r.path)}/${pascal(r.name)}Route`).sort(),
    );
  });

  it('acknowledge the "*" wildcard on function roles and the timers\' roles only, never on a whole stack', () => {
    // Act
    const wildcard = acknowledgements(built.app).filter((a) => a.id === 'AwsSolutions-IAM5[Resource::*]');

    // Assess: X-Ray on every function; SNS SMS and ListStreams on the dispatcher; log delivery and
    // X-Ray on the timer; CloudFront invalidations on the console's upload handler
    expect(wildcard.length).toBeGreaterThan(0);
    for (const ack of wildcard) {
      expect(ack.path).toMatch(
        /^GongdanStateless\/(Api\/(Ticket|Admin|Channel)Routes|SlaTimer|ApprovalTimer|Channels|Reactions|RoutingMaintenance|Console|WebhooksOut\/WebhooksOut|Imports\/Imports|Insights\/Insights)\/\w+Role$|^GongdanStateless\/(SlaTimer|ApprovalTimer|Imports\/Imports)\/StateMachine\/Role$/,
      );
    }
  });

  it('acknowledge the SLA timer executions wildcard only on the dispatcher, which alone starts and stops timers', () => {
    // Act
    const stops = acknowledgements(built.app).filter((a) => a.id.includes(':execution:'));

    // Assess: besides, the import run's Distributed Map may describe and stop its own child executions.
    expect(stops.map((a) => a.path).sort()).toEqual([
      'GongdanStateless/Imports/Imports/StateMachine/DistributedMapPolicy',
      'GongdanStateless/Imports/Imports/StateMachine/DistributedMapPolicy',
      'GongdanStateless/Reactions/OutboxRetryRole',
      'GongdanStateless/Reactions/TicketChangedRole',
    ]);
  });

  it('fail synthesis when a finding is not acknowledged', () => {
    // Prepare: the same app, plus a key without rotation (AwsSolutions-KMS5)
    const { app, stateful } = gongdanTestApp({ bundling: false });
    new Key(stateful, 'UnrotatedKey', { enableKeyRotation: false });

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).toThrow(/AwsSolutions-KMS5/);
  });
});

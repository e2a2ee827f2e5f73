import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { dtProjection, lakeBuffering } from '#infra/constructs/analytics.ts';
import type { StatelessStack } from '#infra/stateless-stack.ts';
import { eventColumns, factColumns } from '#shared/domain/analytics/lake-records.ts';
import { env } from '#shared/runtime/env.ts';
import { flattenNested } from './support/flatten.ts';
import { gongdanTestApp } from './support/gongdan-app.ts';

// biome-ignore lint/suspicious/noExplicitAny: raw CloudFormation JSON, asserted field by field
type Json = any;

let stateless: StatelessStack;
let nested: Template;
let flat: Template;

beforeAll(() => {
  const built = gongdanTestApp({ bundling: false });
  stateless = built.stateless;
  // A report route: granted the query policy (what the routes get from grantQuery).
  stateless.analytics.grantQuery(stateless.api.functions['list-tickets']!);
  nested = Template.fromStack(Stack.of(stateless.analytics));
  flat = flattenNested(stateless);
}, 120_000);

const resourcesOf = (template: Template, type: string) =>
  Object.entries(template.findResources(type)) as [string, Json][];
const glueTable = (name: string) =>
  resourcesOf(nested, 'AWS::Glue::Table').find(([, t]) => t.Properties.TableInput.Name === name)![1]
    .Properties as Json;
const actionsOf = (s: Json) => [s.Action].flat() as string[];
/** The statements of every policy a function's role holds: inline and the managed ones attached to it. */
function statementsOf(functionId: string): Json[] {
  const inline = resourcesOf(flat, 'AWS::IAM::Policy')
    .filter(([id]) => id.includes(`${functionId}Role`))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
  const [, role] = resourcesOf(flat, 'AWS::IAM::Role').find(([id]) => id.includes(`${functionId}Role`))!;
  const attached = (role.Properties.ManagedPolicyArns ?? []).flatMap((arn: Json) => {
    const policy = arn?.Ref && flat.toJSON().Resources[arn.Ref];
    return policy?.Type === 'AWS::IAM::ManagedPolicy' ? policy.Properties.PolicyDocument.Statement : [];
  });
  return [...inline, ...attached];
}
const variablesOf = (functionId: string) => {
  const [, fn] = resourcesOf(flat, 'AWS::Lambda::Function').find(
    ([id]) => id.includes(functionId) && !id.includes('Role'),
  )!;
  return fn.Properties.Environment.Variables as Json;
};

describe('The analytics lake in AWS (infra/constructs/analytics.ts)', () => {
  it('defines the two Glue tables with exactly the columns of the row types, Parquet, partitioned by dt', () => {
    const expected = {
      ticket_facts: factColumns,
      ticket_events: eventColumns,
    };
    for (const [name, columns] of Object.entries(expected)) {
      const table = glueTable(name);
      const descriptor = table.TableInput.StorageDescriptor;
      expect(descriptor.Columns, name).toEqual(
        columns.filter(([c]) => c !== 'dt').map(([c, type]) => ({ Name: c, Type: type })),
      );
      expect(table.TableInput.PartitionKeys, name).toEqual([{ Name: 'dt', Type: 'string' }]);
      expect(descriptor.SerdeInfo.SerializationLibrary, name).toBe(
        'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
      );
      expect(descriptor.InputFormat, name).toContain('MapredParquetInputFormat');
      expect(JSON.stringify(descriptor.Location), name).toContain(`/${name}/`);
    }
  });

  it('projects the dt partition as a date, so a new day needs no crawler or MSCK REPAIR', () => {
    for (const name of ['ticket_facts', 'ticket_events']) {
      const parameters = glueTable(name).TableInput.Parameters;
      expect(parameters, name).toMatchObject({
        'projection.enabled': 'true',
        'projection.dt.type': 'date',
        'projection.dt.format': 'yyyy-MM-dd',
        'projection.dt.range': dtProjection['projection.dt.range'],
      });
      expect(JSON.stringify(parameters['storage.location.template']), name).toContain(`/${name}/dt=\${dt}/`);
    }
  });

  it('delivers each table through its own Firehose stream, converting JSON to Parquet against its Glue table', () => {
    const streams = resourcesOf(nested, 'AWS::KinesisFirehose::DeliveryStream').map(([, s]) => s.Properties);
    expect(streams).toHaveLength(2);
    const byTable = Object.fromEntries(
      streams.map((s) => [
        s.ExtendedS3DestinationConfiguration.DataFormatConversionConfiguration.SchemaConfiguration.TableName,
        s,
      ]),
    );
    for (const name of ['ticket_facts', 'ticket_events']) {
      const s = byTable[name];
      expect(s.DeliveryStreamType, name).toBe('DirectPut');
      expect(s.DeliveryStreamEncryptionConfigurationInput, name).toEqual({ KeyType: 'AWS_OWNED_CMK' });
      expect(s.ExtendedS3DestinationConfiguration, name).toMatchObject({
        Prefix: `${name}/dt=!{timestamp:yyyy-MM-dd}/`,
        ErrorOutputPrefix: expect.stringMatching(new RegExp(`^errors/${name}/`)),
        CompressionFormat: 'UNCOMPRESSED',
        BufferingHints: {
          IntervalInSeconds: lakeBuffering.intervalInSeconds,
          SizeInMBs: lakeBuffering.sizeInMBs,
        },
        DataFormatConversionConfiguration: {
          Enabled: true,
          InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: {} } },
          OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: 'SNAPPY' } } },
          SchemaConfiguration: { VersionId: 'LATEST', DatabaseName: glueTable(name).DatabaseName },
        },
      });
    }
    // Parquet conversion needs at least 64 MiB of buffer
    expect(lakeBuffering.sizeInMBs).toBeGreaterThanOrEqual(64);
  });

  it('keeps the lake in a private, encrypted, TLS-only bucket with access logs, moved to Infrequent Access after 90 days', () => {
    nested.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'lake-bucket/' }),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 90 }] }),
        ]),
      },
    });
    const buckets = resourcesOf(nested, 'AWS::S3::Bucket');
    const tlsOnly = JSON.stringify(nested.findResources('AWS::S3::BucketPolicy'));
    expect(buckets).toHaveLength(3);
    for (const [id, bucket] of buckets) {
      expect(bucket.Properties.BucketEncryption, id).toBeDefined();
      expect(tlsOnly, id).toContain(id);
    }
    expect(tlsOnly).toContain('aws:SecureTransport');
  });

  it('runs reports in an Athena v3 workgroup that enforces encrypted results and a bytes-scanned cutoff', () => {
    const [, workGroup] = resourcesOf(nested, 'AWS::Athena::WorkGroup')[0]!;
    expect(workGroup.Properties.WorkGroupConfiguration).toMatchObject({
      EnforceWorkGroupConfiguration: true,
      BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
      EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
      ResultConfiguration: {
        EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        OutputLocation: expect.anything(),
      },
    });
    expect(
      JSON.stringify(workGroup.Properties.WorkGroupConfiguration.ResultConfiguration.OutputLocation),
    ).toContain('/athena/');
  });

  it('lets the dispatcher and the retry sweep put records on the two streams only, naming them in their variables', () => {
    for (const id of ['ReactionsTicketChanged', 'ReactionsOutboxRetry']) {
      const firehose = statementsOf(id).filter((s) => actionsOf(s).some((a) => a.startsWith('firehose:')));
      expect(firehose.map(actionsOf), id).toEqual([['firehose:PutRecordBatch']]);
      const resources = [firehose[0].Resource].flat();
      expect(resources, id).toHaveLength(2);
      for (const r of resources) expect(JSON.stringify(r), id).toMatch(/Stream.*Arn/);
      const variables = variablesOf(id);
      expect(variables[env.lakeFactsStream.name], id).toBeDefined();
      expect(variables[env.lakeEventsStream.name], id).toBeDefined();
    }
    // No other function reaches the streams
    const others = resourcesOf(flat, 'AWS::IAM::Policy')
      .filter(([id]) => !id.includes('ReactionsTicketChanged') && !id.includes('ReactionsOutboxRetry'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
    expect(others.flatMap(actionsOf).filter((a) => a.startsWith('firehose:'))).toEqual([]);
  });

  it('grants a report route Athena on the one workgroup, Glue reads, the lake tables read and the results prefix only', () => {
    const statements = statementsOf('ListTickets').filter((s) =>
      actionsOf(s).some((a) => /^(athena|glue|s3):/.test(a)),
    );
    const byService = (service: string) =>
      statements.filter((s) => actionsOf(s)[0]!.startsWith(`${service}:`));
    const athena = byService('athena');
    expect(athena.flatMap(actionsOf).sort()).toEqual(
      [
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
        'athena:GetWorkGroup',
        'athena:StartQueryExecution',
        'athena:StopQueryExecution',
      ].sort(),
    );
    expect(JSON.stringify(athena[0].Resource)).toContain(':workgroup/');
    expect(
      byService('glue')
        .flatMap(actionsOf)
        .every((a) => /^glue:Get/.test(a)),
    ).toBe(true);
    const s3 = byService('s3');
    const writes = s3.filter((s) => actionsOf(s).includes('s3:PutObject'));
    expect(writes).toHaveLength(1);
    expect(JSON.stringify(writes[0].Resource)).toContain('/athena/*');
    const lakeReads = s3.filter((s) => actionsOf(s).join() === 's3:GetObject');
    expect(JSON.stringify(lakeReads)).toContain('/ticket_facts/*');
    expect(JSON.stringify(lakeReads)).toContain('/ticket_events/*');
    // Nothing on "*"
    for (const s of statements) expect([s.Resource].flat(), JSON.stringify(s)).not.toContain('*');
    const variables = variablesOf('ListTickets');
    expect(variables[env.athenaWorkgroup.name]).toBeDefined();
    expect(variables[env.athenaDatabase.name]).toBe(glueTable('ticket_facts').DatabaseName);
  });

  it("gives Firehose's role the lake bucket, the two tables' schema and its log group, nothing else", () => {
    const [, role] = resourcesOf(nested, 'AWS::IAM::Role').find(([id]) => id.includes('DeliveryRole'))!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
      Service: 'firehose.amazonaws.com',
    });
    const statements = resourcesOf(nested, 'AWS::IAM::Policy')
      .filter(([id]) => id.includes('DeliveryRole'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
    const actions = statements.flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith('glue:')).sort()).toEqual([
      'glue:GetTable',
      'glue:GetTableVersion',
      'glue:GetTableVersions',
    ]);
    expect(actions.every((a) => /^(s3|glue|logs):/.test(a))).toBe(true);
    for (const s of statements) expect([s.Resource].flat()).not.toContain('*');
  });
});

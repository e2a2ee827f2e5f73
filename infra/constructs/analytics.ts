import { type CfnElement, Duration, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnDeliveryStream } from 'aws-cdk-lib/aws-kinesisfirehose';
import { LogGroup, LogStream, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { type LakeTable, lakeTables, partitionColumn } from '#shared/domain/analytics/lake-records.ts';
import type { GongdanFunction } from './gongdan-function.ts';
import { pascal } from './pascal.ts';

export interface AnalyticsProps {
  logRetention: RetentionDays;
  /** Athena refuses a query that would scan more than this (the workgroup's cutoff). @default 10 GiB */
  bytesScannedCutoffPerQuery?: number;
}

/** How Firehose buffers before it writes a Parquet file: the larger, the fewer (and cheaper to scan) files. */
export const lakeBuffering = { intervalInSeconds: 300, sizeInMBs: 128 } as const;

/** Where Athena writes query results in the results bucket; expired after a week. */
export const athenaResultsPrefix = 'athena/';

/** The date range Athena projects `dt` over (partition projection): no crawler, no MSCK REPAIR. */
export const dtProjection = {
  'projection.enabled': 'true',
  'projection.dt.type': 'date',
  'projection.dt.format': 'yyyy-MM-dd',
  'projection.dt.range': '2020-01-01,NOW',
  'projection.dt.interval': '1',
  'projection.dt.interval.unit': 'DAYS',
} as const;

/** The S3 prefix of a table's delivered files, and of the records Firehose could not convert. */
export const lakePrefix = (table: LakeTable) => `${table}/${partitionColumn}=!{timestamp:yyyy-MM-dd}/`;
export const lakeErrorPrefix = (table: LakeTable) =>
  `errors/${table}/!{firehose:error-output-type}/${partitionColumn}=!{timestamp:yyyy-MM-dd}/`;

const parquet = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serde: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
} as const;

/**
 * The analytics lake in AWS (docs/analytics.md, "Pipeline"), in its own nested stack:
 *
 * - the lake bucket (S3-managed encryption, TLS only, no public access, access logs, to Infrequent Access
 *   after 90 days) holding `ticket_facts/dt=YYYY-MM-DD/` and `ticket_events/dt=…/` as Parquet;
 * - a Glue database and the two tables, their columns those of `lake-records.ts`, partitioned by `dt`
 *   with partition projection (a date), so a new day is queryable without a crawler or MSCK REPAIR;
 * - a Firehose delivery stream per table (direct put by the dispatcher), converting the JSON rows to
 *   Parquet against its Glue table, under `<table>/dt=<delivery day>/`, failures under `errors/`;
 * - an Athena workgroup (engine v3, configuration enforced, results encrypted in their own bucket, a
 *   bytes-scanned cutoff per query) for the report routes (`grantQuery`).
 */
export class Analytics extends Construct {
  readonly bucket: Bucket;
  readonly resultsBucket: Bucket;
  readonly accessLogs: Bucket;
  readonly databaseName: string;
  readonly database: CfnDatabase;
  readonly tables: Record<LakeTable, CfnTable>;
  readonly streams: Record<LakeTable, CfnDeliveryStream>;
  readonly workGroup: CfnWorkGroup;
  /** Append rows (the dispatcher's), and query the lake (the report routes'): managed policies beside the resources. */
  readonly putRecords: ManagedPolicy;
  readonly query: ManagedPolicy;

  constructor(scope: Construct, id: string, props: AnalyticsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const logicalId = (c: Construct) => stack.getLogicalId(c.node.defaultChild as CfnElement);

    this.accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the server access log bucket of the lake and Athena results buckets; logging its own ' +
        'access would need another bucket and record only the log delivery service writing here.',
    });
    this.bucket = new Bucket(this, 'Lake', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'lake-bucket/',
      // Reports read recent months most; older partitions are kept, cheaper, for year-on-year questions.
      lifecycleRules: [
        {
          id: 'InfrequentAccess',
          transitions: [{ storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(90) }],
        },
        { id: 'ExpireErrors', prefix: 'errors/', expiration: Duration.days(90) },
        { id: 'AbortUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.resultsBucket = new Bucket(this, 'QueryResults', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'results-bucket/',
      // Results are read once, by the route that ran the query: a week covers any retry or export.
      lifecycleRules: [
        { id: 'ExpireResults', expiration: Duration.days(7) },
        { id: 'AbortUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // Glue and Athena names: lower case, letters, digits and underscores; unique per stage.
    this.databaseName = `gongdan_${Names.uniqueId(this)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '_')}`.slice(0, 100);
    this.database = new CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: {
        name: this.databaseName,
        description: 'Gongdan analytics lake: ticket facts and ticket events (docs/analytics.md)',
      },
    });

    const tables = Object.keys(lakeTables) as LakeTable[];
    this.tables = Object.fromEntries(
      tables.map((table) => {
        const location = `s3://${this.bucket.bucketName}/${table}/`;
        const t = new CfnTable(this, `${pascal(table)}Table`, {
          catalogId: stack.account,
          databaseName: this.databaseName,
          tableInput: {
            name: table,
            description: `Gongdan ${table} (shared/domain/analytics/lake-records.ts)`,
            tableType: 'EXTERNAL_TABLE',
            parameters: {
              classification: 'parquet',
              EXTERNAL: 'TRUE',
              'parquet.compression': 'SNAPPY',
              ...dtProjection,
              'storage.location.template': `${location}${partitionColumn}=\${${partitionColumn}}/`,
            },
            partitionKeys: [{ name: partitionColumn, type: 'string' }],
            storageDescriptor: {
              location,
              inputFormat: parquet.inputFormat,
              outputFormat: parquet.outputFormat,
              serdeInfo: {
                serializationLibrary: parquet.serde,
                parameters: { 'serialization.format': '1' },
              },
              columns: lakeTables[table]
                .filter(([name]) => name !== partitionColumn)
                .map(([name, type]) => ({ name, type })),
            },
          },
        });
        t.addResourceDependency(this.database);
        return [table, t];
      }),
    ) as Record<LakeTable, CfnTable>;

    // Firehose's own role: write the lake, read the Glue tables' schema, log delivery errors.
    const logs = new LogGroup(this, 'DeliveryLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const deliveryRole = new Role(this, 'DeliveryRole', {
      assumedBy: new ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Firehose: deliver the Gongdan lake tables to S3 as Parquet',
    });
    deliveryRole.addToPolicy(
      new PolicyStatement({
        actions: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
    deliveryRole.addToPolicy(
      new PolicyStatement({
        actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [this.bucket.bucketArn],
      }),
    );
    deliveryRole.addToPolicy(
      new PolicyStatement({
        actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
        resources: this.glueResources(),
      }),
    );
    logs.grantWrite(deliveryRole);
    Validations.of(deliveryRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId(this.bucket)}.Arn>/*]`,
      reason:
        'Firehose writes objects it names at delivery time (<table>/dt=<day>/<stream>-<time>-<uuid>.parquet ' +
        'and errors/…) in the one lake bucket, and nothing else',
    });
    Validations.of(deliveryRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId(logs)}.Arn>:*]`,
      reason: "Writing to the delivery log group's streams (CDK's grantWrite): this one log group only",
    });

    this.streams = Object.fromEntries(
      tables.map((table) => {
        const stream = new LogStream(this, `${pascal(table)}DeliveryLog`, { logGroup: logs });
        const s = new CfnDeliveryStream(this, `${pascal(table)}Stream`, {
          deliveryStreamType: 'DirectPut',
          deliveryStreamEncryptionConfigurationInput: { keyType: 'AWS_OWNED_CMK' },
          extendedS3DestinationConfiguration: {
            bucketArn: this.bucket.bucketArn,
            roleArn: deliveryRole.roleArn,
            prefix: lakePrefix(table),
            errorOutputPrefix: lakeErrorPrefix(table),
            bufferingHints: lakeBuffering,
            // Parquet compresses itself (SNAPPY below); Firehose requires UNCOMPRESSED with conversion.
            compressionFormat: 'UNCOMPRESSED',
            cloudWatchLoggingOptions: {
              enabled: true,
              logGroupName: logs.logGroupName,
              logStreamName: stream.logStreamName,
            },
            dataFormatConversionConfiguration: {
              enabled: true,
              inputFormatConfiguration: { deserializer: { openXJsonSerDe: {} } },
              outputFormatConfiguration: { serializer: { parquetSerDe: { compression: 'SNAPPY' } } },
              schemaConfiguration: {
                catalogId: stack.account,
                region: stack.region,
                databaseName: this.databaseName,
                tableName: table,
                roleArn: deliveryRole.roleArn,
                versionId: 'LATEST',
              },
            },
          },
        });
        // The role's policy must exist before Firehose checks it can write and read the schema.
        s.node.addDependency(deliveryRole);
        s.addResourceDependency(this.tables[table]);
        return [table, s];
      }),
    ) as Record<LakeTable, CfnDeliveryStream>;

    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
      description: 'Gongdan reports over the analytics lake (docs/analytics.md)',
      state: 'ENABLED',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery ?? 10 * 1024 ** 3,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/${athenaResultsPrefix}`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });

    this.putRecords = new ManagedPolicy(this, 'PutLakeRecords', {
      description: 'Append rows to the Gongdan analytics lake (its two Firehose delivery streams)',
      statements: [
        new PolicyStatement({
          actions: ['firehose:PutRecordBatch'],
          resources: Object.values(this.streams).map((s) => s.attrArn),
        }),
      ],
    });
    this.query = this.queryPolicy();
  }

  /** The Glue catalog, the lake database and its two tables, as IAM names them. */
  private glueResources(): string[] {
    const stack = Stack.of(this);
    const arn = (resource: string, resourceName?: string) =>
      stack.formatArn({ service: 'glue', resource, ...(resourceName ? { resourceName } : {}) });
    return [
      arn('catalog'),
      arn('database', this.databaseName),
      ...Object.keys(lakeTables).map((table) => arn('table', `${this.databaseName}/${table}`)),
    ];
  }

  /**
   * Lets the dispatcher (and the retry sweep, which runs the same reactions) append lake rows: sets
   * LAKE_FACTS_STREAM / LAKE_EVENTS_STREAM and attaches a managed policy beside the streams allowing
   * firehose:PutRecordBatch on those two streams only.
   */
  bindLake(fn: GongdanFunction): GongdanFunction {
    fn.setEnvironment({
      lakeFactsStream: this.streams.ticket_facts.ref,
      lakeEventsStream: this.streams.ticket_events.ref,
    });
    fn.role!.addManagedPolicy(this.putRecords);
    return fn;
  }

  /**
   * Lets a report route query the lake with Athena: sets ATHENA_WORKGROUP / ATHENA_DATABASE and attaches
   * a managed policy beside the resources allowing: start, read and stop queries in this workgroup only;
   * read the Glue database and the two tables; read the tables' objects in the lake; read and write the
   * workgroup's results prefix. (Encryption is S3-managed: no KMS key to grant.)
   */
  grantQuery(fn: GongdanFunction): GongdanFunction {
    fn.setEnvironment({ athenaWorkgroup: this.workGroup.ref, athenaDatabase: this.databaseName });
    fn.role!.addManagedPolicy(this.query);
    return fn;
  }

  private queryPolicy(): ManagedPolicy {
    const stack = Stack.of(this);
    const logicalId = (c: Construct) => stack.getLogicalId(c.node.defaultChild as CfnElement);
    const tables = Object.keys(lakeTables) as LakeTable[];
    const policy = new ManagedPolicy(this, 'QueryLake', {
      description: 'Run Gongdan report queries with Athena over the analytics lake',
      statements: [
        new PolicyStatement({
          actions: [
            'athena:StartQueryExecution',
            'athena:GetQueryExecution',
            'athena:GetQueryResults',
            'athena:StopQueryExecution',
            'athena:GetWorkGroup',
          ],
          resources: [
            stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workGroup.ref }),
          ],
        }),
        new PolicyStatement({
          actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartitions'],
          resources: this.glueResources(),
        }),
        new PolicyStatement({
          actions: ['s3:GetObject'],
          resources: tables.map((table) => this.bucket.arnForObjects(`${table}/*`)),
        }),
        new PolicyStatement({
          actions: ['s3:ListBucket', 's3:GetBucketLocation'],
          resources: [this.bucket.bucketArn, this.resultsBucket.bucketArn],
        }),
        new PolicyStatement({
          actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
          resources: [this.resultsBucket.arnForObjects(`${athenaResultsPrefix}*`)],
        }),
      ],
    });
    for (const table of tables) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId(this.bucket)}.Arn>/${table}/*]`,
        reason: `Athena reads the ${table} table's Parquet files, named by Firehose per delivery, under its one prefix of the lake`,
      });
    }
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId(this.resultsBucket)}.Arn>/${athenaResultsPrefix}*]`,
      reason:
        "Athena writes each query's results under the workgroup's prefix, named by query id at run time",
    });
    return policy;
  }
}

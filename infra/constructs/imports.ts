import { type CfnElement, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import {
  type HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { importPrefix } from '#shared/adapters/storage/s3-import-files.ts';
import type { Route } from '#shared/http/route.ts';
import { buildImportRunDefinition, importRunComment } from '#workflows/import-run.ts';
import { functionEntry } from '../bundling.ts';
import { GongdanFunction, type ObservabilitySettings, type TableBinding } from './gongdan-function.ts';
import { pascal } from './pascal.ts';
import { timerStateMachine } from './timer-machine.ts';

export interface ImportsProps {
  /** The import routes of `apiRoutes` (`uses: ['imports']`): their functions and API routes live here. */
  routes: readonly Pick<Route, 'name' | 'method' | 'path' | 'access'>[];
  httpApi: HttpApi;
  /** The API's JWT authorizer (the user pool's ID tokens), as every other staff route has. */
  authorizer: IHttpRouteAuthorizer;
  auth: { issuer: string; audience: string };
  tickets: TableBinding;
  /** Where `import.completed` goes. */
  bus: IEventBus;
  /** Browser origins that PUT files to the presigned upload links (the console). */
  uploadOrigins: string[];
  logRetention: RetentionDays;
  observability: ObservabilitySettings;
}

/** Routes that read the stored files without starting a run (errors.csv reads the issues file). */
const filesRead = new Set(['get-import-errors']);

/**
 * Bulk import in AWS (docs/import.md, "Running an import"), in its own nested stack (the stateless stack
 * is near CloudFormation's 500 resources):
 *
 * - the import bucket: uploads (by the API, or the browser through a presigned PUT: API Gateway takes at
 *   most 10 MB), their issues files and chunk manifests; private, TLS only, expiring after 30 days;
 * - the import routes' functions, added to the ticket API behind its JWT authorizer;
 * - the run: a Standard state machine — PrepareImport, a Distributed Map over the chunk manifest
 *   (CommitChunk per item, the chunk handler the local runtime runs in process), FinishImport.
 *
 * Each function gets the table, the bucket's `imports/` keys and what it starts or publishes, nothing more.
 */
export class Imports extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;
  private exports?: { files: ManagedPolicy; worker: GongdanFunction; invoke: ManagedPolicy };
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;
  readonly prepare: GongdanFunction;
  readonly chunk: GongdanFunction;
  readonly finish: GongdanFunction;
  readonly functions: Record<string, GongdanFunction> = {};

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ImportsProps,
  ) {
    super(scope, id);

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
        'This is the server access log bucket of the import bucket; logging its own access would need a ' +
        'third bucket and record only the log delivery service writing here.',
    });
    this.bucket = new Bucket(this, 'Files', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'import-bucket/',
      // Uploads and what is made beside them are working files: the tickets are in the table. Export
      // files are downloaded within minutes of being written (links last 15): a week is plenty.
      lifecycleRules: [
        { id: 'ExpireImports', expiration: Duration.days(30) },
        { id: 'ExpireExports', prefix: 'exports/', expiration: Duration.days(7) },
        { id: 'AbortUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      cors: props.uploadOrigins.length
        ? [
            {
              allowedMethods: [HttpMethods.PUT],
              allowedOrigins: props.uploadOrigins,
              allowedHeaders: ['content-type'],
              maxAge: 3600,
            },
          ]
        : [],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const objects = this.bucket.arnForObjects(`${importPrefix}*`);

    const make = (
      name: string,
      entry: string,
      kind: 'importApi' | 'importStep',
      description: string,
      access: 'read' | 'write',
    ) =>
      new GongdanFunction(this, name, {
        entry: functionEntry(entry),
        kind,
        description,
        logRetention: props.logRetention,
        observability: props.observability,
        // A prepare pass reads a 50 MiB file through; a chunk writes 200 tickets.
        ...(kind === 'importStep' ? { timeout: Duration.minutes(15), memorySize: 1024 } : {}),
      })
        .bindTable(props.tickets, access)
        .setEnvironment({ importBucket: this.bucket.bucketName });
    const objectAccess = (fn: GongdanFunction, actions: string[]) => {
      fn.addToRolePolicy(new PolicyStatement({ actions, resources: [objects] }));
      Validations.of(fn.role!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement)}.Arn>/imports/*]`,
        reason:
          'Import files are named by import id (imports/<id>/<file> and what is made beside it): the ' +
          `function reaches ${actions.join(' and ')} on the import keys of the one import bucket, nothing else.`,
      });
    };

    this.prepare = make(
      'Prepare',
      'import-prepare',
      'importStep',
      'Import run: check the file, write the chunks',
      'write',
    );
    this.chunk = make('Chunk', 'import-chunk', 'importStep', 'Import run: commit one chunk of rows', 'write');
    this.finish = make(
      'Finish',
      'import-finish',
      'importStep',
      'Import run: totals onto the record',
      'write',
    );
    // Prepare reads the upload and writes issues, chunks and the manifest; a chunk only reads its own.
    objectAccess(this.prepare, ['s3:GetObject', 's3:PutObject']);
    objectAccess(this.chunk, ['s3:GetObject']);
    // Only the finish publishes (`import.completed`); the others are told the bus's name and nothing more.
    this.finish.bindEventBus(props.bus);
    this.prepare.setEnvironment({ eventBusName: props.bus.eventBusName });
    this.chunk.setEnvironment({ eventBusName: props.bus.eventBusName });

    ({ stateMachine: this.stateMachine, logGroup: this.logGroup } = timerStateMachine(this, {
      comment: importRunComment,
      definition: buildImportRunDefinition(this, {
        prepareFunction: this.prepare,
        chunkFunction: this.chunk,
        finishFunction: this.finish,
        bucket: this.bucket,
      }),
      tasks: [this.prepare, this.chunk, this.finish],
      logRetention: props.logRetention,
    }));
    Validations.of(this.stateMachine.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement)}>/*]`,
      reason:
        "The Distributed Map's ItemReader reads the manifest the prepare step wrote for this run; its key is " +
        'known only at run time (imports/<id>/…), so CDK grants s3:GetObject on the import bucket’s objects.',
    });
    // A Distributed Map runs its items as child executions of this state machine, which it describes and
    // stops: IAM names them only as `execution:<machine>:*` (and `<machine>/<map run>:*`).
    const stack = Stack.of(this);
    const known = (value: string, placeholder: string) => (Token.isUnresolved(value) ? placeholder : value);
    const machineName = `{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${stack.getLogicalId(this.stateMachine.node.defaultChild as CfnElement)}"}]}]}`;
    const executions = `arn:${known(stack.partition, '<AWS::Partition>')}:states:${known(stack.region, '<AWS::Region>')}:${known(stack.account, '<AWS::AccountId>')}:execution:${machineName}`;
    for (const resource of [`${executions}:*`, `${executions}/*:*`]) {
      Validations.of(this.stateMachine.node.findChild('DistributedMapPolicy')).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason:
          "The Distributed Map's child executions (one per chunk batch) are named by Step Functions: the " +
          'role may describe and stop the executions of this one state machine and its map runs only.',
      });
    }

    for (const route of props.routes) {
      const fn = make(
        pascal(route.name),
        route.name,
        'importApi',
        `${route.method} ${route.path}`,
        route.access,
      ).setEnvironment({
        importStateMachineArn: this.stateMachine.stateMachineArn,
        authIssuer: props.auth.issuer,
        authAudience: props.auth.audience,
        eventBusName: props.bus.eventBusName,
      });
      // The POSTs put the upload (or sign the link that does), open the file and start runs; errors.csv
      // reads the issues; the other reads touch the table only. No route publishes on the bus.
      const starts = route.method === 'POST';
      if (starts) objectAccess(fn, ['s3:GetObject', 's3:PutObject']);
      else if (filesRead.has(route.name)) objectAccess(fn, ['s3:GetObject']);
      if (starts) this.stateMachine.grantStartExecution(fn);
      this.functions[route.name] = fn;
      // In this stack (not the API's): the route, its integration and the invoke permission.
      new HttpRoute(this, `${pascal(route.name)}Route`, {
        httpApi: props.httpApi,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration: new HttpLambdaIntegration(`${pascal(route.name)}Integration`, fn),
        authorizer: props.authorizer,
      });
    }
  }
  /**
   * Lets a route function write and read export files (docs/export.md) under `exports/` of this bucket:
   * the one bucket for the files people bring in and take out. A managed policy beside the bucket (so it
   * names the bucket directly, as infra/constructs/mail-store.ts does) that the route's role attaches:
   * only those keys, only put and get (a multipart upload is made with PutObject; one left unfinished
   * is aborted by the writer). With `start`, the route may also invoke the export worker, which writes
   * the file within its own 15 minutes, not API Gateway's 30 seconds.
   */
  grantExports(fn: GongdanFunction, options: { start: boolean }) {
    const exports = this.exportWorker();
    fn.setEnvironment({ exportBucket: this.bucket.bucketName });
    fn.role!.addManagedPolicy(exports.files);
    if (options.start) {
      fn.setEnvironment({ exportRunFunction: exports.worker.functionName });
      fn.role!.addManagedPolicy(exports.invoke);
    }
    return fn;
  }

  /** The export worker and the two policies above, made once, when the first export route asks. */
  private exportWorker() {
    if (this.exports) return this.exports;
    const files = new ManagedPolicy(this, 'ExportFiles', {
      description: 'Write and read export files under exports/ of the Gongdan file bucket',
      statements: [
        new PolicyStatement({
          actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
          resources: [this.bucket.arnForObjects('exports/*')],
        }),
      ],
    });
    Validations.of(files).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement)}.Arn>/exports/*]`,
      reason:
        'Export files are named by export id (exports/<id>.csv|xlsx and its status exports/<id>.json): ' +
        'the routes and the worker put and get only the export keys of the one file bucket, nothing else.',
    });
    const worker = new GongdanFunction(this, 'ExportRun', {
      entry: functionEntry('export-run'),
      kind: 'exportRun',
      description: 'Writes an export file (POST /exports) page by page to S3',
      logRetention: this.props.logRetention,
      observability: this.props.observability,
      // 100,000 tickets take about 80 s (bench/export.ts); the limit leaves room for ten times that.
      timeout: Duration.minutes(15),
      memorySize: 1024,
    })
      .bindTable(this.props.tickets, 'read')
      .setEnvironment({ exportBucket: this.bucket.bucketName });
    worker.role!.addManagedPolicy(files);
    const invoke = new ManagedPolicy(this, 'StartExportRun', {
      description: 'Start the Gongdan export worker',
      statements: [
        new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [worker.functionArn] }),
      ],
    });
    this.exports = { files, worker, invoke };
    return this.exports;
  }
}

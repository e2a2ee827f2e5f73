import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  Choice,
  Condition,
  DistributedMap,
  type IChainable,
  JsonPath,
  S3JsonItemReader,
  Succeed,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

/** State names (also what an execution's history shows). */
export const importRunStates = {
  prepare: 'PrepareImport',
  commitOrNot: 'CommitOrCheckOnly',
  map: 'CommitChunks',
  chunk: 'CommitChunk',
  finish: 'FinishImport',
  fail: 'RecordImportFailure',
  done: 'ImportDone',
} as const;

export const importRunComment =
  'Gongdan import run: check the file and write chunk manifests, commit the chunks in a Distributed Map, write the totals back.';

export interface ImportRunProps {
  prepareFunction: IFunction;
  chunkFunction: IFunction;
  finishFunction: IFunction;
  /** Where the prepare step writes the manifest (a JSON array of chunks) the map reads. */
  bucket: IBucket;
  /** Chunks committed at once (each writes through DynamoDB conditional transactions). */
  maxConcurrency?: number;
}

/**
 * The import run (docs/import.md, "Running an import"), JSONPath so it reads the same everywhere:
 *
 * PrepareImport (check; for a commit, a chunk manifest of 200 rows each in S3)
 *   → CommitOrCheckOnly? ─ check ─→ FinishImport
 *       commit → CommitChunks (Distributed Map, ItemReader over the manifest; CommitChunk per item)
 *              → FinishImport (totals onto the record, `import.completed`)
 * Any step failing after its retries → RecordImportFailure (the record says why; a new commit resumes).
 */
export function buildImportRunDefinition(scope: Construct, props: ImportRunProps): IChainable {
  const retry = {
    errors: ['Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'Lambda.SdkClientException'],
    maxAttempts: 4,
    interval: Duration.seconds(2),
    backoffRate: 2,
  };
  const prepare = new LambdaInvoke(scope, importRunStates.prepare, {
    lambdaFunction: props.prepareFunction,
    payloadResponseOnly: true,
    resultPath: '$.run',
    taskTimeout: Timeout.duration(Duration.minutes(15)),
  });
  prepare.addRetry(retry);
  const chunk = new LambdaInvoke(scope, importRunStates.chunk, {
    lambdaFunction: props.chunkFunction,
    payloadResponseOnly: true,
    taskTimeout: Timeout.duration(Duration.minutes(5)),
  });
  // A chunk is idempotent (legacy-number keys, the chunk ledger): retrying it creates nothing twice.
  chunk.addRetry({ ...retry, errors: ['States.ALL'], maxAttempts: 6 });
  const map = new DistributedMap(scope, importRunStates.map, {
    itemReader: new S3JsonItemReader({ bucket: props.bucket, key: JsonPath.stringAt('$.run.manifestKey') }),
    maxConcurrency: props.maxConcurrency ?? 10,
    resultPath: JsonPath.DISCARD,
  });
  map.itemProcessor(chunk);
  const finish = new LambdaInvoke(scope, importRunStates.finish, {
    lambdaFunction: props.finishFunction,
    payloadResponseOnly: true,
    payload: TaskInput.fromObject({
      importId: JsonPath.stringAt('$.importId'),
      phase: JsonPath.stringAt('$.run.phase'),
    }),
    resultPath: JsonPath.DISCARD,
  });
  finish.addRetry(retry);
  const fail = new LambdaInvoke(scope, importRunStates.fail, {
    lambdaFunction: props.finishFunction,
    payloadResponseOnly: true,
    resultPath: JsonPath.DISCARD,
  });
  fail.addRetry(retry);
  const failed = fail.next(new Succeed(scope, 'ImportFailureRecorded'));
  prepare.addCatch(failed, { resultPath: '$.error' });
  map.addCatch(failed, { resultPath: '$.error' });
  const done = finish.next(new Succeed(scope, importRunStates.done));
  return prepare.next(
    new Choice(scope, importRunStates.commitOrNot)
      .when(Condition.stringEquals('$.run.phase', 'commit'), map.next(done))
      .otherwise(done),
  );
}

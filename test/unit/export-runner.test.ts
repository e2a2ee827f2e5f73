import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { lambdaExportRunner } from '#shared/adapters/lambda/lambda-export-runner.ts';

const lambda = mockClient(LambdaClient);
beforeEach(() => lambda.reset());

describe('lambdaExportRunner() (POST /exports in AWS)', () => {
  it('invokes the export worker asynchronously with the export id, and nothing else', async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const runner = lambdaExportRunner(new LambdaClient({ region: 'eu-central-1' }), 'export-run-fn');

    // Act
    await runner.start('EXP1');

    // Assess
    const calls = lambda.commandCalls(InvokeCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'export-run-fn', InvocationType: 'Event' });
    expect(JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array))).toEqual({ exportId: 'EXP1' });
  });

  it('fails the start when Lambda refuses the invocation, so the route answers an error, not a 202', async () => {
    // Prepare
    lambda.on(InvokeCommand).rejects(new Error('TooManyRequestsException'));
    const runner = lambdaExportRunner(new LambdaClient({ region: 'eu-central-1' }), 'export-run-fn');

    // Act / Assess
    await expect(runner.start('EXP1')).rejects.toThrow('TooManyRequestsException');
  });
});

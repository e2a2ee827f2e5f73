/**
 * `npm run redrive -- --queue <dead-letter queue URL> [--region R] [--max N] [--dry-run]`
 *
 * Replays what the channels' dead-letter queue holds (InboundEmail's failed invocations, IntakeEvent's
 * undelivered events) to the function each was meant for, and deletes what was replayed; prints one
 * JSON report. Uses the default credential chain (docs/operations.md, "Dead letters").
 */
import { parseArgs } from 'node:util';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { redriveDeadLetters } from './redrive/redrive-dead-letters.ts';

const { values } = parseArgs({
  options: {
    queue: { type: 'string' },
    region: { type: 'string' },
    max: { type: 'string', default: '1000' },
    'dry-run': { type: 'boolean', default: false },
  },
});
if (!values.queue) throw new Error('--queue <dead-letter queue URL> is required');
const max = Number(values.max);
if (!Number.isInteger(max) || max < 1) throw new Error('--max must be a positive integer');

const config = values.region ? { region: values.region } : {};
const report = await redriveDeadLetters(
  { sqs: new SQSClient(config), lambda: new LambdaClient(config) },
  { queueUrl: values.queue, max, dryRun: values['dry-run'] },
);
console.log(JSON.stringify(report, null, 2));

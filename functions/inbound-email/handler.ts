import { S3Client } from '@aws-sdk/client-s3';
import type { SESEvent } from 'aws-lambda';
import { parseEmail } from '#shared/adapters/email/parse-email.ts';
import { mailBucketPrefixes, readObject } from '#shared/adapters/storage/s3-attachment-store.ts';
import { receiveEmail } from '#shared/channels/email-channel.ts';
import { DomainError } from '#shared/domain/errors.ts';
import { mailAuthFromSes } from '#shared/domain/intake/mail-auth.ts';
import { awsObservability } from '#shared/runtime/aws/observability.ts';
import { env, readEnv } from '#shared/runtime/env.ts';
import { correlationOf, lambda } from '#shared/runtime/lambda.ts';
import { intakeDeps } from '#shared/runtime/lambda-channels.ts';

const deps = intakeDeps();
const { bucket } = readEnv({ bucket: env.mailBucket }, process.env);
if (!bucket) throw new Error(`${env.mailBucket.name} is not set: inbound mail cannot be read`);
const s3 = awsObservability().tracer.captureAWSv3Client(new S3Client({}));

/**
 * The SES receipt rule's Lambda action, invoked (asynchronously) after its S3 action stored the raw
 * message at `inbound/<SES message id>`. Reads and parses it and brings it into the pool. Mail SES
 * marked as spam or virus is dropped; a message intake refuses (unparseable, no sender, a flood) is
 * logged and dropped; a message another worker holds (INTAKE.IN_PROGRESS) or a fault fails the
 * invocation, so Lambda retries it (the intake ledger makes the retry safe).
 */
export const handler = lambda(async (event: SESEvent): Promise<void> => {
  for (const record of event.Records) {
    const { mail, receipt } = record.ses;
    const verdicts = [receipt.spamVerdict?.status, receipt.virusVerdict?.status];
    if (verdicts.includes('FAIL')) {
      deps.logger.warn('intake.email.dropped', {
        sesMessageId: mail.messageId,
        reason: 'spam or virus verdict',
      });
      continue;
    }
    const raw = await readObject(s3, bucket, `${mailBucketPrefixes.inbound}${mail.messageId}`);
    // SES's SPF/DKIM/DMARC verdicts, not any header in the message: a sender can write those itself.
    const parsed = await parseEmail(raw, {
      envelopeFrom: mail.source,
      authentication: mailAuthFromSes(receipt),
    });
    if (!parsed.ok) {
      deps.logger.warn('intake.email.refused', { sesMessageId: mail.messageId, code: parsed.error.code });
      continue;
    }
    try {
      const result = await receiveEmail(parsed.email, deps);
      deps.logger.info('intake.email.received', { sesMessageId: mail.messageId, ...result });
    } catch (error) {
      if (error instanceof DomainError && error.code !== 'INTAKE.IN_PROGRESS') {
        deps.logger.warn('intake.email.refused', { sesMessageId: mail.messageId, code: error.code });
        continue;
      }
      throw error;
    }
  }
}, correlationOf.ses);

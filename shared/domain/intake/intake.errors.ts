import { DomainError } from '../errors.ts';

/** The raw message could not be read as an RFC 822 message at all (empty, binary noise, parser fault). */
export const unparseableEmail = (reason: string, cause?: unknown) =>
  new DomainError(
    'unprocessable',
    'INTAKE.UNPARSEABLE_EMAIL',
    `The message could not be parsed: ${reason}`,
    { reason },
    { cause },
  );

export const emailTooLarge = (size: number, limit: number) =>
  new DomainError(
    'too_large',
    'INTAKE.EMAIL_TOO_LARGE',
    `The message is ${size} bytes; the limit is ${limit}`,
    {
      size,
      limit,
    },
  );

/** Neither From, Sender, Reply-To nor the envelope name a usable address: nobody to open a ticket for. */
export const noSender = (reason: string) =>
  new DomainError('unprocessable', 'INTAKE.NO_SENDER', `The message has no usable sender: ${reason}`, {
    reason,
  });

export const senderRateLimited = (count: number, limit: number, windowMinutes: number) =>
  new DomainError(
    'rate_limited',
    'INTAKE.SENDER_RATE_LIMITED',
    `This sender sent ${count} messages in ${windowMinutes} minutes; the limit is ${limit}`,
    { count, limit, windowMinutes },
  );

/** Another worker holds the claim on this delivery; retrying later is safe. */
export const intakeInProgress = (key: string) =>
  new DomainError('conflict', 'INTAKE.IN_PROGRESS', 'This message is being processed; try again shortly', {
    key,
  });

export const unknownWebhookSource = (source: string) =>
  new DomainError('not_found', 'WEBHOOK.UNKNOWN_SOURCE', `No webhook source is configured as ${source}`, {
    source,
  });

export const signatureMissing = (header: string) =>
  new DomainError('unauthenticated', 'WEBHOOK.SIGNATURE_MISSING', `The ${header} header is missing`, {
    header,
  });

export const timestampMissing = (header: string) =>
  new DomainError('unauthenticated', 'WEBHOOK.TIMESTAMP_MISSING', `The ${header} header is missing`, {
    header,
  });

export const timestampInvalid = (header: string) =>
  new DomainError(
    'unauthenticated',
    'WEBHOOK.TIMESTAMP_INVALID',
    `The ${header} header must be whole seconds since the Unix epoch`,
    { header },
  );

/** Outside the tolerance, in either direction: too old (a replay) or too far ahead (a skewed clock). */
export const timestampStale = (skewSeconds: number, toleranceSeconds: number) =>
  new DomainError(
    'unauthenticated',
    'WEBHOOK.TIMESTAMP_STALE',
    `The timestamp is ${Math.abs(skewSeconds)} s ${skewSeconds < 0 ? 'old' : 'in the future'}; the tolerance is ${toleranceSeconds} s`,
    { skewSeconds, toleranceSeconds },
  );

export const signatureInvalid = () =>
  new DomainError(
    'unauthenticated',
    'WEBHOOK.SIGNATURE_INVALID',
    'The signature does not match the body and timestamp',
  );

export const payloadInvalid = (message: string, details?: Record<string, unknown>) =>
  new DomainError('invalid', 'WEBHOOK.PAYLOAD_INVALID', message, details);

export const deliveryIdMissing = (where: string) =>
  new DomainError('invalid', 'WEBHOOK.DELIVERY_ID_MISSING', `A delivery id is required (${where})`, {
    where,
  });

/** The mapped payload does not make a valid ticket (e.g. no subject, a bad customer e-mail). */
export const mappingFailed = (fields: { path: string; message: string }[]) =>
  new DomainError('unprocessable', 'WEBHOOK.MAPPING_FAILED', 'The payload does not map to a valid ticket', {
    fields,
  });

export const eventInvalid = (name: string, fields: { path: string; message: string }[]) =>
  new DomainError('invalid', 'INTAKE.EVENT_INVALID', `The ${name} event detail is not valid`, {
    name,
    fields,
  });

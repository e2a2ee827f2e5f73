/**
 * What went wrong, in terms a transport can map: `invalid` → 400, `unauthenticated` → 401,
 * `forbidden` → 403, `not_found` → 404, `conflict` → 409, `gone` → 410, `precondition_failed` → 412,
 * `too_large` → 413, `unsupported_media` → 415, `unprocessable` → 422, `rate_limited` → 429.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'precondition_failed'
  | 'too_large'
  | 'unsupported_media'
  | 'unprocessable'
  | 'rate_limited';

/** A field-level problem, e.g. `{ path: 'customer.email', message: 'Invalid email address' }`. */
export interface FieldIssue {
  path: string;
  message: string;
  code?: string;
}

/**
 * An expected failure with a stable code (`TICKET.ILLEGAL_TRANSITION`). Its message is safe to show a
 * client; anything that is not a DomainError is an unexpected fault and is never serialized.
 */
export class DomainError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    kind: ErrorKind,
    code: string,
    message: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DomainError';
    this.kind = kind;
    this.code = code;
    this.details = details;
  }
}

export const validationError = (message: string, issues: FieldIssue[]) =>
  new DomainError('invalid', 'REQUEST.INVALID', message, { fields: issues });

/** Whether `error` says the thing asked for does not exist (a ticket deleted or never there). */
export const isNotFound = (error: unknown): boolean =>
  error instanceof DomainError && error.kind === 'not_found';

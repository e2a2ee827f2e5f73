/**
 * Failures that mean "the data store cannot serve us right now" rather than "this request is wrong" or
 * "our code is wrong": the connection refused or cut, a timeout, DynamoDB throttling or failing on its
 * side. The API answers them 503 with `Retry-After`, so clients (and the console) back off and retry
 * instead of reporting a bug. Recognised by the names and codes the AWS SDK and Node give them — no SDK
 * import, so this stays beside the handler.
 */

/** Error names DynamoDB (and the SDK's retry layer) give throttling and server-side failures. */
const unavailableNames = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'LimitExceededException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Node's network error codes: nothing reached the store, or the answer never came back. */
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** A transaction cancelled only because DynamoDB throttled one of its items. */
const throttledReasons = new Set([
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
]);

/** Seconds a client is asked to wait before trying again. */
export const retryAfterSeconds = 5;

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  cause?: unknown;
  errors?: unknown;
  CancellationReasons?: { Code?: string }[];
  $metadata?: { httpStatusCode?: number };
}

/**
 * Whether `error` (or what caused it: `cause` chains and `AggregateError`s are followed) is the store
 * being unreachable, slow or throttling.
 */
export function isStoreUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 5 || error === null || typeof error !== 'object') return false;
  const e = error as ErrorLike;
  if (typeof e.name === 'string' && unavailableNames.has(e.name)) return true;
  if (typeof e.code === 'string' && networkCodes.has(e.code)) return true;
  if (
    e.name === 'TransactionCanceledException' &&
    (e.CancellationReasons ?? []).some((r) => r.Code && throttledReasons.has(r.Code))
  ) {
    return true;
  }
  if (Array.isArray(e.errors) && e.errors.some((inner) => isStoreUnavailable(inner, depth + 1))) return true;
  return isStoreUnavailable(e.cause, depth + 1);
}

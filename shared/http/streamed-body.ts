import type { Readable } from 'node:stream';

/**
 * Where `apiHandler` leaves a route's streamed body (`HttpResult.stream`) on the result when its caller
 * can stream (the local runtime's gateway pipes it to the socket as it is produced). A Lambda behind
 * API Gateway cannot: there `apiHandler` collects the stream into the body, up to `lambdaStreamLimitBytes`.
 */
export const streamedBody = Symbol.for('gongdan.streamedBody');

/**
 * The most a collected stream may hold: API Gateway and Lambda cap a response at 6 MB, and a binary body
 * travels base64-encoded (4/3 larger) inside the JSON envelope.
 */
export const lambdaStreamLimitBytes = 4 * 1024 * 1024;

/** The streamed body `apiHandler` attached to a result, if any. */
export const streamedBodyOf = (result: unknown): Readable | undefined =>
  typeof result === 'object' && result !== null
    ? ((result as { [streamedBody]?: Readable })[streamedBody] ?? undefined)
    : undefined;

import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { OutboxRef } from '../../domain/ticket/outbox.store.ts';

/**
 * Only new outbox items start a dispatch: the stream also carries tickets, audit events and the
 * dispatcher's own updates to the record (MODIFY). The stack's event source mapping filters with this
 * same pattern; `outboxRefsOf` checks it again, so a wider mapping (or the local poller) is harmless.
 */
export const outboxStreamFilter = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { entity: { S: ['outbox'] } } },
} as const;

export interface StreamedRef {
  ref: OutboxRef;
  sequenceNumber: string;
}

/** The outbox records a stream batch inserted, in stream order. */
export function outboxRefsOf(records: readonly DynamoDBRecord[]): StreamedRef[] {
  const out: StreamedRef[] = [];
  for (const r of records) {
    const image = r.dynamodb?.NewImage;
    if (r.eventName !== 'INSERT' || !image || image.entity?.S !== 'outbox') continue;
    // Only the record's ids are read (the dispatcher leases the record itself); the rest of the image is
    // not unmarshalled, so nothing in it (an empty map, which some readers drop) can stop the batch.
    const record = image.record?.M;
    const id = record?.id?.S;
    const ticketId = record?.ticketId?.S;
    if (!id || !ticketId) continue;
    out.push({
      ref: { ticketId, recordId: id },
      sequenceNumber: r.dynamodb?.SequenceNumber ?? '',
    });
  }
  return out;
}

/**
 * Turns a dispatch of a stream batch into the Lambda's answer: the earliest record that could not be
 * dispatched (the store failed, not a reaction: those retry on their own schedule) is reported, so
 * the event source mapping retries the batch from there and records of one ticket stay in order.
 */
export async function dispatchStreamBatch(
  event: DynamoDBStreamEvent,
  dispatchAll: (refs: OutboxRef[]) => Promise<{ ref: OutboxRef }[]>,
): Promise<DynamoDBBatchResponse> {
  const streamed = outboxRefsOf(event.Records);
  const failed = new Set((await dispatchAll(streamed.map((s) => s.ref))).map((f) => f.ref.recordId));
  const first = streamed.find((s) => failed.has(s.ref.recordId));
  return { batchItemFailures: first ? [{ itemIdentifier: first.sequenceNumber }] : [] };
}

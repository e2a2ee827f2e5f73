import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { OutboxRef } from '../../domain/ticket/outbox.store.ts';
import type { OutboxRecord } from '../../domain/ticket/ticket-change.ts';
import { recordOfJson } from './dynamo-outbox-store.ts';

/**
 * Only new outbox items start a dispatch: the stream also carries tickets, audit events and the
 * dispatcher's own updates to the record (MODIFY). The stack's event source mapping filters with this
 * same pattern; `outboxRefsOf` checks it again, so a wider mapping (or the local poller) is harmless.
 */
export const outboxStreamFilter = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { entity: { S: ['outbox'] } } },
} as const;

export interface StreamedRecord {
  ref: OutboxRef;
  record: OutboxRecord;
  sequenceNumber: string;
}

/**
 * The outbox records a stream batch inserted, in stream order. The record is read from its JSON text
 * (the rest of the image is not unmarshalled, so nothing in it — an empty map, which some readers drop —
 * can stop the batch).
 */
export function outboxRecordsOf(records: readonly DynamoDBRecord[]): StreamedRecord[] {
  const out: StreamedRecord[] = [];
  for (const r of records) {
    const image = r.dynamodb?.NewImage;
    if (r.eventName !== 'INSERT' || !image || image.entity?.S !== 'outbox') continue;
    const json = image.recordJson?.S;
    if (!json) continue;
    const record = recordOfJson(json);
    out.push({
      ref: { ticketId: record.ticketId, recordId: record.id },
      record,
      sequenceNumber: r.dynamodb?.SequenceNumber ?? '',
    });
  }
  return out;
}

/**
 * Turns a dispatch of a stream batch into the Lambda's answer. The stream is each record's first
 * delivery, so the records are run as they came, without a lease (only the retry sweep leases). The
 * earliest record that could not be dispatched (the store failed, not a reaction: those retry on their
 * own schedule) is reported, so the event source mapping retries the batch from there and records of one
 * ticket stay in order.
 */
export async function dispatchStreamBatch(
  event: DynamoDBStreamEvent,
  dispatchAll: (items: { ref: OutboxRef; record: OutboxRecord }[]) => Promise<{ ref: OutboxRef }[]>,
): Promise<DynamoDBBatchResponse> {
  const streamed = outboxRecordsOf(event.Records);
  const items = streamed.map((s) => ({ ref: s.ref, record: s.record }));
  const failed = new Set((await dispatchAll(items)).map((f) => f.ref.recordId));
  const first = streamed.find((s) => failed.has(s.ref.recordId));
  return { batchItemFailures: first ? [{ itemIdentifier: first.sequenceNumber }] : [] };
}

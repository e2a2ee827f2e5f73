import 'aws-sdk-client-mock-vitest/extend';
import {
  FirehoseClient,
  PutRecordBatchCommand,
  type PutRecordBatchCommandInput,
  ServiceUnavailableException,
} from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  batchesOf,
  firehoseLakeSink,
  firehoseLimits,
} from '#shared/adapters/analytics/firehose-lake-sink.ts';
import type { TicketEventRow } from '#shared/domain/analytics/lake-records.ts';

const firehose = mockClient(FirehoseClient);
afterEach(() => firehose.reset());

const streams = { ticket_facts: 'facts-stream', ticket_events: 'events-stream' };
const noWait = { backoffMs: () => 0 };

const eventRow = (i: number): TicketEventRow => ({
  event_id: `E${i}`,
  ticket_id: `T${i % 7}`,
  version: 1,
  at_ms: Date.parse('2026-12-07T02:00:00Z') + i,
  type: 'replied',
  actor_id: 'desk-1',
  actor_role: 'agent',
  channel: 'web',
  from_status: null,
  to_status: null,
  from_team: null,
  to_team: null,
  agent: 'desk-1',
  public: true,
  dt: '2026-12-07',
});

/** The event ids of the records of one call, decoded. */
const idsOf = (input: PutRecordBatchCommandInput) =>
  (input.Records ?? []).map((r) => {
    const text = new TextDecoder().decode(r.Data);
    expect(text.endsWith('\n')).toBe(true);
    return (JSON.parse(text) as { event_id: string }).event_id;
  });

const calls = () => firehose.commandCalls(PutRecordBatchCommand).map((c) => c.args[0].input);

describe('firehoseLakeSink()', () => {
  it('sends each table to its stream as newline-terminated JSON without dt, 500 records per call', async () => {
    // Prepare
    firehose.on(PutRecordBatchCommand).resolves({ FailedPutCount: 0, RequestResponses: [] });
    const sink = firehoseLakeSink(new FirehoseClient({}), streams, noWait);
    const rows = Array.from({ length: 1201 }, (_, i) => eventRow(i));

    // Act
    await sink.put({ ticket_events: rows });

    // Assess
    const sent = calls();
    expect(sent.map((c) => [c.DeliveryStreamName, c.Records?.length])).toEqual([
      ['events-stream', 500],
      ['events-stream', 500],
      ['events-stream', 201],
    ]);
    expect(sent.flatMap(idsOf)).toEqual(rows.map((r) => r.event_id));
    const first = JSON.parse(new TextDecoder().decode(sent[0]!.Records![0]!.Data)) as Record<string, unknown>;
    expect(first).not.toHaveProperty('dt');
    expect(first).toMatchObject({ event_id: 'E0', public: true, at_ms: rows[0]!.at_ms });
  });

  it('keeps each call under 4 MiB', () => {
    const record = new Uint8Array(900 * 1024);
    const batches = batchesOf(Array.from({ length: 10 }, () => record));
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    for (const b of batches)
      expect(b.reduce((n, r) => n + r.byteLength, 0)).toBeLessThanOrEqual(firehoseLimits.bytes);
    expect(() => batchesOf([new Uint8Array(firehoseLimits.recordBytes + 1)])).toThrow(/1,000 KiB/);
  });

  it('sends again only the records Firehose refused', async () => {
    // Prepare: the first call refuses the second and fourth record
    firehose
      .on(PutRecordBatchCommand)
      .resolvesOnce({
        FailedPutCount: 2,
        RequestResponses: [
          { RecordId: 'a' },
          { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'slow down' },
          { RecordId: 'c' },
          { ErrorCode: 'InternalFailure', ErrorMessage: 'oops' },
        ],
      })
      .resolves({ FailedPutCount: 0, RequestResponses: [{ RecordId: 'b' }, { RecordId: 'd' }] });
    const sink = firehoseLakeSink(new FirehoseClient({}), streams, noWait);

    // Act
    await sink.put({ ticket_events: [0, 1, 2, 3].map(eventRow) });

    // Assess
    expect(calls().map(idsOf)).toEqual([
      ['E0', 'E1', 'E2', 'E3'],
      ['E1', 'E3'],
    ]);
  });

  it('retries a throttled call whole, and throws when records are still refused after the last attempt', async () => {
    // Prepare: throttled once, then one record refused on every attempt
    firehose
      .on(PutRecordBatchCommand)
      .rejectsOnce(new ServiceUnavailableException({ message: 'Slow down.', $metadata: {} }))
      .resolves({
        FailedPutCount: 1,
        RequestResponses: [{ ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' }],
      });
    const sink = firehoseLakeSink(new FirehoseClient({}), streams, { attempts: 3, backoffMs: () => 0 });

    // Act
    const put = sink.put({ ticket_events: [eventRow(9)] });

    // Assess: the dispatcher sees the failure and retries the change later
    await expect(put).rejects.toThrow(/refused 1 of 1 lake rows after 3 attempts/);
    expect(calls().map(idsOf)).toEqual([['E9'], ['E9'], ['E9']]);
  });

  it('throws at once on an error that retrying cannot mend', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .rejects(Object.assign(new Error('no such stream'), { name: 'ResourceNotFoundException' }));
    const sink = firehoseLakeSink(new FirehoseClient({}), streams, noWait);
    await expect(sink.put({ ticket_events: [eventRow(1)] })).rejects.toThrow('no such stream');
    expect(calls()).toHaveLength(1);
  });
});
